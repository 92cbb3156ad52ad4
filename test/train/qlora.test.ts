// LoRA on a quantized base (load_in_8bit / load_in_4bit): trains with finite loss, adapters change, the fp32 base is
// untouched, the saved adapter is a plain PEFT adapter of the fp32 base, the packed base is cached beside the run and
// a resumed run reads it back and repeats the uninterrupted losses; bad settings fail naming the flag.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { train } from "../../src/train/trainer.js";
import { pairList } from "../../src/train/batches.js";
import { applyRewardConfigFlags, DEFAULT_REWARD_CONFIG, readMetricsJsonl } from "../../src/train/index.js";
import { loadPeftAdapter } from "../../src/models/lora.js";
import { openSafetensors } from "../../src/models/safetensors.js";
import { InputError } from "../../src/errors.js";
import { syntheticPairs, testConfig, tinyModel, tmpDir, TINY_OPT } from "./helpers.js";

function capture(): { write: (s: string) => boolean; isTTY: boolean; text: () => string } {
  let buf = "";
  return { write: (s: string) => ((buf += s), true), isTTY: false, text: () => buf };
}

const losses = (out: string): number[] => readMetricsJsonl(path.join(out, "metrics.jsonl")).filter((r) => "loss" in r).map((r) => r.loss as number);

test("LoRA on an 8-bit and a 4-bit base (gpt2 Conv1D, opt Linear): trains, base unchanged, PEFT adapter and cache saved", async () => {
  for (const raw of [undefined, TINY_OPT]) {
    for (const bits of [8, 4] as const) {
      const model = tinyModel(raw);
      const before = Float32Array.from(model.weights.data);
      const out = tmpDir(`qlora${bits}`);
      const con = capture();
      const res = await train({ model, modelSource: "config:test", train: pairList(syntheticPairs(16)), console: con,
        config: testConfig(out, { use_lora: true, lora_r: 4, lora_alpha: 8, [`load_in_${bits}bit`]: true, quant_block_size: 16, report_to: ["jsonl"] }) });
      const what = `${model.modelType} ${bits}-bit`;
      assert.ok(Number.isFinite(res.trainLoss), what);
      assert.match(con.text(), new RegExp(`base linear weights in ${bits}-bit blocks of 16 \\(quantized, cached in output_dir\\)`));
      assert.deepEqual(model.weights.data, before, `${what}: the fp32 base is unchanged`);
      assert.ok(readdirSync(out).includes(`quantized-base-${bits}bit-block16-train.safetensors`), `${what}: cache file`);
      // every linear weight of the 2 blocks, packed twice (codes + scales each): gpt2 c_attn, attn/mlp c_proj, c_fc;
      // opt q/k/v/out_proj, fc1, fc2
      const cache = openSafetensors(path.join(out, `quantized-base-${bits}bit-block16-train.safetensors`));
      assert.equal(cache.tensors.size, 2 * (raw === undefined ? 4 : 6) * 4, `${what}: quantized weights`);
      const saved = loadPeftAdapter(path.join(out, "final"));
      assert.ok([...saved.tensors.keys()].every((k) => k.includes(".lora_") || k === "score.weight"), `${what}: only adapters and score saved`);
      for (const [name, t] of saved.tensors) if (name.includes("lora_B")) assert.ok(t.data.some((v) => v !== 0), `${what}: ${name} trained`);
      assert.ok(existsSync(path.join(out, "final-merged", "model.safetensors")), `${what}: merged into the fp32 base`);
    }
  }
});

test("a 4-bit run from a model folder releases the fp32 base and merges into the base read back: same files as keeping it", async () => {
  const pairs = pairList(syntheticPairs(12));
  const base = tmpDir("qlora-base");
  tinyModel().save(base);
  const merged: Buffer[] = [];
  for (const folder of [false, true]) {
    const out = tmpDir(`qlora-release-${folder}`), con = capture(), model = tinyModel();
    await train({ model, modelSource: folder ? base : "config:test", baseModelDir: folder ? base : null, train: pairs, console: con,
      config: testConfig(out, { use_lora: true, lora_r: 4, load_in_4bit: true, quant_block_size: 16, max_steps: 2 }) });
    assert.equal(/fp32 base released while training/.test(con.text()), folder, `released only when the base has a folder (${folder})`);
    assert.equal(model.weights.numel > 0, true, "the caller's model has its weights again");
    merged.push(readFileSync(path.join(out, "final-merged", "model.safetensors")));
  }
  assert.ok((merged[0] as Buffer).equals(merged[1] as Buffer), "final-merged is the same with the base released and read back");
});

test("a resumed 4-bit run reads the cached base and repeats the uninterrupted losses", async () => {
  const pairs = pairList(syntheticPairs(24));
  const cfg = (out: string) => testConfig(out, { use_lora: true, lora_r: 4, load_in_4bit: true, quant_block_size: 16, max_steps: 4,
    save_steps: 2, per_device_train_batch_size: 3, report_to: ["jsonl"] });
  const full = tmpDir("qlora-full");
  await train({ model: tinyModel(), modelSource: "config:test", train: pairs, console: capture(), config: cfg(full) });
  const con = capture();
  await train({ model: tinyModel(), modelSource: "config:test", train: pairs, console: con, resume: path.join(full, "checkpoint-2"), config: cfg(full) });
  assert.match(con.text(), /\(read from the run's cache\)/);
  const l = losses(full);
  assert.equal(l.length, 4);
  const again = tmpDir("qlora-again");
  await train({ model: tinyModel(), modelSource: "config:test", train: pairs, console: capture(), config: cfg(again) });
  assert.deepEqual(l, losses(again), "resumed steps 3-4 repeat the uninterrupted run");
});

test("quantized-base settings: 4-bit without LoRA, both widths, a bad block size fail naming the field or flag", () => {
  const flags = (m: Record<string, string | boolean>) => applyRewardConfigFlags(DEFAULT_REWARD_CONFIG, new Map(Object.entries(m)));
  assert.throws(() => flags({ "load-in-4bit": true }), (e: unknown) => e instanceof InputError && /needs use_lora/.test(e.message) && e.where?.field === "--load-in-4bit");
  assert.throws(() => flags({ "load-in-8bit": true, "load-in-4bit": true, "use-lora": true }), /load_in_8bit and load_in_4bit are both set/);
  assert.throws(() => flags({ "quant-block-size": "48", "use-lora": true }), (e: unknown) => e instanceof InputError && /must be one of 16, 32, 64, 128, 256, got 48/.test(e.message) && e.where?.field === "--quant-block-size");
  assert.equal(flags({ "load-in-8bit": true, "use-lora": true }).load_in_8bit, true);
});
