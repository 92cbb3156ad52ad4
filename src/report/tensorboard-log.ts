// The log of a Hugging Face / TRL output_dir that holds no trainer_state.json (save_strategy "no" and no
// save_state(), as `trl reward` with rewardlab's save_steps 0): HF's TensorBoardCallback writes every log dict as
// scalars "train/<key>" and "eval/<key>" (eval_loss → eval/loss) under output_dir/runs/<run>/events.out.tfevents.*.
// Regrouped by step into log dicts, they go through the same parsing as trainer_state.json's log_history.
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { readTensorboardEvents } from "../train/index.js";
import type { TrainerState } from "./collect.js";
import { trainerStateFromLog } from "./trainer-state.js";

/** Event files under dir/runs/ (one level of run folders, as HF names them), in name order. */
export function findTensorboardEvents(dir: string): string[] {
  const runs = path.join(dir, "runs");
  const isDir = (p: string): boolean => { try { return statSync(p).isDirectory(); } catch { return false; } };
  if (!isDir(runs)) return [];
  const files: string[] = [];
  for (const name of readdirSync(runs).sort()) {
    const p = path.join(runs, name);
    const inner = isDir(p) ? readdirSync(p).sort().map((n) => path.join(p, n)) : [p];
    files.push(...inner.filter((f) => path.basename(f).startsWith("events.out.tfevents.")));
  }
  return files;
}

/** TensorBoard scalars → a TrainerState (a later file's value for the same step and tag wins, as after a resume). */
export function readTensorboardLog(files: readonly string[], displayName: string): TrainerState {
  const train = new Map<number, Record<string, number>>(), evals = new Map<number, Record<string, number>>();
  const summary: Record<string, number> = {};
  for (const file of files) {
    for (const e of readTensorboardEvents(file)) {
      for (const v of e.values ?? []) {
        if (!Number.isFinite(v.simpleValue)) continue; // text summaries (args, model config) carry no scalar
        const [mode, key] = [v.tag.slice(0, v.tag.indexOf("/")), v.tag.slice(v.tag.indexOf("/") + 1)];
        if ((mode === "train" && key.startsWith("train_")) || key === "total_flos") summary[key] = v.simpleValue;
        else if (mode === "train") train.set(e.step, { ...train.get(e.step), [key]: v.simpleValue });
        else if (mode === "eval") evals.set(e.step, { ...evals.get(e.step), [`eval_${key}`]: v.simpleValue });
      }
    }
  }
  const log: Record<string, number>[] = [];
  for (const step of [...new Set([...train.keys(), ...evals.keys()])].sort((a, b) => a - b)) {
    const t = train.get(step), ev = evals.get(step);
    if (t?.["loss"] !== undefined) log.push({ ...t, step });
    if (ev?.["eval_loss"] !== undefined) log.push({ ...ev, epoch: t?.["epoch"] ?? NaN, step });
  }
  if (Object.keys(summary).length > 0) log.push(summary);
  return trainerStateFromLog(log.map((d) => Object.fromEntries(Object.entries(d).filter(([, x]) => Number.isFinite(x)))), displayName);
}
