// Run folders → typed records. This file defines the RUN-FOLDER CONTRACT that `rewardlab train` / `study` write
// and `rewardlab report` reads. Every number in a report comes from one of these files.
//
// A rewardlab run folder contains:
//   metrics.jsonl        one JSON object per line, one line per log, in step order:
//                          train line: {step, epoch, loss, accuracy, margin, learning_rate, grad_norm,
//                                       pairs_per_second, tokens_per_second, elapsed_seconds}
//                          eval line:  {step, epoch, eval_loss, eval_accuracy, eval_ties, eval_margin,
//                                       eval_reward_mean, eval_reward_std, elapsed_seconds}
//                        A line with "eval_loss" is an eval line, else one with "loss" is a train line; any other
//                        line is an error. `step` (integer) and the loss are required; every other field may be
//                        absent or null ("not recorded"). elapsed_seconds is wall-clock time since training started.
//   trainer_state.json   as the Hugging Face Trainer writes it (log_history, global_step, ...; see trainer-state.ts).
//   run.json             one object: {name, model_type, config: {flat summary of the model config},
//                          params_total, params_trainable, flops_per_token: {total, by_kind: {attention_proj,
//                          attention_scores, mlp, embeddings, head, ...}}, tokens_seen, pairs_seen, steps,
//                          wall_seconds, pairs_per_second, tokens_per_second, peak_rss_bytes, final_eval_loss,
//                          final_eval_accuracy, best_eval_accuracy, length_baseline_longer, length_baseline_shorter,
//                          eval_pairs, matmul_peak_gflops, achieved_gflops, time_by_kind: {matmul, attention,
//                          norms, elementwise, optimizer, data, other}}
//                        flops_per_token counts training FLOPs (forward + backward) per token; achieved_gflops is
//                        flops_per_token.total × tokens_seen / wall_seconds / 1e9; matmul_peak_gflops is measured
//                        on the same machine by the study; time_by_kind is seconds summed over profiled steps.
//                        Accuracies and baselines are fractions in [0, 1]. Any field may be absent or null.
// A Hugging Face / TRL output folder has only trainer_state.json (top level after training, and in each
// checkpoint-N/); the top-level one is read, else the highest checkpoint's, else (no checkpoint saved) the TensorBoard
// scalars under runs/ (tensorboard-log.ts). config.json, if present, gives model_type.
// Unknown extra fields are ignored everywhere; a field of the wrong type is an InputError naming file:line and field.
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { readJsonLines } from "../data/index.js";
import { InputError } from "../errors.js";
import { describe, expectObj, isObj, optBool, optCount, optNum, optNumMap, optScalarMap, optStr, reqNum, type Origin } from "./fields.js";
import { findTensorboardEvents, readTensorboardLog } from "./tensorboard-log.js";
import { findEvalDirs, readEvalFile, type EvalFile } from "./eval-file.js";
import { evalPoint, findTrainerState, isFile, readTrainerState } from "./trainer-state.js";

export interface TrainPoint {
  readonly step: number;
  readonly epoch?: number;
  readonly loss: number;
  readonly accuracy?: number;
  readonly margin?: number;
  readonly learning_rate?: number;
  readonly grad_norm?: number;
  readonly pairs_per_second?: number;
  readonly tokens_per_second?: number;
  readonly elapsed_seconds?: number;
}

export interface EvalPoint {
  readonly step: number;
  readonly epoch?: number;
  readonly eval_loss: number;
  readonly eval_accuracy?: number;
  readonly eval_ties?: number;
  readonly eval_margin?: number;
  readonly eval_reward_mean?: number;
  readonly eval_reward_std?: number;
  readonly elapsed_seconds?: number;
}

export interface TrainerState {
  file: string;
  global_step?: number;
  max_steps?: number;
  epoch?: number;
  num_input_tokens_seen?: number;
  train_batch_size?: number;
  train_runtime?: number;
  train_samples_per_second?: number;
  train_steps_per_second?: number;
  train_loss?: number;
  total_flos?: number;
  train: TrainPoint[];
  eval: EvalPoint[];
}

