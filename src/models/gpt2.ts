// GPT2ForSequenceClassification with one label (a reward model), read top to bottom: config, parameters, forward.
// Legend: B batch, T tokens, C = n_embd, H = n_head, D = C / H head dim, F = n_inner, V = vocab_size.
import { InputError } from "../errors.js";
import { ConfigReader, type RawConfig } from "./config.js";
import type { Graph, Node } from "../engine/index.js";
import type { KeyRules } from "./checkpoint.js";
import { arangePositionIds, attention, layerNorm, layerRows, scoreHead, type LayerRows, type ParamLookup, type RewardInputs } from "./layers.js";
import type { ParamSpec } from "./weights.js";

// ---- config ----

export interface GPT2Config {
  readonly model_type: "gpt2";
  readonly vocab_size: number;
  readonly n_positions: number;
  readonly n_embd: number;
  readonly n_layer: number;
  readonly n_head: number;
  /** MLP width; config null → 4 · n_embd */
  readonly n_inner: number;
  readonly activation_function: "gelu_new" | "gelu_pytorch_tanh";
  readonly layer_norm_epsilon: number;
  readonly initializer_range: number;
  readonly scale_attn_weights: boolean;
  readonly scale_attn_by_inverse_layer_idx: boolean;
  readonly pad_token_id: number | null;
}

export function parseGPT2Config(raw: RawConfig, file: string): GPT2Config {
  const r = new ConfigReader(raw, file);
  r.dtype();
  const n_embd = r.positiveInt("n_embd"), n_head = r.positiveInt("n_head");
  if (n_embd % n_head !== 0) {
    throw new InputError(`n_embd ${n_embd} is not a multiple of n_head ${n_head}`, { file, field: "n_head" });
  }
  return {
    model_type: "gpt2",
    vocab_size: r.positiveInt("vocab_size"),
    n_positions: r.positiveInt("n_positions"),
    n_embd,
    n_layer: r.positiveInt("n_layer"),
    n_head,
    n_inner: r.intOrNull("n_inner") ?? 4 * n_embd,
    // gelu_pytorch_tanh is the same tanh formula as gelu_new
    activation_function: r.oneOf("activation_function", ["gelu_new", "gelu_pytorch_tanh"], "gelu_new"),
    layer_norm_epsilon: r.num("layer_norm_epsilon", 1e-5),
    initializer_range: r.num("initializer_range", 0.02),
    scale_attn_weights: r.bool("scale_attn_weights", true),
    scale_attn_by_inverse_layer_idx: r.bool("scale_attn_by_inverse_layer_idx", false),
    pad_token_id: r.intOrNull("pad_token_id"),
  };
}

// ---- parameters: HF names, shapes as stored (Conv1D [in, out]), named_parameters() order ----

const normal = (std: number) => ({ kind: "normal", std }) as const;
const ZEROS = { kind: "zeros" } as const, ONES = { kind: "ones" } as const;

export function gpt2Params(c: GPT2Config): ParamSpec[] {
  const C = c.n_embd, F = c.n_inner, std = c.initializer_range;
  const projStd = std / Math.sqrt(2 * c.n_layer); // GPT-2 scales residual projections at init
  const p: ParamSpec[] = [
    { name: "transformer.wte.weight", shape: [c.vocab_size, C], init: normal(std) },
    { name: "transformer.wpe.weight", shape: [c.n_positions, C], init: normal(std) },
  ];
  for (let i = 0; i < c.n_layer; i++) {
    const h = `transformer.h.${i}`;
    p.push(
      { name: `${h}.ln_1.weight`, shape: [C], init: ONES },
      { name: `${h}.ln_1.bias`, shape: [C], init: ZEROS },
      { name: `${h}.attn.c_attn.weight`, shape: [C, 3 * C], init: normal(std) },
      { name: `${h}.attn.c_attn.bias`, shape: [3 * C], init: ZEROS },
      { name: `${h}.attn.c_proj.weight`, shape: [C, C], init: normal(projStd) },
      { name: `${h}.attn.c_proj.bias`, shape: [C], init: ZEROS },
      { name: `${h}.ln_2.weight`, shape: [C], init: ONES },
      { name: `${h}.ln_2.bias`, shape: [C], init: ZEROS },
      { name: `${h}.mlp.c_fc.weight`, shape: [C, F], init: normal(std) },
      { name: `${h}.mlp.c_fc.bias`, shape: [F], init: ZEROS },
      { name: `${h}.mlp.c_proj.weight`, shape: [F, C], init: normal(projStd) },
      { name: `${h}.mlp.c_proj.bias`, shape: [C], init: ZEROS },
    );
  }
  p.push(
    { name: "transformer.ln_f.weight", shape: [C], init: ONES },
    { name: "transformer.ln_f.bias", shape: [C], init: ZEROS },
    { name: "score.weight", shape: [1, C], init: normal(std) },
  );
  return p;
}

