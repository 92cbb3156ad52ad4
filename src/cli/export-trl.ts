// rewardlab export-trl: a study spec (or one run config with --model/--data) as a folder that TRL's RewardTrainer
// runs under accelerate on another machine: Parquet data, TRL YAML per model, accelerate configs, launch lines.
import path from "node:path";
import { InputError } from "../errors.js";
import {
  applyRewardConfigFlags, DEFAULT_REWARD_CONFIG, exportTrl, loadRewardConfig, loadStudySpec, rewardConfigFlags, studyPreset,
  STUDY_PRESETS, type StudySpec,
} from "../train/index.js";
import { num, parseArgs, requireStr, str, type FlagSpecs } from "./args.js";
import type { Command } from "./command.js";

const FLAGS: FlagSpecs = {
  config: { kind: "string", help: "study spec (.json, .yaml); with --model: a run.json / run.yaml of RewardConfig fields" },
  preset: { kind: "string", help: `a built-in study spec: ${Object.keys(STUDY_PRESETS).join(", ")}` },
  model: { kind: "string", help: "one model instead of a study spec: folder, hub id or config:<name> (random init)" },
  data: { kind: "string", help: "with --model: training data (default builtin)" },
  "eval-data": { kind: "string", help: "with --model: test split (default for builtin: builtin's test split)" },
  tokenizer: { kind: "string", help: "with --model: tokenizer (default: the model folder's, else builtin:gpt2)" },
  name: { kind: "string", help: "with --model: the model's name in the export (default: from --model)" },
  "max-train-pairs": { kind: "number", help: "export at most the first N training pairs" },
  "max-eval-pairs": { kind: "number", help: "export at most the first N eval pairs" },
  out: { kind: "string", help: "export folder" },
  "num-processes": { kind: "number", help: "processes (GPUs) of the ddp and ZeRO lines", default: 8 },
  deepspeed: { kind: "string", help: "recommend DeepSpeed ZeRO: zero2 or zero3 (default: DDP)" },
  bf16: { kind: "boolean", help: "bf16 mixed precision on the TRL side (default: fp32, as rewardlab)" },
  overwrite: { kind: "boolean", help: "replace an existing export folder" },
  ...rewardConfigFlags(),
};

export const exportTrlCommand: Command = {
  name: "export-trl",
  usage: "rewardlab export-trl --config study.yaml | --model <dir|hub-id|config:NAME> [--config run.json] [--data …] --out <dir> [--num-processes N] [--deepspeed zero2|zero3]",
  summary: "write a folder that trains the same spec with TRL's RewardTrainer under accelerate (DDP, DeepSpeed)",
  flags: FLAGS,
  async run(argv) {
    const a = parseArgs(argv, FLAGS, "export-trl");
    if (a.positional.length > 0) throw new InputError(`unexpected argument "${a.positional[0]}"`, undefined, "see: rewardlab export-trl --help");
    const out = path.resolve(requireStr(a, "out", "export-trl"));
    const deepspeed = str(a, "deepspeed");
    if (deepspeed !== undefined && deepspeed !== "zero2" && deepspeed !== "zero3") {
      throw new InputError(`flag --deepspeed: expected zero2 or zero3, got "${deepspeed}"`);
    }
    const numProcesses = num(a, "num-processes") as number;
    if (!(Number.isInteger(numProcesses) && numProcesses >= 1)) throw new InputError(`flag --num-processes: expected an integer >= 1, got ${numProcesses}`);
    const base = specOf(a.flags.has("model") ? str(a, "model") : undefined, str(a, "config"), str(a, "preset"), a);
    const limit = (flag: string, dflt: number | null): number | null => {
      const v = num(a, flag);
      if (v === undefined) return dflt;
      if (!(Number.isInteger(v) && v >= 1)) throw new InputError(`flag --${flag}: expected an integer >= 1, got ${v}`);
      return v;
    };
    const spec: StudySpec = {
      ...base, training: applyRewardConfigFlags(base.training, a.flags),
      max_train_pairs: limit("max-train-pairs", base.max_train_pairs), max_eval_pairs: limit("max-eval-pairs", base.max_eval_pairs),
    };
    const res = await exportTrl({ spec, out, numProcesses, deepspeed: deepspeed ?? null, bf16: a.flags.get("bf16") === true,
      overwrite: a.flags.get("overwrite") === true, log: (s) => process.stderr.write(`${s}\n`) });
    for (const w of res.warnings) process.stderr.write(`warning: ${w}\n`);
    process.stdout.write(`exported ${res.models.map((m) => `${m.name} (${m.train_pairs} train / ${m.eval_pairs} eval pairs)`).join(", ")} to ${out}\n` +
      `run from ${out} with a Python that has TRL (${res.recommended}; other lines in README.md and export.json):\n` +
      res.launch[res.recommended].map((l) => `  ${l}\n`).join(""));
    return 0;
  },
};

/** A study spec from --config / --preset, or a one-model spec from --model (+ --config run.json, --data). */
function specOf(model: string | undefined, config: string | undefined, preset: string | undefined, a: ReturnType<typeof parseArgs>): StudySpec {
  if (model === undefined) {
    for (const f of ["data", "eval-data", "tokenizer", "name"]) {
      if (a.flags.has(f)) throw new InputError(`flag --${f} goes with --model`, undefined, "a study spec names its models and data itself");
    }
    if (config !== undefined && preset !== undefined) throw new InputError("give --config or --preset, not both");
    if (config === undefined && preset === undefined) throw new InputError('"rewardlab export-trl" needs --config study.yaml, --preset or --model', undefined, "see: rewardlab export-trl --help");
    return config !== undefined ? loadStudySpec(config) : studyPreset(preset as string);
  }
  if (preset !== undefined) throw new InputError("give --preset or --model, not both");
  const data = str(a, "data") ?? "builtin";
  const name = str(a, "name") ?? (model.startsWith("config:") ? model.slice("config:".length) : path.basename(path.resolve(model)));
  return {
    name, data, eval_data: str(a, "eval-data") ?? (data === "builtin" ? "builtin" : null), train_split: "train", eval_split: "test",
    max_train_pairs: null, max_eval_pairs: null, profile_steps: 0,
    models: [{ name, model, config: null, tokenizer: str(a, "tokenizer") ?? null, training: {}, reference: null }],
    training: config !== undefined ? loadRewardConfig(config) : { ...DEFAULT_REWARD_CONFIG },
  };
}
