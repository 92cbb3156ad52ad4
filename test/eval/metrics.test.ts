// The figures of src/eval on synthetic data whose answer is known: bootstrap coverage, calibration bins, length buckets.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mulberry32 } from "../../src/data/index.js";
import { bootstrapMeanInterval, calibration, lengthBias, pairMetrics, sigmoid, type ScoredRow } from "../../src/eval/index.js";

test("bootstrap: the 95% interval of an accuracy covers the true rate in about 95% of samples", () => {
  const rand = mulberry32(12345);
  const p = 0.7, n = 150, trials = 300;
  let covered = 0;
  for (let t = 0; t < trials; t++) {
    const xs = Float64Array.from({ length: n }, () => (rand() < p ? 1 : 0));
    const ci = bootstrapMeanInterval(xs, { seed: t });
    if (ci.low <= p && p <= ci.high) covered++;
  }
  const rate = covered / trials;
  // binomial sd of the coverage over 300 trials is ~1.3%; the percentile bootstrap runs slightly narrow at n = 150
  assert.ok(rate >= 0.9 && rate <= 0.985, `coverage ${rate}`);
});

test("bootstrap: seeded, and degenerate data gives a zero-width interval", () => {
  const xs = [1, 0, 1, 1, 0, 1, 1, 1, 0, 1];
  assert.deepEqual(bootstrapMeanInterval(xs, { seed: 3 }), bootstrapMeanInterval(xs, { seed: 3 }));
  assert.notDeepEqual(bootstrapMeanInterval(xs, { seed: 3 }), bootstrapMeanInterval(xs, { seed: 4 }));
  const ci = bootstrapMeanInterval([1, 1, 1, 1]);
  assert.equal(ci.low, 1);
  assert.equal(ci.high, 1);
  const wide = bootstrapMeanInterval(xs);
  assert.ok(wide.low < 0.7 && wide.high > 0.7 && wide.high - wide.low > 0.3, JSON.stringify(wide));
});

test("calibration: bins and ECE of two margins, by hand", () => {
  // predictions: σ(0) = .5 twice (outcomes 1, 0); σ(ln 3) = .75 (1); σ(−ln 3) = .25 (0)
  const c = calibration([0, Math.log(3)]);
  assert.equal(c.bins.length, 10);
  assert.deepEqual(c.bins.map((b) => b.count), [0, 0, 1, 0, 0, 2, 0, 1, 0, 0]);
  assert.ok(Math.abs((c.bins[2]?.predicted as number) - 0.25) < 1e-12);
  assert.equal(c.bins[2]?.observed, 0);
  assert.equal(c.bins[5]?.observed, 0.5);
  assert.equal(c.bins[7]?.observed, 1);
  assert.equal(c.bins[0]?.predicted, null);
  assert.ok(Math.abs(c.ece - 0.125) < 1e-12, String(c.ece));
});

test("calibration: margins drawn from a Bradley-Terry model are calibrated; scaled-up margins are not", () => {
  const rand = mulberry32(7);
  const margins: number[] = [];
  for (let i = 0; i < 40_000; i++) {
    const m = (rand() - 0.5) * 8;
    margins.push(rand() < sigmoid(m) ? m : -m); // the chosen side is the one that won
  }
  const good = calibration(margins);
  assert.ok(good.ece < 0.015, `ECE ${good.ece}`);
  for (const b of good.bins) assert.ok(Math.abs((b.predicted as number) - (b.observed as number)) < 0.03, JSON.stringify(b));
  const over = calibration(margins.map((m) => 3 * m));
  assert.ok(over.ece > 0.1, `overconfident ECE ${over.ece}`);
});

test("length bias: buckets, baselines and the model's preference for the longer side", () => {
  const lb = lengthBias([
    { chosenTokens: 100, rejectedTokens: 10, margin: 1 },   // +90: right, longer rewarded
    { chosenTokens: 20, rejectedTokens: 15, margin: -1 },   // +5: wrong, shorter rewarded
    { chosenTokens: 10, rejectedTokens: 10, margin: 0 },    // 0: tie, wrong
    { chosenTokens: 5, rejectedTokens: 50, margin: -2 },    // −45: wrong, longer rewarded
    { chosenTokens: 5, rejectedTokens: 8, margin: 3 },      // −3: right, shorter rewarded
  ]);
  assert.equal(lb.longer_wins, 2 / 5);
  assert.equal(lb.shorter_wins, 2 / 5);
  assert.equal(lb.equal_length, 1 / 5);
  assert.equal(lb.model_prefers_longer, 2 / 4);
  const by = Object.fromEntries(lb.buckets.map((b) => [b.label, b]));
  assert.deepEqual(lb.buckets.map((b) => b.label), ["≤ -64", "-63 … -16", "-15 … -1", "0", "+1 … +15", "+16 … +63", "≥ +64"]);
  assert.equal(by["≥ +64"]?.accuracy, 1);
  assert.equal(by["+1 … +15"]?.accuracy, 0);
  assert.equal(by["0"]?.accuracy, 0);
  assert.equal(by["0"]?.prefers_longer, null);
  assert.equal(by["-63 … -16"]?.prefers_longer, 1);
  assert.equal(by["≤ -64"]?.pairs, 0);
});

test("pair metrics: ties are counted apart and as wrong; reward mean/std over every text", () => {
  const row = (c: number, r: number): ScoredRow => ({ id: `${c},${r}`, subset: null, rewards: [c, r], tokens: [3, 3], numCorrect: 1, truncated: 0 });
  const m = pairMetrics([row(2, 1), row(1, 1), row(0, 3), row(4, 0)]);
  assert.equal(m.accuracy, 0.5);
  assert.equal(m.ties, 1);
  assert.equal(m.correct, 2);
  assert.equal(m.mean_margin, (1 + 0 - 3 + 4) / 4);
  const all = [2, 1, 1, 1, 0, 3, 4, 0], mean = all.reduce((a, b) => a + b) / 8;
  assert.equal(m.reward_mean, mean);
  assert.ok(Math.abs(m.reward_std - Math.sqrt(all.reduce((a, b) => a + (b - mean) ** 2, 0) / 8)) < 1e-12);
});
