// `rewardlab train` / `score` on a Llama-family model as child processes: config:llama-mini with the GPT-2 tokenizer,
// --save-dtype bf16, LoRA on every linear, and the one-line errors of bad flags.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { openSafetensors } from "../../src/models/index.js";

const DATA = path.resolve("test/fixtures/data/hh-rlhf-sample-40.jsonl.gz");

function rewardlab(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["bin/rewardlab.js", ...args], { encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test("train config:llama-mini --save-dtype bf16, then score final/", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "rewardlab-llama-e2e-"));
  const out = path.join(dir, "run");
  const r = rewardlab("train", "--model", "config:llama-mini", "--data", DATA, "--max-length", "256", "--max-steps", "1",
    "--per-device-train-batch-size", "2", "--save-dtype", "bf16", "--out", out);
  assert.equal(r.code, 0, r.stderr);
  const st = openSafetensors(path.join(out, "final", "model.safetensors"));
  assert.deepEqual(new Set([...st.tensors.values()].map((t) => t.dtype)), new Set(["BF16"]));
  const cfg = JSON.parse(readFileSync(path.join(out, "final", "config.json"), "utf8")) as Record<string, unknown>;
  assert.equal(cfg["dtype"], "bfloat16");
  assert.deepEqual(cfg["architectures"], ["LlamaForSequenceClassification"]);
  writeFileSync(path.join(dir, "texts.jsonl"), '{"text": "Human: hi\\n\\nAssistant: hello"}\n{"chosen": "a b", "rejected": "a c"}\n');
  const s = rewardlab("score", "--model", path.join(out, "final"), "--input", path.join(dir, "texts.jsonl"));
  assert.equal(s.code, 0, s.stderr);
  const lines = s.stdout.trim().split("\n").map((l) => JSON.parse(l) as Record<string, number>);
  assert.ok(Number.isFinite(lines[0]?.["reward"]) && Number.isFinite(lines[1]?.["chosen_reward"]));
});

test("train: a LoRA target the model lacks and a bad --save-dtype exit 2 with one line", () => {
  const out = path.join(mkdtempSync(path.join(os.tmpdir(), "rewardlab-llama-e2e-")), "run");
  const a = rewardlab("train", "--model", "config:qwen2-mini", "--data", DATA, "--max-length", "256", "--max-steps", "1",
    "--use-lora", "--lora-target-modules", "q_proj,c_fc", "--out", out);
  assert.equal(a.code, 2, a.stderr);
  assert.match(a.stderr, /lora_target_modules: "c_fc" matches no layer of this qwen2 model/);
  assert.match(a.stderr, /hint: choose from q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj/);
  const b = rewardlab("train", "--model", "config:qwen2-mini", "--data", DATA, "--save-dtype", "fp16", "--out", out);
  assert.equal(b.code, 2, b.stderr);
  assert.match(b.stderr, /save-dtype|save_dtype/);
});
