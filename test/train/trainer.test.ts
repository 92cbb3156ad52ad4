// The trainer on tiny random models: loss finite and logged, every trainable tensor moves and every frozen one
// stays put (LoRA), identical loss curves from identical seeds, TensorBoard and trainer_state.json written.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { train } from "../../src/train/trainer.js";
import { pairList, type PairSet } from "../../src/train/batches.js";
import { loadPeftAdapter } from "../../src/models/lora.js";
import { readMetricsJsonl, readTensorboardEvents } from "../../src/train/index.js";
import { quiet, syntheticPairs, testConfig, tinyModel, tmpDir, TINY_OPT } from "./helpers.js";

const trainLosses = (out: string): number[] =>
  readMetricsJsonl(path.join(out, "metrics.jsonl")).filter((r) => "loss" in r).map((r) => r.loss as number);

test("full fine-tuning: loss finite and logged, every tensor changes, records written", async () => {
  const model = tinyModel();
  const before = Float32Array.from(model.weights.data);
  const out = tmpDir("full");
  const res = await train({ model, modelSource: "config:test", config: testConfig(out), train: pairList(syntheticPairs(16)),
    eval: pairList(syntheticPairs(8, 99)), console: quiet });
  assert.equal(res.globalStep, 4);
  const losses = trainLosses(out);
  assert.equal(losses.length, 4);
  for (const l of losses) assert.ok(Number.isFinite(l) && l > 0, `loss ${l}`);
  for (const name of model.weights.names) {
    const now = model.weights.get(name), off = model.weights.offset(name);
    const changed = now.some((v, i) => v !== before[off + i]);
    assert.ok(changed, `${name} did not change`);
  }
  const lines = readMetricsJsonl(path.join(out, "metrics.jsonl"));
  const evals = lines.filter((r) => "eval_loss" in r);
  assert.equal(evals.length, 2, "eval at the start and at the end");
  for (const k of ["eval_accuracy", "eval_ties", "eval_margin", "eval_reward_mean", "eval_reward_std"]) assert.ok(k in (evals[1] as object), k);
  const trainLine = lines.find((r) => "loss" in r) as Record<string, number>;
  for (const k of ["epoch", "accuracy", "margin", "learning_rate", "grad_norm", "pairs_per_second", "tokens_per_second", "elapsed_seconds"]) {
    assert.ok(Number.isFinite(trainLine[k]), `${k} in ${JSON.stringify(trainLine)}`);
  }
  const state = JSON.parse(readFileSync(path.join(out, "trainer_state.json"), "utf8")) as { global_step: number; log_history: unknown[] };
  assert.equal(state.global_step, 4);
  assert.ok(state.log_history.length >= 6);
  const runs = path.join(out, "runs");
  const events = readTensorboardEvents(path.join(runs, readdirSync(runs)[0] as string));
  assert.ok(events.some((e) => e.values?.some((v) => v.tag === "train/loss")));
  const run = JSON.parse(readFileSync(path.join(out, "run.json"), "utf8")) as Record<string, number>;
  assert.equal(run.steps, 4);
  assert.equal(run.params_trainable, model.weights.numel);
  assert.ok((run.peak_rss_bytes as number) > 0);
  assert.ok(existsSync(path.join(out, "final", "model.safetensors")));
});

test("LoRA: adapters and score train, base weights stay bit-identical", async () => {
  for (const raw of [undefined, TINY_OPT]) {
    const model = tinyModel(raw);
    const before = Float32Array.from(model.weights.data);
    const out = tmpDir("lora");
    const res = await train({ model, modelSource: "config:test", config: testConfig(out, { use_lora: true, lora_r: 4, lora_alpha: 8 }),
      train: pairList(syntheticPairs(16)), console: quiet });
    assert.ok(Number.isFinite(res.trainLoss));
    assert.deepEqual(model.weights.data, before, "the caller's base model is unchanged");
    const adapter = JSON.parse(readFileSync(path.join(out, "final", "adapter_config.json"), "utf8")) as Record<string, unknown>;
    assert.equal(adapter.peft_type, "LORA");
    assert.equal(adapter.task_type, "SEQ_CLS");
    const saved = loadPeftAdapter(path.join(out, "final"));
    for (const [name, t] of saved.tensors) {
      if (name.includes("lora_B")) assert.ok(t.data.some((v) => v !== 0), `${name} still zero (its init)`);
    }
    assert.ok(saved.tensors.get("score.weight")?.data.some((v, i) => v !== model.weights.get("score.weight")[i]), "score trained");
    assert.ok(existsSync(path.join(out, "final-merged", "model.safetensors")));
  }
});

