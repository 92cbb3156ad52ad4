// LlamaForSequenceClassification and its close variants with one label (a reward model), read top to bottom: config,
// rotary frequencies, parameters, forward. transformers writes Mistral as Llama + a sliding window, Qwen2 as Llama +
// q/k/v biases and Qwen3 as Llama + q/k RMSNorms (modular_*.py); here too: one config whose switches are read where
// they take effect, one registry row per model_type.
// Legend: B batch, T tokens, C = hidden_size, H = num_attention_heads, Hkv = num_key_value_heads, G = H / Hkv query
// heads per kv head, D = head_dim, F = intermediate_size, V vocab.
import { InputError } from "../errors.js";
import { ConfigReader, type RawConfig } from "./config.js";
import type { Dim, Graph, Node } from "../engine/index.js";
import type { KeyRules } from "./checkpoint.js";
import { MASKED, layerRows, scoreHead, type LayerRows, type ParamLookup, type RewardInputs } from "./layers.js";
import type { ParamSpec } from "./weights.js";

// ---- config ----

export const LLAMA_FAMILY = ["llama", "mistral", "qwen2", "qwen3"] as const;
export type LlamaModelType = (typeof LLAMA_FAMILY)[number];

/** Rotary frequencies: rope_parameters (transformers 5) or rope_scaling + rope_theta (4.x), resolved. */
export type RopeParameters =
  | { readonly rope_type: "default"; readonly rope_theta: number }
  | { readonly rope_type: "linear"; readonly rope_theta: number; readonly factor: number }
  | {
    readonly rope_type: "llama3"; readonly rope_theta: number; readonly factor: number; readonly low_freq_factor: number;
    readonly high_freq_factor: number; readonly original_max_position_embeddings: number;
  };

export type LayerType = "full_attention" | "sliding_attention";

export interface LlamaConfig {
  readonly model_type: LlamaModelType;
  readonly vocab_size: number;
  readonly hidden_size: number;
  readonly intermediate_size: number;
  readonly num_hidden_layers: number;
  readonly num_attention_heads: number;
  /** < num_attention_heads: grouped-query attention (1: multi-query) */
  readonly num_key_value_heads: number;
  /** config head_dim, else hidden_size / num_attention_heads */
  readonly head_dim: number;
  readonly hidden_act: "silu";
  readonly max_position_embeddings: number;
  readonly rms_norm_eps: number;
  readonly initializer_range: number;
  /** bias on q/k/v/o (llama, qwen3); Qwen2 has q/k/v biases whatever this says */
  readonly attention_bias: boolean;
  readonly mlp_bias: boolean;
  readonly rope_parameters: RopeParameters;
  /** null: every layer attends to all earlier tokens */
  readonly sliding_window: number | null;
  readonly layer_types: readonly LayerType[];
  /** no effect on a reward model (no lm_head); kept so config.json round-trips and FLOPs/params can say so */
  readonly tie_word_embeddings: boolean;
  readonly pad_token_id: number | null;
}

export function parseLlamaConfig(raw: RawConfig, file: string): LlamaConfig {
  const r = new ConfigReader(raw, file);
  r.dtype();
  const model_type = r.oneOf("model_type", LLAMA_FAMILY);
  const hidden_size = r.positiveInt("hidden_size"), heads = r.positiveInt("num_attention_heads");
  const kvHeads = r.positiveInt("num_key_value_heads", heads);
  if (heads % kvHeads !== 0) {
    throw new InputError(`num_attention_heads ${heads} is not a multiple of num_key_value_heads ${kvHeads}`, { file, field: "num_key_value_heads" });
  }
  if (raw["head_dim"] == null && hidden_size % heads !== 0) {
    throw new InputError(`hidden_size ${hidden_size} is not a multiple of num_attention_heads ${heads} and no head_dim is given`, { file, field: "head_dim" });
  }
  const head_dim = r.positiveInt("head_dim", hidden_size / heads);
  if (head_dim % 2 !== 0) throw new InputError(`expected an even head_dim (rotary embeddings rotate halves), got ${head_dim}`, { file, field: "head_dim" });
  const num_hidden_layers = r.positiveInt("num_hidden_layers");
  const max_position_embeddings = r.positiveInt("max_position_embeddings", 2048);
  const { sliding_window, layer_types } = slidingWindow(r, model_type, num_hidden_layers);
  return {
    model_type, vocab_size: r.positiveInt("vocab_size"), hidden_size,
    intermediate_size: r.positiveInt("intermediate_size"), num_hidden_layers, num_attention_heads: heads,
    num_key_value_heads: kvHeads, head_dim,
    hidden_act: hiddenAct(r),
    max_position_embeddings, rms_norm_eps: r.num("rms_norm_eps", 1e-6), initializer_range: r.num("initializer_range", 0.02),
    attention_bias: r.bool("attention_bias", false), mlp_bias: model_type === "llama" ? r.bool("mlp_bias", false) : false,
    rope_parameters: ropeParameters(r, max_position_embeddings),
    sliding_window, layer_types, tie_word_embeddings: r.bool("tie_word_embeddings", false), pad_token_id: r.intOrNull("pad_token_id"),
  };
}

