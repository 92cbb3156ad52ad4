// The study spec: several models, one data set and one shared training config, trained one after another with the
// same seed and data order, then compared in one report. Read from JSON or YAML, or taken from a named preset.
//
//   name: GPT-2 vs OPT-350m                  # report title (optional)
//   models:                                  # at least one; names are folder names under <out>/runs/
//     - { name: gpt2, model: gpt2 }          # model: an HF folder or hub id
//     - { name: opt-mini, config: {model_type: opt, ...}, tokenizer: builtin:gpt2 }   # config: fresh random init
//       training: { use_lora: false }        # optional: RewardConfig fields for this model only (over the shared block)
//       reference: { wall_seconds: 5034, source: "…" }   # optional: a published time, shown beside the measured one
//   data: builtin                            # anything `rewardlab prepare` reads, or a prepared folder
//   eval_data: builtin                       # default: builtin's test split when data is builtin, else none
//   train_split: train, eval_split: test
//   max_train_pairs: null, max_eval_pairs: null
//   profile_steps: 3                         # profiled steps per model for the time breakdown (0 = none)
//   training: { ...RewardConfig fields }     # shared by every model; output_dir is set per model
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";
import { InputError, RewardlabError } from "../errors.js";
import { DEFAULT_REWARD_CONFIG, didYouMean, parseRewardConfig, type RewardConfig } from "./config.js";

export interface StudyModel {
  /** folder name under <out>/runs/ and the name in the report */
  readonly name: string;
  /** an HF model folder or hub id; null when `config` is given */
  readonly model: string | null;
  /** an HF config.json object for a fresh random-init model; null when `model` is given */
  readonly config: Readonly<Record<string, unknown>> | null;
  /** tokenizer folder, hub id or builtin:gpt2; null = the model's own (random-init models: builtin:gpt2) */
  readonly tokenizer: string | null;
  /** RewardConfig fields that differ for this model; they override the shared block and the command's flags */
  readonly training: Partial<RewardConfig>;
  /** a published training time of this model elsewhere (the founding study's), copied into run.json for the report */
  readonly reference: { readonly wall_seconds: number; readonly source: string } | null;
}

export interface StudySpec {
  readonly name: string | null;
  readonly models: readonly StudyModel[];
  readonly data: string;
  readonly eval_data: string | null;
  readonly train_split: string;
  readonly eval_split: string;
  readonly max_train_pairs: number | null;
  readonly max_eval_pairs: number | null;
  readonly profile_steps: number;
  readonly training: RewardConfig;
}

const SPEC_KEYS = ["name", "models", "data", "eval_data", "train_split", "eval_split", "max_train_pairs", "max_eval_pairs", "profile_steps", "training"] as const;
const MODEL_KEYS = ["name", "model", "config", "tokenizer", "training", "reference"] as const;
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Parses an untrusted spec object; errors name `file` and the field ("models[1].config", "training.learning_rate"). */
export function parseStudySpec(raw: unknown, file: string, lineOf: (key: string) => number | undefined = () => undefined): StudySpec {
  const at = (field: string, key = field.replace(/^.*[.\]]/, "")): { file: string; field: string; line?: number } => {
    const line = lineOf(key);
    return line === undefined ? { file, field } : { file, field, line };
  };
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new InputError(`expected an object with "models", got ${describe(raw)}`, { file });
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!(SPEC_KEYS as readonly string[]).includes(k)) {
      const near = didYouMean(k, SPEC_KEYS);
      throw new InputError(`unknown study field "${k}"`, at(k), near ? `did you mean "${near}"?` : `known fields: ${SPEC_KEYS.join(", ")}`);
    }
  }
  const str = (k: string, v: unknown, dflt: string | null): string | null => {
    if (v === undefined || v === null) return dflt;
    if (typeof v !== "string" || v === "") throw new InputError(`expected a non-empty string, got ${describe(v)}`, at(k));
    return v;
  };
  const count = (k: string, v: unknown, min: number): number | null => {
    if (v === undefined || v === null) return null;
    if (typeof v !== "number" || !Number.isInteger(v) || v < min) throw new InputError(`expected an integer >= ${min}, got ${describe(v)}`, at(k));
    return v;
  };
  if (!Array.isArray(o["models"]) || o["models"].length === 0) {
    throw new InputError(`expected a non-empty list of models, got ${describe(o["models"])}`, at("models"), 'e.g. models: [{name: gpt2, model: gpt2}, {name: opt, model: facebook/opt-350m}]');
  }
  const models = (o["models"] as unknown[]).map((m, i) => parseModel(m, `models[${i}]`, at, file, lineOf));
  const seen = new Set<string>();
  models.forEach((m, i) => {
    if (seen.has(m.name)) throw new InputError(`model name "${m.name}" is used twice`, at(`models[${i}].name`, "name"), "names become folder names; make them unique");
    seen.add(m.name);
  });
  const data = str("data", o["data"], "builtin") as string;
  const training = parseTraining(o["training"] ?? {}, "training", file, lineOf);
  const profileSteps = count("profile_steps", o["profile_steps"], 0);
  return {
    name: str("name", o["name"], null),
    models,
    data,
    eval_data: str("eval_data", o["eval_data"], data === "builtin" ? "builtin" : null),
    train_split: str("train_split", o["train_split"], "train") as string,
    eval_split: str("eval_split", o["eval_split"], "test") as string,
    max_train_pairs: count("max_train_pairs", o["max_train_pairs"], 1),
    max_eval_pairs: count("max_eval_pairs", o["max_eval_pairs"], 1),
    profile_steps: profileSteps ?? 3,
    training,
  };
}

