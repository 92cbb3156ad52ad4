// `rewardlab export --format onnx`: the exported folder loads in a fresh onnxruntime-node session (not rewardlab's
// executor) and gives `rewardlab score`'s rewards (1e-5) from input_ids and attention_mask alone, weights inline
// and in an external data file. OPT numbers positions by real tokens, so a left-padded batch gives the unpadded
// rewards, as in transformers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import ort from "onnxruntime-node";
import { RewardModel } from "../../src/models/index.js";
import { loadTokenizer } from "../../src/tokenizer/index.js";
import { fixtureDir } from "../models/fixtures.js";
import { assertRewardsClose } from "../serve/helpers.js";
import { TINY_OPT } from "../train/helpers.js";

const TEXTS = ["Hello there, how are you?", "The quick brown fox jumps over the lazy dog. It was a sunny day.", "Hi",
  "Human: What is the capital of France?\n\nAssistant: Paris."];

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, ["bin/rewardlab.js", ...args], { encoding: "utf8" });
}

/** Logits [B] of a fresh onnxruntime-node session over padded rows (pad on the right, or on the left). */
async function runOnnx(file: string, rows: readonly (readonly number[])[], pad: number, left = false): Promise<number[]> {
  const B = rows.length, T = Math.max(...rows.map((r) => r.length));
  const ids = new BigInt64Array(B * T).fill(BigInt(pad)), mask = new BigInt64Array(B * T);
  rows.forEach((r, b) => r.forEach((id, t) => {
    const at = b * T + (left ? T - r.length : 0) + t;
    ids[at] = BigInt(id);
    mask[at] = 1n;
  }));
  const session = await ort.InferenceSession.create(file);
  try {
    assert.deepEqual([...session.inputNames], ["input_ids", "attention_mask"]);
    assert.deepEqual([...session.outputNames], ["logits"]);
    const out = await session.run({ input_ids: new ort.Tensor("int64", ids, [B, T]), attention_mask: new ort.Tensor("int64", mask, [B, T]) });
    const logits = out["logits"] as ort.Tensor;
    assert.deepEqual(logits.dims, [B, 1]);
    return Array.from(logits.data as Float32Array);
  } finally {
    await session.release();
  }
}

test("export --format onnx: onnx/model.onnx, config.json and tokenizer files give `rewardlab score`'s rewards", async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "rewardlab-export-"));
  const model = path.join(dir, "model");
  RewardModel.create(JSON.parse(readFileSync(path.join(fixtureDir("gpt2-tiny"), "config.json"), "utf8")) as Record<string, unknown>, 3).save(model);
  const input = path.join(dir, "texts.jsonl");
  writeFileSync(input, TEXTS.map((text) => JSON.stringify({ text })).join("\n") + "\n");
  const scored = cli("score", "--model", model, "--tokenizer", "builtin:gpt2", "--input", input, "--batch-size", "1", "--max-length", "256");
  assert.equal(scored.status, 0, scored.stderr);
  const reference = scored.stdout.trim().split("\n").map((l) => (JSON.parse(l) as { reward: number }).reward);
  const tok = await loadTokenizer("builtin:gpt2");
  const rows = TEXTS.map((t) => tok.encode(t));
  for (const external of ["never", "always"]) {
    const out = path.join(dir, `onnx-${external}`);
    const r = cli("export", "--model", model, "--tokenizer", "builtin:gpt2", "--format", "onnx", "--out", out, "--external-data", external);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /exported gpt2 \(\d+ parameters\)/);
    for (const f of ["config.json", "vocab.json", "merges.txt", "tokenizer_config.json"]) assert.ok(existsSync(path.join(out, f)), f);
    const data = path.join(out, "onnx", "model.onnx_data");
    assert.equal(existsSync(data), external === "always");
    if (external === "always") assert.ok(statSync(path.join(out, "onnx", "model.onnx")).size < 100_000, "weights left inside model.onnx");
    const cfg = JSON.parse(readFileSync(path.join(out, "config.json"), "utf8")) as Record<string, unknown>;
    assert.deepEqual([cfg["architectures"], cfg["pad_token_id"], cfg["num_labels"] ?? 1], [["GPT2ForSequenceClassification"], 50256, 1]);
    assertRewardsClose(await runOnnx(path.join(out, "onnx", "model.onnx"), rows, 50256), reference, `external-data ${external}`);
  }
  const again = cli("export", "--model", model, "--out", path.join(dir, "onnx-never"));
  assert.equal(again.status, 2);
  assert.match(again.stderr, /onnx-never exists/);
  const bad = cli("export", "--model", model, "--format", "tflite", "--out", path.join(dir, "x"));
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /unknown format "tflite"/);
});

test("export --format onnx (OPT): positions from the attention mask, so left and right padding give the unpadded rewards", async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "rewardlab-export-opt-"));
  const model = path.join(dir, "model");
  const m = RewardModel.create(TINY_OPT, 5);
  m.save(model);
  const out = path.join(dir, "onnx");
  const r = cli("export", "--model", model, "--tokenizer", "builtin:gpt2", "--out", out);
  assert.equal(r.status, 0, r.stderr);
  const rows = [[2, 10, 11, 12, 13, 14], [2, 20, 21], [2, 30, 31, 32, 33, 34, 35, 36, 37], [2, 40]];
  const alone = await m.score(rows, { batchSize: 1 });
  await m.release();
  const file = path.join(out, "onnx", "model.onnx");
  assertRewardsClose(await runOnnx(file, rows, 1), alone, "right padding");
  assertRewardsClose(await runOnnx(file, rows, 1, true), alone, "left padding");
});