/** SwiGLU's activation: "silu", or "swish", which ACT2FN maps to the same SiLU. */
function hiddenAct(r: ConfigReader): "silu" {
  r.oneOf("hidden_act", ["silu", "swish"], "silu");
  return "silu";
}

/** rope_parameters (5.x) or rope_scaling with a top-level rope_theta (4.x); theta defaults to 10000 as in both. */
function ropeParameters(r: ConfigReader, maxPositions: number): RopeParameters {
  const field = r.raw["rope_parameters"] != null ? "rope_parameters" : "rope_scaling";
  const v = r.raw[field] ?? {};
  if (typeof v !== "object" || Array.isArray(v)) throw new InputError(`expected an object or null, got ${JSON.stringify(v)}`, { file: r.file, field });
  const sub = new ConfigReader({ rope_theta: r.raw["rope_theta"] ?? 10000, ...(v as RawConfig) }, r.file);
  const at = (f: string) => `${field}.${f}`;
  const num = (f: string, def?: number) => {
    const x = sub.raw[f] ?? def;
    if (typeof x !== "number" || !Number.isFinite(x)) throw new InputError(`expected a number, got ${JSON.stringify(x ?? null)}`, { file: r.file, field: at(f) });
    return x;
  };
  const type = sub.raw["rope_type"] ?? sub.raw["type"] ?? "default";
  const partial = sub.raw["partial_rotary_factor"] ?? r.raw["partial_rotary_factor"] ?? 1;
  if (partial !== 1) throw new InputError(`expected 1 (rotary embeddings on every channel), got ${JSON.stringify(partial)}`, { file: r.file, field: at("partial_rotary_factor") });
  const rope_theta = num("rope_theta");
  if (type === "default") return { rope_type: "default", rope_theta };
  if (type === "linear") return { rope_type: "linear", rope_theta, factor: num("factor") };
  if (type === "llama3") {
    return {
      rope_type: "llama3", rope_theta, factor: num("factor"), low_freq_factor: num("low_freq_factor"),
      high_freq_factor: num("high_freq_factor"),
      original_max_position_embeddings: num("original_max_position_embeddings", r.raw["original_max_position_embeddings"] as number ?? maxPositions),
    };
  }
  throw new InputError(`rope type ${JSON.stringify(type)} is not supported (supported: "default", "linear", "llama3")`, { file: r.file, field: at("rope_type") });
}

/**
 * Which layers attend through a sliding window, as each config class decides: Mistral every layer when
 * sliding_window is set; Qwen2/Qwen3 only with use_sliding_window, the layers named in layer_types (default: from
 * max_window_layers on); Llama never.
 */
function slidingWindow(r: ConfigReader, type: LlamaModelType, L: number): { sliding_window: number | null; layer_types: LayerType[] } {
  const full = (): LayerType[] => Array.from({ length: L }, () => "full_attention");
  if (type === "llama") return { sliding_window: null, layer_types: full() };
  const window = r.intOrNull("sliding_window");
  if (type === "mistral") return { sliding_window: window, layer_types: window === null ? full() : Array.from({ length: L }, () => "sliding_attention") };
  if (!r.bool("use_sliding_window", false) || window === null) return { sliding_window: null, layer_types: full() };
  const given = r.raw["layer_types"];
  if (given != null) {
    if (!Array.isArray(given) || given.length !== L || !given.every((t) => t === "full_attention" || t === "sliding_attention")) {
      throw new InputError(`expected ${L} entries of "full_attention" / "sliding_attention", got ${JSON.stringify(given)}`, { file: r.file, field: "layer_types" });
    }
    return { sliding_window: window, layer_types: given as LayerType[] };
  }
  const from = r.int("max_window_layers", 28);
  return { sliding_window: window, layer_types: Array.from({ length: L }, (_, i) => (i >= from ? "sliding_attention" : "full_attention")) };
}

