// `rewardlab train` as a child process: SIGKILL a real run right after it wrote a checkpoint (mid-step of the next
// one; 40 steps, so a fast machine cannot finish the run between the checkpoint and the kill), `--resume`,
// and the losses of every step equal those of an uninterrupted run with the same seed and threads.
// Also: LoRA end to end (adapter at final/, merged model at final-merged/) and `rewardlab merge` reproducing it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { readMetricsJsonl } from "../../src/train/index.js";
import { tmpDir } from "../train/helpers.js";

const CLI = path.resolve("bin/rewardlab.js");
const DATA = path.resolve("test/fixtures/data/hh-rlhf-sample-40.jsonl.gz");
// no re-exec by bin/launch.js, so the pid we kill is the trainer itself
const ENV = { ...process.env, MALLOC_MMAP_THRESHOLD_: process.env.MALLOC_MMAP_THRESHOLD_ ?? String(1 << 30) };
const TINY = { model_type: "gpt2", vocab_size: 50257, n_positions: 64, n_embd: 16, n_layer: 2, n_head: 2, n_inner: null,
  pad_token_id: 50256, eos_token_id: 50256, bos_token_id: 50256 };

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { env: ENV, encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function setup(): { prepared: string; modelConfig: string } {
  const dir = tmpDir("e2e");
  const prepared = path.join(dir, "prepared");
  const p = cli(["prepare", "--tokenizer", "builtin:gpt2", "--data", DATA, "--out", prepared, "--truncate", "--max-length", "40", "--threads", "0"]);
  assert.equal(p.status, 0, p.stderr);
  const modelConfig = path.join(dir, "tiny.json");
  writeFileSync(modelConfig, JSON.stringify(TINY));
  return { prepared, modelConfig };
}

const losses = (out: string): [number, number][] =>
  readMetricsJsonl(path.join(out, "metrics.jsonl")).filter((r) => "loss" in r).map((r) => [r.step as number, r.loss as number]);

test("resume after SIGKILL gives the same losses as an uninterrupted run", { skip: existsSync(DATA) ? false : `missing ${DATA}` }, async () => {
  const { prepared, modelConfig } = setup();
  const args = (out: string): string[] => ["train", "--model-config", modelConfig, "--data", prepared, "--out", out, "--max-steps", "40",
    "--per-device-train-batch-size", "2", "--logging-steps", "1", "--save-steps", "3", "--threads", "1", "--seed", "7",
    "--learning-rate", "1e-3", "--layout", "standard", "--report-to", "jsonl"];
  const whole = tmpDir("whole");
  const a = cli(args(whole));
  assert.equal(a.status, 0, a.stderr);
  const reference = losses(whole);
  assert.equal(reference.length, 40);

  const killed = tmpDir("killed");
  const child = spawn(process.execPath, [CLI, ...args(killed)], { env: ENV, stdio: "ignore" });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_code, signal) => resolve(signal)));
  const ckpt = path.join(killed, "checkpoint-6");
  for (let i = 0; i < 6000 && !existsSync(ckpt) && child.exitCode === null; i++) await new Promise((r) => setTimeout(r, 10));
  child.kill("SIGKILL");
  assert.equal(await exited, "SIGKILL", "the run was killed before it finished");
  assert.ok(existsSync(ckpt), "a checkpoint was written before the kill");
  assert.ok(!existsSync(path.join(killed, "final")), "the killed run did not finish");

  const b = cli([...args(killed), "--resume"]);
  assert.equal(b.status, 0, b.stderr);
  assert.match(b.stderr, /resumed from .*checkpoint-\d+ at step \d+/);
  assert.deepEqual(losses(killed), reference);
});

test("LoRA run writes a PEFT adapter and a merged model; `rewardlab merge` reproduces the merged weights", { skip: existsSync(DATA) ? false : `missing ${DATA}` }, () => {
  const { prepared, modelConfig } = setup();
  const out = tmpDir("lora-e2e");
  const r = cli(["train", "--model-config", modelConfig, "--data", prepared, "--out", out, "--max-steps", "3", "--per-device-train-batch-size", "2",
    "--use-lora", "--lora-r", "4", "--threads", "1", "--layout", "standard", "--eval-holdout", "8", "--learning-rate", "1e-2"]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /eval accuracy [\d.]+% \(length baseline: longer [\d.]+%, shorter [\d.]+%\)/);
  const cfg = JSON.parse(readFileSync(path.join(out, "final", "adapter_config.json"), "utf8")) as { base_model_name_or_path: string };
  assert.ok(existsSync(path.join(cfg.base_model_name_or_path, "model.safetensors")), "the adapter's base model exists");
  const merged = path.join(out, "merged-again");
  const m = cli(["merge", "--adapter", path.join(out, "final"), "--out", merged]);
  assert.equal(m.status, 0, m.stderr);
  assert.deepEqual(readFileSync(path.join(merged, "model.safetensors")), readFileSync(path.join(out, "final-merged", "model.safetensors")));
  for (const dir of [path.join(out, "final"), path.join(out, "final-merged"), merged]) {
    for (const f of ["vocab.json", "merges.txt", "tokenizer_config.json"]) assert.ok(existsSync(path.join(dir, f)), `the tokenizer travels with the model: ${dir}/${f}`);
  }
});