/** RewardConfig fields under `field`; errors name "<field>.<key>". */
function parseTraining(raw: unknown, field: string, file: string, lineOf: (key: string) => number | undefined): RewardConfig {
  try {
    return parseRewardConfig(raw, file, DEFAULT_REWARD_CONFIG, lineOf);
  } catch (e) {
    if (!(e instanceof RewardlabError) || e.where === undefined) throw e;
    throw new InputError(e.message, { ...e.where, file, field: `${field}${e.where.field !== undefined ? `.${e.where.field}` : ""}` }, e.hint);
  }
}

function parseModel(raw: unknown, field: string, at: (field: string, key?: string) => { file: string; field: string },
  file: string, lineOf: (key: string) => number | undefined): StudyModel {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new InputError(`expected {name, model | config}, got ${describe(raw)}`, at(field, "models"));
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!(MODEL_KEYS as readonly string[]).includes(k)) {
      const near = didYouMean(k, MODEL_KEYS);
      throw new InputError(`unknown model field "${k}"`, at(`${field}.${k}`, k), near ? `did you mean "${near}"?` : `known fields: ${MODEL_KEYS.join(", ")}`);
    }
  }
  const name = o["name"];
  if (typeof name !== "string" || !NAME_RE.test(name)) {
    throw new InputError(`expected a name of letters, digits, ".", "_" or "-", got ${describe(name)}`, at(`${field}.name`, "name"), "the name becomes a folder name");
  }
  const model = o["model"], config = o["config"], tokenizer = o["tokenizer"];
  if ((model === undefined) === (config === undefined)) {
    throw new InputError(`expected exactly one of "model" (folder or hub id) and "config" (random init), got ${model === undefined ? "neither" : "both"}`, at(field, "name"));
  }
  if (model !== undefined && (typeof model !== "string" || model === "")) throw new InputError(`expected a folder or hub id, got ${describe(model)}`, at(`${field}.model`, "model"));
  if (config !== undefined && (typeof config !== "object" || config === null || Array.isArray(config) || typeof (config as Record<string, unknown>)["model_type"] !== "string")) {
    throw new InputError(`expected an HF config object with "model_type", got ${describe(config)}`, at(`${field}.config`, "config"));
  }
  if (tokenizer !== undefined && (typeof tokenizer !== "string" || tokenizer === "")) throw new InputError(`expected a tokenizer folder, hub id or builtin:gpt2, got ${describe(tokenizer)}`, at(`${field}.tokenizer`, "tokenizer"));
  const t = o["training"] ?? {};
  if (typeof t !== "object" || t === null || Array.isArray(t)) throw new InputError(`expected an object of RewardConfig fields, got ${describe(t)}`, at(`${field}.training`, "training"));
  const parsed = parseTraining(t, `${field}.training`, file, lineOf) as unknown as Record<string, unknown>;
  const overrides = Object.fromEntries(Object.keys(t).map((k) => [k, parsed[k]])) as Partial<RewardConfig>;
  return {
    name,
    model: (model as string | undefined) ?? null,
    config: (config as Record<string, unknown> | undefined) ?? null,
    tokenizer: (tokenizer as string | undefined) ?? null,
    training: overrides,
    reference: parseReference(o["reference"], `${field}.reference`, at),
  };
}

