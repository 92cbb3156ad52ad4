import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { collectRun, explainPair, headline, summarize, summaryJson, SUMMARY_JSON_FIELDS, timeExplanations, type ModelSummary } from "../../src/report/index.js";
import { fmtBytes, fmtCompact, fmtDuration, fmtNum, fmtPct } from "../../src/report/format.js";
import { GPT2, OPT, readJson, TRL } from "./fixtures.js";

function model(over: Partial<ModelSummary>): ModelSummary {
  const none = Object.fromEntries(SUMMARY_JSON_FIELDS.map((k) => [k, null]));
  return { ...none, model_type: null, source: "rewardlab", tokens_seen: null, best_eval_loss: null, eval_pairs: null,
    achieved_gflops: null, matmul_peak_gflops: null, name: "m", tuning: null, reference_wall_seconds: null, reference_source: null,
    ...over, tokens_computed: over.tokens_computed ?? over.tokens_seen ?? null } as ModelSummary;
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

test("time explanation: both factors push the same way and the gap is clear, so the log shares are given", () => {
  const fast = model({ name: "gpt2", wall_seconds: 100, flops_per_token: 1e9, tokens_seen: 1000, achieved_gflops: 0.01, matmul_peak_gflops: 0.02 });
  const slow = model({ name: "opt", wall_seconds: 240, flops_per_token: 2.1e9, tokens_seen: 1000, achieved_gflops: 0.00875, matmul_peak_gflops: 0.02 });
  // ln 2.1 / ln 2.4 = 0.847
  assert.equal(explainPair(slow, fast),
    "opt took 2.4× as long as gpt2 (4m00s vs 1m40s): it needs 2.1× the FLOPs per token and ran at 0.88× the achieved FLOP/s (44% vs 50% of the measured matmul peak). Of the gap, 85% comes from the FLOPs per token and 15% from the lower achieved FLOP/s.");
});

test("time explanation: FLOPs and speed point opposite ways, so only ratios are stated", () => {
  const gpt2 = model({ name: "gpt2-mini", wall_seconds: 194, flops_per_token: 1e6, tokens_seen: 1000, achieved_gflops: 0.011, matmul_peak_gflops: 0.1 });
  const opt = model({ name: "opt-350m-mini", wall_seconds: 238, flops_per_token: 3.1e6, tokens_seen: 1000, achieved_gflops: 0.029, matmul_peak_gflops: 0.1 });
  const s = explainPair(opt, gpt2);
  assert.equal(s, "opt-350m-mini took 1.2× as long as gpt2-mini (3m58s vs 3m14s) although it needs 3.1× the FLOPs per token: it ran at 2.6× the achieved FLOP/s (29% vs 11% of the measured matmul peak).");
  assert.doesNotMatch(s, /%\) of the gap|explains|made up/);
  // fewer FLOPs per token, yet slower: the speed explains it
  const lean = model({ name: "lean", wall_seconds: 300, flops_per_token: 0.8e6, tokens_seen: 1000, achieved_gflops: 0.004, matmul_peak_gflops: 0.1 });
  assert.equal(explainPair(lean, gpt2),
    "lean took 1.5× as long as gpt2-mini (5m00s vs 3m14s) although it needs only 0.8× the FLOPs per token: it ran at 0.36× the achieved FLOP/s (4% vs 11% of the measured matmul peak).");
});

test("time explanation: a ratio near 1 states ratios, not shares", () => {
  const a = model({ name: "a", wall_seconds: 101, flops_per_token: 3e6, tokens_seen: 1000, achieved_gflops: 0.03, matmul_peak_gflops: 0.1 });
  const b = model({ name: "b", wall_seconds: 100, flops_per_token: 1e6, tokens_seen: 1000, achieved_gflops: 0.01, matmul_peak_gflops: 0.1 });
  assert.equal(explainPair(a, b),
    "a and b took about the same time (1m41s vs 1m40s); a needs 3.0× the FLOPs per token and ran at 3.0× the achieved FLOP/s (30% vs 10% of the measured matmul peak).");
  // same direction but a small gap (< 1.1×): ratios only
  const c = model({ name: "c", wall_seconds: 105, flops_per_token: 1.03e6, tokens_seen: 1000, achieved_gflops: 0.0098, matmul_peak_gflops: 0.1 });
  assert.equal(explainPair(c, b), "c took 1.05× as long as b (1m45s vs 1m40s): it needs 1.03× the FLOPs per token and ran at 0.98× the achieved FLOP/s (10% vs 10% of the measured matmul peak).");
});

