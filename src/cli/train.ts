// rewardlab train: a reward model trained as TRL's RewardTrainer does. Flags are RewardConfig fields with dashes
// (--max-steps, --learning-rate, …) on top of --config run.json|yaml; the model is a folder, a hub id, a named
// fresh config (config:gpt2-mini) or --model-config file.json; data is a prepared folder or anything `prepare` reads.
import { copyFileSync, existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { InputError } from "../errors.js";
import { hubSnapshot, looksLikeHubId } from "../hub/index.js";
import { isPreparedDir, openPrepared, preparePairs } from "../data/index.js";
import { RewardModel } from "../models/index.js";
import {
  applyRewardConfigFlags, DEFAULT_REWARD_CONFIG, loadRewardConfig, rewardConfigFlags, type RewardConfig,
} from "../train/index.js";
import { train, pairSlice, type PairSet } from "../train/index.js";
import { num, parseArgs, requireStr, str, type FlagSpecs } from "./args.js";
import type { Command } from "./command.js";

/** Fresh random-init models by name (`--model config:<name>`); GPT-2 vocabulary so the GPT-2 tokenizer fits. */
const NAMED_CONFIGS: Record<string, Record<string, unknown>> = {
  "gpt2-tiny": { model_type: "gpt2", vocab_size: 50257, n_positions: 512, n_embd: 64, n_layer: 2, n_head: 4, n_inner: null },
  "gpt2-mini": { model_type: "gpt2", vocab_size: 50257, n_positions: 512, n_embd: 128, n_layer: 4, n_head: 4, n_inner: null },
  "gpt2-small": { model_type: "gpt2", vocab_size: 50257, n_positions: 1024, n_embd: 768, n_layer: 12, n_head: 12, n_inner: null },
  "opt-tiny": { model_type: "opt", vocab_size: 50272, max_position_embeddings: 512, hidden_size: 64, word_embed_proj_dim: 64,
    ffn_dim: 256, num_hidden_layers: 2, num_attention_heads: 4, do_layer_norm_before: true, pad_token_id: 1, bos_token_id: 2, eos_token_id: 2 },
};
const GPT2_SPECIALS = { pad_token_id: 50256, eos_token_id: 50256, bos_token_id: 50256, layer_norm_epsilon: 1e-5, initializer_range: 0.02 };
const TOKENIZER_FILES = ["tokenizer.json", "vocab.json", "merges.txt", "tokenizer_config.json", "special_tokens_map.json"];
const MODEL_FILES = new Set(["config.json", "model.safetensors", "model.safetensors.index.json", "pytorch_model.bin", "pytorch_model.bin.index.json", ...TOKENIZER_FILES]);

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

    const { model, source, dir } = await resolveModel(str(a, "model"), str(a, "model-config"), config.seed);
    for (const n of model.notes) process.stderr.write(`note: ${n}\n`);
    const tokenizer = str(a, "tokenizer") ?? (dir && TOKENIZER_FILES.some((f) => existsSync(path.join(dir, f))) ? dir : "builtin:gpt2");
    const dataSpec = requireStr(a, "data", "train");
    let trainSet: PairSet = await pairsOf(dataSpec, "train", tokenizer, config, path.join(out, "data", "train"));
    let evalSet: PairSet | null = null;
    const evalSpec = str(a, "eval-data") ?? (dataSpec === "builtin" ? "builtin" : undefined);
    const holdout = num(a, "eval-holdout");
    if (evalSpec !== undefined) evalSet = await pairsOf(evalSpec, "test", tokenizer, config, path.join(out, "data", "test"));
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
    if (dir !== null) {
      for (const target of [res.finalDir, res.mergedDir]) {
        if (target === null) continue;
        for (const f of TOKENIZER_FILES) if (existsSync(path.join(dir, f))) copyFileSync(path.join(dir, f), path.join(target, f));
      }
    }
    const run = JSON.parse(readFileSync(path.join(out, "run.json"), "utf8")) as Record<string, number | null>;
    const pct = (x: number | null | undefined): string => (typeof x === "number" ? `${(100 * x).toFixed(1)}%` : "n/a");
    process.stdout.write(`trained ${res.globalStep} steps in ${res.wallSeconds.toFixed(1)} s; train loss ${res.trainLoss.toFixed(4)}` +
      (res.lastEval ? `; eval accuracy ${pct(res.lastEval.eval_accuracy)} (length baseline: longer ${pct(run.length_baseline_longer)}, shorter ${pct(run.length_baseline_shorter)})` : "") +
      `\nsaved ${res.finalDir}${res.mergedDir ? ` and ${res.mergedDir}` : ""}\n`);
    return 0;
  },
};

async function resolveModel(spec: string | undefined, configFile: string | undefined, seed: number):
  Promise<{ model: RewardModel; source: string; dir: string | null }> {
  if (configFile !== undefined) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(configFile, "utf8"));
    } catch (e) {
      throw new InputError(`cannot read model config: ${(e as Error).message}`, { file: configFile });
    }
    return { model: RewardModel.create(raw as Record<string, unknown>, seed), source: configFile, dir: null };
  }
  if (spec === undefined) throw new InputError('"rewardlab train" needs --model or --model-config', undefined, "e.g. --model config:gpt2-mini for a fresh small GPT-2");
  if (spec.startsWith("config:")) {
    const named = NAMED_CONFIGS[spec.slice("config:".length)];
    if (!named) throw new InputError(`unknown named config "${spec}"`, undefined, `one of ${Object.keys(NAMED_CONFIGS).map((k) => `config:${k}`).join(", ")}`);
    const raw = named["model_type"] === "gpt2" ? { ...GPT2_SPECIALS, ...named } : named;
    return { model: RewardModel.create(raw, seed), source: spec, dir: null };
  }
  if (existsSync(spec)) return { model: RewardModel.load(spec, { seed }), source: spec, dir: spec };
  if (looksLikeHubId(spec)) {
    const dir = await hubSnapshot(spec, { repoType: "model", allow: (p) => MODEL_FILES.has(p) });
    return { model: RewardModel.load(dir, { seed }), source: spec, dir };
  }
  throw new InputError(`--model ${spec}: no such folder, and not a hub id`, undefined, "pass a model folder, a hub id or config:gpt2-mini");
}

/** A prepared folder as is; anything else is prepared (tokenized, length-filtered) into `into` first. */
async function pairsOf(spec: string, split: string, tokenizer: string, c: RewardConfig, into: string): Promise<PairSet> {
  if (isPreparedDir(spec)) return openPrepared(spec);
  const s = await preparePairs({ tokenizer, data: spec, out: into, split, maxLength: c.max_length ?? 1_000_000, overwrite: true });
  process.stderr.write(`prepared ${spec}${spec === "builtin" ? ` (${split})` : ""}: ${s.skipped.summary(s.read)}\n`);
  return openPrepared(into);
}
