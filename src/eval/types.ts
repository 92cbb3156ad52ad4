// The records every benchmark shares: a row is one prompt's candidate answers (the first num_correct of them
// right), and a scored row adds each answer's reward and token count. A preference pair is a row of two answers
// with one right; a RewardBench 2 best-of-4 row has four with one right; its Ties rows have several right.
import type { Where } from "../errors.js";
import type { ChatMessage } from "../tokenizer/index.js";

export type Benchmark = "pairs" | "rewardbench" | "rewardbench2";
export const BENCHMARKS: readonly Benchmark[] = ["pairs", "rewardbench", "rewardbench2"];

/** One scored thing in one of TRL's formats: encoded as the data layer's PairEncoder encodes a side. */
export type EvalText =
  | { readonly format: "text"; readonly value: string }
  | { readonly format: "chat"; readonly value: readonly ChatMessage[] }
  | { readonly format: "ids"; readonly value: readonly number[] };

export interface EvalRow {
  /** unique within the data: the record's "id" field, else file:line (or file:row) */
  readonly id: string;
  /** the benchmark subset ("alpacaeval-easy", "Focus", ...); null for plain preference pairs */
  readonly subset: string | null;
  /** what to score, right answers first: plain texts (prompt and answer), conversations, or token ids */
  readonly texts: readonly EvalText[];
  readonly numCorrect: number;
  readonly where: Where;
}

export interface ScoredRow {
  readonly id: string;
  readonly subset: string | null;
  /** one reward per text, in the row's order */
  readonly rewards: readonly number[];
  /** tokens per text before truncation */
  readonly tokens: readonly number[];
  readonly numCorrect: number;
  /** texts of the row cut to --max-length */
  readonly truncated: number;
}

/** A pair row's margin r_chosen − r_rejected. */
export function marginOf(r: ScoredRow): number {
  return (r.rewards[0] as number) - (r.rewards[1] as number);
}
