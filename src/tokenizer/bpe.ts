// Byte-pair encoding over token ids. Merges are stored by the ids of their two parts in an open-addressing
// hash table (typed arrays, no strings in the hot loop); a word starts as the ids its Symbolizer gives (bytes or
// characters) and the lowest-ranked adjacent pair is merged (leftmost first) until none is left, as HF
// `tokenizers` does.
// Short words use a plain scan, long ones (e.g. a 10 kB run of "=") a heap, so no input is quadratic.
// Results are cached per pre-token string.

import type { Symbolizer } from "./bpe-symbols.js";

/** One merge rule: the ids of its left and right parts and of the token they form. */
export interface Merge {
  readonly left: number;
  readonly right: number;
  readonly merged: number;
}

const EMPTY = -1;
const DEAD = -1; // id of a symbol merged into its left neighbour (mergeHeap)
const HEAP_ABOVE = 48; // bytes; longer words use mergeHeap
const POS_LIMIT = 2 ** 24; // heap key = rank * POS_LIMIT + position
const CACHE_CAPACITY = 100_000; // entries; like HF, the cache stops growing when full instead of evicting
// Longer pieces are not cached (HF's limit too): with Metaspace split=false (Llama-2 through transformers) a
// piece is a whole text, which would otherwise fill the cache with every text seen.
const CACHE_MAX_PIECE = 256;

export class Bpe {
  private readonly slotLeft: Int32Array;
  private readonly slotRight: Int32Array;
  private readonly slotRank: Int32Array;
  private readonly mergedOfRank: Int32Array;
  private readonly mask: number;
  private readonly cache = new Map<string, readonly number[]>();
  private ids = new Int32Array(1024);
  private ranks = new Int32Array(1024);
  private next = new Int32Array(1024);
  private prev = new Int32Array(1024);

  /** Merges in rank order (a later duplicate of a pair replaces the earlier one, as HF's loader does). */
  constructor(
    private readonly symbols: Symbolizer,
    merges: readonly Merge[],
  ) {
    let cap = 16;
    while (cap < merges.length * 2) cap *= 2;
    this.mask = cap - 1;
    this.slotLeft = new Int32Array(cap).fill(EMPTY);
    this.slotRight = new Int32Array(cap);
    this.slotRank = new Int32Array(cap);
    this.mergedOfRank = new Int32Array(merges.length);
    merges.forEach((m, rank) => {
      this.mergedOfRank[rank] = m.merged;
      const s = this.slot(m.left, m.right);
      this.slotLeft[s] = m.left;
      this.slotRight[s] = m.right;
      this.slotRank[s] = rank;
    });
  }

  /** Slot of pair (a, b): where it is, or the empty slot where it would go. */
  private slot(a: number, b: number): number {
    let s = (Math.imul(a, 0x9e3779b1) ^ Math.imul(b, 0x85ebca6b)) & this.mask;
    while (true) {
      const l = this.slotLeft[s] as number;
      if (l === EMPTY || (l === a && this.slotRight[s] === b)) return s;
      s = (s + 1) & this.mask;
    }
  }

  /** Rank of merging (a, b), or -1 when there is no such merge. */
  rank(a: number, b: number): number {
    const s = this.slot(a, b);
    return this.slotLeft[s] === EMPTY ? -1 : (this.slotRank[s] as number);
  }

  /** The ids of one pre-token (text[start, end)), cached by its string. */
  encodeWord(text: string, start: number, end: number): readonly number[] {
    return this.encodePiece(text.slice(start, end));
  }

  /** The ids of one whole pre-token string, cached. */
  encodePiece(word: string): readonly number[] {
    const hit = this.cache.get(word);
    if (hit !== undefined) return hit;
    const ids = this.merge(word);
    if (this.cache.size < CACHE_CAPACITY && word.length <= CACHE_MAX_PIECE) this.cache.set(word, ids);
    return ids;
  }

  private merge(word: string): number[] {
    const whole = this.symbols.whole(word);
    if (whole !== undefined) return [whole];
    const cap = this.symbols.capacity(word.length);
    if (this.ids.length < cap) this.grow(cap);
    const n = this.symbols.start(word, this.ids);
    if (n === 0) return [];
    return n > HEAP_ABOVE ? this.mergeHeap(n) : this.mergeScan(n);
  }

