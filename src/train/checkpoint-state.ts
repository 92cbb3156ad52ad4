// The resumable state a checkpoint holds besides the weights: AdamW moments in `optimizer.safetensors` (tensors
// "exp_avg" and "exp_avg_sq" as torch names them, flat [N] float32, the step in __metadata__), and
// `training_state.json` with the global step, the scheduler position, the RNG state and where the data loader was.
import { closeSync, openSync, readFileSync, readSync, writeFileSync, writeSync } from "node:fs";
import path from "node:path";
import { CheckpointError } from "../errors.js";
import { adamwState, type AdamWState } from "./adamw.js";
import type { LrSchedulerType } from "./config.js";
import type { RngState } from "./rng.js";

export const OPTIMIZER_NAME = "optimizer.safetensors";
export const TRAINING_STATE_NAME = "training_state.json";

/** Write m, v and step as a safetensors file (u64 LE header length | JSON header padded to 8 | raw f32 data). */
export function writeOptimizerState(dir: string, s: AdamWState): string {
  const n = s.m.length;
  const header = JSON.stringify({
    __metadata__: { format: "rewardlab-adamw", step: String(s.step) },
    exp_avg: { dtype: "F32", shape: [n], data_offsets: [0, 4 * n] },
    exp_avg_sq: { dtype: "F32", shape: [n], data_offsets: [4 * n, 8 * n] },
  });
  const padded = header.padEnd(Math.ceil(header.length / 8) * 8, " ");
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(padded.length));
  const file = path.join(dir, OPTIMIZER_NAME);
  const fd = openSync(file, "w");
  try {
    for (const part of [len, Buffer.from(padded, "latin1"), bytesOf(s.m), bytesOf(s.v)]) writeAll(fd, part);
  } finally {
    closeSync(fd);
  }
  return file;
}

/** Read optimizer state back; `numParams` is what the current model expects (a mismatch is a CheckpointError). */
export function readOptimizerState(dir: string, numParams: number): AdamWState {
  const file = path.join(dir, OPTIMIZER_NAME);
  const bad = (msg: string, hint?: string): CheckpointError => new CheckpointError(msg, { file }, hint);
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch (e) {
    throw bad(`cannot open optimizer state: ${(e as Error).message}`);
  }
  try {
    const lenBuf = Buffer.alloc(8);
    if (readSync(fd, lenBuf, 0, 8, 0) !== 8) throw bad("truncated header length");
    const hlen = Number(lenBuf.readBigUInt64LE());
    if (hlen > 1 << 20) throw bad(`header length ${hlen} is implausible`);
    const hbuf = Buffer.alloc(hlen);
    if (readSync(fd, hbuf, 0, hlen, 8) !== hlen) throw bad("truncated header");
    const header = JSON.parse(hbuf.toString("utf8")) as Record<string, { dtype?: string; shape?: number[]; data_offsets?: number[] }> & { __metadata__?: { step?: string } };
    const step = Number(header.__metadata__?.step);
    if (!Number.isSafeInteger(step) || step < 0) throw bad(`__metadata__.step: expected a non-negative integer, got ${header.__metadata__?.step}`);
    const out: AdamWState = { ...adamwState(numParams), step };
    for (const [name, target] of [["exp_avg", out.m], ["exp_avg_sq", out.v]] as const) {
      const t = header[name];
      if (t?.dtype !== "F32" || t.shape?.length !== 1 || !t.data_offsets) throw bad(`tensor "${name}": expected F32 [N], got ${JSON.stringify(t)}`);
      if (t.shape[0] !== numParams) {
        throw bad(`tensor "${name}" has ${t.shape[0]} elements but the model has ${numParams} trainable parameters`,
          "the checkpoint was written for another model or LoRA setting; resume with the same config");
      }
      const [lo, hi] = t.data_offsets as [number, number];
      if (hi - lo !== 4 * numParams) throw bad(`tensor "${name}": data_offsets [${lo}, ${hi}] do not hold ${numParams} floats`);
      readAll(fd, bytesOf(target), 8 + hlen + lo, () => bad(`tensor "${name}": file is truncated`));
    }
    return out;
  } catch (e) {
    if (e instanceof CheckpointError) throw e;
    throw bad(`malformed optimizer state: ${(e as Error).message}`);
  } finally {
    closeSync(fd);
  }
}

export interface SchedulerState {
  type: LrSchedulerType;
  base_lr: number;
  num_warmup_steps: number;
  num_training_steps: number;
  /** Scheduler steps taken (torch's last_epoch). */
  last_step: number;
}

export interface DataPosition {
  /** 0-based epoch the loader is in. */
  epoch: number;
  /** Micro-batches of this epoch already consumed. */
  batch_in_epoch: number;
  /** Pairs consumed since the start of training. */
  pairs_seen: number;
  /** RNG state just before this epoch's shuffle, so the same order can be drawn again on resume. */
  epoch_rng: RngState;
}

export interface TrainingState {
  format_version: 1;
  global_step: number;
  /** Fractional epoch as HF logs it. */
  epoch: number;
  scheduler: SchedulerState;
  rng: RngState;
  data: DataPosition;
}

export function writeTrainingState(dir: string, s: TrainingState): string {
  const file = path.join(dir, TRAINING_STATE_NAME);
  writeFileSync(file, `${JSON.stringify(s, null, 2)}\n`);
  return file;
}

export function readTrainingState(dir: string): TrainingState {
  const file = path.join(dir, TRAINING_STATE_NAME);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new CheckpointError(`cannot read training state: ${(e as Error).message}`, { file });
  }
  const need = (obj: unknown, field: string, ok: (v: unknown) => boolean, expected: string): void => {
    const parts = field.split(".");
    let v: unknown = obj;
    for (const p of parts) v = v !== null && typeof v === "object" ? (v as Record<string, unknown>)[p] : undefined;
    if (!ok(v)) throw new CheckpointError(`expected ${expected}, got ${JSON.stringify(v) ?? "nothing"}`, { file, field });
  };
  const int = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) >= 0;
  const num = (v: unknown): boolean => typeof v === "number" && Number.isFinite(v);
  const obj = (v: unknown): boolean => v !== null && typeof v === "object";
  need(raw, "format_version", (v) => v === 1, "1");
  for (const f of ["global_step", "scheduler.num_warmup_steps", "scheduler.num_training_steps", "scheduler.last_step",
    "data.epoch", "data.batch_in_epoch", "data.pairs_seen"]) need(raw, f, int, "a non-negative integer");
  for (const f of ["epoch", "scheduler.base_lr"]) need(raw, f, num, "a number");
  need(raw, "scheduler.type", (v) => typeof v === "string" && ["linear", "cosine", "constant", "constant_with_warmup"].includes(v), "a scheduler type");
  need(raw, "rng", obj, "an RNG state");
  need(raw, "data.epoch_rng", obj, "an RNG state");
  return raw as TrainingState;
}

function bytesOf(a: Float32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

function writeAll(fd: number, data: Uint8Array): void {
  let off = 0;
  while (off < data.length) off += writeSync(fd, data, off, Math.min(data.length - off, 1 << 30));
}

function readAll(fd: number, into: Uint8Array, position: number, truncated: () => Error): void {
  let off = 0;
  while (off < into.length) {
    const n = readSync(fd, into, off, Math.min(into.length - off, 1 << 30), position + off);
    if (n === 0) throw truncated();
    off += n;
  }
}
