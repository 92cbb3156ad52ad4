// Graph pieces both architectures use exactly the same way, and the reward graph's inputs.
// Legend: B batch, T tokens, C channels, H heads, D head dim, K pooled positions per row.
//
// The attention bias and the position rows are GRAPH INPUTS, not computed in the graph: a row can then hold a shared
// prompt and several continuations that do not see each other (prefix sharing), each with its own positions and
// its own pooled token. `ordinaryBatch` builds them for plain right-padded rows exactly as transformers does.
import type { Dim, Graph, Node } from "../engine/index.js";
import type { ParamSpec } from "./weights.js";

/** The reward graph's data inputs. */
export interface RewardInputs {
  /** token ids, int64 [B, T] */
  readonly inputIds: Node;
  /** row of the learned position table each token reads, int64 [B, T] (GPT-2: position id; OPT: position id + 2) */
  readonly positionRows: Node;
  /** additive attention bias, float32 [B, 1, T, T]: 0 where query i may see key j, a large negative number elsewhere */
  readonly attentionBias: Node;
  /** token positions whose score is a reward, int64 [B, K] (K = 1 for one text per row) */
  readonly poolIndex: Node;
}

export const INPUT_NAMES = {
  inputIds: "input_ids", positionRows: "position_rows", attentionBias: "attention_bias", poolIndex: "pool_index",
} as const;

/** Declares the four reward-graph inputs with symbolic dims B, T, K. */
export function rewardInputs(g: Graph): RewardInputs {
  return {
    inputIds: g.input(INPUT_NAMES.inputIds, ["B", "T"], "int64"),
    positionRows: g.input(INPUT_NAMES.positionRows, ["B", "T"], "int64"),
    attentionBias: g.input(INPUT_NAMES.attentionBias, ["B", 1, "T", "T"], "float32"),
    poolIndex: g.input(INPUT_NAMES.poolIndex, ["B", "K"], "int64"),
  };
}

/** Returns the graph's param node of an HF parameter name (creating it on first use). */
export type ParamLookup = (name: string) => Node;

/** A ParamLookup over the model's specs; `trainable(name)` false freezes a parameter (no gradient). */
export function paramLookup(g: Graph, specs: readonly ParamSpec[], trainable: (name: string) => boolean = () => true): ParamLookup {
  const byName = new Map(specs.map((s) => [s.name, s]));
  return (name) => {
    const existing = g.leafByName(name);
    if (existing) return existing;
    const spec = byName.get(name);
    if (!spec) throw new RangeError(`model graph asks for parameter "${name}", which the parameter list does not have`);
    return g.param(name, spec.shape, { trainable: trainable(name) });
  };
}

/** Builds the reward graph of one architecture: rewards [B, K]. */
export type RewardForward<C> = (g: Graph, c: C, x: RewardInputs, p: ParamLookup) => Node;

/** LayerNorm over the last axis with HF's `<name>.weight` / `<name>.bias`. */
export function layerNorm(g: Graph, p: ParamLookup, name: string, x: Node, eps: number): Node {
  return g.layerNorm(x, p(`${name}.weight`), p(`${name}.bias`), eps);
}

/**
 * Multi-head attention core from projected q [B, N, C] and k, v [B, T, C]: heads are contiguous chunks of D
 * channels. N is T, or K when only the pooled tokens ask (a model's last layer; bias then holds their rows
 * [B, 1, K, T]). scores = (q ÷ divisor when given)·kᵀ, + bias, softmax in float32, · v → [B, N, C]. Dividing q
 * rather than the scores [B, H, N, T] saves a pass and a tensor of N·T entries per head (exact when divisor is a
 * power of 2).
 */
export function attention(g: Graph, q: Node, k: Node, v: Node, bias: Node, H: number, D: number, divisor: number | null, N: Dim = "T"): Node {
  if (divisor !== null) q = g.div(q, g.scalar(divisor));                   // [B, N, C]
  const heads = (t: Node, n: Dim) => g.reshape(t, ["B", n, H, D]);          // [B, n, H, D]
  const qh = g.transpose(heads(q, N), [0, 2, 1, 3]);                        // [B, H, N, D]
  const kt = g.transpose(heads(k, "T"), [0, 2, 3, 1]);                      // [B, H, D, T]
  const vh = g.transpose(heads(v, "T"), [0, 2, 1, 3]);                      // [B, H, T, D]
  const scores = g.matmul(qh, kt);                                          // [B, H, N, T]
  const probs = g.softmax(g.add(scores, bias));                             // [B, H, N, T]
  const y = g.transpose(g.matmul(probs, vh), [0, 2, 1, 3]);                 // [B, N, H, D]
  return g.reshape(y, ["B", N, H * D]);                                     // [B, N, C]
}

