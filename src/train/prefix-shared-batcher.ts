// Prefix-shared packing: one row per pair = [shared prefix, chosen suffix, rejected suffix]. With causal attention
// and dropout off, the prefix's activations are the same for both continuations, so computing them once is the
// same computation as TRL's two rows (test/train/prefix-shared.test.ts checks rewards, loss and gradients).
//   attention: prefix and chosen tokens see what they would see in the chosen row (causal); rejected tokens see the
//              prefix and the rejected tokens before them, never the chosen suffix; padding queries see themselves.
//   positions: the rejected suffix restarts at the prefix end, as in its own row (the model's position table row
//              of position t, so OPT's +2 offset comes from the model definition, not from here).
//   rewards:   each side is pooled where the standard layout pools it (the rightmost non-pad token of that side),
//              mapped into the packed row; a side that is all prefix (one side a prefix of the other) pools there.
// A packed row is longer than either side, and attention grows with T²: for a batch whose pairs share little (no
// common prompt, long answers) two padded rows cost less, so such a batch goes to the `fallback` batcher (the
// standard layout) when its estimated cost is lower. Both layouts give the same rewards; the graph takes either.
// Legend: P pairs (= rows), T tokens (longest packed row of the batch), K = 2 pooled positions per row.
import { tensor, type Tensor } from "../engine/index.js";
import { INPUT_NAMES, MASKED, type ModelConfig, type ModelDef } from "../models/index.js";
import { sharedPrefixLength, type TokenizedPair } from "../data/index.js";
import type { PairBatch, PairBatcher } from "./batches.js";
import { PAIR_INPUT_NAMES } from "./pairwise-loss.js";

/** Tokens of one packed row: prefix + both suffixes. */
export function packedLength(p: TokenizedPair): number {
  const c = p.input_ids_chosen, r = p.input_ids_rejected;
  return c.length + r.length - sharedPrefixLength(c, r);
}

/** The index HF pools in a right-padded row of `ids`: the rightmost token that is not padId (0 when none). */
export function lastNonPad(ids: ArrayLike<number>, padId: number): number {
  for (let t = ids.length - 1; t > 0; t--) if (ids[t] !== padId) return t;
  return 0;
}

/**
 * Multiply-adds of B rows of T tokens, up to a common factor 2·C·L: the linear layers do ~12·C² per token and
 * attention ~2·T·C per token (scores and their product with v), so cost ∝ B·T·(6·C + T).
 */
export function rowsCost(B: number, T: number, C: number): number {
  return B * T * (6 * C + T);
}

export class PrefixSharedBatcher implements PairBatcher {
  readonly layout = "prefix-shared";
  private ids = new BigInt64Array(0);
  private bias = new Float32Array(0);
  private positions = new BigInt64Array(0);
  private pool = new BigInt64Array(0);
  private pairIndex = new BigInt64Array(0);
  private margin = new Float32Array(0);
  /** position-table row of position t (GPT-2: t; OPT: t + 2), from the model's own position rule */
  private positionRow: Int32Array = new Int32Array(0);
  private readonly width: number;

  constructor(private readonly def: ModelDef, private readonly config: ModelConfig, private readonly padId: number,
    /** feed a margin input (the graph declares one when the data has margins) */
    private readonly withMargin: boolean,
    /** builds the batches that are cheaper unpacked (the standard layout); null = always pack */
    private readonly fallback: PairBatcher | null = null) {
    this.width = config.model_type === "gpt2" ? config.n_embd : config.hidden_size;
  }

  rowLength(p: TokenizedPair): number {
    return packedLength(p);
  }