function parseReference(raw: unknown, field: string, at: (field: string, key?: string) => { file: string; field: string }): StudyModel["reference"] {
  if (raw === undefined || raw === null) return null;
  const r = raw as Record<string, unknown>;
  if (typeof raw !== "object" || Array.isArray(raw) || typeof r["wall_seconds"] !== "number" || !(r["wall_seconds"] > 0) ||
    typeof r["source"] !== "string" || r["source"] === "" || Object.keys(r).some((k) => k !== "wall_seconds" && k !== "source")) {
    throw new InputError(`expected {wall_seconds: a number > 0, source: a string}, got ${describe(raw)}`, at(field, "reference"));
  }
  return { wall_seconds: r["wall_seconds"], source: r["source"] };
}

/** The training config of one model of a study: the shared block (with the command's flags) under its own fields. */
export function modelTraining(shared: RewardConfig, m: StudyModel): RewardConfig {
  return { ...shared, ...m.training };
}

/** Reads a study spec from .json, .yaml or .yml. */
export function loadStudySpec(file: string): StudySpec {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new InputError(`cannot read study spec: ${(e as Error).message}`, { file });
  }
  const ext = path.extname(file).toLowerCase();
  let raw: unknown;
  try {
    raw = ext === ".json" ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new InputError(`not valid ${ext === ".json" ? "JSON" : "YAML"}: ${(e as Error).message}`, { file });
  }
  const lines = text.split("\n");
  const lineOf = (key: string): number | undefined => {
    const re = new RegExp(`^\\s*(- )?["']?${key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}["']?\\s*:`);
    const i = lines.findIndex((l) => re.test(l));
    return i >= 0 ? i + 1 : undefined;
  };
  return parseStudySpec(raw, file, lineOf);
}

function describe(v: unknown): string {
  if (v === undefined) return "nothing";
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "string") return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (typeof v === "object") return "an object";
  return `${typeof v} ${String(v)}`;
}

// ---- presets ----

/** GPT-2's special ids: the GPT-2 vocabulary has one special token, <|endoftext|> (50256), used as pad, bos and eos. */
const GPT2_VOCAB = { vocab_size: 50257, pad_token_id: 50256, bos_token_id: 50256, eos_token_id: 50256 };

/** gpt2 (124M) and facebook/opt-350m as their hub config.json files give them, on the GPT-2 vocabulary. */
const GPT2_124M = { model_type: "gpt2", ...GPT2_VOCAB, n_positions: 1024, n_embd: 768, n_layer: 12, n_head: 12, n_inner: null };
const OPT_350M = { model_type: "opt", ...GPT2_VOCAB, vocab_size: 50272, hidden_size: 1024, word_embed_proj_dim: 512, ffn_dim: 4096,
  num_hidden_layers: 24, num_attention_heads: 16, max_position_embeddings: 2048, do_layer_norm_before: false, enable_bias: true };

/** The founding study's times (../shared/seed/study.md): QLoRA 4-bit, r=16, 10,000 steps of 4 pairs on one A100. */
const STUDY_SOURCE = "the founding study (QLoRA 4-bit r=16, 10,000 steps of 4 pairs, one A100)";
const STUDY_TIMES = {
  gpt2: { wall_seconds: 33 * 60 + 18, source: STUDY_SOURCE },
  opt: { wall_seconds: 83 * 60 + 54, source: STUDY_SOURCE },
};

/** The first 120 real hh-rlhf pairs (harmless-base test split), shipped with the package. */
const HH_RLHF_SAMPLE = fileURLToPath(new URL("../../../test/fixtures/data/hh-rlhf-sample-120.jsonl.gz", import.meta.url));

/** The founding study tokenized each text as is (no eos token appended): every preset keeps that, so its pairs,
 *  lengths and figures stay the study's. With GPT-2's vocabulary eos is also the pad token, so the reward is read at
 *  the same token either way; only the lengths differ by one. */
const STUDY_TEXT = { append_eos_token: false } as const;

