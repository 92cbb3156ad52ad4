import { test } from "node:test";
import assert from "node:assert/strict";
import { MetricsAccumulator, pairBatchMetrics, RunningStats } from "../../src/train/index.js";

test("per-mode append, average, clear; eval keys prefixed", () => {
  const acc = new MetricsAccumulator();
  acc.append("train", { accuracy: 1, margin: 2 });
  acc.append("train", { accuracy: 0, margin: 4 });
  acc.set("train", "num_tokens", 100);
  acc.set("train", "num_tokens", 250); // running total: replaced, not averaged
  acc.append("eval", { accuracy: 0.5 });
  assert.equal(acc.count("train", "accuracy"), 2);
  assert.deepEqual(acc.average("train"), { accuracy: 0.5, margin: 3, num_tokens: 250 });
  assert.deepEqual(acc.average("train"), {});
  assert.deepEqual(acc.average("eval"), { eval_accuracy: 0.5 });
});

test("pairBatchMetrics: TRL's accuracy (ties wrong), margin and reward range", () => {
  const m = pairBatchMetrics([1, 2, 0.5, -1], [0, 2, 1, -3]);
  assert.deepEqual(m, { accuracy: 0.5, margin: (1 + 0 - 0.5 + 2) / 4, min_reward: -3, mean_reward: (2.5 + 0) / 8,
    max_reward: 2, ties: 1 });
  assert.throws(() => pairBatchMetrics([1], [1, 2]), RangeError);
});

test("RunningStats: mean and population std", () => {
  const s = new RunningStats();
  assert.ok(Number.isNaN(s.mean));
  s.pushAll([2, 4, 4, 4, 5, 5, 7, 9]);
  assert.equal(s.count, 8);
  assert.equal(s.mean, 5);
  assert.equal(s.std, 2);
});
