// Tokenized pairs: the ids of each side exactly as the tokenizer produces them (specials included, OPT's leading
// </s>), attention masks of ones (unpadded), and the token-level shared prefix of chosen and rejected.
import type { PairEncoder, SideFailure } from "./encode.js";
import type { PairSides } from "./types.js";

/** A chunk of tokenized pairs, columnar so it can move between threads as three transferable buffers. */
export interface TokenizedChunk {
  readonly count: number;
  /** Every token: chosen of pair 0, rejected of pair 0, chosen of pair 1, ... */
  readonly ids: Int32Array;
  /** [2·count]: chosen length, rejected length per pair. */
  readonly lengths: Int32Array;
  /** [count]: number of leading tokens chosen and rejected share. */
  readonly sharedPrefix: Int32Array;
  /** Pairs that could not be encoded (their lengths are 0): index in the chunk and why. */
  readonly failures: readonly ChunkFailure[];
  /** [2·count], conversational pairs when the encoder counts them: tokens the chat template adds, chosen and rejected. */
  readonly templateTokens?: Int32Array;
}

export interface ChunkFailure extends SideFailure {
  readonly index: number;
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

/** Encodes pairs into one chunk; a pair that fails (a template that raises, a bad id) is listed in `failures`. */
export function tokenizeChunk(encoder: PairEncoder, pairs: readonly PairSides[]): TokenizedChunk {
  const count = pairs.length;
  const lengths = new Int32Array(2 * count);
  const sharedPrefix = new Int32Array(count);
  const failures: ChunkFailure[] = [];
  const templateTokens = encoder.countTemplateTokens ? new Int32Array(2 * count) : undefined;
  let estimate = 0;
  for (const p of pairs) estimate += tokenEstimate(p);
  let ids = new Int32Array(Math.max(64, Math.ceil(estimate)));
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
  for (const [i, p] of pairs.entries()) {
    const c = encoder.encode(p.format, p.chosen, "chosen");
    const r = Array.isArray(c) ? encoder.encode(p.format, p.rejected, "rejected") : c;
    if (!Array.isArray(c) || !Array.isArray(r)) {
      failures.push({ index: i, ...(Array.isArray(c) ? r : c) as SideFailure });
      continue;
    }
    put(c);
    put(r);
    lengths[2 * i] = c.length;
    lengths[2 * i + 1] = r.length;
    sharedPrefix[i] = sharedPrefixLength(c, r);
    if (templateTokens !== undefined && p.format === "chat") {
      templateTokens[2 * i] = encoder.templateTokens(p.chosen, c.length);
      templateTokens[2 * i + 1] = encoder.templateTokens(p.rejected, r.length);
    }
  }
  return { count, ids: ids.slice(0, n), lengths, sharedPrefix, failures, ...(templateTokens !== undefined ? { templateTokens } : {}) };
}

// About 3 characters per token, and a few template tokens per message: sizes the first buffer of a chunk.
function tokenEstimate(p: PairSides): number {
  switch (p.format) {
    case "text": return (p.chosen.length + p.rejected.length) / 3;
    case "ids": return p.chosen.length + p.rejected.length;
    case "chat": {
      let chars = 0;
      for (const m of [...p.chosen, ...p.rejected]) chars += m.content.length;
      return chars / 3 + 8 * (p.chosen.length + p.rejected.length);
    }
  }
}

/** An all-ones attention mask of length n (the pairs are unpadded; the collator pads). */
export function onesMask(n: number): Int32Array {
  return new Int32Array(n).fill(1);
}
