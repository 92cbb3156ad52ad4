// Tokenized pairs: the ids of each side exactly as the tokenizer produces them (specials included, OPT's leading
// </s>), attention masks of ones (unpadded), and the token-level shared prefix of chosen and rejected.
import type { Tokenizer } from "../tokenizer/index.js";

/** A chunk of tokenized pairs, columnar so it can move between threads as three transferable buffers. */
export interface TokenizedChunk {
  readonly count: number;
  /** Every token: chosen of pair 0, rejected of pair 0, chosen of pair 1, ... */
  readonly ids: Int32Array;
  /** [2·count]: chosen length, rejected length per pair. */
  readonly lengths: Int32Array;
  /** [count]: number of leading tokens chosen and rejected share. */
  readonly sharedPrefix: Int32Array;
}

/** One pair in TRL's columns. */
export interface TokenizedPair {
  input_ids_chosen: Int32Array;
  attention_mask_chosen: Int32Array;
  input_ids_rejected: Int32Array;
  attention_mask_rejected: Int32Array;
  sharedPrefix: number;
  margin?: number;
}

/** Number of leading tokens a and b have in common. */
export function sharedPrefixLength(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}

/** Tokenizes chosen[i] / rejected[i] pairs into one chunk. */
export function tokenizeChunk(tok: Tokenizer, chosen: readonly string[], rejected: readonly string[]): TokenizedChunk {
  if (chosen.length !== rejected.length) throw new RangeError(`tokenizeChunk: ${chosen.length} chosen but ${rejected.length} rejected texts`);
  const count = chosen.length;
  const lengths = new Int32Array(2 * count);
  const sharedPrefix = new Int32Array(count);
  let chars = 0;
  for (let i = 0; i < count; i++) chars += (chosen[i] as string).length + (rejected[i] as string).length;
  let ids = new Int32Array(Math.max(64, Math.ceil(chars / 3)));
  let n = 0;
  const put = (t: readonly number[]): void => {
    if (n + t.length > ids.length) {
      const grown = new Int32Array(Math.max(ids.length * 2, n + t.length));
      grown.set(ids.subarray(0, n));
      ids = grown;
    }
    for (let k = 0; k < t.length; k++) ids[n + k] = t[k] as number;
    n += t.length;
  };
  for (let i = 0; i < count; i++) {
    const c = tok.encode(chosen[i] as string);
    const r = tok.encode(rejected[i] as string);
    put(c);
    put(r);
    lengths[2 * i] = c.length;
    lengths[2 * i + 1] = r.length;
    sharedPrefix[i] = sharedPrefixLength(c, r);
  }
  return { count, ids: ids.slice(0, n), lengths, sharedPrefix };
}

/** An all-ones attention mask of length n (the pairs are unpadded; the collator pads). */
export function onesMask(n: number): Int32Array {
  return new Int32Array(n).fill(1);
}
