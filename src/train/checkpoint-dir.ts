// Atomic checkpoint directories. A checkpoint is written into `<out>/.tmp-checkpoint-<step>-<pid>`, every file and
// the directory are fsynced, and only then is it renamed to `<out>/checkpoint-<step>` (HF's name). A rename is atomic,
// so a kill at any moment leaves either the old set of complete checkpoints or the new one, plus at worst a temp dir
// that latestCheckpoint ignores and the next save removes. Rotation (save_total_limit) runs after the rename and
// deletes the oldest first, never the newest complete checkpoint nor the one named `keep` (best_model_checkpoint).
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import path from "node:path";

export const CHECKPOINT_PREFIX = "checkpoint-";
const TEMP_PREFIX = ".tmp-checkpoint-";
const CHECKPOINT_RE = /^checkpoint-(\d+)$/;
const TEMP_RE = /^\.(?:tmp|old)-checkpoint-(\d+)-(\d+)$/;

export interface CheckpointEntry {
  readonly step: number;
  readonly dir: string;
}

export interface SaveCheckpointOptions {
  /** Keep at most this many complete checkpoints; null/undefined = keep all. */
  saveTotalLimit?: number | null;
  /** A checkpoint directory rotation must never delete (HF keeps best_model_checkpoint). */
  keep?: string | null;
}

/**
 * Write checkpoint `step` under `out`: `fill(tempDir)` writes the files, then the directory is made durable and
 * renamed into place; an existing checkpoint-<step> is replaced. Returns the final directory.
 */
export async function saveCheckpointDir(out: string, step: number, fill: (dir: string) => void | Promise<void>,
  opts: SaveCheckpointOptions = {}): Promise<string> {
  if (!Number.isSafeInteger(step) || step < 0) throw new RangeError(`saveCheckpointDir: step must be a non-negative integer, got ${step}`);
  mkdirSync(out, { recursive: true });
  cleanTempCheckpoints(out);
  const tmp = path.join(out, `${TEMP_PREFIX}${step}-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  try {
    await fill(tmp);
    fsyncTree(tmp);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  const final = path.join(out, `${CHECKPOINT_PREFIX}${step}`);
  if (existsSync(final)) {
    // rename cannot replace a non-empty directory: move the old one aside first, then drop it
    const old = path.join(out, `.old-checkpoint-${step}-${process.pid}`);
    rmSync(old, { recursive: true, force: true });
    renameSync(final, old);
    renameSync(tmp, final);
    fsyncPath(out);
    rmSync(old, { recursive: true, force: true });
  } else {
    renameSync(tmp, final);
    fsyncPath(out);
  }
  if (opts.saveTotalLimit !== undefined && opts.saveTotalLimit !== null) rotateCheckpoints(out, opts.saveTotalLimit, opts.keep ?? null);
  return final;
}

/** Complete checkpoints under `out`, oldest (lowest step) first. Temp directories are never listed. */
export function listCheckpoints(out: string): CheckpointEntry[] {
  if (!existsSync(out)) return [];
  const found: CheckpointEntry[] = [];
  for (const name of readdirSync(out)) {
    const m = CHECKPOINT_RE.exec(name);
    const dir = path.join(out, name);
    if (m && statSync(dir).isDirectory()) found.push({ step: Number(m[1]), dir });
  }
  return found.sort((a, b) => a.step - b.step);
}

/** The directory of the last complete checkpoint, or null when there is none. */
export function latestCheckpoint(out: string): string | null {
  const all = listCheckpoints(out);
  return all.length === 0 ? null : (all[all.length - 1] as CheckpointEntry).dir;
}

/** Delete the oldest checkpoints beyond `limit`, sparing the newest and `keep`. Returns the deleted directories. */
export function rotateCheckpoints(out: string, limit: number, keep: string | null = null): string[] {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`rotateCheckpoints: limit must be >= 1, got ${limit}`);
  const all = listCheckpoints(out);
  const newest = all[all.length - 1]?.dir;
  const keepAbs = keep === null ? null : path.resolve(keep);
  const deletable = all.filter((c) => c.dir !== newest && path.resolve(c.dir) !== keepAbs);
  const removed: string[] = [];
  let count = all.length;
  for (const c of deletable) {
    if (count <= limit) break;
    rmSync(c.dir, { recursive: true, force: true });
    removed.push(c.dir);
    count--;
  }
  return removed;
}

/** Remove temp checkpoint directories left by a killed run (those of a still-running other process are left alone). */
export function cleanTempCheckpoints(out: string): string[] {
  if (!existsSync(out)) return [];
  const removed: string[] = [];
  for (const name of readdirSync(out)) {
    const m = TEMP_RE.exec(name);
    if (!m) continue;
    const pid = Number(m[2]);
    if (pid !== process.pid && processAlive(pid)) continue;
    rmSync(path.join(out, name), { recursive: true, force: true });
    removed.push(path.join(out, name));
  }
  return removed;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

function fsyncTree(dir: string): void {
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) fsyncTree(p);
    else fsyncPath(p);
  }
  fsyncPath(dir);
}

function fsyncPath(p: string): void {
  const fd = openSync(p, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
