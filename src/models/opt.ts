// OPTForSequenceClassification with one label (a reward model), read top to bottom: config, parameters, forward.
// Two layouts: pre-LN with a decoder final_layer_norm (125m and up) and post-LN with project_in/out (350m).
// Legend: B batch, T tokens, C = hidden_size, E = word_embed_proj_dim, H heads, D = C / H, F = ffn_dim, V vocab.
import { InputError } from "../errors.js";
import { ConfigReader, type RawConfig } from "./config.js";
import type { Graph, Node } from "../engine/index.js";
import type { KeyRules } from "./checkpoint.js";
import { attention, layerNorm, layerRows, scoreHead, type LayerRows, type ParamLookup, type RewardInputs } from "./layers.js";
import type { ParamSpec } from "./weights.js";

// ---- config ----

export interface OPTConfig {
  readonly model_type: "opt";
  readonly vocab_size: number;
  readonly hidden_size: number;
  readonly word_embed_proj_dim: number;
  readonly num_hidden_layers: number;
  readonly num_attention_heads: number;
  readonly ffn_dim: number;
  readonly max_position_embeddings: number;
  readonly do_layer_norm_before: boolean;
  readonly _remove_final_layer_norm: boolean;
  readonly enable_bias: boolean;
  readonly activation_function: "relu";
  readonly init_std: number;
  readonly pad_token_id: number | null;
}

/** OPT LayerNorms use torch's default eps (OPTConfig has no eps field). */
export const OPT_LAYER_NORM_EPS = 1e-5;
/** OPT's learned positions start at row 2 (fairseq reserved rows 0 and 1). */
export const OPT_POSITION_OFFSET = 2;

export function parseOPTConfig(raw: RawConfig, file: string): OPTConfig {
  const r = new ConfigReader(raw, file);
  r.dtype();
  const hidden_size = r.positiveInt("hidden_size"), heads = r.positiveInt("num_attention_heads");
  if (hidden_size % heads !== 0) {
    throw new InputError(`hidden_size ${hidden_size} is not a multiple of num_attention_heads ${heads}`, { file, field: "num_attention_heads" });
  }
  if (!r.bool("layer_norm_elementwise_affine", true)) {
    throw new InputError("expected true (LayerNorms without weights are not supported), got false", { file, field: "layer_norm_elementwise_affine" });
  }
  return {
    model_type: "opt",
    vocab_size: r.positiveInt("vocab_size"),
    hidden_size,
    word_embed_proj_dim: r.positiveInt("word_embed_proj_dim", hidden_size),
    num_hidden_layers: r.positiveInt("num_hidden_layers"),
    num_attention_heads: heads,
    ffn_dim: r.positiveInt("ffn_dim"),
    max_position_embeddings: r.positiveInt("max_position_embeddings"),
    do_layer_norm_before: r.bool("do_layer_norm_before", true),
    _remove_final_layer_norm: r.bool("_remove_final_layer_norm", false),
    enable_bias: r.bool("enable_bias", true),
    activation_function: r.oneOf("activation_function", ["relu"], "relu"),
    init_std: r.num("init_std", 0.02),
    pad_token_id: r.intOrNull("pad_token_id"),
  };
}

const hasProjections = (c: OPTConfig) => c.word_embed_proj_dim !== c.hidden_size;
const hasFinalLayerNorm = (c: OPTConfig) => c.do_layer_norm_before && !c._remove_final_layer_norm;

// ---- parameters: HF names, nn.Linear weights stored [out, in], named_parameters() order ----

export function optParams(c: OPTConfig): ParamSpec[] {
  const C = c.hidden_size, E = c.word_embed_proj_dim, F = c.ffn_dim;
  const normal = { kind: "normal", std: c.init_std } as const, ZEROS = { kind: "zeros" } as const, ONES = { kind: "ones" } as const;
  const d = "model.decoder";
  const p: ParamSpec[] = [
    { name: `${d}.embed_tokens.weight`, shape: [c.vocab_size, E], init: normal },
    { name: `${d}.embed_positions.weight`, shape: [c.max_position_embeddings + OPT_POSITION_OFFSET, C], init: normal },
  ];
  if (hasFinalLayerNorm(c)) {
    p.push({ name: `${d}.final_layer_norm.weight`, shape: [C], init: ONES }, { name: `${d}.final_layer_norm.bias`, shape: [C], init: ZEROS });
  }
  if (hasProjections(c)) {
    p.push({ name: `${d}.project_out.weight`, shape: [E, C], init: normal }, { name: `${d}.project_in.weight`, shape: [C, E], init: normal });
  }
  const linear = (name: string, out: number, inp: number): ParamSpec[] => [
    { name: `${name}.weight`, shape: [out, inp], init: normal },
    ...(c.enable_bias ? [{ name: `${name}.bias`, shape: [out], init: ZEROS }] : []),
  ];
  for (let i = 0; i < c.num_hidden_layers; i++) {
    const l = `${d}.layers.${i}`;
    p.push(
      ...linear(`${l}.self_attn.k_proj`, C, C),
      ...linear(`${l}.self_attn.v_proj`, C, C),
      ...linear(`${l}.self_attn.q_proj`, C, C),
      ...linear(`${l}.self_attn.out_proj`, C, C),
      { name: `${l}.self_attn_layer_norm.weight`, shape: [C], init: ONES },
      { name: `${l}.self_attn_layer_norm.bias`, shape: [C], init: ZEROS },
      ...linear(`${l}.fc1`, F, C),
      ...linear(`${l}.fc2`, C, F),
      { name: `${l}.final_layer_norm.weight`, shape: [C], init: ONES },
      { name: `${l}.final_layer_norm.bias`, shape: [C], init: ZEROS },
    );
  }
  p.push({ name: "score.weight", shape: [1, E], init: normal });
  return p;
}