/** run.json, field for field (see the contract above). */
export interface RunInfo {
  readonly file: string;
  readonly name?: string;
  readonly model_type?: string;
  readonly config?: Record<string, string | number | boolean | null>;
  readonly params_total?: number;
  readonly params_trainable?: number;
  readonly flops_per_token?: { readonly total?: number; readonly by_kind: Record<string, number> };
  readonly tokens_seen?: number;
  /** token positions computed (prefix-shared packing computes a shared prompt once); absent = tokens_seen */
  readonly tokens_computed?: number;
  readonly pairs_seen?: number;
  readonly steps?: number;
  readonly wall_seconds?: number;
  readonly pairs_per_second?: number;
  readonly tokens_per_second?: number;
  readonly peak_rss_bytes?: number;
  readonly final_eval_loss?: number;
  readonly final_eval_accuracy?: number;
  readonly best_eval_accuracy?: number;
  readonly length_baseline_longer?: number;
  readonly length_baseline_shorter?: number;
  readonly eval_pairs?: number;
  readonly matmul_peak_gflops?: number;
  readonly achieved_gflops?: number;
  readonly time_by_kind?: Record<string, number>;
  /** whether the run trained LoRA adapters (false: full fine-tuning); the why-section compares runs of one tuning */
  readonly lora?: boolean;
  /** a published time for the same model and tuning elsewhere (e.g. the founding study's A100 run), to set ratios beside */
  readonly reference?: { readonly wall_seconds: number; readonly source: string };
}

export interface RunRecord {
  /** Display name, unique within one report: run.json's name, else the folder's name. */
  readonly name: string;
  readonly dir: string;
  readonly kind: "rewardlab" | "hf";
  readonly modelType?: string;
  /** Curves, from metrics.jsonl when present, else from trainer_state.json's log_history. */
  readonly train: readonly TrainPoint[];
  readonly eval: readonly EvalPoint[];
  /** The file the curves came from, as shown to readers. */
  readonly curvesFrom?: string;
  readonly info?: RunInfo;
  readonly trainerState?: TrainerState;
  /** Eval folders of this run's model (`rewardlab eval --out`): its subfolders holding eval.json, plus any given. */
  readonly evals?: readonly EvalFile[];
}

/** Reads each folder; names that repeat get " (2)", " (3)" appended so charts and tables stay unambiguous. */
export function collectRuns(dirs: readonly string[]): RunRecord[] {
  if (dirs.length === 0) throw new InputError("no run folders given", undefined, "pass one or more run folders");
  const seen = new Map<string, number>();
  return dirs.map((d) => {
    const run = collectRun(d);
    const n = (seen.get(run.name) ?? 0) + 1;
    seen.set(run.name, n);
    return n === 1 ? run : { ...run, name: `${run.name} (${n})` };
  });
}

export function collectRun(dir: string): RunRecord {
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    /* reported below */
  }
  if (!isDir) throw new InputError("run folder not found (or not a folder)", { file: dir });
  const metricsFile = path.join(dir, "metrics.jsonl");
  const runFile = path.join(dir, "run.json");
  const stateFile = findTrainerState(dir);
  const hasMetrics = isFile(metricsFile);
  const hasRun = isFile(runFile);
  const events = !hasMetrics && !hasRun && stateFile === undefined ? findTensorboardEvents(dir) : [];
  if (!hasMetrics && !hasRun && stateFile === undefined && events.length === 0) {
    throw new InputError("not a run folder: found none of metrics.jsonl, run.json, trainer_state.json, checkpoint-N/trainer_state.json, runs/*/events.out.tfevents.*",
      { file: dir }, "pass a folder written by `rewardlab train`/`study` or a Hugging Face Trainer output_dir");
  }
  const info = hasRun ? readRunJson(runFile) : undefined;
  const metrics = hasMetrics ? readMetrics(metricsFile) : undefined;
  const trainerState = stateFile !== undefined ? readTrainerState(stateFile, stateFile)
    : events.length > 0 ? readTensorboardLog(events, path.join(dir, "runs")) : undefined;
  const curves = metrics ?? trainerState;
  const modelType = info?.model_type ?? readModelType(dir);
  return {
    name: info?.name ?? path.basename(path.resolve(dir)),
    dir,
    kind: hasMetrics || hasRun ? "rewardlab" : "hf",
    modelType,
    train: curves?.train ?? [],
    eval: curves?.eval ?? [],
    curvesFrom: metrics ? metricsFile : trainerState?.file,
    info,
    trainerState,
    evals: findEvalDirs(dir).map(readEvalFile),
  };
}

/** Adds eval folders given apart to the run whose folder holds the evaluated model; one that matches no run is an error. */
export function attachEvals(runs: readonly RunRecord[], evalDirs: readonly string[]): RunRecord[] {
  const out = runs.map((r) => ({ ...r, evals: [...(r.evals ?? [])] }));
  for (const d of evalDirs) {
    const e = readEvalFile(d);
    const model = path.resolve(e.model);
    const run = out.find((r) => model === path.resolve(r.dir) || model.startsWith(`${path.resolve(r.dir)}${path.sep}`));
    if (run === undefined) {
      throw new InputError(`evaluates ${e.model}, which is in none of the run folders given`, { file: e.file, field: "model" },
        "pass the run folder the model belongs to as well");
    }
    if (!run.evals.some((x) => path.resolve(x.dir) === path.resolve(e.dir))) run.evals.push(e);
  }
  return out;
}

