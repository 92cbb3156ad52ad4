// rewardlab train: a reward model trained as TRL's RewardTrainer does. Flags are RewardConfig fields with dashes
// (--max-steps, --learning-rate, …) on top of --config run.json|yaml; the model is a folder, a hub id, a named
// fresh config (config:gpt2-mini) or --model-config file.json; data is a prepared folder or anything `prepare` reads.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { InputError } from "../errors.js";
import {
  applyRewardConfigFlags, DEFAULT_REWARD_CONFIG, loadRewardConfig, rewardConfigFlags, type RewardConfig,
} from "../train/index.js";
import {
  openPairSet, pairSlice, resolveModelSource, train, type PairSet,
} from "../train/index.js";
import { localTokenizerSource, recordEosRule, type EncodeSettings } from "../data/index.js";
import { readChatTemplateFile, saveTokenizerFiles } from "../tokenizer/index.js";
import { num, parseArgs, requireStr, str, type FlagSpecs } from "./args.js";
import type { Command } from "./command.js";
import { CHAT_TEMPLATE_FLAG } from "./encoding-flags.js";

const FLAGS: FlagSpecs = {
  model: { kind: "string", help: "model folder, hub model id, or config:<gpt2-tiny|gpt2-mini|gpt2-small|opt-tiny> (fresh random init)" },
  "model-config": { kind: "string", help: "config.json of a fresh random-init model (instead of --model)" },
  tokenizer: { kind: "string", help: "tokenizer folder or builtin:gpt2 (default: the model folder, else builtin:gpt2)" },
  data: { kind: "string", help: "prepared folder, .jsonl[.gz] / .parquet file, folder, hub dataset id, or builtin" },
  "eval-data": { kind: "string", help: "test split (same kinds as --data; default for builtin: builtin's test split)" },
  "eval-holdout": { kind: "number", help: "use the last N pairs of --data as the test split (when there is no --eval-data)" },
  "max-train-pairs": { kind: "number", help: "train on at most the first N pairs" },
  config: { kind: "string", help: "run.json or run.yaml with RewardConfig fields (flags override it)" },
  out: { kind: "string", help: "output folder (= output_dir)" },
  resume: { kind: "string", help: "continue from a checkpoint folder; bare --resume = the newest under --out" },
  name: { kind: "string", help: "run name in run.json (default: the output folder's name)" },
  ...CHAT_TEMPLATE_FLAG,
  ...rewardConfigFlags(),
};