export const STUDY_PRESETS: Readonly<Record<string, StudySpec>> = {
  // Offline, built-in data; two small random-init models of the two families, both on the GPT-2 vocabulary (OPT's
  // own tokenizer is not available offline; its BPE merges are GPT-2's, with a different id layout).
  default: {
    name: "GPT-2 vs OPT-350m architectures (small, random init, built-in data)",
    models: [
      { name: "gpt2-mini", model: null, tokenizer: "builtin:gpt2",
        config: { model_type: "gpt2", ...GPT2_VOCAB, n_positions: 256, n_embd: 128, n_layer: 2, n_head: 4, n_inner: null }, training: {}, reference: null },
      // opt-350m's layout scaled down as gpt2 → gpt2-mini: post-LN, word_embed_proj_dim = hidden/2 (project_in/out),
      // ReLU MLP 4× wide, 4/3 of GPT-2's width and twice its depth (opt-350m: 1024 × 24 layers vs gpt2: 768 × 12)
      { name: "opt-350m-mini", model: null, tokenizer: "builtin:gpt2",
        config: { model_type: "opt", ...GPT2_VOCAB, hidden_size: 160, word_embed_proj_dim: 80, ffn_dim: 640, num_hidden_layers: 4,
          num_attention_heads: 5, max_position_embeddings: 256, do_layer_norm_before: false, enable_bias: true }, training: {}, reference: null },
    ],
    data: "builtin", eval_data: "builtin", train_split: "train", eval_split: "test",
    max_train_pairs: null, max_eval_pairs: null, profile_steps: 3,
    training: {
      ...DEFAULT_REWARD_CONFIG, ...STUDY_TEXT, report_to: ["jsonl", "tensorboard"], layout: "standard", max_length: 256, max_steps: 300, per_device_train_batch_size: 8,
      per_device_eval_batch_size: 16, learning_rate: 5e-4, warmup_ratio: 0.1, logging_steps: 10, eval_strategy: "steps", eval_steps: 60, save_steps: 0,
    },
  },
  // The study's setup (../shared/seed/study.md): gpt2 vs facebook/opt-350m, hh-rlhf, LoRA r=16 α=16, lr 1.41e-5,
  // batch 4, 10,000 steps, pairs longer than 512 tokens dropped, logging every 1000 steps; eval on the test split.
  seed: {
    name: "GPT-2 vs OPT-350m on Anthropic/hh-rlhf (the study's setup)",
    models: [
      { name: "gpt2", model: "gpt2", config: null, tokenizer: null, training: {}, reference: STUDY_TIMES.gpt2 },
      { name: "opt-350m", model: "facebook/opt-350m", config: null, tokenizer: null, training: {}, reference: STUDY_TIMES.opt },
    ],
    data: "Anthropic/hh-rlhf", eval_data: "Anthropic/hh-rlhf", train_split: "train", eval_split: "test",
    max_train_pairs: null, max_eval_pairs: null, profile_steps: 3,
    training: {
      ...DEFAULT_REWARD_CONFIG, ...STUDY_TEXT, report_to: ["jsonl", "tensorboard"], layout: "standard", use_lora: true, lora_r: 16, lora_alpha: 16, learning_rate: 1.41e-5,
      per_device_train_batch_size: 4, max_steps: 10_000, max_length: 512, logging_steps: 1000, eval_strategy: "no", save_steps: 1000,
    },
  },
  // The study's question (why is OPT-350m slower?) at the real shapes: gpt2 (124M) and opt-350m architectures at full
  // size, random init (no download), on the real hh-rlhf sample shipped in test/fixtures, batch 4, max length 512, a
  // few dozen steps in the study's tuning (LoRA r=16 α=16) and in full fine-tuning, profiled. Both use the GPT-2
  // vocabulary (OPT's is the same BPE with another id layout and 15 more rows), so tokens per pair are equal.
  "seed-shapes": {
    name: "gpt2 vs opt-350m at full size: where the time goes (random init, hh-rlhf sample, 20 steps of 4 pairs)",
    models: [
      { name: "gpt2-lora", model: null, tokenizer: "builtin:gpt2", config: GPT2_124M, training: { use_lora: true }, reference: STUDY_TIMES.gpt2 },
      { name: "opt-350m-lora", model: null, tokenizer: "builtin:gpt2", config: OPT_350M, training: { use_lora: true }, reference: STUDY_TIMES.opt },
      { name: "gpt2-full", model: null, tokenizer: "builtin:gpt2", config: GPT2_124M, training: { use_lora: false }, reference: null },
      { name: "opt-350m-full", model: null, tokenizer: "builtin:gpt2", config: OPT_350M, training: { use_lora: false }, reference: null },
    ],
    data: HH_RLHF_SAMPLE, eval_data: null, train_split: "train", eval_split: "test",
    max_train_pairs: null, max_eval_pairs: null, profile_steps: 2,
    training: {
      ...DEFAULT_REWARD_CONFIG, ...STUDY_TEXT, report_to: ["jsonl", "tensorboard"], lora_r: 16, lora_alpha: 16, learning_rate: 1.41e-5,
      per_device_train_batch_size: 4, max_steps: 20, max_length: 512, logging_steps: 5, eval_strategy: "no", save_steps: 0,
    },
  },
};

export function studyPreset(name: string): StudySpec {
  const p = STUDY_PRESETS[name];
  if (!p) {
    const near = didYouMean(name, Object.keys(STUDY_PRESETS));
    throw new InputError(`unknown preset "${name}"`, undefined, near ? `did you mean "${near}"?` : `presets: ${Object.keys(STUDY_PRESETS).join(", ")}`);
  }
  return p;
}
