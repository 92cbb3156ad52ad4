// Reads trainer_state.json as the Hugging Face Trainer writes it: top-level counters plus `log_history`, a list of
// dicts that are train logs ({loss, grad_norm, learning_rate, epoch, step}), eval logs ({eval_loss, eval_*, epoch,
// step}) or the final summary ({train_runtime, train_samples_per_second, train_loss, total_flos, ...}).
// A TRL output folder holds it at the top (after training ends) and in each checkpoint-N/ (the state at step N).
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { InputError } from "../errors.js";
import { describe, expectObj, isObj, optCount, optNum, reqNum, type Origin } from "./fields.js";
import type { EvalPoint, TrainerState } from "./collect.js";

/** The trainer_state.json to read in `dir`: the top-level one, else the one in the highest checkpoint-N/. */
export function findTrainerState(dir: string): string | undefined {
  const top = path.join(dir, "trainer_state.json");
  if (isFile(top)) return top;
  const checkpoints = readdirSync(dir)
    .map((n) => /^checkpoint-(\d+)$/.exec(n))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ name: m[0], step: Number(m[1]) }))
    .sort((a, b) => b.step - a.step);
  for (const c of checkpoints) {
    const p = path.join(dir, c.name, "trainer_state.json");
    if (isFile(p)) return p;
  }
  return undefined;
}

export function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** Parses one trainer_state.json; `displayName` is the path used in error messages. */
export function readTrainerState(file: string, displayName: string): TrainerState {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new InputError(`not valid JSON: ${(e as Error).message}`, { file: displayName },
      "trainer_state.json should be the file the Hugging Face Trainer writes");
  }
  const o: Origin = { file: displayName };
  const top = expectObj(raw, o, "trainer_state.json");
  const history = top["log_history"];
  if (!Array.isArray(history)) {
    throw new InputError(`expected a list of log dicts, got ${describe(history)}`, { file: displayName, field: "log_history" });
  }
  return trainerStateFromLog(history, displayName, top);
}

/** A TrainerState from log dicts as the Trainer logs them (log_history, or TensorBoard scalars regrouped). */
export function trainerStateFromLog(history: readonly unknown[], displayName: string, top: Record<string, unknown> = {}): TrainerState {
  const o: Origin = { file: displayName };
  const state: TrainerState = {
    file: displayName,
    global_step: optCount(top, "global_step", o),
    max_steps: optCount(top, "max_steps", o),
    epoch: optNum(top, "epoch", o),
    num_input_tokens_seen: optCount(top, "num_input_tokens_seen", o),
    train_batch_size: optCount(top, "train_batch_size", o),
    train: [],
    eval: [],
  };
  history.forEach((entry: unknown, i) => {
    const eo: Origin = { file: displayName, path: `log_history[${i}]` };
    if (!isObj(entry)) {
      throw new InputError(`expected a log dict, got ${describe(entry)}`, { file: displayName, field: `log_history[${i}]` });
    }
    if ("train_runtime" in entry) {
      state.train_runtime = optNum(entry, "train_runtime", eo);
      state.train_samples_per_second = optNum(entry, "train_samples_per_second", eo);
      state.train_steps_per_second = optNum(entry, "train_steps_per_second", eo);
      state.train_loss = optNum(entry, "train_loss", eo);
      state.total_flos = optNum(entry, "total_flos", eo);
      return;
    }
    const step = optCount(entry, "step", eo);
    if (step === undefined) throw new InputError("missing required non-negative integer", { file: displayName, field: `log_history[${i}].step` });
    if ("eval_loss" in entry) {
      state.eval.push(evalPoint(entry, step, eo));
    } else if ("loss" in entry) {
      state.train.push({
        step,
        epoch: optNum(entry, "epoch", eo),
        loss: reqNum(entry, "loss", eo),
        accuracy: optNum(entry, "accuracy", eo),
        margin: optNum(entry, "margin", eo),
        learning_rate: optNum(entry, "learning_rate", eo),
        grad_norm: optNum(entry, "grad_norm", eo),
      });
    }
    // Other dicts (e.g. a callback's custom log without loss) carry nothing the report shows.
  });
  return state;
}

export function evalPoint(entry: Record<string, unknown>, step: number, o: Origin): EvalPoint {
  return {
    step,
    epoch: optNum(entry, "epoch", o),
    eval_loss: reqNum(entry, "eval_loss", o),
    eval_accuracy: optNum(entry, "eval_accuracy", o),
    eval_ties: optNum(entry, "eval_ties", o),
    eval_margin: optNum(entry, "eval_margin", o),
    eval_reward_mean: optNum(entry, "eval_reward_mean", o),
    eval_reward_std: optNum(entry, "eval_reward_std", o),
    elapsed_seconds: optNum(entry, "elapsed_seconds", o),
  };
}
