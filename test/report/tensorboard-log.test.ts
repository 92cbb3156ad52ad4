// A real TRL 1.13 output_dir with no trainer_state.json (save_strategy "no"): the report reads its curves from the
// TensorBoard events HF's TensorBoardCallback wrote, and they match the run's own log_history
// (test/fixtures/report/make-trl-tensorboard.py made both).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { collectRun } from "../../src/report/index.js";

const DIR = "test/fixtures/report/trl-tensorboard";
const LOG = JSON.parse(readFileSync("test/fixtures/report/trl-tensorboard.expected.json", "utf8")) as Record<string, number>[];
// TensorBoard stores float32: compare at its precision
const near = (a: number | undefined, b: number | undefined): boolean => a !== undefined && b !== undefined && Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b));

test("report: a TRL folder with only TensorBoard events gives the curves of its log_history", () => {
  const r = collectRun(DIR);
  assert.equal(r.kind, "hf");
  assert.equal(r.modelType, "gpt2");
  const train = LOG.filter((e) => "loss" in e), evals = LOG.filter((e) => "eval_loss" in e), summary = LOG.find((e) => "train_runtime" in e);
  assert.deepEqual(r.train.map((p) => p.step), train.map((e) => e["step"]));
  assert.deepEqual(r.eval.map((p) => p.step), evals.map((e) => e["step"]));
  r.train.forEach((p, i) => {
    const e = train[i] as Record<string, number>;
    for (const k of ["loss", "accuracy", "margin", "learning_rate", "grad_norm", "epoch"] as const) assert.ok(near(p[k], e[k]), `train ${p.step} ${k}: ${p[k]} vs ${e[k]}`);
  });
  r.eval.forEach((p, i) => {
    const e = evals[i] as Record<string, number>;
    for (const k of ["eval_loss", "eval_accuracy", "eval_margin"] as const) assert.ok(near(p[k], e[k]), `eval ${p.step} ${k}: ${p[k]} vs ${e[k]}`);
  });
  assert.ok(near(r.trainerState?.train_runtime, summary?.["train_runtime"]));
  assert.ok(near(r.trainerState?.train_loss, summary?.["train_loss"]));
  assert.equal(r.curvesFrom, `${DIR}/runs`);
});