  build(pairs: readonly TokenizedPair[]): PairBatch {
    const P = pairs.length;
    const shared = pairs.map((p) => sharedPrefixLength(p.input_ids_chosen, p.input_ids_rejected));
    let T = 1, tokens = 0, computed = 0, Tstd = 1;
    pairs.forEach((p, i) => {
      const L = p.input_ids_chosen.length + p.input_ids_rejected.length - (shared[i] as number);
      T = Math.max(T, L);
      Tstd = Math.max(Tstd, p.input_ids_chosen.length, p.input_ids_rejected.length);
      tokens += p.input_ids_chosen.length + p.input_ids_rejected.length;
      computed += L;
    });
    if (this.fallback && rowsCost(P, T, this.width) > rowsCost(2 * P, Tstd, this.width)) return this.fallback.build(pairs);
    this.reserve(P, T);
    const ids = this.ids.subarray(0, P * T), positions = this.positions.subarray(0, P * T);
    const bias = this.bias.subarray(0, P * T * T), pool = this.pool.subarray(0, 2 * P);
    const row = this.positionRow, padId = BigInt(this.padId);
    for (let b = 0; b < P; b++) {
      const p = pairs[b] as TokenizedPair, c = p.input_ids_chosen, r = p.input_ids_rejected, s = shared[b] as number;
      const lc = c.length, L = lc + r.length - s, o = b * T;
      // tokens and positions: [0, lc) is the chosen row as is; [lc, L) is rejected[s:] at positions s, s+1, …
      for (let t = 0; t < lc; t++) {
        ids[o + t] = BigInt(c[t] as number);
        positions[o + t] = BigInt(row[t] as number);
      }
      for (let t = lc; t < L; t++) {
        ids[o + t] = BigInt(r[t - lc + s] as number);
        positions[o + t] = BigInt(row[t - lc + s] as number);
      }
      ids.fill(padId, o + L, o + T);
      positions.fill(BigInt(row[0] as number), o + L, o + T);
      // bias [T, T] of this row: 0 where query i sees key j
      const rb = bias.subarray(o * T, (o + T) * T);
      rb.fill(MASKED);
      for (let i = 0; i < lc; i++) rb.fill(0, i * T, i * T + i + 1);              // prefix + chosen: causal
      for (let i = lc; i < L; i++) {
        rb.fill(0, i * T, i * T + s);                                              // rejected: the prefix …
        rb.fill(0, i * T + lc, i * T + i + 1);                                     // … and itself, causally
      }
      for (let i = L; i < T; i++) rb[i * T + i] = 0;                               // padding: itself
      // pooled positions: where each side's own row would be pooled, mapped into the packed row
      const rc = lastNonPad(c, this.padId), rr = lastNonPad(r, this.padId);
      pool[2 * b] = BigInt(rc);
      pool[2 * b + 1] = BigInt(rr < s ? rr : lc + rr - s);
    }
    const chosen = this.pairIndex.subarray(0, P), rejected = this.pairIndex.subarray(P, 2 * P);
    for (let i = 0; i < P; i++) {
      chosen[i] = BigInt(2 * i);      // rewards [P, 2] flattened: chosen of pair i at 2i, rejected at 2i + 1
      rejected[i] = BigInt(2 * i + 1);
    }
    const feeds: Record<string, Tensor> = {
      [INPUT_NAMES.inputIds]: tensor("int64", [P, T], ids),
      [INPUT_NAMES.positionRows]: tensor("int64", [P, T], positions),
      [INPUT_NAMES.attentionBias]: tensor("float32", [P, 1, T, T], bias),
      [INPUT_NAMES.poolIndex]: tensor("int64", [P, 2], pool),
      [PAIR_INPUT_NAMES.chosenIndex]: tensor("int64", [P], chosen),
      [PAIR_INPUT_NAMES.rejectedIndex]: tensor("int64", [P], rejected),
    };
    if (this.withMargin) {
      const m = this.margin.subarray(0, P);
      for (let i = 0; i < P; i++) m[i] = pairs[i]?.margin ?? 0;
      feeds[PAIR_INPUT_NAMES.margin] = tensor("float32", [P], m);
    }
    return { feeds, layout: this.layout, pairs: P, tokens, computedTokens: computed, paddedTokens: P * T };
  }

  /** Grows the buffers (rarely: they keep the largest batch seen). */
  private reserve(P: number, T: number): void {
    if (this.ids.length < P * T) {
      this.ids = new BigInt64Array(P * T);
      this.positions = new BigInt64Array(P * T);
    }
    if (this.bias.length < P * T * T) this.bias = new Float32Array(P * T * T);
    if (this.pool.length < 2 * P) {
      this.pool = new BigInt64Array(2 * P);
      this.pairIndex = new BigInt64Array(2 * P);
      this.margin = new Float32Array(P);
    }
    if (this.positionRow.length < T) {
      const L = Math.max(T, 2 * this.positionRow.length);
      this.positionRow = this.def.positionIds(this.config, new Uint8Array(L).fill(1), 1, L);
    }
  }
}