/** Hub GPT-2 checkpoints name keys without "transformer." and carry attention-mask buffers; LM ones carry lm_head. */
export const GPT2_KEY_RULES: KeyRules = {
  aliases: (name) => (name.startsWith("transformer.") ? [name, name.slice("transformer.".length)] : [name]),
  ignore: /(^|\.)attn\.(bias|masked_bias)$|^lm_head\.weight$/,
  freshIfMissing: new Set(["score.weight"]),
  dimFields(name) {
    if (name.endsWith("wte.weight")) return ["vocab_size", "n_embd"];
    if (name.endsWith("wpe.weight")) return ["n_positions", "n_embd"];
    if (name.endsWith("c_fc.weight")) return ["n_embd", "n_inner"];
    if (name.endsWith("mlp.c_proj.weight")) return ["n_inner", "n_embd"];
    if (name === "score.weight") return ["num_labels", "n_embd"];
    return name.endsWith("c_fc.bias") ? ["n_inner"] : [null, "n_embd"];
  },
};

// ---- forward: rewards [B, K] ----

/** Conv1D: weights stored [in, out], applied as x·W + b (no transpose). */
function conv1d(g: Graph, p: ParamLookup, name: string, x: Node): Node {
  return g.add(g.matmul(x, p(`${name}.weight`)), p(`${name}.bias`));
}

/** One block; `r` picks the rows it outputs (the last block: only the pooled tokens; keys and values use all). */
function block(g: Graph, p: ParamLookup, c: GPT2Config, i: number, x: Node, bias: Node, r: LayerRows): Node {
  const h = `transformer.h.${i}`, C = c.n_embd, D = C / c.n_head;
  const qkv = conv1d(g, p, `${h}.attn.c_attn`, layerNorm(g, p, `${h}.ln_1`, x, c.layer_norm_epsilon)); // [B, T, 3C]
  // HF divides by sqrt(D) (and by layer index + 1 when scale_attn_by_inverse_layer_idx)
  let divisor: number | null = c.scale_attn_weights ? Math.sqrt(D) : null;
  if (c.scale_attn_by_inverse_layer_idx) divisor = (divisor ?? 1) * (i + 1);
  const q = g.slice(qkv, 2, 0, C), k = g.slice(qkv, 2, C, 2 * C), v = g.slice(qkv, 2, 2 * C, 3 * C); // [B, T, C]
  const a = attention(g, r.rows(q), k, v, r.bias(bias), c.n_head, D, divisor, r.N);                  // [B, N, C]
  x = g.add(r.rows(x), conv1d(g, p, `${h}.attn.c_proj`, a));
  const m = g.gelu(conv1d(g, p, `${h}.mlp.c_fc`, layerNorm(g, p, `${h}.ln_2`, x, c.layer_norm_epsilon))); // [B, N, F]
  return g.add(x, conv1d(g, p, `${h}.mlp.c_proj`, m));                                               // [B, N, C]
}

/** The last block computes only the pooled tokens' rows after its keys and values: nothing after it reads others. */
export function gpt2Forward(g: Graph, c: GPT2Config, inp: RewardInputs, p: ParamLookup): Node {
  let x = g.add(g.gather(p("transformer.wte.weight"), inp.inputIds), g.gather(p("transformer.wpe.weight"), inp.positionRows)); // [B, T, C]
  for (let i = 0; i < c.n_layer; i++) x = block(g, p, c, i, x, inp.attentionBias, layerRows(g, i === c.n_layer - 1 ? inp.poolIndex : null));
  x = layerNorm(g, p, "transformer.ln_f", x, c.layer_norm_epsilon);                                  // [B, K, C]
  return scoreHead(g, p, x);                                                                   // [B, K]
}

/** GPT-2 positions are arange(T) for every row, whatever the mask (so left padding changes rewards, as in HF). */
export const gpt2PositionIds: (c: GPT2Config, mask: ArrayLike<number>, B: number, T: number) => Int32Array = arangePositionIds;
