// Scoring rows with a reward model: each text encoded as the data layer encodes a side for this model (the EOS rule
// it was trained with, a chat template for conversations, ids as they are), cut from the LEFT to maxLength as
// RewardBench's runner does (the answer's end, where the reward is read, survives; a leading BOS stays first), and
// scored in batches. Rows already scored (a resumed run) are reused by id.
import type { SkipCounts } from "../data/index.js";
import { InputError } from "../errors.js";
import type { RewardModel } from "../models/index.js";
import type { EvalRow, EvalText, ScoredRow } from "./types.js";

/** Ids of one text, or why it cannot be encoded (a template that raises, an id outside the vocabulary). */
export type EncodeText = (t: EvalText, field: "chosen" | "rejected") => number[] | { readonly message: string; readonly reason: string };

export interface ScoreRowsOptions {
  readonly encode: EncodeText;
  /** the tokenizer's BOS id: a leading one survives left truncation */
  readonly bosTokenId: number | null;
  /** tokens kept per text */
  readonly maxLength: number;
  /** texts per forward pass */
  readonly batchSize: number;
  readonly padTokenId?: number;
  /** rows scored by an earlier run, by id; reused when they have as many rewards as the row has texts */
  readonly done?: ReadonlyMap<string, ScoredRow>;
  /** rows per chunk between onScored calls (how much an interruption can lose); default 64 */
  readonly chunkRows?: number;
  /** count rows whose texts cannot be encoded here instead of stopping at the first */
  readonly skipInvalid?: boolean;
  readonly skipped?: SkipCounts;
  /** newly scored rows, once per chunk, in row order (to append to scores.jsonl) */
  onScored?(rows: readonly ScoredRow[]): void;
  onProgress?(done: number, total: number): void;
}

/** ids cut to the last maxLength tokens; with keepFirst (a leading BOS), that first id stays in front. */
export function leftTruncate(ids: readonly number[], maxLength: number, keepFirst: boolean): number[] {
  if (ids.length <= maxLength) return [...ids];
  if (keepFirst && maxLength > 1) return [ids[0] as number, ...ids.slice(ids.length - (maxLength - 1))];
  return ids.slice(ids.length - maxLength);
}

interface Encoded { readonly ids: number[][]; readonly tokens: number[]; readonly truncated: number }

function encodeRow(r: EvalRow, opts: ScoreRowsOptions, vocab: number): Encoded | { message: string; reason: string; field: string } {
  const ids: number[][] = [], tokens: number[] = [];
  let truncated = 0;
  for (const [k, t] of r.texts.entries()) {
    const field = k < r.numCorrect ? "chosen" : "rejected";
    const label = r.texts.length > 2 ? `${field}[${k < r.numCorrect ? k : k - r.numCorrect}]` : field;
    const full = opts.encode(t, field);
    if (!Array.isArray(full)) return { ...full, field: label };
    if (full.length === 0) return { message: "encodes to no tokens (a reward needs at least one)", reason: "encoding to no tokens", field: label };
    const bad = full.find((id) => id >= vocab);
    if (bad !== undefined) return { message: `token id ${bad} is outside the model's vocabulary [0, ${vocab})`, reason: "with a token id outside the model's vocabulary", field: label };
    tokens.push(full.length);
    if (full.length > opts.maxLength) truncated++;
    ids.push(leftTruncate(full, opts.maxLength, opts.bosTokenId !== null && full[0] === opts.bosTokenId));
  }
  return { ids, tokens, truncated };
}

/** Scored rows in data order; rows that cannot be encoded are an InputError at their record, or counted and left out. */
export async function scoreRows(model: RewardModel, rows: readonly EvalRow[], opts: ScoreRowsOptions): Promise<ScoredRow[]> {
  const out: (ScoredRow | undefined)[] = new Array<ScoredRow | undefined>(rows.length);
  const todo: number[] = [];
  rows.forEach((r, i) => {
    const prev = opts.done?.get(r.id);
    if (prev !== undefined && prev.rewards.length === r.texts.length) out[i] = { ...prev, subset: r.subset, numCorrect: r.numCorrect };
    else todo.push(i);
  });
  const reused = rows.length - todo.length;
  opts.onProgress?.(reused, rows.length);
  const vocab = model.config.vocab_size, chunk = opts.chunkRows ?? 64;
  for (let s = 0; s < todo.length; s += chunk) {
    const kept: { i: number; enc: Encoded }[] = [];
    for (const i of todo.slice(s, s + chunk)) {
      const r = rows[i] as EvalRow;
      const enc = encodeRow(r, opts, vocab);
      if ("message" in enc) {
        if (!opts.skipInvalid) throw new InputError(enc.message, { ...r.where, field: enc.field }, "fix the record, or pass --skip-invalid to skip and count it");
        opts.skipped?.add(enc.reason);
        continue;
      }
      kept.push({ i, enc });
    }
    const rewards = await model.score(kept.flatMap((x) => x.enc.ids), { batchSize: opts.batchSize, padTokenId: opts.padTokenId });
    let k = 0;
    const scored = kept.map(({ i, enc }): ScoredRow => {
      const r = rows[i] as EvalRow;
      const rw = Array.from(rewards.subarray(k, k + r.texts.length));
      k += r.texts.length;
      const row = { id: r.id, subset: r.subset, rewards: rw, tokens: enc.tokens, numCorrect: r.numCorrect, truncated: enc.truncated };
      out[i] = row;
      return row;
    });
    opts.onScored?.(scored);
    opts.onProgress?.(reused + Math.min(s + chunk, todo.length), rows.length);
  }
  return out.filter((r): r is ScoredRow => r !== undefined);
}