  private grow(cap: number): void {
    this.ids = new Int32Array(cap);
    this.ranks = new Int32Array(cap);
    this.next = new Int32Array(cap);
    this.prev = new Int32Array(cap);
  }

  /** Merges a sequence of ids with one method (for tests: both must agree). */
  mergeIds(start: readonly number[], method: "scan" | "heap"): number[] {
    if (this.ids.length < start.length) this.grow(start.length);
    this.ids.set(start);
    return method === "scan" ? this.mergeScan(start.length) : this.mergeHeap(start.length);
  }

  /**
   * Merges ids[0, n) in place, for short words: ranks[i] is the rank of merging ids[i] with ids[i+1]; each
   * round merges the leftmost lowest pair and recomputes only its two neighbouring ranks. O(n²).
   */
  private mergeScan(n: number): number[] {
    const { ids, ranks } = this;
    for (let i = 0; i + 1 < n; i++) ranks[i] = this.rank(ids[i] as number, ids[i + 1] as number);
    while (n > 1) {
      let best = -1;
      let at = -1;
      for (let i = 0; i + 1 < n; i++) {
        const r = ranks[i] as number;
        if (r >= 0 && (best < 0 || r < best)) {
          best = r;
          at = i;
        }
      }
      if (at < 0) break;
      ids[at] = this.mergedOfRank[best] as number;
      ids.copyWithin(at + 1, at + 2, n);
      ranks.copyWithin(at + 1, at + 2, n - 1);
      n--;
      if (at > 0) ranks[at - 1] = this.rank(ids[at - 1] as number, ids[at] as number);
      if (at + 1 < n) ranks[at] = this.rank(ids[at] as number, ids[at + 1] as number);
    }
    return Array.from(ids.subarray(0, n));
  }

  /**
   * The same merges for long words in O(n log n): a linked list of symbols and a min-heap of candidate pairs
   * keyed rank·2^24 + position (leftmost lowest first, as HF's priority queue). A stale heap entry (its left
   * symbol merged away, or its pair changed) is skipped when popped.
   */
  private mergeHeap(n: number): number[] {
    const { ids, next, prev } = this;
    if (n >= POS_LIMIT) throw new RangeError(`bpe: a single pre-token of ${n} bytes is too long`);
    const heap = new Float64Array(3 * n); // n - 1 pairs at first, at most 2 more per merge, 1 fewer per pop
    let size = 0;
    const push = (key: number): void => {
      let i = size++;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if ((heap[parent] as number) <= key) break;
        heap[i] = heap[parent] as number;
        i = parent;
      }
      heap[i] = key;
    };
    const pop = (): number => {
      const top = heap[0] as number;
      const last = heap[--size] as number;
      let i = 0;
      while (true) {
        let c = 2 * i + 1;
        if (c >= size) break;
        if (c + 1 < size && (heap[c + 1] as number) < (heap[c] as number)) c++;
        if ((heap[c] as number) >= last) break;
        heap[i] = heap[c] as number;
        i = c;
      }
      heap[i] = last;
      return top;
    };
    const consider = (i: number): void => {
      const j = next[i] as number;
      if (j < 0) return;
      const r = this.rank(ids[i] as number, ids[j] as number);
      if (r >= 0) push(r * POS_LIMIT + i);
    };
    for (let i = 0; i < n; i++) {
      next[i] = i + 1 < n ? i + 1 : -1;
      prev[i] = i - 1;
    }
    for (let i = 0; i + 1 < n; i++) consider(i);
    while (size > 0) {
      const key = pop();
      const i = key % POS_LIMIT;
      const r = (key - i) / POS_LIMIT;
      const j = next[i] as number;
      if (ids[i] === DEAD || j < 0 || this.rank(ids[i] as number, ids[j] as number) !== r) continue;
      ids[i] = this.mergedOfRank[r] as number;
      ids[j] = DEAD;
      const after = next[j] as number;
      next[i] = after;
      if (after >= 0) prev[after] = i;
      if ((prev[i] as number) >= 0) consider(prev[i] as number);
      consider(i);
    }
    const out: number[] = [];
    for (let i = 0; i >= 0; i = next[i] as number) out.push(ids[i] as number);
    return out;
  }
}
