// RewardConfig: every knob of a training run, under the names TRL's RewardConfig / HF TrainingArguments use, so
// a run.json reads like the Python arguments it mirrors. Defaults come from TRL/HF unless a comment says otherwise.
// Precedence: DEFAULT_REWARD_CONFIG < run.json / run.yaml < command-line flags.
import { readFileSync } from "node:fs";
import path from "node:path";
import { parse as parseYaml } from "yaml";
import { NBITS_BLOCK_SIZES } from "../engine/index.js";
import { InputError } from "../errors.js";

export type LrSchedulerType = "linear" | "cosine" | "constant" | "constant_with_warmup";
export type EvalStrategy = "no" | "steps" | "epoch";
/** "prefix-shared": chosen and rejected share the forward pass over their common prompt prefix; "standard": TRL's concat. */
export type BatchLayout = "prefix-shared" | "standard";
export type ReportTo = "jsonl" | "tensorboard";
export type SaveDtypeName = "fp32" | "bf16";

export interface RewardConfig {
  // ── model ──
  /** Train LoRA adapters instead of every weight. Default false. */
  use_lora: boolean;
  /** LoRA rank. Default 16 (PEFT's LoraConfig default is 8). */
  lora_r: number;
  /** LoRA scaling numerator (scale = lora_alpha / lora_r). Default 16 (PEFT: 8). */
  lora_alpha: number;
  /** Dropout on the LoRA input path, probability. Default 0 (PEFT: 0). */
  lora_dropout: number;
  /** Module names to wrap, e.g. ["c_attn"]; null = the architecture's default list. Default null. */
  lora_target_modules: string[] | null;
  /** Frozen base weights quantized to 8 bits (LoRA only; transformers' BitsAndBytesConfig name). Default false. */
  load_in_8bit: boolean;
  /** Frozen base weights quantized to 4 bits (LoRA only; QLoRA). Default false. */
  load_in_4bit: boolean;
  /** Weights per quantization block (one fp32 scale each) under load_in_8bit/4bit. Default 128 (rewardlab only; bench:quant). */
  quant_block_size: number;
  /** Recompute each block's activations in the backward pass instead of keeping them. Default false (HF). */
  gradient_checkpointing: boolean;
  /** Turn off dropout everywhere in the model. Default true (TRL). */
  disable_dropout: boolean;

  // ── data ──
  /** Pairs whose chosen or rejected side is longer than this many tokens are skipped. Default 512 (TRL: 1024; the study used 512). */
  max_length: number | null;
  /** Batch pairs of similar length together (less padding). Default true (HF: false). */
  group_by_length: boolean;
  /** How a pair batch is laid out for the forward pass. Default "prefix-shared" (rewardlab only). */
  layout: BatchLayout;
  /** Append the tokenizer's eos token to standard (non-conversational) text that does not end with it, as TRL 1.13's
   *  RewardTrainer does. Default true (TRL); the founding study tokenized text as is (its presets set false). */
  append_eos_token: boolean;

  // ── training ──
  /** Total optimizer steps; -1 = derive from num_train_epochs. Default -1. */
  max_steps: number;
  /** Passes over the training set when max_steps is -1, may be fractional. Default 3. */
  num_train_epochs: number;
  /** Pairs per micro-batch. Default 4 (HF: 8; the study used 4). */
  per_device_train_batch_size: number;
  /** Pairs per evaluation batch. Default 8 (HF: 8). */
  per_device_eval_batch_size: number;
  /** Micro-batches whose gradients are summed before one optimizer step. Default 1. */
  gradient_accumulation_steps: number;
  /** Peak AdamW learning rate. Default 1e-4 (recent TRL RewardConfig; HF TrainingArguments and TRL <= 0.22: 5e-5). */
  learning_rate: number;
  /** Learning-rate schedule after warmup. Default "linear". */
  lr_scheduler_type: LrSchedulerType;
  /** Linear warmup length in optimizer steps; wins over warmup_ratio when > 0. Default 0. */
  warmup_steps: number;
  /** Warmup as a fraction of the total steps, rounded up (HF get_warmup_steps). Default 0. */
  warmup_ratio: number;
  /** Decoupled AdamW weight decay; never applied to biases and LayerNorm weights. Default 0. */
  weight_decay: number;
  /** AdamW beta1. Default 0.9. */
  adam_beta1: number;
  /** AdamW beta2. Default 0.999. */
  adam_beta2: number;
  /** AdamW epsilon, added after the square root. Default 1e-8. */
  adam_epsilon: number;
  /** Clip the global gradient L2 norm to this; 0 disables clipping. Default 1.0. */
  max_grad_norm: number;
  /** Seed for shuffling and fresh-weight init. Default 42. */
  seed: number;
  /** Weight of TRL's mean((r_chosen + r_rejected)^2) centering term; null = off. Default null. */
  center_rewards_coefficient: number | null;
  /** Worker threads for onnxruntime; null = all cores. Default null (rewardlab only). */
  threads: number | null;
  /** Skip an optimizer step whose loss or gradient norm is NaN/Inf instead of stopping. Default false (rewardlab only). */
  skip_nonfinite: boolean;

