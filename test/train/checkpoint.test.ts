import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { CheckpointError } from "../../src/errors.js";
import {
  adamwState, cleanTempCheckpoints, latestCheckpoint, listCheckpoints, readOptimizerState, readTrainingState, Rng,
  saveCheckpointDir, writeOptimizerState, writeTrainingState, type TrainingState,
} from "../../src/train/index.js";

const tmp = (): string => mkdtempSync(path.join(tmpdir(), "rl-ckpt-"));
const save = (out: string, step: number, limit?: number, keep?: string): Promise<string> =>
  saveCheckpointDir(out, step, (dir) => writeFileSync(path.join(dir, "weights.bin"), `step ${step}`), { saveTotalLimit: limit, keep });
const deadPid = (): number => spawnSync(process.execPath, ["-e", ""]).pid as number;

test("a checkpoint is written to a temp dir and renamed to checkpoint-<step>", async () => {
  const out = tmp();
  const dir = await save(out, 10);
  assert.equal(dir, path.join(out, "checkpoint-10"));
  assert.equal(readFileSync(path.join(dir, "weights.bin"), "utf8"), "step 10");
  assert.deepEqual(readdirSync(out), ["checkpoint-10"]);
  await save(out, 10); // saving the same step again replaces it
  assert.deepEqual(readdirSync(out), ["checkpoint-10"]);
});

test("a kill mid-write leaves the last complete checkpoint; the temp dir is ignored, then cleaned", async () => {
  const out = tmp();
  await save(out, 10);
  const stale = path.join(out, `.tmp-checkpoint-20-${deadPid()}`);
  mkdirSync(stale);
  writeFileSync(path.join(stale, "weights.bin"), "half");
  mkdirSync(path.join(out, "checkpoint-final"));
  assert.equal(latestCheckpoint(out), path.join(out, "checkpoint-10"));
  assert.deepEqual(listCheckpoints(out).map((c) => c.step), [10]);
  await save(out, 20);
  assert.equal(existsSync(stale), false);
  assert.equal(latestCheckpoint(out), path.join(out, "checkpoint-20"));
});

test("a temp dir of a live process is left alone; a failing write leaves nothing behind", async () => {
  const out = tmp();
  const live = path.join(out, `.tmp-checkpoint-5-${process.ppid}`);
  mkdirSync(live);
  assert.deepEqual(cleanTempCheckpoints(out), []);
  assert.equal(existsSync(live), true);
  await save(out, 10);
  await assert.rejects(saveCheckpointDir(out, 20, () => { throw new Error("disk full"); }), /disk full/);
  assert.deepEqual(readdirSync(out).sort(), [live, path.join(out, "checkpoint-10")].map((p) => path.basename(p)).sort());
});

test("rotation keeps save_total_limit, deleting oldest first, never the newest or `keep`", async () => {
  const out = tmp();
  for (const s of [10, 20, 30]) await save(out, s, 2);
  assert.deepEqual(listCheckpoints(out).map((c) => c.step), [20, 30]);
  await save(out, 40, 1);
  assert.deepEqual(listCheckpoints(out).map((c) => c.step), [40]);
  const out2 = tmp();
  for (const s of [10, 20, 30]) await save(out2, s);
  await save(out2, 40, 2, path.join(out2, "checkpoint-10"));
  assert.deepEqual(listCheckpoints(out2).map((c) => c.step), [10, 40]);
});

test("optimizer state round-trips through optimizer.safetensors", () => {
  const dir = tmp();
  const s = adamwState(5);
  s.m.set([1, -2, 3.5, 0, 1e-30]);
  s.v.set([0.5, 0.25, 0, 7, 8]);
  s.step = 123;
  writeOptimizerState(dir, s);
  const buf = readFileSync(path.join(dir, "optimizer.safetensors"));
  const hlen = Number(buf.readBigUInt64LE(0));
  assert.equal(hlen % 8, 0);
  const header = JSON.parse(buf.subarray(8, 8 + hlen).toString()) as Record<string, unknown>;
  assert.deepEqual(Object.keys(header), ["__metadata__", "exp_avg", "exp_avg_sq"]);
  assert.equal(buf.length, 8 + hlen + 40);
  const back = readOptimizerState(dir, 5);
  assert.equal(back.step, 123);
  assert.deepEqual([...back.m], [...s.m]);
  assert.deepEqual([...back.v], [...s.v]);
  assert.throws(() => readOptimizerState(dir, 6), (e: unknown) =>
    e instanceof CheckpointError && /has 5 elements but the model has 6/.test(e.message));
  truncateSync(path.join(dir, "optimizer.safetensors"), buf.length - 4);
  assert.throws(() => readOptimizerState(dir, 5), /truncated/);
  assert.throws(() => readOptimizerState(tmp(), 5), /cannot open optimizer state/);
});

test("training state (scheduler, RNG, data position) round-trips and is validated", () => {
  const dir = tmp();
  const rng = new Rng(42);
  const epochRng = rng.state();
  rng.permutation(10);
  const s: TrainingState = { format_version: 1, global_step: 7, epoch: 0.7,
    scheduler: { type: "linear", base_lr: 1e-4, num_warmup_steps: 1, num_training_steps: 10, last_step: 7 },
    rng: rng.state(), data: { epoch: 0, batch_in_epoch: 7, pairs_seen: 28, epoch_rng: epochRng } };
  writeTrainingState(dir, s);
  const back = readTrainingState(dir);
  assert.deepEqual(back, s);
  assert.deepEqual(Rng.fromState(back.data.epoch_rng).permutation(10), new Rng(42).permutation(10));
  writeFileSync(path.join(dir, "training_state.json"), JSON.stringify({ ...s, global_step: -1 }));
  assert.throws(() => readTrainingState(dir), (e: unknown) => e instanceof CheckpointError && e.where?.field === "global_step");
});