// ---- rotary frequencies: float32 step by step, as transformers computes its inv_freq buffer ----

const f32 = Math.fround;

/** inv_freq [D/2] of the config's rope type, each operation rounded to float32 as torch does it. */
export function ropeInverseFrequencies(c: LlamaConfig): Float32Array {
  const D = c.head_dim, rp = c.rope_parameters;
  const inv = new Float32Array(D / 2);
  for (let i = 0; i < D / 2; i++) inv[i] = f32(1 / f32(Math.pow(rp.rope_theta, f32((2 * i) / D))));
  if (rp.rope_type === "linear") for (let i = 0; i < inv.length; i++) inv[i] = f32((inv[i] as number) / rp.factor);
  if (rp.rope_type === "llama3") {
    // wavelengths above the original context are slowed by `factor`, below context/high_freq_factor kept, between blended
    const lowWavelen = rp.original_max_position_embeddings / rp.low_freq_factor;
    const highWavelen = rp.original_max_position_embeddings / rp.high_freq_factor;
    for (let i = 0; i < inv.length; i++) {
      const f = inv[i] as number, wavelen = f32(f32(2 * Math.PI) / f);
      const slowed = wavelen > lowWavelen ? f32(f / rp.factor) : f;
      if (wavelen < highWavelen || wavelen > lowWavelen) { inv[i] = slowed; continue; }
      const smooth = f32(f32(f32(rp.original_max_position_embeddings / wavelen) - rp.low_freq_factor) / (rp.high_freq_factor - rp.low_freq_factor));
      inv[i] = f32(f32(f32(f32(1 - smooth) * slowed) / rp.factor) + f32(smooth * slowed));
    }
  }
  return inv;
}

// ---- parameters: HF names, nn.Linear weights stored [out, in], named_parameters() order ----

const qkvBias = (c: LlamaConfig) => c.attention_bias || c.model_type === "qwen2";
const hasQkNorm = (c: LlamaConfig) => c.model_type === "qwen3";

export function llamaParams(c: LlamaConfig): ParamSpec[] {
  const C = c.hidden_size, F = c.intermediate_size, D = c.head_dim, H = c.num_attention_heads, Hkv = c.num_key_value_heads;
  const normal = { kind: "normal", std: c.initializer_range } as const, ZEROS = { kind: "zeros" } as const, ONES = { kind: "ones" } as const;
  const linear = (name: string, out: number, inp: number, bias: boolean): ParamSpec[] => [
    { name: `${name}.weight`, shape: [out, inp], init: normal },
    ...(bias ? [{ name: `${name}.bias`, shape: [out], init: ZEROS }] : []),
  ];
  const p: ParamSpec[] = [{ name: "model.embed_tokens.weight", shape: [c.vocab_size, C], init: normal }];
  for (let i = 0; i < c.num_hidden_layers; i++) {
    const l = `model.layers.${i}`, a = `${l}.self_attn`;
    p.push(
      ...linear(`${a}.q_proj`, H * D, C, qkvBias(c)),
      ...linear(`${a}.k_proj`, Hkv * D, C, qkvBias(c)),
      ...linear(`${a}.v_proj`, Hkv * D, C, qkvBias(c)),
      ...linear(`${a}.o_proj`, C, H * D, c.attention_bias),
      ...(hasQkNorm(c) ? [{ name: `${a}.q_norm.weight`, shape: [D], init: ONES }, { name: `${a}.k_norm.weight`, shape: [D], init: ONES }] : []),
      ...linear(`${l}.mlp.gate_proj`, F, C, c.mlp_bias),
      ...linear(`${l}.mlp.up_proj`, F, C, c.mlp_bias),
      ...linear(`${l}.mlp.down_proj`, C, F, c.mlp_bias),
      { name: `${l}.input_layernorm.weight`, shape: [C], init: ONES },
      { name: `${l}.post_attention_layernorm.weight`, shape: [C], init: ONES },
    );
  }
  p.push({ name: "model.norm.weight", shape: [C], init: ONES }, { name: "score.weight", shape: [1, C], init: normal });
  return p;
}