  // ── logging ──
  /** Log (average and write metrics) every this many optimizer steps. Default 10 (TRL; HF: 500). */
  logging_steps: number;
  /** When to evaluate: "no", every eval_steps ("steps"), or at each epoch end. Default "no". */
  eval_strategy: EvalStrategy;
  /** Evaluate every this many optimizer steps; null = logging_steps (HF). Default null. */
  eval_steps: number | null;
  /** Metric sinks written under output_dir (the console is always on). Default ["jsonl", "tensorboard"] (rewardlab). */
  report_to: ReportTo[];

  // ── checkpoints ──
  /** Where checkpoints, metrics and trainer_state.json go. Default "trainer_output" (HF 5). */
  output_dir: string;
  /** Save a checkpoint every this many optimizer steps; 0 = only at the end. Default 500. */
  save_steps: number;
  /** Keep at most this many checkpoints (oldest deleted first, never the newest); null = keep all. Default null. */
  save_total_limit: number | null;
  /** Weights dtype of final/ and final-merged/: fp32, or bf16 (half the size; checkpoint-N/ stay fp32 for exact resume). Default fp32 (rewardlab). */
  save_dtype: SaveDtypeName;
}

export const DEFAULT_REWARD_CONFIG: Readonly<RewardConfig> = Object.freeze({
  use_lora: false,
  lora_r: 16,
  lora_alpha: 16,
  lora_dropout: 0,
  lora_target_modules: null,
  load_in_8bit: false,
  load_in_4bit: false,
  quant_block_size: 128,
  gradient_checkpointing: false,
  disable_dropout: true,
  max_length: 512,
  group_by_length: true,
  layout: "prefix-shared",
  append_eos_token: true,
  max_steps: -1,
  num_train_epochs: 3,
  per_device_train_batch_size: 4,
  per_device_eval_batch_size: 8,
  gradient_accumulation_steps: 1,
  learning_rate: 1e-4,
  lr_scheduler_type: "linear",
  warmup_steps: 0,
  warmup_ratio: 0,
  weight_decay: 0,
  adam_beta1: 0.9,
  adam_beta2: 0.999,
  adam_epsilon: 1e-8,
  max_grad_norm: 1.0,
  seed: 42,
  center_rewards_coefficient: null,
  threads: null,
  skip_nonfinite: false,
  logging_steps: 10,
  eval_strategy: "no",
  eval_steps: null,
  report_to: ["jsonl", "tensorboard"],
  output_dir: "trainer_output",
  save_steps: 500,
  save_total_limit: null,
  save_dtype: "fp32",
} satisfies RewardConfig);

// ── field table: one row per field, drives parsing, flags and help ──

export type FieldKind =
  | { t: "int"; min: number; nullable?: boolean }
  | { t: "num"; min: number; max?: number; maxOpen?: boolean; nullable?: boolean }
  | { t: "bool" }
  | { t: "str" }
  | { t: "enum"; values: readonly string[] }
  | { t: "strList"; values?: readonly string[]; nullable?: boolean };

