// FLOPs per token from an architecture config, by layer kind: what a forward and a training step cost in
// arithmetic, before any measurement. The report divides measured time by these to get achieved FLOP/s.
// These are the model's FLOPs, the usual convention for achieved FLOP/s: the engine does less, because its last
// layer computes only the pooled tokens after their keys and values (models/layers.ts layerRows), about 1/L of the
// layers' matmuls less (6% for GPT-2's 12 layers, 3% for OPT-350m's 24).
// Legend: T mean tokens per sequence (the engine computes the full [T, T] score matrix, no causal skipping),
// C hidden size, E = word_embed_proj_dim (OPT), F MLP width, H heads, L layers, V vocab, r LoRA rank.
//
// Counting rules (a multiply-add is 2 FLOPs):
//   matmul with a weight [in, out]       2·in·out per token (every token, every position; the score head too)
//   attention scores q·kᵀ and probs·v    2·T·C each per token per layer
//   embeddings                           0 (a row lookup; its gradient is a row scatter-add)
//   LayerNorm                            NORM_FLOPS per element (mean, centre, square, variance, scale, shift)
//   RMSNorm (Llama family)               RMS_NORM_FLOPS per element (square, mean, rsqrt-multiply, scale)
//   grouped-query attention              k/v projections are Hkv·D wide; scores still cost 2·T·H·D (every query head)
//   tied / untied word embeddings        no difference: a reward model has no lm_head (a causal-LM one is dropped)
//   elementwise                          bias adds, residual adds, activation, softmax and its mask/scale
// Training = forward + backward. The backward of a matmul is one matmul for the input gradient plus one for the
// weight gradient, each as costly as the forward: 3× forward for a trained weight. A frozen weight (the LoRA base)
// still needs the input gradient, so it costs 2× forward. Attention-score matmuls, norms and elementwise ops have
// gradients for their inputs only (no weights): counted at 3× forward (two input-gradient matmuls per score matmul;
// for norms/elementwise the backward is taken as 2× the forward, a rough figure, as in the usual 6·N rule).
import type { LlamaConfig, ModelConfig } from "../models/index.js";

export type FlopsKind =
  | "attention_proj" | "attention_scores" | "mlp" | "projections" | "embeddings" | "head" | "norms" | "elementwise" | "lora";

export interface FlopsPerToken {
  /** sum of by_kind */
  total: number;
  by_kind: Record<string, number>;
}

export interface FlopsBreakdown extends FlopsPerToken {
  /** forward-only FLOPs per token (same kinds, before the training multipliers) */
  forward: FlopsPerToken;
  /** what the training figure assumes, in words (goes into run.json) */
  training: string;
}

export type TrainingMode = { readonly kind: "full" } | { readonly kind: "lora"; readonly r: number; readonly targetModules: readonly string[] };

/** FLOPs per element of a LayerNorm forward (sum, subtract mean, square, sum, rsqrt-multiply, scale, shift). */
export const NORM_FLOPS = 7;
/** FLOPs per element of an RMSNorm forward (square, sum, rsqrt-multiply, scale). */
export const RMS_NORM_FLOPS = 4;
/** FLOPs per element of SwiGLU's gating: silu(g) = g·σ(g) (σ as exp, add, divide; one multiply), times up. */
export const SWIGLU_FLOPS = 5;
/** FLOPs per rotated q/k element: x·cos, the negated half, ·sin, add. */
export const ROTARY_FLOPS = 4;
/** FLOPs per element of GPT-2's tanh GELU (x³, two multiply-adds, tanh, 1+, two multiplies), an estimate. */
export const GELU_FLOPS = 8;
/** FLOPs per score of the masked softmax: mask add, max-subtract, exp, sum, divide. */
export const SOFTMAX_FLOPS = 5;

/** A weight matmul of the architecture: its module name (HF, relative to the layer), kind and [in, out]. */
interface WeightMatmul {
  readonly module: string;
  readonly kind: FlopsKind;
  readonly fanIn: number;
  readonly fanOut: number;
  /** once per layer, or once per model */
  readonly perLayer: boolean;
}

interface Arch {
  readonly layers: number;
  /** width of q (and of the attention output): C for GPT-2/OPT, H·D for the Llama family */
  readonly attentionWidth: number;
  readonly heads: number;
  readonly matmuls: readonly WeightMatmul[];
  /** LayerNorm elements per token: per layer and once per model */
  readonly normsPerLayer: number;
  readonly normsOnce: number;
  /** FLOPs per normalised element */
  readonly normFlops: number;
  /** elementwise FLOPs per token that do not depend on T: per layer and once per model */
  readonly elementwisePerLayer: number;
  readonly elementwiseOnce: number;
  /** elementwise FLOPs per score element besides the softmax (GPT-2 divides scores by √D; OPT scales q instead) */
  readonly perScore: number;
}