test("same seed and threads: identical loss curves", async () => {
  const run = async (): Promise<number[]> => {
    const out = tmpDir("det");
    await train({ model: tinyModel(), modelSource: "config:test", config: testConfig(out, { max_steps: 5, per_device_train_batch_size: 3 }),
      train: pairList(syntheticPairs(10)), console: quiet });
    return trainLosses(out);
  };
  const a = await run(), b = await run();
  assert.equal(a.length, 5);
  assert.deepEqual(a, b);
});

test("gradient accumulation and margins run; non-finite loss stops with the step named", async () => {
  const out = tmpDir("acc");
  const res = await train({ model: tinyModel(), modelSource: "config:test", train: pairList(syntheticPairs(12, 5, true)), console: quiet,
    config: testConfig(out, { max_steps: 2, gradient_accumulation_steps: 2, per_device_train_batch_size: 2, center_rewards_coefficient: 0.01 }) });
  assert.equal(res.globalStep, 2);
  const bad = tinyModel();
  bad.weights.get("score.weight").fill(NaN);
  await assert.rejects(train({ model: bad, modelSource: "config:test", train: pairList(syntheticPairs(8)), console: quiet,
    config: testConfig(tmpDir("nan"), { max_steps: 2 }) }), /at step 1/);
  const skipped = await train({ model: bad, modelSource: "config:test", train: pairList(syntheticPairs(8)), console: quiet,
    config: testConfig(tmpDir("nan2"), { max_steps: 2, skip_nonfinite: true }) });
  assert.equal(skipped.skippedSteps, 2);
});

test("data order depends on the seed only: full fine-tuning and LoRA of any rank see the same pairs in the same order", async () => {
  const pairs = syntheticPairs(12);
  const run = async (lora: { use_lora: boolean; lora_r?: number }): Promise<number[]> => {
    const seen: number[] = [];
    const set: PairSet = { length: pairs.length, pair: (i) => { seen.push(i); return pairs[i] as (typeof pairs)[number]; } };
    await train({ model: tinyModel(), modelSource: "config:test", console: quiet, train: set,
      config: testConfig(tmpDir("order"), { max_steps: 4, per_device_train_batch_size: 3, group_by_length: false, report_to: [], ...lora }) });
    return seen;
  };
  const full = await run({ use_lora: false });
  const epoch = full.slice(-12); // one epoch of 4 batches of 3 (after reads that inspect the set, e.g. for margins)
  assert.deepEqual([...epoch].sort((a, b) => a - b), [...Array(12).keys()], "every pair once");
  assert.notDeepEqual(epoch, [...Array(12).keys()], "shuffled");
  assert.deepEqual(await run({ use_lora: true, lora_r: 2 }), full, "LoRA r=2");
  assert.deepEqual(await run({ use_lora: true, lora_r: 8 }), full, "LoRA r=8");
});

test("a pair longer than the model's position table is an InputError before training, not an onnxruntime crash", async () => {
  const long = syntheticPairs(4).map((p) => ({ ...p, input_ids_chosen: new Int32Array(40).fill(11), attention_mask_chosen: new Int32Array(40).fill(1), sharedPrefix: 0 }));
  await assert.rejects(
    train({ model: tinyModel(), modelSource: "config:test", config: testConfig(tmpDir("too-long")), train: pairList(long), console: quiet }),
    (e: Error) => e.constructor.name === "InputError" && /sequence of 40 tokens, the model takes at most 32 positions/.test(e.message));
});