type Key = keyof RewardConfig;
/** One row per field: its type and range. Drives parsing here and the flags in config-flags.ts. */
export const REWARD_CONFIG_FIELDS: Readonly<Record<Key, FieldKind>> = {
  use_lora: { t: "bool" },
  lora_r: { t: "int", min: 1 },
  lora_alpha: { t: "num", min: 0 },
  lora_dropout: { t: "num", min: 0, max: 1, maxOpen: true },
  lora_target_modules: { t: "strList", nullable: true },
  load_in_8bit: { t: "bool" },
  load_in_4bit: { t: "bool" },
  quant_block_size: { t: "int", min: 1 },
  gradient_checkpointing: { t: "bool" },
  disable_dropout: { t: "bool" },
  max_length: { t: "int", min: 1, nullable: true },
  group_by_length: { t: "bool" },
  layout: { t: "enum", values: ["prefix-shared", "standard"] },
  append_eos_token: { t: "bool" },
  max_steps: { t: "int", min: -1 },
  num_train_epochs: { t: "num", min: 0 },
  per_device_train_batch_size: { t: "int", min: 1 },
  per_device_eval_batch_size: { t: "int", min: 1 },
  gradient_accumulation_steps: { t: "int", min: 1 },
  learning_rate: { t: "num", min: 0 },
  lr_scheduler_type: { t: "enum", values: ["linear", "cosine", "constant", "constant_with_warmup"] },
  warmup_steps: { t: "int", min: 0 },
  warmup_ratio: { t: "num", min: 0, max: 1 },
  weight_decay: { t: "num", min: 0 },
  adam_beta1: { t: "num", min: 0, max: 1, maxOpen: true },
  adam_beta2: { t: "num", min: 0, max: 1, maxOpen: true },
  adam_epsilon: { t: "num", min: 0 },
  max_grad_norm: { t: "num", min: 0 },
  seed: { t: "int", min: 0 },
  center_rewards_coefficient: { t: "num", min: 0, nullable: true },
  threads: { t: "int", min: 1, nullable: true },
  skip_nonfinite: { t: "bool" },
  logging_steps: { t: "int", min: 1 },
  eval_strategy: { t: "enum", values: ["no", "steps", "epoch"] },
  eval_steps: { t: "int", min: 1, nullable: true },
  report_to: { t: "strList", values: ["jsonl", "tensorboard"] },
  output_dir: { t: "str" },
  save_steps: { t: "int", min: 0 },
  save_total_limit: { t: "int", min: 1, nullable: true },
  save_dtype: { t: "enum", values: ["fp32", "bf16"] },
};
const FIELDS = REWARD_CONFIG_FIELDS;
const KEYS = Object.keys(FIELDS) as Key[];

/** Parse an untrusted object (a run.json / run.yaml body) on top of `base`. Throws InputError naming source and field. */
export function parseRewardConfig(raw: unknown, source: string, base: Readonly<RewardConfig> = DEFAULT_REWARD_CONFIG,
  lineOf?: (key: string) => number | undefined): RewardConfig {
  if (raw === null || raw === undefined) return { ...base };
  if (typeof raw !== "object" || Array.isArray(raw)) {
    throw new InputError(`expected an object of RewardConfig fields, got ${describe(raw)}`, { file: source });
  }
  const out: RewardConfig = { ...base, report_to: [...base.report_to] };
  const rec = out as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    const where = { file: source, field: key, ...lineAt(lineOf, key) };
    if (!(key in FIELDS)) {
      const near = didYouMean(key, KEYS);
      throw new InputError(`unknown RewardConfig field "${key}"`, where,
        near ? `did you mean "${near}"?` : `known fields: ${KEYS.join(", ")}`);
    }
    rec[key] = parseField(FIELDS[key as Key], value, (msg, hint) => new InputError(msg, where, hint));
  }
  checkConsistency(out, source);
  return out;
}

/** Read run.json, run.yaml or run.yml and parse it on top of DEFAULT_REWARD_CONFIG. */
export function loadRewardConfig(file: string, base: Readonly<RewardConfig> = DEFAULT_REWARD_CONFIG): RewardConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new InputError(`cannot read config: ${(e as Error).message}`, { file });
  }
  const ext = path.extname(file).toLowerCase();
  let raw: unknown;
  try {
    raw = ext === ".yaml" || ext === ".yml" ? parseYaml(text) : JSON.parse(text);
  } catch (e) {
    throw new InputError(`not valid ${ext === ".json" ? "JSON" : "YAML"}: ${(e as Error).message}`, { file });
  }
  const lines = text.split("\n");
  const lineOf = (key: string): number | undefined => {
    const re = new RegExp(`^\\s*["']?${key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}["']?\\s*:`);
    const i = lines.findIndex((l) => re.test(l));
    return i >= 0 ? i + 1 : undefined;
  };
  return parseRewardConfig(raw, file, base, lineOf);
}

// ── helpers ──