/** Parses metrics.jsonl; blank lines are allowed (a trailing newline), anything else must be a train or eval line. */
export function readMetrics(file: string): { train: TrainPoint[]; eval: EvalPoint[] } {
  const train: TrainPoint[] = [];
  const evals: EvalPoint[] = [];
  for (const { line, value: raw } of readJsonLines(file, "metrics.jsonl holds one JSON object per line")) {
    const o: Origin = { file, line };
    const obj = expectObj(raw, o, "a metrics line");
    const step = optCount(obj, "step", o);
    if (step === undefined) throw new InputError("missing required non-negative integer", { ...o, field: "step" });
    if ("eval_loss" in obj) {
      evals.push(evalPoint(obj, step, o));
    } else if ("loss" in obj) {
      train.push({
        step,
        epoch: optNum(obj, "epoch", o),
        loss: reqNum(obj, "loss", o),
        accuracy: optNum(obj, "accuracy", o),
        margin: optNum(obj, "margin", o),
        learning_rate: optNum(obj, "learning_rate", o),
        grad_norm: optNum(obj, "grad_norm", o),
        pairs_per_second: optNum(obj, "pairs_per_second", o),
        tokens_per_second: optNum(obj, "tokens_per_second", o),
        elapsed_seconds: optNum(obj, "elapsed_seconds", o),
      });
    } else {
      throw new InputError(`expected a train line (with "loss") or an eval line (with "eval_loss"), got keys ${Object.keys(obj).join(", ") || "(none)"}`,
        o, "see the run-folder contract at the top of src/report/collect.ts");
    }
  }
  return { train, eval: evals };
}

export function readRunJson(file: string): RunInfo {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new InputError(`not valid JSON: ${(e as Error).message}`, { file });
  }
  const o: Origin = { file };
  const r = expectObj(raw, o, "run.json");
  const fpt = r["flops_per_token"];
  let flops: RunInfo["flops_per_token"];
  if (fpt !== undefined && fpt !== null) {
    if (!isObj(fpt)) throw new InputError(`expected {total, by_kind}, got ${describe(fpt)}`, { file, field: "flops_per_token" });
    const fo: Origin = { file, path: "flops_per_token" };
    flops = { total: optNum(fpt, "total", fo), by_kind: optNumMap(fpt, "by_kind", fo) ?? {} };
  }
  return {
    file,
    name: optStr(r, "name", o),
    model_type: optStr(r, "model_type", o),
    config: optScalarMap(r, "config", o),
    params_total: optCount(r, "params_total", o),
    params_trainable: optCount(r, "params_trainable", o),
    flops_per_token: flops,
    tokens_seen: optCount(r, "tokens_seen", o),
    tokens_computed: optCount(r, "tokens_computed", o),
    pairs_seen: optCount(r, "pairs_seen", o),
    steps: optCount(r, "steps", o),
    wall_seconds: optNum(r, "wall_seconds", o),
    pairs_per_second: optNum(r, "pairs_per_second", o),
    tokens_per_second: optNum(r, "tokens_per_second", o),
    peak_rss_bytes: optCount(r, "peak_rss_bytes", o),
    final_eval_loss: optNum(r, "final_eval_loss", o),
    final_eval_accuracy: optNum(r, "final_eval_accuracy", o),
    best_eval_accuracy: optNum(r, "best_eval_accuracy", o),
    length_baseline_longer: optNum(r, "length_baseline_longer", o),
    length_baseline_shorter: optNum(r, "length_baseline_shorter", o),
    eval_pairs: optCount(r, "eval_pairs", o),
    matmul_peak_gflops: optNum(r, "matmul_peak_gflops", o),
    achieved_gflops: optNum(r, "achieved_gflops", o),
    time_by_kind: optNumMap(r, "time_by_kind", o),
    lora: optBool(r, "lora", o),
    reference: optReference(r, o),
  };
}

function optReference(obj: Record<string, unknown>, o: Origin): RunInfo["reference"] {
  const v = obj["reference"];
  if (v === undefined || v === null) return undefined;
  if (!isObj(v)) throw new InputError(`expected {wall_seconds, source}, got ${describe(v)}`, { file: o.file, field: "reference" });
  const ro: Origin = { file: o.file, path: "reference" };
  const source = optStr(v, "source", ro);
  if (source === undefined) throw new InputError("missing required string", { file: o.file, field: "reference.source" });
  return { wall_seconds: reqNum(v, "wall_seconds", ro), source };
}

/** model_type from a Hugging Face config.json next to the run, if there is one. */
function readModelType(dir: string): string | undefined {
  const file = path.join(dir, "config.json");
  if (!isFile(file)) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new InputError(`not valid JSON: ${(e as Error).message}`, { file });
  }
  return optStr(expectObj(raw, { file }, "config.json"), "model_type", { file });
}
