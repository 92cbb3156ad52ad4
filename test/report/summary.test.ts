import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { collectRun, explainPair, headline, summarize, summaryJson, SUMMARY_JSON_FIELDS, timeExplanations, type ModelSummary } from "../../src/report/index.js";
import { fmtBytes, fmtCompact, fmtDuration, fmtNum, fmtPct } from "../../src/report/format.js";
import { GPT2, OPT, readJson, TRL } from "./fixtures.js";

function model(over: Partial<ModelSummary>): ModelSummary {
  const none = Object.fromEntries(SUMMARY_JSON_FIELDS.map((k) => [k, null]));
  return { ...none, model_type: null, source: "rewardlab", tokens_seen: null, best_eval_loss: null, eval_pairs: null,
    achieved_gflops: null, matmul_peak_gflops: null, name: "m", ...over } as ModelSummary;
}

test("summarize takes run.json figures for a rewardlab run", () => {
  const s = summarize(collectRun(GPT2));
  const info = readJson(path.join(GPT2, "run.json"));
  for (const k of SUMMARY_JSON_FIELDS) {
    if (k === "name") continue;
    const want = k === "flops_per_token" ? (info["flops_per_token"] as Record<string, unknown>)["total"] : info[k];
    assert.equal(s[k], want, k);
  }
  assert.equal(s.best_eval_loss, 0.6349);
});

test("summarize derives what it can for a Hugging Face run and leaves the rest null", () => {
  const s = summarize(collectRun(TRL));
  assert.equal(s.source, "hf");
  assert.equal(s.wall_seconds, 1998.3);
  assert.equal(s.pairs_per_second, 2.002);
  assert.equal(s.steps, 1000);
  assert.equal(s.final_eval_accuracy, 0.605);
  assert.equal(s.final_eval_loss, 0.6356);
  for (const k of ["params_total", "tokens_per_second", "peak_rss_bytes", "flops_per_token", "length_baseline_longer"] as const) {
    assert.equal(s[k], null, k);
  }
});

test("summary.json holds the listed fields per model, in order", () => {
  const json = summaryJson([summarize(collectRun(GPT2)), summarize(collectRun(TRL))]);
  assert.equal(json.models.length, 2);
  assert.deepEqual(Object.keys(json.models[0] ?? {}), [...SUMMARY_JSON_FIELDS]);
  assert.equal(json.models[1]?.["params_total"], null);
});

test("headline: the winner, the accuracies, the baselines and the time ratio", () => {
  const a = model({ name: "gpt2-small", final_eval_accuracy: 0.934, wall_seconds: 192, length_baseline_longer: 0.498, length_baseline_shorter: 0.502 });
  const b = model({ name: "opt-small", final_eval_accuracy: 0.881, wall_seconds: 461, length_baseline_longer: 0.498, length_baseline_shorter: 0.502 });
  assert.equal(headline([b, a]),
    "gpt2-small reached 93.4% eval accuracy vs 88.1% for opt-small (length baselines: longer answer wins 49.8%, shorter wins 50.2%); it trained 2.4× faster (3m12s vs 7m41s).");
  const slowWinner = headline([model({ name: "x", final_eval_accuracy: 0.7, wall_seconds: 300 }), model({ name: "y", final_eval_accuracy: 0.6, wall_seconds: 100 })]);
  assert.equal(slowWinner, "x reached 70.0% eval accuracy vs 60.0% for y; it took 3.0× as long (5m00s vs 1m40s).");
});

test("headline: ties, missing accuracy and missing times are said, not hidden", () => {
  assert.equal(headline([model({ name: "a", final_eval_accuracy: 0.6 }), model({ name: "b", final_eval_accuracy: 0.6 })]),
    "a and b tied at 60.0% eval accuracy. Training time is not recorded for a and b.");
  assert.equal(headline([model({ name: "a", wall_seconds: 30 }), model({ name: "b" })]),
    "No run recorded eval accuracy, so there is no winner on accuracy. Training times: a 30s.");
  assert.equal(headline([model({ name: "a", final_eval_accuracy: 0.61, wall_seconds: 20 }), model({ name: "b" })]),
    "a reached 61.0% eval accuracy in 20s. Training time is not recorded for b. Eval accuracy is not recorded for b.");
});

test("time explanation splits the gap into FLOPs per token and achieved FLOP/s (log shares)", () => {
  const fast = model({ name: "gpt2", wall_seconds: 100, flops_per_token: 1e9, tokens_seen: 1000, achieved_gflops: 0.01, matmul_peak_gflops: 0.02 });
  const slow = model({ name: "opt", wall_seconds: 240, flops_per_token: 2.1e9, tokens_seen: 1000, achieved_gflops: 0.00875, matmul_peak_gflops: 0.02 });
  // ln 2.1 / ln 2.4 = 0.847
  assert.equal(explainPair(slow, fast),
    "opt took 2.4× as long as gpt2 (4m00s vs 1m40s); it needs 2.1× the FLOPs per token, which explains 85% of the gap; the rest (15%) is lower achieved FLOP/s (44% vs 50% of the measured matmul peak).");
  const noFlops = explainPair(slow, model({ name: "hf", wall_seconds: 50 }));
  assert.match(noFlops, /FLOPs per token are not recorded for hf \(no run\.json\)/);
});

test("time explanations use the fastest run with FLOPs as the reference", () => {
  const runs = [OPT, GPT2, TRL].map((d) => summarize(collectRun(d)));
  const lines = timeExplanations(runs);
  assert.equal(lines.length, 2);
  assert.match(lines[0] ?? "", /^opt-small took 2\.4× as long as gpt2-small .* which explains 81% of the gap; the rest \(19%\) is lower achieved FLOP\/s \(39% vs 46%/);
  assert.match(lines[1] ?? "", /^gpt2-small took 2\.3× as long as trl-gpt2 .*not recorded for trl-gpt2/);
});

test("formatting", () => {
  assert.equal(fmtPct(0.9342), "93.4%");
  assert.equal(fmtDuration(192.4), "3m12s");
  assert.equal(fmtDuration(5034), "1h23m54s");
  assert.equal(fmtDuration(4.25), "4.3s");
  assert.equal(fmtCompact(124440576), "124.4M");
  assert.equal(fmtCompact(1092750336), "1.093G");
  assert.equal(fmtNum(0.69314), "0.693");
  assert.equal(fmtNum(0.9), "0.9");
  assert.equal(fmtNum(12345.6), "12,346");
  assert.equal(fmtBytes(3292528640), "3.07 GiB");
});