function archOf(c: ModelConfig): Arch {
  if (c.model_type === "gpt2") {
    const C = c.n_embd, F = c.n_inner;
    return {
      layers: c.n_layer, attentionWidth: C, heads: c.n_head, normFlops: NORM_FLOPS,
      matmuls: [
        { module: "attn.c_attn", kind: "attention_proj", fanIn: C, fanOut: 3 * C, perLayer: true },
        { module: "attn.c_proj", kind: "attention_proj", fanIn: C, fanOut: C, perLayer: true },
        { module: "mlp.c_fc", kind: "mlp", fanIn: C, fanOut: F, perLayer: true },
        { module: "mlp.c_proj", kind: "mlp", fanIn: F, fanOut: C, perLayer: true },
        { module: "score", kind: "head", fanIn: C, fanOut: 1, perLayer: false },
      ],
      normsPerLayer: 2 * C, normsOnce: C, // ln_1, ln_2; ln_f
      // biases (3C + C + F + C), two residual adds, GELU
      elementwisePerLayer: 5 * C + F + 2 * C + GELU_FLOPS * F,
      elementwiseOnce: C, // wte + wpe
      perScore: c.scale_attn_weights ? 1 : 0,
    };
  }
  if (c.model_type !== "opt") return llamaArch(c);
  const C = c.hidden_size, E = c.word_embed_proj_dim, F = c.ffn_dim, proj = E !== C;
  const bias = c.enable_bias ? 1 : 0;
  return {
    layers: c.num_hidden_layers, attentionWidth: C, heads: c.num_attention_heads, normFlops: NORM_FLOPS,
    matmuls: [
      { module: "self_attn.q_proj", kind: "attention_proj", fanIn: C, fanOut: C, perLayer: true },
      { module: "self_attn.k_proj", kind: "attention_proj", fanIn: C, fanOut: C, perLayer: true },
      { module: "self_attn.v_proj", kind: "attention_proj", fanIn: C, fanOut: C, perLayer: true },
      { module: "self_attn.out_proj", kind: "attention_proj", fanIn: C, fanOut: C, perLayer: true },
      { module: "fc1", kind: "mlp", fanIn: C, fanOut: F, perLayer: true },
      { module: "fc2", kind: "mlp", fanIn: F, fanOut: C, perLayer: true },
      ...(proj ? [
        { module: "project_in", kind: "projections", fanIn: E, fanOut: C, perLayer: false },
        { module: "project_out", kind: "projections", fanIn: C, fanOut: E, perLayer: false },
      ] as const : []),
      { module: "score", kind: "head", fanIn: proj ? E : C, fanOut: 1, perLayer: false },
    ],
    normsPerLayer: 2 * C, normsOnce: c.do_layer_norm_before && !c._remove_final_layer_norm ? C : 0,
    // biases (4C + F + C), q scaling, two residual adds, ReLU
    elementwisePerLayer: bias * (5 * C + F) + C + 2 * C + F,
    elementwiseOnce: C, // token embedding + positions
    perScore: 0,
  };
}

function llamaArch(c: LlamaConfig): Arch {
  const C = c.hidden_size, F = c.intermediate_size, Q = c.num_attention_heads * c.head_dim, KV = c.num_key_value_heads * c.head_dim;
  const qkvBias = c.attention_bias || c.model_type === "qwen2" ? Q + 2 * KV : 0;
  const mlpBias = c.mlp_bias ? 2 * F + C : 0;
  return {
    layers: c.num_hidden_layers, attentionWidth: Q, heads: c.num_attention_heads, normFlops: RMS_NORM_FLOPS,
    matmuls: [
      { module: "self_attn.q_proj", kind: "attention_proj", fanIn: C, fanOut: Q, perLayer: true },
      { module: "self_attn.k_proj", kind: "attention_proj", fanIn: C, fanOut: KV, perLayer: true },
      { module: "self_attn.v_proj", kind: "attention_proj", fanIn: C, fanOut: KV, perLayer: true },
      { module: "self_attn.o_proj", kind: "attention_proj", fanIn: Q, fanOut: C, perLayer: true },
      { module: "mlp.gate_proj", kind: "mlp", fanIn: C, fanOut: F, perLayer: true },
      { module: "mlp.up_proj", kind: "mlp", fanIn: C, fanOut: F, perLayer: true },
      { module: "mlp.down_proj", kind: "mlp", fanIn: F, fanOut: C, perLayer: true },
      { module: "score", kind: "head", fanIn: C, fanOut: 1, perLayer: false },
    ],
    // input/post-attention norms, Qwen3's per-head q/k norms; the final norm
    normsPerLayer: 2 * C + (c.model_type === "qwen3" ? Q + KV : 0), normsOnce: C,
    // biases, rotary on q and k, q scaling, SwiGLU gating, two residual adds
    elementwisePerLayer: qkvBias + (c.attention_bias ? C : 0) + mlpBias + ROTARY_FLOPS * (Q + KV) + Q + SWIGLU_FLOPS * F + 2 * C,
    elementwiseOnce: 3 * c.head_dim, // rotary angles and their cos/sin (the embedding is a lookup)
    perScore: 0,
  };
}

