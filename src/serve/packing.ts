// How the texts waiting in the server become forward passes: texts that share a token-level prefix are packed into
// one shared row (the prefix computed once), then the rows, sorted by length, are split into passes so that the
// estimated cost (multiply-adds plus a fixed cost per pass) is least, under the padded-token and text budgets.
// Texts that share nothing may also be bundled side by side in one row (an empty prefix: each attends only to
// itself, positions restart), up to the longest row's length, when that plan costs less: many short texts then
// make one pass with little padding instead of several (bench:serve's short-text load).
// Sorting by length first keeps padding small: on a CPU a long row in a batch of short ones costs more than the
// batch saves (measured with `rewardlab score` on GPT-2, 64 hh-rlhf texts in arrival order: batch 8 took 11.2 s,
// batch 32 21.5 s).
import { sharedRowLength, type SharedRow } from "../models/index.js";

/** A text to score: its token ids and where its reward goes. */
export interface PendingText<R> {
  readonly ids: readonly number[];
  readonly ref: R;
}

/** One batch row: a shared row and the refs of its texts, in continuation order. */
export interface PackedRow<R> {
  readonly row: SharedRow;
  readonly refs: readonly R[];
  /** tokens of the row (prefix once + continuations) */
  readonly length: number;
  /** tokens of its texts scored apart */
  readonly textTokens: number;
}

export interface PackingOptions {
  /** padded tokens (rows × longest row) per pass; a row longer than this still gets a pass of its own */
  readonly maxBatchTokens: number;
  /** texts per pass */
  readonly maxBatch: number;
  /** pack texts sharing a prefix into one row */
  readonly prefixSharing: boolean;
  /** hidden width C of the model (the cost model's linear-layer term) */
  readonly width: number;
  /** MLP width F: a pass's largest activation is [tokens, F] (the cost model's large-pass term) */
  readonly mlpWidth: number;
  /** longest shared row; attention memory grows with its square */
  readonly maxRowTokens: number;
}

/**
 * The fixed cost of a forward pass in tokens of compute. A pass reads every weight once whatever its size, which on a
 * CPU costs about as much as computing a few dozen tokens (the issue's figures: 64 texts took 14.1 s in 64 passes and
 * 11.2 s in 8, ~50 ms saved per pass, about a quarter of one ~200-token text); 64 tokens' worth makes the planner
 * batch rows of similar length and split rows of very different length.
 */
export const PASS_OVERHEAD_TOKENS = 64;

/**
 * Large passes compute more slowly per token: once a pass's largest activation ([tokens, F] floats, the MLP's inner
 * layer) outgrows the CPU's last-level cache, onnxruntime's matmuls stream it from memory. Measured on GPT-2 124M
 * (F = 3072; Zen 5, 32 MiB L3, 2 threads), tokens/s of one pass against the best size: 512-2,048 within noise,
 * 4,096 0.81-1.0, 8,192 0.61-0.83 (five runs); the [M,768]·[768,3072] matmul alone runs at 352-394 GFLOP/s for
 * M = 1,024 to 4,096 and 255-312 at 8,192 (bench:engine --rows). Modelled as a cost factor growing linearly from 24 MiB of that activation
 * (GPT-2: 2,048 tokens) by 1 per 192 MiB (16,384 tokens), so the planner keeps passes near 2,000 GPT-2 tokens.
 */
const CACHE_FRIENDLY_BYTES = 24 * 2 ** 20, SLOWDOWN_BYTES = 192 * 2 ** 20;

/** The cost factor of a pass of `tokens` padded tokens (1 while its MLP activation fits the cache budget). */
export function largePassFactor(tokens: number, mlpWidth: number): number {
  return 1 + Math.max(0, tokens * mlpWidth * 4 - CACHE_FRIENDLY_BYTES) / SLOWDOWN_BYTES;
}

/**
 * Multiply-adds of B rows of T tokens, up to a common factor 2·C·L: the linear layers do ~12·C² per token and
 * attention ~2·T·C per token (scores and their product with v), so cost ∝ B·T·(6·C + T).
 */
export function rowsCost(B: number, T: number, C: number): number {
  return B * T * (6 * C + T);
}

/** Length of the common prefix of two token lists. */
function commonPrefix(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}

function lexCompare(a: readonly number[], b: readonly number[]): number {
  const i = commonPrefix(a, b);
  if (i < a.length && i < b.length) return (a[i] as number) - (b[i] as number);
  return a.length - b.length;
}

/** A shared row of texts whose common prefix is the first `shared` tokens of each. */
function packRow<R>(texts: readonly PendingText<R>[], shared: number): PackedRow<R> {
  const first = texts[0] as PendingText<R>;
  const row: SharedRow = { prefix: first.ids.slice(0, shared), continuations: texts.map((t) => t.ids.slice(shared)) };
  return { row, refs: texts.map((t) => t.ref), length: sharedRowLength(row), textTokens: texts.reduce((n, t) => n + t.ids.length, 0) };
}

/**
 * Rows of the texts: with prefix sharing, texts in token order are grouped while packing the next one into the
 * group costs less than giving it a row of its own; otherwise one text per row.
 */
