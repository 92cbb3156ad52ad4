// Length-grouped batch order (HF's LengthGroupedSampler) and its wiring into the trainer: a permutation, sorted
// within megabatches, longest pair first, a pure function of (permutation, lengths), resumable mid-epoch.
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { defaultMegabatchMult, lengthGroupedOrder } from "../../src/train/length-grouped-sampler.js";
import { pairList, StandardBatcher } from "../../src/train/batches.js";
import { packedLength } from "../../src/train/prefix-shared-batcher.js";
import { readMetricsJsonl, Rng } from "../../src/train/index.js";
import { train } from "../../src/train/trainer.js";
import { quiet, syntheticPairs, testConfig, tinyModel, tmpDir } from "./helpers.js";

test("lengthGroupedOrder: a permutation, sorted longest-first within each megabatch, the longest pair first", () => {
  const N = 103, batch = 4, mult = 5;
  const rng = new Rng(7);
  const lengths = Int32Array.from({ length: N }, () => 1 + Math.floor(rng.next() * 500));
  const perm = new Rng(1).permutation(N);
  const order = lengthGroupedOrder(perm, lengths, batch, mult);
  assert.deepEqual([...order].sort((a, b) => a - b), Array.from({ length: N }, (_, i) => i), "a permutation");
  const longest = Math.max(...lengths);
  assert.equal(lengths[order[0] as number], longest, "the longest pair comes first");
  const size = batch * mult;
  for (let lo = 0; lo < N; lo += size) {
    const mega = order.slice(lo, lo + size);
    for (let k = 1 + (lo === 0 ? 1 : 0); k < mega.length; k++) {
      assert.ok((lengths[mega[k - 1] as number] as number) >= (lengths[mega[k] as number] as number), `megabatch at ${lo} sorted at ${k}`);
    }
  }
  // the grouped batches pad far less than shuffled ones
  const padding = (o: readonly number[]): number => {
    let pad = 0;
    for (let lo = 0; lo < o.length; lo += batch) {
      const b = o.slice(lo, lo + batch).map((i) => lengths[i] as number);
      pad += b.reduce((s, l) => s + Math.max(...b) - l, 0);
    }
    return pad;
  };
  assert.ok(padding(order) < padding(perm) / 4, `grouped padding ${padding(order)} vs shuffled ${padding(perm)}`);
  assert.deepEqual(lengthGroupedOrder(perm, lengths, batch, mult), order, "deterministic");
  assert.notDeepEqual(lengthGroupedOrder(new Rng(2).permutation(N), lengths, batch, mult), order, "depends on the shuffle");
});

test("lengthGroupedOrder: megabatch contents come from the same slice of the permutation (HF)", () => {
  const lengths = [5, 1, 9, 3, 7, 2, 8, 4];
  // megabatches of 2 batches × 2 = 4: [0 1 2 3] → 2 0 3 1, [4 5 6 7] → 6 4 7 5; the longest (9, pair 2) is already first
  assert.deepEqual(lengthGroupedOrder([0, 1, 2, 3, 4, 5, 6, 7], lengths, 2, 2), [2, 0, 3, 1, 6, 4, 7, 5]);
  // longest in the second megabatch: swapped with the head of the first
  assert.deepEqual(lengthGroupedOrder([4, 5, 6, 7, 0, 1, 2, 3], lengths, 2, 2), [2, 4, 7, 5, 6, 0, 3, 1]);
  assert.equal(defaultMegabatchMult(16, 4), 1);
  assert.equal(defaultMegabatchMult(1000, 4), 50);
  assert.equal(defaultMegabatchMult(100, 4), 6);
  assert.throws(() => lengthGroupedOrder([0], [1], 0), RangeError);
});

test("row lengths by layout: standard pads to the longer side, prefix-shared packs prefix + both suffixes", () => {
  const m = tinyModel();
  const p = syntheticPairs(1)[0];
  assert.ok(p);
  const lc = p.input_ids_chosen.length, lr = p.input_ids_rejected.length;
  assert.equal(new StandardBatcher(m.def, m.config, 0, false).rowLength(p), Math.max(lc, lr));
  assert.equal(packedLength(p), lc + lr - p.sharedPrefix);
});

test("trainer: group_by_length changes the batch order, and a resumed run repeats the uninterrupted losses", async () => {
  const pairs = pairList(syntheticPairs(40));
  const losses = (out: string): number[] => readMetricsJsonl(path.join(out, "metrics.jsonl")).filter((r) => "loss" in r).map((r) => r.loss as number);
  const cfg = (out: string, over = {}) => testConfig(out, { layout: "prefix-shared", group_by_length: true, max_steps: 6, learning_rate: 1e-3,
    per_device_train_batch_size: 2, report_to: ["jsonl"], ...over });
  const full = tmpDir("group-full");
  await train({ model: tinyModel(), modelSource: "config:test", train: pairs, console: quiet, config: cfg(full) });
  const off = tmpDir("group-off");
  await train({ model: tinyModel(), modelSource: "config:test", train: pairs, console: quiet, config: cfg(off, { group_by_length: false }) });
  assert.notDeepEqual(losses(off), losses(full), "grouping changes the batches");
  const part = tmpDir("group-resume");
  await train({ model: tinyModel(), modelSource: "config:test", train: pairs, console: quiet, config: cfg(part, { save_steps: 3, max_steps: 6 }) });
  const resumed = tmpDir("group-resumed");
  // a fresh run dir holding only the step-3 checkpoint: resume it and finish
  await train({ model: tinyModel(), modelSource: "config:test", train: pairs, console: quiet, resume: path.join(part, "checkpoint-3"),
    config: cfg(resumed) });
  const a = losses(full), b = losses(resumed);
  assert.equal(b.length, 3);
  for (let i = 0; i < 3; i++) assert.ok(Math.abs((b[i] as number) - (a[i + 3] as number)) < 1e-6, `step ${i + 4}: ${b[i]} vs ${a[i + 3]}`);
});