/** Whether PEFT would wrap `module` for these targets: the name equals a target or ends with "." + target. */
export function isLoraTarget(module: string, targets: readonly string[]): boolean {
  return targets.some((t) => module === t || module.endsWith(`.${t}`));
}

/** Forward FLOPs per token at mean sequence length `meanTokens`, by kind. */
export function forwardFlopsPerToken(c: ModelConfig, meanTokens: number): FlopsPerToken {
  return breakdown(c, meanTokens, { kind: "full" }, false);
}

/** Training (forward + backward) FLOPs per token, by kind, with the forward figures and the assumption in words. */
export function trainingFlopsPerToken(c: ModelConfig, meanTokens: number, mode: TrainingMode): FlopsBreakdown {
  const training = mode.kind === "full"
    ? "full fine-tuning: every weight matmul 3× forward (input + weight gradients)"
    : `LoRA r=${mode.r} on ${mode.targetModules.join(", ")}: frozen base matmuls 2× forward (input gradient only), adapters and score head 3×`;
  return { ...breakdown(c, meanTokens, mode, true), forward: forwardFlopsPerToken(c, meanTokens), training };
}

function breakdown(c: ModelConfig, meanTokens: number, mode: TrainingMode, training: boolean): FlopsPerToken {
  if (!(Number.isFinite(meanTokens) && meanTokens > 0)) throw new RangeError(`meanTokens must be a positive number, got ${meanTokens}`);
  const a = archOf(c), T = meanTokens;
  const by: Record<string, number> = { attention_proj: 0, attention_scores: 0, mlp: 0, projections: 0, embeddings: 0, head: 0, norms: 0, elementwise: 0 };
  const add = (kind: FlopsKind, n: number): void => { by[kind] = (by[kind] ?? 0) + n; };
  for (const m of a.matmuls) {
    const times = m.perLayer ? a.layers : 1;
    const fwd = 2 * m.fanIn * m.fanOut * times;
    const frozen = mode.kind === "lora" && m.kind !== "head";
    add(m.kind, training ? fwd * (frozen ? 2 : 3) : fwd);
    if (mode.kind === "lora" && isLoraTarget(m.module, mode.targetModules)) {
      // x·A [in, r] then ·B [r, out], scaled: trained, so 3× forward (the scale is one multiply per output)
      const lora = (2 * m.fanIn * mode.r + 2 * mode.r * m.fanOut + m.fanOut) * times;
      add("lora", training ? 3 * lora : lora);
    }
  }
  const pass = training ? 3 : 1;
  add("attention_scores", pass * 2 * (2 * T * a.attentionWidth) * a.layers);
  add("norms", pass * a.normFlops * (a.normsPerLayer * a.layers + a.normsOnce));
  add("elementwise", pass * ((a.elementwisePerLayer + (SOFTMAX_FLOPS + a.perScore) * a.heads * T) * a.layers + a.elementwiseOnce));
  const total = Object.values(by).reduce((s, x) => s + x, 0);
  return { total, by_kind: by };
}

/** Trainable parameters of LoRA adapters for these targets: r·(in + out) per wrapped matmul (score head excluded). */
export function loraParamCount(c: ModelConfig, r: number, targets: readonly string[]): number {
  const a = archOf(c);
  let n = 0;
  for (const m of a.matmuls) if (isLoraTarget(m.module, targets)) n += r * (m.fanIn + m.fanOut) * (m.perLayer ? a.layers : 1);
  return n;
}