test("time explanation: missing FLOPs, tokens or rates are said, not guessed", () => {
  const b = model({ name: "b", wall_seconds: 100, flops_per_token: 1e6, tokens_seen: 1000, achieved_gflops: 0.01, matmul_peak_gflops: 0.1 });
  assert.equal(explainPair(model({ name: "hf", wall_seconds: 250 }), b),
    "hf took 2.5× as long as b (4m10s vs 1m40s). FLOPs per token are not recorded for hf (no run.json), so the gap cannot be split into work per token and speed.");
  assert.equal(explainPair(model({ name: "hf", wall_seconds: 100.5 }), b), "hf and b took about the same time (1m41s vs 1m40s).");
  const noRates = model({ name: "x", wall_seconds: 250, flops_per_token: 2e6 });
  assert.equal(explainPair(noRates, b), "x took 2.5× as long as b (4m10s vs 1m40s): it needs 2.0× the FLOPs per token and its achieved FLOP/s is not recorded.");
});

test("time explanations use the fastest run with FLOPs as the reference", () => {
  const runs = [OPT, GPT2, TRL].map((d) => summarize(collectRun(d)));
  const lines = timeExplanations(runs);
  assert.equal(lines.length, 2);
  assert.match(lines[0] ?? "", /^opt-small took 2\.4× as long as gpt2-small .*: it processed 1\.01× the tokens, needs 2\.0× the FLOPs per token and ran at 0\.85× the achieved FLOP\/s \(39% vs 46% of the measured matmul peak\)\. Of the gap, 1% comes from the tokens processed, 81% from the FLOPs per token and 19% from the lower achieved FLOP\/s\.$/);
  assert.match(lines[1] ?? "", /^gpt2-small took 2\.3× as long as trl-gpt2 .*not recorded for trl-gpt2/);
});

test("time explanations compare runs of one tuning, and set a published ratio beside the measured one", () => {
  const study = "the study (A100)";
  const run = (name: string, tuning: "lora" | "full", wall: number, fpt: number, ref: number | null): ModelSummary => model({
    name, tuning, wall_seconds: wall, flops_per_token: fpt, tokens_seen: 1000, achieved_gflops: (fpt * 1000) / wall / 1e9, matmul_peak_gflops: 0.1,
    reference_wall_seconds: ref, reference_source: ref === null ? null : study,
  });
  const lines = timeExplanations([run("gpt2-lora", "lora", 23, 1e6, 1998), run("opt-lora", "lora", 73, 2.5e6, 5034),
    run("gpt2-full", "full", 39, 1.5e6, null), run("opt-full", "full", 150, 3.6e6, null)]);
  assert.equal(lines.length, 3);
  assert.match(lines[0] ?? "", /^With LoRA: opt-lora took 3\.2× as long as gpt2-lora \(1m13s vs 23s\): it needs 2\.5× the FLOPs per token/);
  assert.equal(lines[1], "With LoRA: For comparison, the study (A100): opt-lora took 2.5× as long as gpt2-lora (1h23m54s vs 33m18s); here the ratio is 3.2× (1m13s vs 23s).");
  assert.match(lines[2] ?? "", /^With full fine-tuning: opt-full took 3\.8× as long as gpt2-full \(2m30s vs 39s\): it needs 2\.4× the FLOPs per token/);
  // one tuning (or none recorded): no prefix, as before
  assert.doesNotMatch(timeExplanations([run("a", "lora", 10, 1e6, null), run("b", "lora", 20, 1e6, null)]).join(" "), /^With/);
});

test("time explanation: the tokens factor counts computed tokens (prefix sharing runs a shared prompt once)", () => {
  const fast = model({ name: "a", wall_seconds: 100, flops_per_token: 1e6, tokens_seen: 1000, tokens_computed: 600, achieved_gflops: 0.006, matmul_peak_gflops: 0.1 });
  const slow = model({ name: "b", wall_seconds: 200, flops_per_token: 1e6, tokens_seen: 1000, tokens_computed: 1000, achieved_gflops: 0.005, matmul_peak_gflops: 0.1 });
  assert.match(explainPair(slow, fast), /^b took 2\.0× as long as a \(3m20s vs 1m40s\): it processed 1\.7× the tokens/);
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
