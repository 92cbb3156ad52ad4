// What `rewardlab train` and `rewardlab study` both do before training: resolve a model source (a folder, a hub id,
// a named fresh config `config:NAME`, or a config object) to its config, tokenizer and a loader, and turn a data spec
// into tokenized pairs (a prepared folder as is; anything else prepared into a folder first).
import { existsSync } from "node:fs";
import path from "node:path";
import { InputError } from "../errors.js";
import { hubSnapshot, looksLikeHubId } from "../hub/index.js";
import { isPreparedDir, openPrepared, preparePairs, type EncodeSettings, type PrepareSummary } from "../data/index.js";
import { modelDefFor, readConfigFile, RewardModel, type ModelConfig } from "../models/index.js";
import { TOKENIZER_FILE_NAMES } from "../tokenizer/index.js";
import type { PairSet } from "./batches.js";

/** Fresh random-init models by name (`config:<name>`); GPT-2 vocabulary so the GPT-2 tokenizer fits. */
export const NAMED_CONFIGS: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {
  "gpt2-tiny": { model_type: "gpt2", vocab_size: 50257, n_positions: 512, n_embd: 64, n_layer: 2, n_head: 4, n_inner: null },
  "gpt2-mini": { model_type: "gpt2", vocab_size: 50257, n_positions: 512, n_embd: 128, n_layer: 4, n_head: 4, n_inner: null },
  "gpt2-small": { model_type: "gpt2", vocab_size: 50257, n_positions: 1024, n_embd: 768, n_layer: 12, n_head: 12, n_inner: null },
  "opt-tiny": { model_type: "opt", vocab_size: 50272, max_position_embeddings: 512, hidden_size: 64, word_embed_proj_dim: 64,
    ffn_dim: 256, num_hidden_layers: 2, num_attention_heads: 4, do_layer_norm_before: true, pad_token_id: 1, bos_token_id: 2, eos_token_id: 2 },
};
const GPT2_SPECIALS = { pad_token_id: 50256, eos_token_id: 50256, bos_token_id: 50256, layer_norm_epsilon: 1e-5, initializer_range: 0.02 };
const MODEL_FILES = new Set(["config.json", "model.safetensors", "model.safetensors.index.json", "pytorch_model.bin", "pytorch_model.bin.index.json", ...TOKENIZER_FILE_NAMES]);

export interface ModelSource {
  readonly config: ModelConfig;
  /** where the model came from, as run.json and PEFT record it */
  readonly source: string;
  /** the model folder (null for a random-init config) */
  readonly dir: string | null;
  /** the given tokenizer, else the model folder when it holds tokenizer files, else builtin:gpt2 */
  readonly tokenizer: string;
  /** loads the weights (or draws a fresh init with `seed`) */
  load(): RewardModel;
}

export interface ModelSourceOptions {
  readonly seed: number;
  /** names the spec in errors, e.g. `--model x` or `model "x" of gpt2-mini` */
  readonly what: string;
  readonly tokenizer?: string;
  /** source label for a config object (default "config") */
  readonly source?: string;
}

/** Resolves a model without loading its weights; a hub id is downloaded (config, weights, tokenizer files). */
export async function resolveModelSource(spec: string | Record<string, unknown>, o: ModelSourceOptions): Promise<ModelSource> {
  const fresh = (raw: Record<string, unknown>, source: string): ModelSource => ({
    config: modelDefFor(raw, source).parseConfig(raw, source), source, dir: null,
    tokenizer: o.tokenizer ?? "builtin:gpt2", load: () => RewardModel.create(raw, o.seed),
  });
  if (typeof spec !== "string") return fresh(spec, o.source ?? "config");
  if (spec.startsWith("config:")) {
    const named = NAMED_CONFIGS[spec.slice("config:".length)];
    if (!named) throw new InputError(`unknown named config "${spec}"`, undefined, `one of ${Object.keys(NAMED_CONFIGS).map((k) => `config:${k}`).join(", ")}`);
    return fresh(named["model_type"] === "gpt2" ? { ...GPT2_SPECIALS, ...named } : { ...named }, spec);
  }
  let dir: string;
  if (existsSync(spec)) dir = spec;
  else if (looksLikeHubId(spec)) dir = await hubSnapshot(spec, { repoType: "model", allow: (f) => MODEL_FILES.has(f) });
  else throw new InputError(`${o.what}: no such folder, and not a hub id`, undefined, "pass a model folder, a hub id or config:gpt2-mini");
  const cf = readConfigFile(dir);
  const config = modelDefFor(cf.raw, cf.file).parseConfig(cf.raw, cf.file);
  const ownTokenizer = TOKENIZER_FILE_NAMES.some((f) => existsSync(path.join(dir, f)));
  return { config, source: spec, dir, tokenizer: o.tokenizer ?? (ownTokenizer ? dir : "builtin:gpt2"), load: () => RewardModel.load(dir, { seed: o.seed }) };
}

export interface PairSetOptions {
  /** split to read from a source with splits (builtin, hub datasets) */
  readonly split: string;
  readonly tokenizer: string;
  /** pairs with a longer side are skipped (and counted) */
  readonly maxLength: number;
  /** folder to prepare into when `spec` is not a prepared folder (overwritten) */
  readonly into: string;
  /** TRL's EOS rule (RewardConfig append_eos_token) and a chat template file; default: EOS appended, the tokenizer's template */
  readonly encoding?: EncodeSettings;
}

/**
 * A prepared folder as is (`prepared` null); anything else is tokenized and length-filtered into `into` first.
 * `appendedEos` says whether the texts got the eos token (what the trained model must be scored with).
 */
export async function openPairSet(spec: string, o: PairSetOptions): Promise<{ pairs: PairSet; prepared: PrepareSummary | null; appendedEos: boolean }> {
  const dir = isPreparedDir(spec) ? spec : o.into;
  const prepared = dir === spec ? null
    : await preparePairs({ tokenizer: o.tokenizer, data: spec, out: o.into, split: o.split, maxLength: o.maxLength, overwrite: true, encoding: o.encoding });
  const pairs = openPrepared(dir);
  return { pairs, prepared, appendedEos: pairs.meta.encoding?.appendEosToken ?? false };
}
