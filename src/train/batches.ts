// Pair batches → graph feeds. A layout decides how P pairs become rows of the reward graph; the trainer only sees
// `PairBatcher.build`. The standard layout is TRL's collator: 2P right-padded rows, chosen of every pair first,
// then rejected, each pooled at its rightmost non-pad token. Prefix-shared packing (prefix-shared-batcher.ts) puts
// each pair in one row; `createPairBatcher` picks the layout by its config name.
// Legend: P pairs, B rows, T tokens (longest row of the batch).
import { tensor, type Tensor } from "../engine/index.js";
import { causalPaddingBias, INPUT_NAMES, type ModelConfig, type ModelDef } from "../models/index.js";
import type { TokenizedPair } from "../data/index.js";
import type { BatchLayout } from "./config.js";
import { PAIR_INPUT_NAMES } from "./pairwise-loss.js";
import { PrefixSharedBatcher } from "./prefix-shared-batcher.js";

/** Pairs addressable by index (a prepared directory, or an in-memory list). */
export interface PairSet {
  readonly length: number;
  pair(i: number): TokenizedPair;
}

export interface PairBatch {
  /** model inputs + chosen_index / rejected_index (+ margin) */
  readonly feeds: Record<string, Tensor>;
  /** the layout that built it ("prefix-shared" may hand a batch that shares little to "standard") */
  readonly layout: string;
  readonly pairs: number;
  /** real tokens of the pairs: chosen + rejected lengths, whatever the layout (TRL's num_tokens) */
  readonly tokens: number;
  /** real (non-padding) token positions the forward pass computes (prefix-shared: the prefix once) */
  readonly computedTokens: number;
  /** row × column positions computed, padding included */
  readonly paddedTokens: number;
}

export interface PairBatcher {
  readonly layout: string;
  /** Length of the row this pair pads to in this layout: what length grouping sorts by. */
  rowLength(pair: TokenizedPair): number;
  /** Feeds for these pairs. Views into buffers reused by the next call: run the batch before building another. */
  build(pairs: readonly TokenizedPair[]): PairBatch;
}

/** A PairSet over an array (tests, held-out slices). */
export function pairList(pairs: readonly TokenizedPair[]): PairSet {
  return { length: pairs.length, pair: (i) => pairs[i] as TokenizedPair };
}

/** A contiguous slice [start, end) of another PairSet. */
export function pairSlice(set: PairSet, start: number, end: number): PairSet {
  return { length: end - start, pair: (i) => set.pair(start + i) };
}

/** The batcher of a layout (RewardConfig.layout); prefix-shared packs a batch unless two padded rows per pair cost less. */
export function createPairBatcher(layout: BatchLayout, def: ModelDef, config: ModelConfig, padId: number, withMargin: boolean): PairBatcher {
  const standard = new StandardBatcher(def, config, padId, withMargin);
  return layout === "prefix-shared" ? new PrefixSharedBatcher(def, config, padId, withMargin, standard) : standard;
}

/** TRL's layout: rows [chosen_0 … chosen_{P−1}, rejected_0 … rejected_{P−1}], right-padded with padId. */
export class StandardBatcher implements PairBatcher {
  readonly layout = "standard";
  private ids = new BigInt64Array(0);
  private mask = new Uint8Array(0);
  private bias = new Float32Array(0);
  private positions = new BigInt64Array(0);
  private pool = new BigInt64Array(0);
  private pairIndex = new BigInt64Array(0);
  private margin = new Float32Array(0);

  constructor(private readonly def: ModelDef, private readonly config: ModelConfig, private readonly padId: number,
    /** feed a margin input (the graph declares one when the data has margins) */
    private readonly withMargin: boolean) {}

  rowLength(p: TokenizedPair): number {
    return Math.max(p.input_ids_chosen.length, p.input_ids_rejected.length);
  }

  build(pairs: readonly TokenizedPair[]): PairBatch {
    const P = pairs.length, B = 2 * P;
    const rows: Int32Array[] = [...pairs.map((p) => p.input_ids_chosen), ...pairs.map((p) => p.input_ids_rejected)];
    const T = Math.max(1, ...rows.map((r) => r.length));
    this.reserve(B, T, P);
    const ids = this.ids.subarray(0, B * T), mask = this.mask.subarray(0, B * T), pool = this.pool.subarray(0, B);
    let tokens = 0;
    for (let b = 0; b < B; b++) {
      const row = rows[b] as Int32Array;
      let last = 0;
      for (let t = 0; t < T; t++) {
        const real = t < row.length;
        const id = real ? (row[t] as number) : this.padId;
        ids[b * T + t] = BigInt(id);
        mask[b * T + t] = real ? 1 : 0;
        if (id !== this.padId) last = t; // HF pools the rightmost non-pad token
      }
      pool[b] = BigInt(last);
      tokens += row.length;
    }
    const bias = causalPaddingBias(mask, B, T, this.bias.subarray(0, B * T * T));         // [B, 1, T, T]
    const pos = this.def.positionIds(this.config, mask, B, T);
    const positions = this.positions.subarray(0, B * T);
    for (let i = 0; i < B * T; i++) positions[i] = BigInt(pos[i] as number);
    const chosen = this.pairIndex.subarray(0, P), rejected = this.pairIndex.subarray(P, 2 * P);
    for (let i = 0; i < P; i++) {
      chosen[i] = BigInt(i);
      rejected[i] = BigInt(P + i);
    }
    const feeds: Record<string, Tensor> = {
      [INPUT_NAMES.inputIds]: tensor("int64", [B, T], ids),
      [INPUT_NAMES.positionRows]: tensor("int64", [B, T], positions),
      [INPUT_NAMES.attentionBias]: tensor("float32", [B, 1, T, T], bias),
      [INPUT_NAMES.poolIndex]: tensor("int64", [B, 1], pool),
      [PAIR_INPUT_NAMES.chosenIndex]: tensor("int64", [P], chosen),
      [PAIR_INPUT_NAMES.rejectedIndex]: tensor("int64", [P], rejected),
    };
    if (this.withMargin) {
      const m = this.margin.subarray(0, P);
      for (let i = 0; i < P; i++) m[i] = pairs[i]?.margin ?? 0;
      feeds[PAIR_INPUT_NAMES.margin] = tensor("float32", [P], m);
    }
    return { feeds, layout: this.layout, pairs: P, tokens, computedTokens: tokens, paddedTokens: B * T };
  }

  /** Grows the buffers (rarely: they keep the largest batch seen). */
  private reserve(B: number, T: number, P: number): void {
    if (this.ids.length < B * T) {
      this.ids = new BigInt64Array(B * T);
      this.mask = new Uint8Array(B * T);
      this.positions = new BigInt64Array(B * T);
    }
    if (this.bias.length < B * T * T) this.bias = new Float32Array(B * T * T);
    if (this.pool.length < B) this.pool = new BigInt64Array(B);
    if (this.pairIndex.length < 2 * P) this.pairIndex = new BigInt64Array(2 * P);
    if (this.margin.length < P) this.margin = new Float32Array(P);
  }
}

/** The margin of pair i when the data has one (prepared dirs store NaN for "none"). */
export function hasMargins(set: PairSet): boolean {
  if (set.length === 0) return false;
  const m = set.pair(0).margin;
  return m !== undefined && !Number.isNaN(m);
}