export function packRows<R>(texts: readonly PendingText<R>[], opts: PackingOptions): PackedRow<R>[] {
  if (!opts.prefixSharing) return texts.map((t) => packRow([t], t.ids.length));
  const sorted = [...texts].sort((a, b) => lexCompare(a.ids, b.ids));
  const rows: PackedRow<R>[] = [];
  const cost = (tokens: number) => rowsCost(1, tokens, opts.width);
  let group: PendingText<R>[] = [], shared = 0, length = 0;
  for (const t of sorted) {
    const prev = group[group.length - 1];
    if (prev !== undefined) {
      const s = Math.min(shared, commonPrefix(prev.ids, t.ids));
      // the row with t: every member that shared `shared` tokens now repeats the `shared - s` it no longer shares
      const withT = length + (group.length - 1) * (shared - s) + t.ids.length - s;
      if (group.length < opts.maxBatch && withT <= opts.maxRowTokens && cost(withT) <= cost(length) + cost(t.ids.length)) {
        group.push(t);
        shared = s;
        length = withT;
        continue;
      }
      rows.push(packRow(group, shared));
    }
    group = [t];
    shared = t.ids.length;
    length = t.ids.length;
  }
  if (group.length > 0) rows.push(packRow(group, shared));
  return rows;
}

/**
 * Rows of one text each (a text alone is a row whose prefix is the whole text) bundled first-fit decreasing into rows
 * of several texts with an empty prefix, each at most as long as the longest row and holding at most maxBatch texts.
 * A text's reward in a bundle equals its reward alone (the mask keeps texts apart) up to float32 rounding.
 */
export function bundleRows<R>(rows: readonly PackedRow<R>[], opts: PackingOptions): PackedRow<R>[] {
  const alone = (r: PackedRow<R>): boolean => r.refs.length === 1 && r.row.continuations.every((c) => c.length === 0);
  const capacity = Math.max(0, ...rows.map((r) => r.length));
  const bins: { texts: (readonly number[])[]; refs: R[]; length: number }[] = [];
  for (const r of rows.filter(alone).sort((a, b) => b.length - a.length)) {
    const bin = bins.find((b) => b.length + r.length <= capacity && b.refs.length < opts.maxBatch);
    if (bin) {
      bin.texts.push(r.row.prefix);
      bin.refs.push(r.refs[0] as R);
      bin.length += r.length;
    } else bins.push({ texts: [r.row.prefix], refs: [r.refs[0] as R], length: r.length });
  }
  const bundled = bins.map((b): PackedRow<R> => b.texts.length === 1
    ? { row: { prefix: b.texts[0] as readonly number[], continuations: [[]] }, refs: b.refs, length: b.length, textTokens: b.length }
    : { row: { prefix: [], continuations: b.texts }, refs: b.refs, length: b.length, textTokens: b.length });
  return [...rows.filter((r) => !alone(r)), ...bundled];
}

/** The cheaper plan of the rows as they are and bundled (bundleRows), by the planner's cost estimate. */
export function planWave<R>(rows: readonly PackedRow<R>[], opts: PackingOptions): PackedRow<R>[][] {
  const plain = planWithCost(rows, opts), bundled = planWithCost(bundleRows(rows, opts), opts);
  return bundled.cost < plain.cost ? bundled.passes : plain.passes;
}

/**
 * Splits rows into forward passes: sorted by length, then cut where the summed cost (rowsCost of each pass at its
 * longest row, plus PASS_OVERHEAD_TOKENS per pass) is least, a dynamic program over the cut points. A pass holds at
 * most maxBatch texts and maxBatchTokens padded tokens, except a single row larger than that.
 */
export function planPasses<R>(rows: readonly PackedRow<R>[], opts: PackingOptions): PackedRow<R>[][] {
  return planWithCost(rows, opts).passes;
}

function planWithCost<R>(rows: readonly PackedRow<R>[], opts: PackingOptions): { passes: PackedRow<R>[][]; cost: number } {
  const sorted = [...rows].sort((a, b) => a.length - b.length);
  const n = sorted.length, overhead = rowsCost(1, PASS_OVERHEAD_TOKENS, opts.width);
  const best = new Float64Array(n + 1).fill(Infinity), cut = new Int32Array(n + 1);
  best[0] = 0;
  for (let i = 1; i <= n; i++) {
    const T = (sorted[i - 1] as PackedRow<R>).length;
    let texts = 0;
    for (let j = i - 1; j >= 0; j--) {
      texts += (sorted[j] as PackedRow<R>).refs.length;
      const B = i - j;
      if (B > 1 && (texts > opts.maxBatch || B * T > opts.maxBatchTokens)) break;
      const c = (best[j] as number) + overhead + rowsCost(B, T, opts.width) * largePassFactor(B * T, opts.mlpWidth);
      if (c < (best[i] as number)) {
        best[i] = c;
        cut[i] = j;
      }
    }
  }
  const passes: PackedRow<R>[][] = [];
  for (let i = n; i > 0; i = cut[i] as number) passes.push(sorted.slice(cut[i], i));
  return { passes: passes.reverse(), cost: best[n] as number };
}
