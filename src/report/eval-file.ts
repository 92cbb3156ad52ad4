// eval.json, as `rewardlab eval` writes it (src/eval/run-eval.ts, EvalResult) and the eval page reads it. The
// report never imports src/eval: this file is the contract, like run.json is for runs. NaN figures are null.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { InputError } from "../errors.js";
import { describe, isObj } from "./fields.js";

export interface EvalInterval { readonly low: number | null; readonly high: number | null; readonly confidence: number }
export interface EvalLengthBucket { readonly label: string; readonly pairs: number; readonly accuracy: number | null; readonly prefers_longer: number | null }
export interface EvalCalibrationBin { readonly lo: number; readonly hi: number; readonly count: number; readonly predicted: number | null; readonly observed: number | null }
export interface EvalSubset { readonly subset: string; readonly section: string | null; readonly rows: number; readonly correct: number; readonly ties: number; readonly accuracy: number }

export interface EvalPairs {
  readonly pairs: number;
  readonly correct: number;
  readonly ties: number;
  readonly accuracy: number;
  readonly accuracy_ci: EvalInterval;
  readonly mean_margin: number;
  readonly length_bias: {
    readonly longer_wins: number; readonly shorter_wins: number; readonly equal_length: number;
    readonly model_prefers_longer: number | null; readonly length_margin_correlation: number | null;
    readonly buckets: readonly EvalLengthBucket[];
  };
  readonly calibration: { readonly bins: readonly EvalCalibrationBin[]; readonly ece: number | null };
}

export interface EvalBench {
  readonly subsets: readonly EvalSubset[];
  readonly sections?: readonly { readonly section: string; readonly score: number | null; readonly subsets: readonly string[]; readonly weight: number }[];
  readonly ties?: { readonly score: number; readonly ref_accuracy: number; readonly tied_accuracy: number; readonly prompts: number } | null;
  readonly overall: number | null;
  readonly notes: readonly string[];
}

export interface EvalFile {
  readonly file: string;
  readonly dir: string;
  readonly benchmark: "pairs" | "rewardbench" | "rewardbench2";
  readonly model: string;
  readonly model_type: string;
  readonly data: string;
  readonly chat_template: string;
  readonly max_length: number;
  readonly rows: number;
  readonly texts: number;
  readonly skipped: Record<string, number>;
  readonly truncated_texts: number;
  readonly reused_rows: number;
  readonly reward_mean: number | null;
  readonly reward_std: number | null;
  readonly pairs: EvalPairs | null;
  readonly rewardbench: EvalBench | null;
  readonly rewardbench2: EvalBench | null;
  readonly stats_written_to: string | null;
  readonly seconds: number;
  readonly notes: readonly string[];
}

const BENCHES = ["pairs", "rewardbench", "rewardbench2"];

/** Reads <dir>/eval.json; a file that is not rewardlab's eval output is an InputError naming the field. */
export function readEvalFile(dir: string): EvalFile {
  const file = path.join(dir, "eval.json");
  if (!existsSync(file)) throw new InputError("no eval.json here", { file }, "an eval folder is what `rewardlab eval --out` writes");
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new InputError(`not valid JSON: ${(e as Error).message}`, { file });
  }
  if (!isObj(v) || v["format"] !== "rewardlab-eval") throw new InputError(`expected "rewardlab-eval", got ${describe(isObj(v) ? v["format"] : v)}`, { file, field: "format" });
  if (v["version"] !== 1) throw new InputError(`expected version 1, got ${describe(v["version"])}`, { file, field: "version" });
  if (typeof v["benchmark"] !== "string" || !BENCHES.includes(v["benchmark"])) throw new InputError(`expected one of ${BENCHES.join(", ")}, got ${describe(v["benchmark"])}`, { file, field: "benchmark" });
  for (const k of ["model", "data"]) if (typeof v[k] !== "string") throw new InputError(`expected a string, got ${describe(v[k])}`, { file, field: k });
  for (const k of ["rows", "texts", "max_length"]) if (typeof v[k] !== "number") throw new InputError(`expected a number, got ${describe(v[k])}`, { file, field: k });
  const part = v["benchmark"] === "rewardbench2" ? "rewardbench2" : "pairs";
  if (!isObj(v[part])) throw new InputError(`expected an object, got ${describe(v[part])}`, { file, field: part });
  return { ...(v as unknown as Omit<EvalFile, "file" | "dir">), file, dir: path.dirname(file) };
}

/** Eval folders inside a run folder: <run>/eval.json's folder or any direct subfolder holding an eval.json. */
export function findEvalDirs(runDir: string): string[] {
  if (!existsSync(runDir) || !statSync(runDir).isDirectory()) return [];
  return readdirSync(runDir).sort()
    .map((n) => path.join(runDir, n))
    .filter((d) => statSync(d).isDirectory() && existsSync(path.join(d, "eval.json")));
}

/** An eval folder given on its own: eval.json and none of a run folder's files. */
export function isEvalDir(dir: string): boolean {
  return existsSync(path.join(dir, "eval.json")) && !["run.json", "metrics.jsonl", "trainer_state.json"].some((f) => existsSync(path.join(dir, f)));
}
