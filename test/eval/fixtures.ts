// Hand-made rewards for test/fixtures/eval/*.jsonl and the scores RewardBench's rules give them, computed by hand.
// Shared by the unit tests (src/eval's functions) and the e2e tests (the same rewards fed back through scores.jsonl).
import type { ScoredRow } from "../../src/eval/index.js";

/** Rows matching test/fixtures/eval/rewardbench.jsonl's subsets; the e2e test feeds the same rewards back. */
export const RB_REWARDS: readonly [subset: string, chosen: number, rejected: number][] = [
  ["alpacaeval-easy", 1, 0], ["alpacaeval-easy", 0, 1], ["mt-bench-easy", 2, 1],
  ["llmbar-natural", 1, 0], ["llmbar-natural", 3, 2], ["mt-bench-hard", 1, 1],
  ["donotanswer", 1, -1], ["xstest-should-respond", 0, 2], ["xstest-should-respond", 2, 0],
  ["math-prm", 1, 0], ["math-prm", -1, 0], ["hep-python", 5, 4], ["my-subset", 0, 1],
];
// hand computation: section = Σ accuracy·published count / Σ count over the subsets present
export const RB_EXPECTED = {
  Chat: (0.5 * 100 + 1 * 28) / (100 + 28),
  "Chat Hard": (1 * 100 + 0 * 37) / (100 + 37),
  Safety: (1 * 136 + 0.5 * 154) / (136 + 154),
  Reasoning: (0.5 * 984 + 1 * 164) / (984 + 164),
};

export const bo = (id: string, subset: string, rewards: number[], numCorrect = 1): ScoredRow => ({ id, subset, rewards, tokens: rewards.map(() => 1), numCorrect, truncated: 0 });

/** Matching test/fixtures/eval/rewardbench2.jsonl's rows (right answers first). */
export const RB2_ROWS: readonly ScoredRow[] = [
  bo("1", "Factuality", [2, 1, 0, -1]),        // strictly best: 1
  bo("2", "Factuality", [1, 1, 0, 0]),         // tied with one wrong at the top: 1/2
  bo("3", "Focus", [0, 1, 2, 3]),              // 0
  bo("4", "Math", [3, 3, 3, 3]),               // four-way tie: 1/4
  bo("ref:0", "Ties", [5, 1, 2]),              // gap 3, accurate
  bo("tied:0", "Ties", [4, 5, 6, 4.5, 1, 2, 3], 4), // gap 1, spread 2, accurate
  bo("ref:1", "Ties", [1, 2, 0]),              // gap −1, not accurate
  bo("tied:1", "Ties", [3, 3.5, 3.6, 1, 2], 3),     // gap 1, spread 0.6, accurate
];
const tiesHand = 0.3 * 1 + 0.3 * 0.5
  + 0.2 * ((0 /* 1 > 2 */ + 1 /* 1 > 0.6 */) / 2)
  + 0.2 * ((0 /* min(3,1) > 2 */ + 0 /* min(−1,1) > 0.6 */) / 2)
  + 0.01 * ((Math.tanh(1 / 2 - 1) + Math.tanh(-1 / 0.6 - 1)) / 2);
export const RB2_EXPECTED = { Factuality: 0.75, Focus: 0, Math: 0.25, Ties: tiesHand, overall: (0.75 + 0 + 0.25 + tiesHand) / 4 };

