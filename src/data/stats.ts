// data stats: what a preference dataset looks like in tokens. Lengths, identical pairs, shared prefixes, and the
// length baselines ("longer wins", "shorter wins"), which a reward model has to beat to have learned more than length.
import type { EncodeSettings } from "./encode.js";
import { tokenizeStream } from "./pipeline.js";
import { encodingOf, failuresByIndex } from "./prepare.js";
import type { PreparedEncoding } from "./prepared/format.js";
import { createChunkTokenizer, defaultThreads } from "./pool.js";
import { isPreparedDir, openPrepared } from "./prepared/open.js";
import { openPairs } from "./readers/index.js";
import { localTokenizerSource } from "./tokenizer-source.js";
import { SkipCounts, type PairFormat } from "./types.js";

export interface LengthSummary {
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

export interface DataStats {
  readonly source: string;
  /** "text" when read and tokenized here; "prepared" for a prepared directory (already filtered / truncated). */
  readonly kind: "text" | "prepared";
  readonly tokenizer: string;
  readonly maxLength: number;
  /** Records read, valid or not. */
  readonly rows: number;
  /** Valid pairs: every figure below is over these. */
  readonly pairs: number;
  /** Records that are not valid pairs, by reason (and, for a prepared dir, what prepare dropped). */
  readonly dropped: Record<string, number>;
  /** How the texts became ids: the data format, EOS rule and chat template (absent for an older prepared dir). */
  readonly encoding?: PreparedEncoding;
  /** Conversational data: messages per conversation (prompt and answer turns together), chosen and rejected. */
  readonly turns?: { readonly chosen: LengthSummary; readonly rejected: LengthSummary };
  /** Conversational data: tokens per conversation that the chat template adds around the message contents. */
  readonly templateTokens?: LengthSummary;
  /** Pairs whose chosen and rejected are the same (ids). */
  readonly identical: number;
  /** Pairs with both sides <= maxLength tokens. */
  readonly withinMaxLength: number;
  readonly chosen: LengthSummary;
  readonly rejected: LengthSummary;
  readonly meanSharedPrefix: number;
  /** Fractions of all pairs; a tie (same length) counts for neither. */
  readonly longerWins: number;
  readonly shorterWins: number;
  readonly ties: number;
}

/** numpy's default (linear) percentile of a sorted array. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const x = (p / 100) * (n - 1);
  const lo = Math.floor(x), hi = Math.min(n - 1, lo + 1);
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (x - lo);
}

/** Collects per-pair figures; `finish` turns them into DataStats. */
export class StatsAccumulator {
  private chosenLengths: number[] = [];
  private rejectedLengths: number[] = [];
  private prefixSum = 0;
  private identical = 0;
  private within = 0;
  private longer = 0;
  private shorter = 0;
  private chosenTurns: number[] = [];
  private rejectedTurns: number[] = [];
  private templateTokens: number[] = [];

  constructor(private readonly maxLength: number) {}

  /** Messages in the chosen and rejected conversations of a conversational pair, and the tokens its template added. */
  addConversation(chosenTurns: number, rejectedTurns: number, chosenTemplateTokens: number, rejectedTemplateTokens: number): void {
    this.chosenTurns.push(chosenTurns);
    this.rejectedTurns.push(rejectedTurns);
    this.templateTokens.push(chosenTemplateTokens, rejectedTemplateTokens);
  }

  get count(): number {
    return this.chosenLengths.length;
  }

  add(chosenLength: number, rejectedLength: number, sharedPrefix: number, identical: boolean): void {
    this.chosenLengths.push(chosenLength);
    this.rejectedLengths.push(rejectedLength);
    this.prefixSum += sharedPrefix;
    if (identical) this.identical++;
    if (chosenLength <= this.maxLength && rejectedLength <= this.maxLength) this.within++;
    if (chosenLength > rejectedLength) this.longer++;
    else if (chosenLength < rejectedLength) this.shorter++;
  }

