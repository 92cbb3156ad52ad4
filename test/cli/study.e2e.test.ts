// `rewardlab study` through the built CLI, as a child process: two micro models of the two families on a slice of
// the built-in data, then the report; every number the report files give must be the run folders' numbers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

const BIN = path.resolve("bin/rewardlab.js");

function rewardlab(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const GPT2_IDS = { vocab_size: 50257, pad_token_id: 50256, eos_token_id: 50256, bos_token_id: 50256 };
const SPEC = {
  name: "micro study",
  models: [
    { name: "gpt2-micro", config: { model_type: "gpt2", ...GPT2_IDS, n_positions: 256, n_embd: 16, n_layer: 1, n_head: 2 } },
    { name: "opt-micro", config: { model_type: "opt", ...GPT2_IDS, hidden_size: 16, word_embed_proj_dim: 8, ffn_dim: 32,
      num_hidden_layers: 1, num_attention_heads: 2, max_position_embeddings: 256, do_layer_norm_before: false } },
  ],
  data: "builtin",
  max_train_pairs: 200,
  max_eval_pairs: 100,
  profile_steps: 1,
  training: { max_steps: 12, per_device_train_batch_size: 4, learning_rate: 0.001, logging_steps: 4, eval_strategy: "steps",
    eval_steps: 6, save_steps: 0, max_length: 256, layout: "standard", threads: 1 },
};

interface SummaryModel {
  name: string; steps: number; pairs_seen: number; wall_seconds: number; final_eval_accuracy: number;
  length_baseline_longer: number; length_baseline_shorter: number; flops_per_token: number;
}

test("rewardlab study trains both models into runs/<name>/ and writes report.html, report.md and summary.json from them", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "rewardlab-study-e2e-"));
  const spec = path.join(dir, "study.json"), out = path.join(dir, "out");
  writeFileSync(spec, JSON.stringify(SPEC));
  const r = rewardlab("study", "--config", spec, "--out", out, "--eval-data", path.resolve("test/fixtures/eval/rewardbench.jsonl"));
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^(gpt2-micro|opt-micro) reached \d+\.\d% eval accuracy vs \d+\.\d% for (gpt2-micro|opt-micro)/);
  assert.match(r.stdout, /report: .*report\.html/);
  assert.match(r.stderr, /matmul peak: [\d.]+ GFLOP\/s/);
  assert.match(r.stderr, /\[1\/2\] gpt2-micro/);
  assert.match(r.stderr, /\[2\/2\] opt-micro/);
  for (const f of ["report.html", "report.md", "summary.json", "study.json"]) assert.ok(existsSync(path.join(out, f)), f);

  const summary = JSON.parse(readFileSync(path.join(out, "summary.json"), "utf8")) as { models: SummaryModel[] };
  assert.deepEqual(summary.models.map((m) => m.name), ["gpt2-micro", "opt-micro"]);
  const md = readFileSync(path.join(out, "report.md"), "utf8"), html = readFileSync(path.join(out, "report.html"), "utf8");
  assert.match(md, /^# micro study/);
  assert.match(md, /## Why the times differ/);
  for (const m of summary.models) {
    const run = JSON.parse(readFileSync(path.join(out, "runs", m.name, "run.json"), "utf8")) as Record<string, unknown>;
    assert.equal(m.steps, 12);
    assert.equal(run["steps"], 12);
    assert.equal(m.pairs_seen, run["pairs_seen"]);
    assert.equal(m.wall_seconds, run["wall_seconds"]);
    assert.equal(m.final_eval_accuracy, run["final_eval_accuracy"]);
    assert.equal(m.length_baseline_longer, run["length_baseline_longer"]);
    assert.equal(m.length_baseline_shorter, run["length_baseline_shorter"]);
    // the study's additions to run.json
    const flops = run["flops_per_token"] as { total: number; by_kind: Record<string, number>; training: string };
    assert.equal(m.flops_per_token, flops.total);
    assert.ok(flops.by_kind["mlp"] !== undefined && flops.by_kind["mlp"] > 0);
    assert.match(flops.training, /full fine-tuning/);
    assert.ok((run["matmul_peak_gflops"] as number) > 0);
    const achieved = (flops.total * (run["tokens_seen"] as number)) / (run["wall_seconds"] as number) / 1e9;
    assert.ok(Math.abs((run["achieved_gflops"] as number) - achieved) <= 1e-9 * achieved);
    const times = run["time_by_kind"] as Record<string, number>;
    assert.deepEqual(Object.keys(times).sort(), ["attention", "data", "elementwise", "matmul", "norms", "optimizer", "other"]);
    assert.ok(times["matmul"] !== undefined && times["matmul"] > 0 && times["optimizer"] !== undefined && times["optimizer"] > 0);
    // the eval accuracy the tables show is the last eval line of metrics.jsonl
    const evals = readFileSync(path.join(out, "runs", m.name, "metrics.jsonl"), "utf8").trim().split("\n")
      .map((l) => JSON.parse(l) as { eval_accuracy?: number; step: number }).filter((l) => l.eval_accuracy !== undefined);
    assert.deepEqual(evals.map((e) => e.step), [0, 6, 12]);
    assert.equal(evals.at(-1)?.eval_accuracy, m.final_eval_accuracy);
    const pctText = `${(100 * m.final_eval_accuracy).toFixed(1)}%`;
    assert.ok(md.includes(pctText), `report.md shows ${pctText} for ${m.name}`);
    assert.ok(html.includes(pctText), `report.html shows ${pctText} for ${m.name}`);
    // --eval-data: every model evaluated the same way, its eval folder inside the run folder, shown by the report
    const ev = JSON.parse(readFileSync(path.join(out, "runs", m.name, "eval", "eval.json"), "utf8")) as { benchmark: string; rows: number; pairs: { accuracy: number } };
    assert.equal(ev.benchmark, "rewardbench");
    assert.equal(ev.rows, 13);
    assert.ok(existsSync(path.join(out, "runs", m.name, "eval", "eval.html")));
    assert.ok(html.includes(`data-model="${m.name}" data-field="accuracy" data-value="${ev.pairs.accuracy}"`), `report.html shows ${m.name}'s eval accuracy`);
  }
  assert.match(md, /## Evaluations/);
  assert.match(r.stderr, /RewardBench|overall: \d+\.\d%/);
});

test("rewardlab study: a bad spec exits 2 naming the file and field; --config and --preset together are refused", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "rewardlab-study-e2e-"));
  const spec = path.join(dir, "bad.json");
  writeFileSync(spec, JSON.stringify({ models: [{ name: "a", model: "gpt2" }], training: { max_steps: "ten" } }));
  const r = rewardlab("study", "--config", spec, "--out", path.join(dir, "o"));
  assert.equal(r.code, 2);
  assert.match(r.stderr, /bad\.json: field "training\.max_steps": expected an integer, got the string "ten"/);

  const both = rewardlab("study", "--config", spec, "--preset", "default", "--out", path.join(dir, "o"));
  assert.equal(both.code, 2);
  assert.match(both.stderr, /give --config or --preset, not both/);

  const preset = rewardlab("study", "--preset", "nope", "--out", path.join(dir, "o"));
  assert.equal(preset.code, 2);
  assert.match(preset.stderr, /unknown preset "nope"/);
});
