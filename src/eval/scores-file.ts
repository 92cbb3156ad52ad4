// scores.jsonl: one line per row, in data order, appended chunk by chunk while scoring, so an interrupted eval
// resumes where it stopped (--resume reads it back):
//   {"id", "subset", "rewards": [right answers first], "tokens": [per text, before truncation], "num_correct",
//    "truncated": texts cut to --max-length, "correct"}
// "correct" is true/false for a pair (r_chosen > r_rejected), the row's credit (0, 1/k, 1) for a best-of-N row,
// and true/false (every right answer above every wrong one) for a RewardBench 2 Ties row.
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { readJsonLines } from "../data/index.js";
import { InputError } from "../errors.js";
import { bestOfCredit, TIES_SUBSET } from "./rewardbench2.js";
import { marginOf, type Benchmark, type ScoredRow } from "./types.js";

export function rowCorrect(r: ScoredRow, benchmark: Benchmark): boolean | number {
  if (benchmark !== "rewardbench2") return marginOf(r) > 0;
  if (r.subset === TIES_SUBSET) return Math.min(...r.rewards.slice(0, r.numCorrect)) > Math.max(...r.rewards.slice(r.numCorrect));
  return bestOfCredit(r);
}

export function scoreLine(r: ScoredRow, benchmark: Benchmark): string {
  return JSON.stringify({
    id: r.id, subset: r.subset, rewards: r.rewards, tokens: r.tokens, num_correct: r.numCorrect, truncated: r.truncated,
    correct: rowCorrect(r, benchmark),
  });
}

export function appendScores(file: string, rows: readonly ScoredRow[], benchmark: Benchmark): void {
  if (rows.length > 0) appendFileSync(file, rows.map((r) => `${scoreLine(r, benchmark)}\n`).join(""));
}

/** Rows of an earlier run by id; a line that is not a scored row is an InputError naming line and field. */
export function readScores(file: string): Map<string, ScoredRow> {
  const out = new Map<string, ScoredRow>();
  if (!existsSync(file)) return out;
  for (const { line, value } of readJsonLines(file, "scores.jsonl is written by rewardlab eval; delete it to score again")) {
    const o = (typeof value === "object" && value !== null ? value : {}) as Record<string, unknown>;
    const nums = (field: string): number[] => {
      const a = o[field];
      if (!Array.isArray(a) || a.length < 2 || !a.every((x) => typeof x === "number" && Number.isFinite(x))) {
        throw new InputError("expected an array of at least two finite numbers", { file, line, field });
      }
      return a as number[];
    };
    if (typeof o["id"] !== "string") throw new InputError("expected a string", { file, line, field: "id" });
    const rewards = nums("rewards"), tokens = nums("tokens");
    if (tokens.length !== rewards.length) throw new InputError(`${tokens.length} token counts for ${rewards.length} rewards`, { file, line, field: "tokens" });
    const subset = typeof o["subset"] === "string" ? o["subset"] : null;
    const numCorrect = typeof o["num_correct"] === "number" ? o["num_correct"] : 1;
    out.set(o["id"], { id: o["id"], subset, rewards, tokens, numCorrect, truncated: typeof o["truncated"] === "number" ? o["truncated"] : 0 });
  }
  return out;
}

/** What scores.jsonl's rewards depend on; scores.meta.json beside it, so --resume never mixes two setups. */
export interface ScoresSetup {
  readonly model: string;
  readonly tokenizer: string;
  readonly data: string;
  readonly benchmark: Benchmark;
  readonly chat_template: string;
  readonly max_length: number;
}

/** Checks an earlier run's setup against this one (a field that differs is an InputError naming it), then records this one. */
export function checkAndRecordSetup(file: string, setup: ScoresSetup, resume: boolean): void {
  if (resume && existsSync(file)) {
    let prev: Record<string, unknown>;
    try {
      prev = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
    } catch (e) {
      throw new InputError(`not valid JSON: ${(e as Error).message}`, { file });
    }
    for (const [k, v] of Object.entries(setup)) {
      if (prev[k] !== v) {
        throw new InputError(`the scores were made with ${k} ${JSON.stringify(prev[k])}, this run has ${JSON.stringify(v)}`, { file, field: k },
          "resume with the same model, tokenizer, data and --max-length, or choose another --out");
      }
    }
  }
  writeFileSync(file, `${JSON.stringify(setup, null, 2)}\n`);
}