/** The rows the last layer computes: every token, or (pool given) only the pooled ones. */
export interface LayerRows {
  /** x [B, T, ...] → x, or its pooled rows [B, K, ...] */
  readonly rows: (x: Node) => Node;
  /** the attention bias rows of those queries: [B, 1, T, T] or [B, 1, K, T] */
  readonly bias: (bias: Node) => Node;
  /** "T", or the pool's K */
  readonly N: Dim;
}

/** LayerRows of every token (pool null) or of the pooled tokens. */
export function layerRows(g: Graph, pool: Node | null): LayerRows {
  return pool === null ? { rows: (x) => x, bias: (b) => b, N: "T" }
    : { rows: (x) => pooledRows(g, x, pool), bias: (b) => pooledRows(g, b, pool, 2), N: pool.shape[1] as Dim };
}

/** score (Linear [1, C], no bias) at the pooled positions: [B, K, C] → [B, K]. */
export function scoreHead(g: Graph, p: ParamLookup, x: Node): Node {
  return g.reshape(g.matmul(x, g.transpose(p("score.weight"), [1, 0])), x.shape.slice(0, 2)); // [B, K]
}

/** The pooled tokens' rows of x [B, T, ...rest] (or [B, 1, T, ...rest] with `axis` 2): [B, K, ...rest]. */
export function pooledRows(g: Graph, x: Node, poolIndex: Node, axis: 1 | 2 = 1): Node {
  const lead = x.shape.slice(0, axis), rest = x.shape.slice(axis + 1);
  const [B, K] = poolIndex.shape as [Dim, Dim];
  const idx = g.reshape(poolIndex, [B, ...lead.slice(1).map(() => 1), K, ...rest.map(() => 1)]); // [B, (1,) K, 1…]
  return g.gatherElements(x, g.expand(idx, [...lead, K, ...rest]), axis);
}

/** Positions arange(T) for every row, whatever the mask (GPT-2; Llama's cache_position). */
export function arangePositionIds(_c: unknown, _mask: ArrayLike<number>, B: number, T: number): Int32Array {
  const out = new Int32Array(B * T);
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) out[b * T + t] = t;
  return out;
}

// ---- the inputs of an ordinary batch (one text per row, right padding), computed as transformers does ----

/** float32 min, the value transformers' eager attention adds where a key is masked. */
export const MASKED = -3.4028234663852886e38;

export interface OrdinaryBatch {
  readonly B: number;
  readonly T: number;
  readonly inputIds: BigInt64Array;     // [B, T]
  readonly attentionMask: Uint8Array;   // [B, T]: 1 real token, 0 pad
  readonly attentionBias: Float32Array; // [B, 1, T, T]
  readonly poolIndex: BigInt64Array;    // [B, 1]
}

/** Right-pads rows with padId; causal + padding bias; pools the rightmost non-pad token (argmax(arange(T)·(ids ≠ pad))). */
export function ordinaryBatch(rows: readonly (readonly number[])[], padId: number): OrdinaryBatch {
  const B = rows.length, T = Math.max(1, ...rows.map((r) => r.length));
  const inputIds = new BigInt64Array(B * T), attentionMask = new Uint8Array(B * T), poolIndex = new BigInt64Array(B);
  for (let b = 0; b < B; b++) {
    const row = rows[b] as readonly number[];
    let last = 0;
    for (let t = 0; t < T; t++) {
      const id = t < row.length ? (row[t] as number) : padId;
      inputIds[b * T + t] = BigInt(id);
      attentionMask[b * T + t] = t < row.length ? 1 : 0;
      if (id !== padId) last = t;
    }
    poolIndex[b] = BigInt(last);
  }
  return { B, T, inputIds, attentionMask, attentionBias: causalPaddingBias(attentionMask, B, T), poolIndex };
}

/** [B, 1, T, T] additive bias: query i sees key j when j ≤ i and key j is not padding. */
export function causalPaddingBias(mask: ArrayLike<number>, B: number, T: number, out = new Float32Array(B * T * T)): Float32Array {
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < T; i++) {
      const o = (b * T + i) * T;
      for (let j = 0; j < T; j++) out[o + j] = j <= i && mask[b * T + j] ? 0 : MASKED;
    }
  }
  return out;
}