/** OPTModel checkpoints (facebook/opt-*) use "decoder.…"; causal-LM ones "model.decoder.…" plus lm_head. */
export const OPT_KEY_RULES: KeyRules = {
  aliases: (name) => (name.startsWith("model.") ? [name, name.slice("model.".length)] : [name]),
  ignore: /^lm_head\.weight$/,
  freshIfMissing: new Set(["score.weight"]),
  dimFields(name) {
    if (name.endsWith("embed_tokens.weight")) return ["vocab_size", "word_embed_proj_dim"];
    if (name.endsWith("embed_positions.weight")) return ["max_position_embeddings", "hidden_size"];
    if (name.endsWith("project_in.weight")) return ["hidden_size", "word_embed_proj_dim"];
    if (name.endsWith("project_out.weight")) return ["word_embed_proj_dim", "hidden_size"];
    if (name.endsWith("fc1.weight")) return ["ffn_dim", "hidden_size"];
    if (name.endsWith("fc2.weight")) return ["hidden_size", "ffn_dim"];
    if (name.endsWith("fc1.bias")) return ["ffn_dim"];
    if (name === "score.weight") return ["num_labels", "word_embed_proj_dim"];
    return ["hidden_size", "hidden_size"];
  },
};

// ---- forward: rewards [B, K] ----

/** nn.Linear: weights stored [out, in], applied as x·Wᵀ + b. */
function linear(g: Graph, p: ParamLookup, c: OPTConfig, name: string, x: Node, bias = c.enable_bias): Node {
  const y = g.matmul(x, g.transpose(p(`${name}.weight`), [1, 0]));
  return bias ? g.add(y, p(`${name}.bias`)) : y;
}

/** Keys and values from every token of x; queries from r's rows of it. Returns [B, N, C]. */
function selfAttention(g: Graph, p: ParamLookup, c: OPTConfig, l: string, x: Node, bias: Node, r: LayerRows): Node {
  const H = c.num_attention_heads, D = c.hidden_size / H;
  // q = q_proj(x) · D^-0.5: the bias is scaled too, and the scores are not divided again
  const q = g.mul(linear(g, p, c, `${l}.self_attn.q_proj`, r.rows(x)), g.scalar(D ** -0.5));     // [B, N, C]
  const k = linear(g, p, c, `${l}.self_attn.k_proj`, x), v = linear(g, p, c, `${l}.self_attn.v_proj`, x);
  return linear(g, p, c, `${l}.self_attn.out_proj`, attention(g, q, k, v, r.bias(bias), H, D, null, r.N)); // [B, N, C]
}

/** One layer; `r` picks the rows it outputs (the last layer: only the pooled tokens; keys and values use all). */
function decoderLayer(g: Graph, p: ParamLookup, c: OPTConfig, i: number, x: Node, bias: Node, r: LayerRows): Node {
  const l = `model.decoder.layers.${i}`, eps = OPT_LAYER_NORM_EPS;
  const mlp = (t: Node) => linear(g, p, c, `${l}.fc2`, g.relu(linear(g, p, c, `${l}.fc1`, t)));  // [B, N, C]
  if (c.do_layer_norm_before) {                                                                   // 125m and up: pre-LN
    x = g.add(r.rows(x), selfAttention(g, p, c, l, layerNorm(g, p, `${l}.self_attn_layer_norm`, x, eps), bias, r));
    return g.add(x, mlp(layerNorm(g, p, `${l}.final_layer_norm`, x, eps)));
  }
  x = layerNorm(g, p, `${l}.self_attn_layer_norm`, g.add(r.rows(x), selfAttention(g, p, c, l, x, bias, r)), eps); // 350m: post-LN
  return layerNorm(g, p, `${l}.final_layer_norm`, g.add(x, mlp(x)), eps);
}

/** The last layer computes only the pooled tokens' rows after its keys and values: nothing after it reads others. */
export function optForward(g: Graph, c: OPTConfig, inp: RewardInputs, p: ParamLookup): Node {
  const d = "model.decoder", L = c.num_hidden_layers;
  let x = g.gather(p(`${d}.embed_tokens.weight`), inp.inputIds);                                  // [B, T, E]
  if (hasProjections(c)) x = linear(g, p, c, `${d}.project_in`, x, false);                       // [B, T, C]
  x = g.add(x, g.gather(p(`${d}.embed_positions.weight`), inp.positionRows));                     // [B, T, C]
  for (let i = 0; i < L; i++) x = decoderLayer(g, p, c, i, x, inp.attentionBias, layerRows(g, i === L - 1 ? inp.poolIndex : null));
  if (hasFinalLayerNorm(c)) x = layerNorm(g, p, `${d}.final_layer_norm`, x, OPT_LAYER_NORM_EPS);  // [B, K, C]
  if (hasProjections(c)) x = linear(g, p, c, `${d}.project_out`, x, false);                      // [B, K, E]
  return scoreHead(g, p, x);                                                                // [B, K]
}

/** position rows = cumsum(mask)·mask − 1 + 2: pads read row 1, so OPT does not depend on the padding side. */
export function optPositionIds(_c: OPTConfig, mask: ArrayLike<number>, B: number, T: number): Int32Array {
  const out = new Int32Array(B * T);
  for (let b = 0; b < B; b++) {
    let run = 0;
    for (let t = 0; t < T; t++) {
      const m = mask[b * T + t] ? 1 : 0;
      run += m;
      out[b * T + t] = run * m - 1 + OPT_POSITION_OFFSET;
    }
  }
  return out;
}