function parseField(k: FieldKind, v: unknown, err: (msg: string, hint?: string) => InputError): unknown {
  if (v === null && "nullable" in k && k.nullable) return null;
  switch (k.t) {
    case "bool":
      if (typeof v !== "boolean") throw err(`expected true or false, got ${describe(v)}`);
      return v;
    case "str":
      if (typeof v !== "string" || v === "") throw err(`expected a non-empty string, got ${describe(v)}`);
      return v;
    case "enum":
      if (typeof v !== "string" || !k.values.includes(v)) {
        const near = typeof v === "string" ? didYouMean(v, k.values) : undefined;
        throw err(`expected one of ${k.values.map((s) => `"${s}"`).join(", ")}, got ${describe(v)}`,
          near ? `did you mean "${near}"?` : undefined);
      }
      return v;
    case "strList": {
      if (!Array.isArray(v) || v.some((s) => typeof s !== "string" || s === "")) {
        throw err(`expected a list of strings${k.nullable ? " or null" : ""}, got ${describe(v)}`);
      }
      const bad = k.values ? v.find((s) => !k.values?.includes(s as string)) : undefined;
      if (bad !== undefined) throw err(`expected entries from ${k.values?.join(", ")}, got "${String(bad)}"`);
      return [...(v as string[])];
    }
    case "int":
    case "num": {
      const what = k.t === "int" ? "an integer" : "a number";
      const nul = "nullable" in k && k.nullable ? " or null" : "";
      if (typeof v !== "number" || !Number.isFinite(v)) throw err(`expected ${what}${nul}, got ${describe(v)}`);
      if (k.t === "int" && !Number.isInteger(v)) throw err(`expected ${what}${nul}, got ${v}`);
      if (v < k.min) throw err(`expected ${what} >= ${k.min}, got ${v}`);
      if (k.t === "num" && k.max !== undefined && (k.maxOpen ? v >= k.max : v > k.max)) {
        throw err(`expected ${what} ${k.maxOpen ? "<" : "<="} ${k.max}, got ${v}`);
      }
      return v;
    }
  }
}

function checkConsistency(c: RewardConfig, source: string): void {
  if (c.load_in_8bit && c.load_in_4bit) {
    throw new InputError("load_in_8bit and load_in_4bit are both set", { file: source, field: "load_in_4bit" }, "pick one");
  }
  if ((c.load_in_8bit || c.load_in_4bit) && !c.use_lora) {
    throw new InputError(`${c.load_in_4bit ? "load_in_4bit" : "load_in_8bit"} needs use_lora: the quantized base is frozen, so full fine-tuning has nothing to train`,
      { file: source, field: c.load_in_4bit ? "load_in_4bit" : "load_in_8bit" }, "add use_lora (--use-lora) to train adapters on top of it");
  }
  if (!(NBITS_BLOCK_SIZES as readonly number[]).includes(c.quant_block_size)) {
    throw new InputError(`quant_block_size must be one of ${NBITS_BLOCK_SIZES.join(", ")}, got ${c.quant_block_size}`, { file: source, field: "quant_block_size" });
  }
  if (c.max_steps === 0) {
    throw new InputError("max_steps is 0: nothing would be trained", { file: source, field: "max_steps" },
      "use -1 to train for num_train_epochs, or a positive step count");
  }
  if (c.max_steps < 0 && c.num_train_epochs <= 0) {
    throw new InputError("num_train_epochs must be > 0 when max_steps is -1", { file: source, field: "num_train_epochs" });
  }
}

function lineAt(lineOf: ((key: string) => number | undefined) | undefined, key: string): { line?: number } {
  const line = lineOf?.(key);
  return line === undefined ? {} : { line };
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return `a list (${JSON.stringify(v).slice(0, 40)})`;
  if (typeof v === "string") return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (typeof v === "object") return "an object";
  return `${typeof v} ${String(v)}`;
}

/** The closest known name, if it is a plausible typo (camelCase / kebab-case spellings included). */
export function didYouMean(name: string, known: readonly string[]): string | undefined {
  const norm = (s: string): string => s.toLowerCase().replace(/[-_\s]/g, "");
  const exact = known.find((k) => norm(k) === norm(name));
  if (exact) return exact;
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const d = editDistance(norm(name), norm(k));
    if (d < bestD) [best, bestD] = [k, d];
  }
  return bestD <= Math.max(1, Math.floor(norm(name).length / 4)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const sub = (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      cur.push(Math.min(sub, (prev[j] as number) + 1, (cur[j - 1] as number) + 1));
    }
    prev = cur;
  }
  return prev[b.length] as number;
}
