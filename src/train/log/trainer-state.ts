// trainer_state.json exactly as the HF Trainer writes it (TrainerState.save_to_json: json.dumps(asdict(state),
// indent=2, sort_keys=True) + "\n"): the run's counters plus log_history, one entry per log — train
// {loss, grad_norm, learning_rate, epoch, step, ...}, eval {eval_loss, eval_accuracy, ..., epoch, step}, and a final
// {train_runtime, train_samples_per_second, train_steps_per_second, total_flos, train_loss, epoch, step}.
import { readFileSync, renameSync, writeFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { CheckpointError } from "../../errors.js";
import type { MetricsMode } from "../metrics.js";
import { pythonJsonDumps, type PyJson } from "./python-json.js";
import type { MetricsSink } from "./sink.js";

export const TRAINER_STATE_NAME = "trainer_state.json";

export interface TrainerControlArgs {
  should_epoch_stop: boolean;
  should_evaluate: boolean;
  should_log: boolean;
  should_save: boolean;
  should_training_stop: boolean;
}

export interface TrainerState {
  best_global_step: number | null;
  best_metric: number | null;
  best_model_checkpoint: string | null;
  epoch: number;
  eval_steps: number;
  global_step: number;
  is_hyper_param_search: boolean;
  is_local_process_zero: boolean;
  is_world_process_zero: boolean;
  log_history: Record<string, number>[];
  logging_steps: number;
  max_steps: number;
  num_input_tokens_seen: number;
  num_train_epochs: number;
  save_steps: number;
  stateful_callbacks: { TrainerControl: { args: TrainerControlArgs; attributes: Record<string, never> } };
  total_flos: number;
  train_batch_size: number | null;
  trial_name: string | null;
  trial_params: Record<string, string | number | boolean> | null;
}

/** Fields (and log_history keys) Python holds as int; every other number is written as a Python float. */
const INT_KEYS: ReadonlySet<string> = new Set(["best_global_step", "eval_steps", "global_step", "logging_steps", "max_steps",
  "num_input_tokens_seen", "num_train_epochs", "save_steps", "step", "train_batch_size"]);

export function newTrainerState(o: { max_steps: number; num_train_epochs: number; logging_steps: number;
  eval_steps: number | null; save_steps: number; train_batch_size: number }): TrainerState {
  return {
    best_global_step: null, best_metric: null, best_model_checkpoint: null, epoch: 0,
    eval_steps: o.eval_steps ?? o.logging_steps, global_step: 0, is_hyper_param_search: false,
    is_local_process_zero: true, is_world_process_zero: true, log_history: [], logging_steps: o.logging_steps,
    max_steps: o.max_steps, num_input_tokens_seen: 0, num_train_epochs: o.num_train_epochs, save_steps: o.save_steps,
    stateful_callbacks: { TrainerControl: { args: { should_epoch_stop: false, should_evaluate: false, should_log: false,
      should_save: false, should_training_stop: false }, attributes: {} } },
    total_flos: 0, train_batch_size: o.train_batch_size, trial_name: null, trial_params: null,
  };
}

export function formatTrainerState(s: TrainerState): string {
  return `${pythonJsonDumps(s as unknown as PyJson, INT_KEYS)}\n`;
}

/** Write `<dir>/trainer_state.json` (through a temp file and rename, so a reader never sees half a file). */
export function writeTrainerState(dir: string, s: TrainerState): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, TRAINER_STATE_NAME);
  writeFileSync(`${file}.tmp`, formatTrainerState(s));
  renameSync(`${file}.tmp`, file);
  return file;
}

export function readTrainerState(file: string): TrainerState {
  let raw: unknown;
  try {
    // Python writes NaN / Infinity bare; JSON.parse needs them quoted first
    const text = readFileSync(file, "utf8").replace(/(?<=[:[,]\s*)(-?Infinity|NaN)(?=\s*[,\]}])/g, '"__py_$1__"');
    raw = JSON.parse(text, (_k, v: unknown) =>
      v === "__py_NaN__" ? NaN : v === "__py_Infinity__" ? Infinity : v === "__py_-Infinity__" ? -Infinity : v);
  } catch (e) {
    throw new CheckpointError(`cannot read trainer state: ${(e as Error).message}`, { file });
  }
  const s = raw as Partial<TrainerState> | null;
  for (const k of ["global_step", "max_steps", "epoch"] as const) {
    if (typeof s?.[k] !== "number") {
      throw new CheckpointError(`expected a number, got ${JSON.stringify(s?.[k])}`, { file, field: k });
    }
  }
  if (!Array.isArray(s?.log_history)) throw new CheckpointError("expected a list", { file, field: "log_history" });
  return s as TrainerState;
}

/** HF's speed_metrics("train", ...) plus total_flos and train_loss: the last log_history entry of a run. */
export function trainSummary(o: { runtimeSeconds: number; numSamples: number; numSteps: number; totalFlos: number;
  trainLoss: number }): Record<string, number> {
  const round = (x: number, d: number): number => Math.round(x * 10 ** d) / 10 ** d;
  return {
    train_runtime: round(o.runtimeSeconds, 4),
    train_samples_per_second: round(o.numSamples / o.runtimeSeconds, 3),
    train_steps_per_second: round(o.numSteps / o.runtimeSeconds, 3),
    total_flos: o.totalFlos,
    train_loss: o.trainLoss,
  };
}

/** Keeps a TrainerState and appends every log to log_history ({...record, step}); close() writes it to `outDir`. */
export class TrainerStateSink implements MetricsSink {
  constructor(readonly state: TrainerState, private readonly outDir?: string) {}

  write(step: number, record: Readonly<Record<string, number>>, _mode: MetricsMode): void {
    this.state.log_history.push({ ...record, step });
  }

  /** Drop log entries after `step` (resuming from a checkpoint whose state was saved at `step`). */
  truncateAfter(step: number): void {
    this.state.log_history = this.state.log_history.filter((e) => (e.step ?? 0) <= step);
  }

  close(): void {
    if (this.outDir !== undefined) writeTrainerState(this.outDir, this.state);
  }
}