export const trainCommand: Command = {
  name: "train",
  usage: "rewardlab train --model <dir|hub-id|config:NAME> --data <path|hub-id|prepared dir|builtin> [--eval-data ...] [--config run.json] [flags] --out <dir>",
  summary: "train a reward model (TRL RewardTrainer semantics; LoRA with --use-lora)",
  flags: FLAGS,
  async run(argv) {
    // a bare --resume means "the newest checkpoint under --out"
    const args = argv.map((a, i) => (a === "--resume" && (argv[i + 1] === undefined || argv[i + 1]?.startsWith("--")) ? "--resume=latest" : a));
    const a = parseArgs(args, FLAGS, "train");
    if (a.positional.length > 0) throw new InputError(`unexpected argument "${a.positional[0]}"`, undefined, "see: rewardlab train --help");
    let config: RewardConfig = str(a, "config") ? loadRewardConfig(str(a, "config") as string) : { ...DEFAULT_REWARD_CONFIG };
    config = applyRewardConfigFlags(config, a.flags);
    const out = str(a, "out") ?? (a.flags.has("output-dir") ? config.output_dir : undefined);
    if (out === undefined) throw new InputError('"rewardlab train" needs --out', undefined, "see: rewardlab train --help");
    config = { ...config, output_dir: out };

    const plan = await resolveModelSource(modelSpec(str(a, "model"), str(a, "model-config")),
      { seed: config.seed, what: `--model ${str(a, "model") ?? ""}`, tokenizer: str(a, "tokenizer"), source: str(a, "model-config") });
    const { source, dir, tokenizer } = plan;
    const model = plan.load();
    for (const n of model.notes) process.stderr.write(`note: ${n}\n`);
    const dataSpec = requireStr(a, "data", "train");
    const chatTemplate = str(a, "chat-template");
    const encoding = { appendEosToken: config.append_eos_token, ...(chatTemplate !== undefined ? { chatTemplate } : {}) };
    const prepared = await pairsOf(dataSpec, "train", tokenizer, config, encoding, path.join(out, "data", "train"));
    let trainSet: PairSet = prepared.pairs;
    let evalSet: PairSet | null = null;
    const evalSpec = str(a, "eval-data") ?? (dataSpec === "builtin" ? "builtin" : undefined);
    const holdout = num(a, "eval-holdout");
    if (evalSpec !== undefined) evalSet = (await pairsOf(evalSpec, "test", tokenizer, config, encoding, path.join(out, "data", "test"))).pairs;
    else if (holdout !== undefined) {
      if (!(Number.isInteger(holdout) && holdout > 0 && holdout < trainSet.length)) {
        throw new InputError(`flag --eval-holdout: expected an integer in [1, ${trainSet.length - 1}], got ${holdout}`);
      }
      evalSet = pairSlice(trainSet, trainSet.length - holdout, trainSet.length);
      trainSet = pairSlice(trainSet, 0, trainSet.length - holdout);
    }
    const maxTrain = num(a, "max-train-pairs");
    if (maxTrain !== undefined && maxTrain < trainSet.length) trainSet = pairSlice(trainSet, 0, Math.max(1, Math.floor(maxTrain)));
    process.stderr.write(`train: ${trainSet.length} pairs${evalSet ? `, eval: ${evalSet.length} pairs` : ""}; model ${source} (${model.weights.numel.toLocaleString("en-US")} parameters)\n`);

    let baseModelDir: string | null = dir;
    if (config.use_lora && dir === null) {
      baseModelDir = path.join(out, "base-model"); // a fresh base must exist on disk for the adapter to refer to
      if (!existsSync(baseModelDir)) model.save(baseModelDir);
    }
    const res = await train({ model, modelSource: source, config, train: trainSet, eval: evalSet, name: str(a, "name"),
      resume: str(a, "resume") ?? null, baseModelDir });
    // the tokenizer travels with the model, so final/ loads in transformers with AutoTokenizer too
    const tokenizerFiles = await localTokenizerSource(tokenizer);
    for (const target of [res.finalDir, res.mergedDir]) {
      if (target === null) continue;
      saveTokenizerFiles(tokenizerFiles, target);
      // score, serve and eval feed the model what it was trained on: eos appended or not, the template it saw
      recordEosRule(target, prepared.appendedEos);
      if (chatTemplate !== undefined) writeFileSync(path.join(target, "chat_template.jinja"), readChatTemplateFile(chatTemplate).text);
    }
    const run = JSON.parse(readFileSync(path.join(out, "run.json"), "utf8")) as Record<string, number | null>;
    const pct = (x: number | null | undefined): string => (typeof x === "number" ? `${(100 * x).toFixed(1)}%` : "n/a");
    process.stdout.write(`trained ${res.globalStep} steps in ${res.wallSeconds.toFixed(1)} s; train loss ${res.trainLoss.toFixed(4)}` +
      (res.lastEval ? `; eval accuracy ${pct(res.lastEval.eval_accuracy)} (length baseline: longer ${pct(run.length_baseline_longer)}, shorter ${pct(run.length_baseline_shorter)})` : "") +
      `\nsaved ${res.finalDir}${res.mergedDir ? ` and ${res.mergedDir}` : ""}\n`);
    return 0;
  },
};

/** The model spec: the parsed --model-config file, else --model. */
function modelSpec(spec: string | undefined, configFile: string | undefined): string | Record<string, unknown> {
  if (configFile !== undefined) {
    try {
      return JSON.parse(readFileSync(configFile, "utf8")) as Record<string, unknown>;
    } catch (e) {
      throw new InputError(`cannot read model config: ${(e as Error).message}`, { file: configFile });
    }
  }
  if (spec === undefined) throw new InputError('"rewardlab train" needs --model or --model-config', undefined, "e.g. --model config:gpt2-mini for a fresh small GPT-2");
  return spec;
}

/** A prepared folder as is; anything else is prepared (tokenized, length-filtered) into `into` first. */
async function pairsOf(spec: string, split: string, tokenizer: string, c: RewardConfig, encoding: EncodeSettings,
  into: string): Promise<{ pairs: PairSet; appendedEos: boolean }> {
  const { pairs, prepared: s, appendedEos } = await openPairSet(spec, { split, tokenizer, maxLength: c.max_length ?? 1_000_000, into, encoding });
  if (s !== null) process.stderr.write(`prepared ${spec}${spec === "builtin" ? ` (${split})` : ""}: ${s.skipped.summary(s.read)}\n`);
  return { pairs, appendedEos };
}
