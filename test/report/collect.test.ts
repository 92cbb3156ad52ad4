import { test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { InputError } from "../../src/errors.js";
import { collectRun, collectRuns, findTrainerState } from "../../src/report/index.js";
import { GPT2, OPT, readJson, readJsonl, tempDir, TRL } from "./fixtures.js";

function runDir(files: Record<string, string>): string {
  const dir = tempDir("collect");
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

function throwsInput(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof InputError, `expected InputError, got ${String(e)}`);
    assert.match(e.format(), pattern);
    return true;
  });
}

test("a rewardlab run folder: curves from metrics.jsonl, figures from run.json", () => {
  const run = collectRun(GPT2);
  const lines = readJsonl(path.join(GPT2, "metrics.jsonl"));
  const info = readJson(path.join(GPT2, "run.json"));
  assert.equal(run.name, "gpt2-small");
  assert.equal(run.kind, "rewardlab");
  assert.equal(run.modelType, "gpt2");
  assert.equal(run.train.length, lines.filter((l) => "loss" in l).length);
  assert.equal(run.eval.length, lines.filter((l) => "eval_loss" in l).length);
  assert.equal(run.train[0]?.loss, lines[0]?.["loss"]);
  assert.equal(run.train[0]?.elapsed_seconds, lines[0]?.["elapsed_seconds"]);
  assert.equal(run.info?.params_total, info["params_total"]);
  assert.equal(run.info?.flops_per_token?.by_kind["mlp"], 339738624);
  assert.equal(run.info?.time_by_kind?.["matmul"], 9.8);
  assert.equal(run.curvesFrom, path.join(GPT2, "metrics.jsonl"));
  assert.equal(run.trainerState?.train_runtime, 4531.6);
});

test("a Hugging Face / TRL output folder: curves and totals from the top-level trainer_state.json", () => {
  const run = collectRun(TRL);
  const state = readJson(path.join(TRL, "trainer_state.json"));
  const history = state["log_history"] as Record<string, unknown>[];
  assert.equal(run.kind, "hf");
  assert.equal(run.name, "trl-gpt2");
  assert.equal(run.modelType, "gpt2"); // from config.json
  assert.equal(run.info, undefined);
  assert.equal(run.train.length, history.filter((h) => "loss" in h).length);
  assert.equal(run.eval.length, history.filter((h) => "eval_loss" in h).length);
  assert.equal(run.eval[run.eval.length - 1]?.eval_accuracy, 0.605);
  assert.equal(run.train.every((p) => p.elapsed_seconds === undefined), true);
  assert.equal(run.trainerState?.train_runtime, 1998.3);
  assert.equal(run.trainerState?.global_step, 1000);
});

test("without a top-level trainer_state.json the highest checkpoint's is read (numeric order)", () => {
  const dir = tempDir("ckpt");
  cpSync(path.join(TRL, "checkpoint-500"), path.join(dir, "checkpoint-500"), { recursive: true });
  cpSync(path.join(TRL, "checkpoint-500"), path.join(dir, "checkpoint-60"), { recursive: true });
  assert.equal(findTrainerState(dir), path.join(dir, "checkpoint-500", "trainer_state.json"));
  const run = collectRun(dir);
  assert.equal(run.kind, "hf");
  assert.equal(run.trainerState?.global_step, 500);
  assert.equal(Math.max(...run.train.map((p) => p.step)), 500);
  assert.equal(run.trainerState?.train_runtime, undefined);
});

test("unknown fields are ignored and null means not recorded", () => {
  const dir = runDir({
    "metrics.jsonl": '{"step": 1, "loss": 0.7, "new_metric": [1,2], "grad_norm": null}\n\n{"step": 2, "eval_loss": 0.69, "eval_accuracy": null}\n',
    "run.json": '{"name": "x", "wall_seconds": null, "extra": {"a": 1}}',
  });
  const run = collectRun(dir);
  assert.equal(run.train[0]?.grad_norm, undefined);
  assert.equal(run.eval[0]?.eval_accuracy, undefined);
  assert.equal(run.info?.wall_seconds, undefined);
});

test("bad metrics.jsonl lines name the file, the line and the field", () => {
  const good = '{"step": 1, "loss": 0.7}\n';
  throwsInput(() => collectRun(runDir({ "metrics.jsonl": `${good}{"step": 2, "loss": 0.6\n` })), /metrics\.jsonl:2: not valid JSON/);
  throwsInput(() => collectRun(runDir({ "metrics.jsonl": `${good}{"step": 2, "loss": "0.6"}\n` })),
    /metrics\.jsonl:2: field "loss": expected a finite number, got the string "0\.6"/);
  throwsInput(() => collectRun(runDir({ "metrics.jsonl": `${good}${good}{"step": -1, "loss": 0.6}\n` })),
    /metrics\.jsonl:3: field "step": expected a non-negative integer, got -1/);
  throwsInput(() => collectRun(runDir({ "metrics.jsonl": `{"loss": 0.6}\n` })), /metrics\.jsonl:1: field "step": missing/);
  throwsInput(() => collectRun(runDir({ "metrics.jsonl": `{"step": 3, "lr": 1}\n` })), /metrics\.jsonl:1: expected a train line .* got keys step, lr/);
  throwsInput(() => collectRun(runDir({ "metrics.jsonl": `[1, 2]\n` })), /metrics\.jsonl:1: expected a metrics line to be a JSON object, got an array/);
});

test("bad run.json and trainer_state.json fields are named", () => {
  throwsInput(() => collectRun(runDir({ "run.json": '{"params_total": 1.5}' })), /run\.json: field "params_total": expected a non-negative integer, got 1\.5/);
  throwsInput(() => collectRun(runDir({ "run.json": '{"flops_per_token": {"total": 1, "by_kind": {"mlp": "x"}}}' })),
    /run\.json: field "flops_per_token\.by_kind\.mlp": expected a finite number/);
  throwsInput(() => collectRun(runDir({ "run.json": '{"name": 3}' })), /run\.json: field "name": expected a string, got number 3/);
  throwsInput(() => collectRun(runDir({ "run.json": "{" })), /run\.json: not valid JSON/);
  throwsInput(() => collectRun(runDir({ "trainer_state.json": '{"log_history": {}}' })), /trainer_state\.json: field "log_history": expected a list/);
  throwsInput(() => collectRun(runDir({ "trainer_state.json": '{"log_history": [{"step": 5, "loss": null}]}' })),
    /trainer_state\.json: field "log_history\[0\]\.loss": missing required number/);
  throwsInput(() => collectRun(runDir({ "trainer_state.json": '{"log_history": [{"loss": 0.5}]}' })),
    /field "log_history\[0\]\.step"/);
});

test("folders that are not runs are refused with a hint", () => {
  throwsInput(() => collectRun(runDir({ "notes.txt": "hi" })), /not a run folder/);
  throwsInput(() => collectRun(path.join(tempDir("gone"), "missing")), /run folder not found/);
  throwsInput(() => collectRuns([]), /no run folders given/);
});

test("collectRuns keeps order and makes repeated names unique", () => {
  const runs = collectRuns([GPT2, OPT, GPT2]);
  assert.deepEqual(runs.map((r) => r.name), ["gpt2-small", "opt-small", "gpt2-small (2)"]);
});