/** Base-model checkpoints (LlamaModel) name keys without "model."; causal-LM ones carry lm_head (tied or not). */
export const LLAMA_KEY_RULES: KeyRules = {
  aliases: (name) => (name.startsWith("model.") ? [name, name.slice("model.".length)] : [name]),
  ignore: /^lm_head\.weight$|(^|\.)rotary_emb\.inv_freq$/,
  freshIfMissing: new Set(["score.weight"]),
  dimFields(name) {
    const Q = "num_attention_heads × head_dim", KV = "num_key_value_heads × head_dim";
    const module = name.replace(/\.(weight|bias)$/, "").split(".").pop() ?? "";
    const outIn: Record<string, [string, string]> = {
      embed_tokens: ["vocab_size", "hidden_size"], q_proj: [Q, "hidden_size"], k_proj: [KV, "hidden_size"], v_proj: [KV, "hidden_size"],
      o_proj: ["hidden_size", Q], gate_proj: ["intermediate_size", "hidden_size"], up_proj: ["intermediate_size", "hidden_size"],
      down_proj: ["hidden_size", "intermediate_size"], q_norm: ["head_dim", ""], k_norm: ["head_dim", ""], score: ["num_labels", "hidden_size"],
    };
    const dims = outIn[module] ?? ["hidden_size", "hidden_size"];
    return name.endsWith(".bias") || module.endsWith("norm") ? [dims[0]] : dims;
  },
};

// ---- forward: rewards [B, K] ----

/** nn.Linear: weights stored [out, in], applied as x·Wᵀ + b. */
function linear(g: Graph, p: ParamLookup, name: string, x: Node, bias: boolean): Node {
  const y = g.matmul(x, g.transpose(p(`${name}.weight`), [1, 0]));
  return bias ? g.add(y, p(`${name}.bias`)) : y;
}

/** RMSNorm over the last axis: w · x / √(mean(x²) + eps); statistics in float32 (the whole graph is). */
function rmsNorm(g: Graph, p: ParamLookup, name: string, x: Node, eps: number): Node {
  const meanSquare = g.reduceMean(g.mul(x, x), [-1], true);                    // [..., 1]
  return g.mul(p(`${name}.weight`), g.div(x, g.sqrt(g.add(meanSquare, g.scalar(eps)))));
}

interface Rotary { readonly cos: Node; readonly sin: Node }

/** cos and sin of position · inv_freq, both halves [B, N, 1, D]: computed from the position input of each of N tokens. */
function rotary(g: Graph, c: LlamaConfig, positions: Node, N: Dim): Rotary {
  const D = c.head_dim;
  const pos = g.reshape(g.cast(positions, "float32"), ["B", N, 1]);               // [B, N, 1]
  const freqs = g.mul(pos, g.constant(ropeInverseFrequencies(c), [D / 2]));      // [B, N, D/2]
  const angles = g.reshape(g.concat([freqs, freqs], 2), ["B", N, 1, D]);         // [B, N, 1, D]
  return { cos: g.cos(angles), sin: g.sin(angles) };
}

/** x·cos + rotate_half(x)·sin with rotate_half(x) = [−x₂, x₁] (halves of the head dim): x [B, T, heads, D]. */
function applyRotary(g: Graph, r: Rotary, x: Node, D: number): Node {
  const x1 = g.slice(x, 3, 0, D / 2), x2 = g.slice(x, 3, D / 2, D);
  return g.add(g.mul(x, r.cos), g.mul(g.concat([g.neg(x2), x1], 3), r.sin));   // [B, T, heads, D]
}

/**
 * The sliding-window bias: the input bias where query and key positions are less than sliding_window apart,
 * masked elsewhere. Distances come from the position input, so a prefix-shared row bands each continuation as
 * its own row would be banded (transformers: kv_idx > q_idx − sliding_window).
 */
function slidingBias(g: Graph, window: number, inp: RewardInputs): Node {
  const q = g.reshape(inp.positionRows, ["B", 1, "T", 1]), k = g.reshape(inp.positionRows, ["B", 1, 1, "T"]);
  const near = g.less(g.sub(q, k), g.scalar(window, "int64"));                 // [B, 1, T, T]
  return g.where(near, inp.attentionBias, g.scalar(MASKED));                      // [B, 1, T, T]
}

/**
 * Grouped-query attention without repeating k and v: the G query heads of one kv head are stacked along the
 * token axis, so each (batch, kv head) is one [G·N, D] x [D, T] matmul. G = 1 is ordinary multi-head attention.
 * Keys and values come from every token of x [B, T, C]; queries from `rows` of it (the last layer: only the
 * pooled tokens, with their rotary `rq`). Returns [B, N, C].
 */