  finish(head: Pick<DataStats, "source" | "kind" | "tokenizer" | "rows" | "dropped" | "encoding">): DataStats {
    const n = this.chosenLengths.length;
    const summary = (xs: number[]): LengthSummary => {
      const s = Float64Array.from(xs).sort();
      const k = s.length;
      let sum = 0;
      for (const v of s) sum += v;
      return { mean: k > 0 ? sum / k : NaN, p50: percentile(s, 50), p90: percentile(s, 90), p99: percentile(s, 99), max: k > 0 ? (s[k - 1] as number) : NaN };
    };
    return {
      ...head,
      ...(this.chosenTurns.length > 0 ? {
        turns: { chosen: summary(this.chosenTurns), rejected: summary(this.rejectedTurns) },
        templateTokens: summary(this.templateTokens),
      } : {}),
      maxLength: this.maxLength,
      pairs: n,
      identical: this.identical,
      withinMaxLength: this.within,
      chosen: summary(this.chosenLengths),
      rejected: summary(this.rejectedLengths),
      meanSharedPrefix: n > 0 ? this.prefixSum / n : NaN,
      longerWins: n > 0 ? this.longer / n : NaN,
      shorterWins: n > 0 ? this.shorter / n : NaN,
      ties: n > 0 ? (n - this.longer - this.shorter) / n : NaN,
    };
  }
}

export interface StatsOptions {
  /** TRL's EOS rule for standard text (default true) and a chat template file replacing the tokenizer's own. */
  readonly encoding?: EncodeSettings;
  /** Default "builtin:gpt2"; ignored for a prepared directory (its tokenizer is in meta.json). */
  readonly tokenizer?: string;
  readonly maxLength?: number;
  readonly split?: string;
  readonly skipInvalid?: boolean;
  readonly threads?: number;
}

/** Stats of a data source (file, folder, hub id, "builtin") or of a prepared directory (binary layout). */
export async function dataStats(spec: string, opts: StatsOptions = {}): Promise<DataStats> {
  if (isPreparedDir(spec)) return preparedStats(spec, opts.maxLength);
  const maxLength = opts.maxLength ?? 512;
  const tokenizer = opts.tokenizer ?? "builtin:gpt2";
  const skipped = new SkipCounts();
  const stream = await openPairs(spec, { split: opts.split, skipInvalid: opts.skipInvalid, skipped });
  const source = await localTokenizerSource(tokenizer);
  const pool = await createChunkTokenizer(source, opts.threads ?? defaultThreads(), { ...opts.encoding, countTemplateTokens: true });
  const acc = new StatsAccumulator(maxLength);
  let format: PairFormat | null = null;
  try {
    for await (const { pairs, tokens } of tokenizeStream(stream.pairs(), pool)) {
      const failed = failuresByIndex(tokens, pairs, opts.skipInvalid === true, skipped);
      for (const [i, p] of pairs.entries()) {
        if (failed.has(i)) continue;
        format ??= p.format;
        const lc = tokens.lengths[2 * i] as number, lr = tokens.lengths[2 * i + 1] as number, shared = tokens.sharedPrefix[i] as number;
        acc.add(lc, lr, shared, lc === lr && shared === lc);
        if (p.format === "chat") {
          acc.addConversation(p.chosen.length, p.rejected.length, tokens.templateTokens?.[2 * i] ?? 0, tokens.templateTokens?.[2 * i + 1] ?? 0);
        }
      }
    }
  } finally {
    await pool.close();
  }
  return acc.finish({ source: spec, kind: "text", tokenizer, rows: acc.count + skipped.total, dropped: skipped.toJSON(),
    encoding: encodingOf(format, opts.encoding, pool.info) });
}

function preparedStats(dir: string, maxLength?: number): DataStats {
  const prep = openPrepared(dir);
  const acc = new StatsAccumulator(maxLength ?? prep.meta.maxLength);
  for (let i = 0; i < prep.length; i++) {
    const p = prep.pair(i);
    const same = p.input_ids_chosen.length === p.input_ids_rejected.length && p.sharedPrefix === p.input_ids_chosen.length;
    acc.add(p.input_ids_chosen.length, p.input_ids_rejected.length, p.sharedPrefix, same);
  }
  return acc.finish({ source: dir, kind: "prepared", tokenizer: prep.meta.tokenizer.source, rows: prep.meta.counts.read, dropped: prep.meta.skippedByReason,
    ...(prep.meta.encoding !== undefined ? { encoding: prep.meta.encoding } : {}) });
}
