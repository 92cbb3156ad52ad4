// RewardBench section scores and RewardBench 2's best-of-4 and Ties rules against hand computations.
import { test } from "node:test";
import assert from "node:assert/strict";
import { rewardbench2Scores, rewardbenchScores, type ScoredRow } from "../../src/eval/index.js";
import { bo, RB2_EXPECTED, RB2_ROWS, RB_EXPECTED, RB_REWARDS } from "./fixtures.js";

const pair = (subset: string, c: number, r: number): ScoredRow => ({ id: `${subset}:${c}:${r}`, subset, rewards: [c, r], tokens: [1, 1], numCorrect: 1, truncated: 0 });

test("rewardbench: per-subset accuracy, published-count weighting, overall = mean of sections, unknown subset apart", () => {
  const s = rewardbenchScores(RB_REWARDS.map(([k, c, r]) => pair(k, c, r)));
  const sec = Object.fromEntries(s.sections.map((x) => [x.section, x.score]));
  for (const [k, v] of Object.entries(RB_EXPECTED)) assert.ok(Math.abs((sec[k] as number) - v) < 1e-12, `${k}: ${sec[k]} vs ${v}`);
  const overall = Object.values(RB_EXPECTED).reduce((a, b) => a + b) / 4;
  assert.ok(Math.abs((s.overall as number) - overall) < 1e-12);
  assert.deepEqual(s.unknown_subsets, ["my-subset"]);
  const mine = s.subsets.find((x) => x.subset === "my-subset");
  assert.equal(mine?.section, null);
  assert.equal(mine?.accuracy, 0);
  assert.equal(s.subsets.find((x) => x.subset === "mt-bench-hard")?.ties, 1);
  assert.match(s.notes.join("\n"), /my-subset/);
});

test("rewardbench: a section with no data is left out of the overall, with a note", () => {
  const s = rewardbenchScores([pair("hep-go", 1, 0), pair("donotanswer", 0, 1)]);
  assert.equal(s.sections.find((x) => x.section === "Chat")?.score, null);
  assert.equal(s.overall, (1 + 0) / 2);
  assert.match(s.notes.join("\n"), /mean of 2 of 4 sections/);
});

test("rewardbench2: best-of-4 credit shares tied top scores; Ties by its weighted rule; overall = mean of subsets", () => {
  const s = rewardbench2Scores(RB2_ROWS);
  const by = Object.fromEntries(s.subsets.map((x) => [x.subset, x.accuracy]));
  for (const k of ["Factuality", "Focus", "Math", "Ties"] as const) assert.ok(Math.abs((by[k] as number) - RB2_EXPECTED[k]) < 1e-12, `${k}: ${by[k]}`);
  assert.ok(Math.abs((s.overall as number) - RB2_EXPECTED.overall) < 1e-12);
  assert.equal(s.ties?.ref_accuracy, 0.5);
  assert.equal(s.ties?.tied_accuracy, 1);
  assert.equal(s.ties?.correctness_preferred, 0.5);
  assert.equal(s.ties?.prompts, 2);
  assert.match(s.notes.join("\n"), /mean of 4 of 6 subsets; no data for Precise IF, Safety/);
});

test("rewardbench2: a zero spread gives the tanh term its numpy limits", () => {
  const s = rewardbench2Scores([bo("ref:9", "Ties", [2, 1]), bo("tied:9", "Ties", [2, 2, 1], 2)]);
  // spread 0, gaps 1: 1/0 = +inf → tanh = 1; gap 1 > 0 on both counts
  assert.equal(s.ties?.margin_score, 1);
  assert.equal(s.ties?.score, 0.3 + 0.3 + 0.2 + 0.2 + 0.01);
});