function selfAttention(g: Graph, p: ParamLookup, c: LlamaConfig, l: string, x: Node, bias: Node, r: Rotary, rq: Rotary, rows: LayerRows): Node {
  const H = c.num_attention_heads, Hkv = c.num_key_value_heads, G = H / Hkv, D = c.head_dim, a = `${l}.self_attn`, N = rows.N;
  let q = g.reshape(linear(g, p, `${a}.q_proj`, rows.rows(x), qkvBias(c)), ["B", N, H, D]); // [B, N, H, D]
  let k = g.reshape(linear(g, p, `${a}.k_proj`, x, qkvBias(c)), ["B", "T", Hkv, D]);   // [B, T, Hkv, D]
  const v = g.reshape(linear(g, p, `${a}.v_proj`, x, qkvBias(c)), ["B", "T", Hkv, D]); // [B, T, Hkv, D]
  if (hasQkNorm(c)) {                                                                   // Qwen3: per-head RMSNorm before rotary
    q = rmsNorm(g, p, `${a}.q_norm`, q, c.rms_norm_eps);
    k = rmsNorm(g, p, `${a}.k_norm`, k, c.rms_norm_eps);
  }
  q = g.mul(applyRotary(g, rq, q, D), g.scalar(D ** -0.5));                              // scaling q = scaling the scores
  k = applyRotary(g, r, k, D);
  const qg = g.reshape(g.transpose(g.reshape(q, ["B", N, Hkv, G, D]), [0, 2, 3, 1, 4]), ["B", Hkv, -1, D]); // [B, Hkv, G·N, D]
  const kt = g.transpose(k, [0, 2, 3, 1]);                                              // [B, Hkv, D, T]
  const vh = g.transpose(v, [0, 2, 1, 3]);                                              // [B, Hkv, T, D]
  const scores = g.reshape(g.matmul(qg, kt), ["B", Hkv, G, N, "T"]);                   // [B, Hkv, G, N, T]
  const probs = g.softmax(g.add(scores, g.reshape(rows.bias(bias), ["B", 1, 1, N, "T"]))); // [B, Hkv, G, N, T]
  const y = g.matmul(g.reshape(probs, ["B", Hkv, -1, "T"]), vh);                        // [B, Hkv, G·N, D]
  const merged = g.transpose(g.reshape(y, ["B", Hkv, G, N, D]), [0, 3, 1, 2, 4]);       // [B, N, Hkv, G, D]
  return linear(g, p, `${a}.o_proj`, g.reshape(merged, ["B", N, H * D]), c.attention_bias); // [B, N, C]
}

/** SwiGLU: down(silu(gate(x)) · up(x)), silu(z) = z·σ(z). */
function mlp(g: Graph, p: ParamLookup, c: LlamaConfig, l: string, x: Node): Node {
  const gate = linear(g, p, `${l}.mlp.gate_proj`, x, c.mlp_bias);                      // [B, T, F]
  const up = linear(g, p, `${l}.mlp.up_proj`, x, c.mlp_bias);                          // [B, T, F]
  return linear(g, p, `${l}.mlp.down_proj`, g.mul(g.mul(gate, g.sigmoid(gate)), up), c.mlp_bias); // [B, T, C]
}

/**
 * The last layer runs its queries, MLP and final norm on the pooled tokens only: nothing after it reads the other
 * rows (its keys and values still come from every token). That saves most of 1/L of the model's matmuls.
 */
export function llamaForward(g: Graph, c: LlamaConfig, inp: RewardInputs, p: ParamLookup): Node {
  const r = rotary(g, c, inp.positionRows, "T");
  const banded = c.sliding_window !== null && c.layer_types.includes("sliding_attention") ? slidingBias(g, c.sliding_window, inp) : null;
  const eps = c.rms_norm_eps, last = c.num_hidden_layers - 1;
  let x = g.gather(p("model.embed_tokens.weight"), inp.inputIds);                      // [B, T, C]
  for (let i = 0; i <= last; i++) {
    const l = `model.layers.${i}`, rows = layerRows(g, i === last ? inp.poolIndex : null);
    const bias = c.layer_types[i] === "sliding_attention" && banded ? banded : inp.attentionBias;
    const rq = i === last ? rotary(g, c, rows.rows(inp.positionRows), rows.N) : r;
    const h = rmsNorm(g, p, `${l}.input_layernorm`, x, eps);                            // [B, T, C]
    x = g.add(rows.rows(x), selfAttention(g, p, c, l, h, bias, r, rq, rows));           // [B, N, C]
    x = g.add(x, mlp(g, p, c, l, rmsNorm(g, p, `${l}.post_attention_layernorm`, x, eps)));
  }
  return scoreHead(g, p, rmsNorm(g, p, "model.norm", x, eps));                   // [B, K]
}
