// Scoring rows with a reward model: each text tokenized as the model's tokenizer does, cut from the LEFT to
// maxLength as RewardBench's runner does (the answer's end, where the reward is read, survives; a tokenizer's
// leading BOS stays first), and scored in batches. Rows already scored (a resumed run) are reused by id.
import { InputError } from "../errors.js";
import type { RewardModel } from "../models/index.js";
import type { Tokenizer } from "../tokenizer/index.js";
import type { EvalRow, ScoredRow } from "./types.js";

export interface ScoreRowsOptions {
  /** tokens kept per text */
  readonly maxLength: number;
  /** texts per forward pass */
  readonly batchSize: number;
  readonly padTokenId?: number;
  /** rows scored by an earlier run, by id; reused when they have as many rewards as the row has texts */
  readonly done?: ReadonlyMap<string, ScoredRow>;
  /** rows per chunk between onScored calls (how much an interruption can lose); default 64 */
  readonly chunkRows?: number;
  /** newly scored rows, once per chunk, in row order (to append to scores.jsonl) */
  onScored?(rows: readonly ScoredRow[]): void;
  onProgress?(done: number, total: number): void;
}

/** ids cut to the last maxLength tokens; with keepFirst (a BOS the tokenizer adds), that first id stays in front. */
export function leftTruncate(ids: readonly number[], maxLength: number, keepFirst: boolean): number[] {
  if (ids.length <= maxLength) return [...ids];
  if (keepFirst && maxLength > 1) return [ids[0] as number, ...ids.slice(ids.length - (maxLength - 1))];
  return ids.slice(ids.length - maxLength);
}

export async function scoreRows(model: RewardModel, tok: Tokenizer, rows: readonly EvalRow[], opts: ScoreRowsOptions): Promise<ScoredRow[]> {
  const out: ScoredRow[] = new Array<ScoredRow>(rows.length);
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
    const idx = todo.slice(s, s + chunk);
    const ids: number[][] = [], tokens: number[][] = [], cut: number[] = [];
    for (const i of idx) {
      const r = rows[i] as EvalRow;
      const lens: number[] = [];
      let truncated = 0;
      r.texts.forEach((t, k) => {
        const full = tok.encode(t);
        if (full.length === 0) throw new InputError(`answer ${k + 1} tokenizes to no tokens`, r.where, "a reward needs at least one token");
        const badId = full.find((id) => id >= vocab);
        if (badId !== undefined) {
          throw new InputError(`token id ${badId} is outside the model's vocabulary [0, ${vocab})`, r.where, "pass the model's own tokenizer (--tokenizer)");
        }
        lens.push(full.length);
        if (full.length > opts.maxLength) truncated++;
        ids.push(leftTruncate(full, opts.maxLength, tok.addsBos));
      });
      tokens.push(lens);
      cut.push(truncated);
    }
    const rewards = await model.score(ids, { batchSize: opts.batchSize, padTokenId: opts.padTokenId });
    let k = 0;
    const scored = idx.map((i, j): ScoredRow => {
      const r = rows[i] as EvalRow;
      const rw = Array.from(rewards.subarray(k, k + r.texts.length));
      k += r.texts.length;
      return { id: r.id, subset: r.subset, rewards: rw, tokens: tokens[j] as number[], numCorrect: r.numCorrect, truncated: cut[j] as number };
    });
    scored.forEach((row, j) => (out[idx[j] as number] = row));
    opts.onScored?.(scored);
    opts.onProgress?.(reused + Math.min(s + chunk, todo.length), rows.length);
  }
  return out;
}
