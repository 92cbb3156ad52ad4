// A RewardConfig under TRL 1.13's names: the arguments `trl reward --config` takes (ScriptArguments + RewardConfig +
// ModelConfig in one YAML) and that the exported launcher reads. Every rewardlab field is either mapped here or
// named in a warning: nothing is dropped silently.
import { LORA_DEFAULT_TARGETS } from "../../models/index.js";
import type { RewardConfig } from "../config.js";

export type TrlValue = string | number | boolean | null | readonly string[];
export type TrlArgs = Record<string, TrlValue>;

export interface TrlArgsOptions {
  readonly modelType: string;
  readonly modelPath: string;
  /** the folder holding train.parquet (and test.parquet), relative to the export folder */
  readonly dataDir: string;
  readonly hasEval: boolean;
  readonly outputDir: string;
  /** bf16 mixed precision (TRL's default); off keeps rewardlab's fp32 numerics */
  readonly bf16: boolean;
}

/** The YAML body of one model's TRL run, in groups: script (data), model (+ PEFT), RewardConfig. */
export function trlArgs(c: RewardConfig, o: TrlArgsOptions): TrlArgs {
  const evaluating = o.hasEval && c.eval_strategy !== "no";
  const args: TrlArgs = {
    // ScriptArguments: a folder of train.parquet / test.parquet, which load_dataset splits by file name
    dataset_name: o.dataDir,
    dataset_train_split: "train",
    dataset_test_split: "test",
    // ModelConfig
    model_name_or_path: o.modelPath,
    dtype: "float32",
  };
  if (c.use_lora) {
    Object.assign(args, {
      use_peft: true, lora_r: c.lora_r, lora_alpha: c.lora_alpha, lora_dropout: c.lora_dropout,
      lora_target_modules: c.lora_target_modules ?? [...(LORA_DEFAULT_TARGETS[o.modelType] ?? [])],
      lora_modules_to_save: ["score"], lora_task_type: "SEQ_CLS",
    });
    // TRL's ModelConfig takes the same names (bitsandbytes: a CUDA GPU)
    if (c.load_in_8bit) args["load_in_8bit"] = true;
    if (c.load_in_4bit) args["load_in_4bit"] = true;
  }
  Object.assign(args, {
    // RewardConfig / TrainingArguments
    output_dir: o.outputDir,
    seed: c.seed,
    disable_dropout: c.disable_dropout,
    max_length: c.max_length,
    center_rewards_coefficient: c.center_rewards_coefficient,
    per_device_train_batch_size: c.per_device_train_batch_size,
    per_device_eval_batch_size: c.per_device_eval_batch_size,
    gradient_accumulation_steps: c.gradient_accumulation_steps,
    ...(c.max_steps > 0 ? { max_steps: c.max_steps } : { num_train_epochs: c.num_train_epochs }),
    learning_rate: c.learning_rate,
    lr_scheduler_type: c.lr_scheduler_type,
    // transformers 5 folds warmup_ratio into warmup_steps: an integer is steps, a float below 1 a ratio
    warmup_steps: c.warmup_steps > 0 ? c.warmup_steps : c.warmup_ratio > 0 && c.warmup_ratio < 1 ? c.warmup_ratio : 0,
    weight_decay: c.weight_decay,
    adam_beta1: c.adam_beta1,
    adam_beta2: c.adam_beta2,
    adam_epsilon: c.adam_epsilon,
    max_grad_norm: c.max_grad_norm,
    train_sampling_strategy: c.group_by_length ? "group_by_length" : "random",
    // the sampler reads the Parquet's length column, which the Trainer would otherwise drop before sampling (the
    // collator reads only chosen_ids, rejected_ids and margin)
    ...(c.group_by_length ? { remove_unused_columns: false } : {}),
    logging_steps: c.logging_steps,
    eval_strategy: evaluating ? c.eval_strategy : "no",
    ...(evaluating && c.eval_strategy === "steps" ? { eval_steps: c.eval_steps ?? c.logging_steps } : {}),
    // rewardlab evaluates before the first step too
    ...(evaluating ? { eval_on_start: true } : {}),
    ...(c.save_steps > 0 ? { save_strategy: "steps", save_steps: c.save_steps } : { save_strategy: "no" }),
    save_total_limit: c.save_total_limit,
    bf16: o.bf16,
    // TRL's default; with dropout off it changes memory, not numbers
    gradient_checkpointing: true,
    report_to: c.report_to.includes("tensorboard") ? ["tensorboard"] : ["none"],
  });
  return args;
}

/** Where TRL's semantics differ from rewardlab's for this config: the table in README.md and export.json's warnings. */
export function trlWarnings(c: RewardConfig, o: { numProcesses: number; bf16: boolean }): string[] {
  const w: string[] = [
    "data: the Parquet files hold rewardlab's tokenization (chosen_ids / rejected_ids), so TRL trains on the same tokens; " +
      "pairs over max_length were already dropped (or cut) by rewardlab's prepare, and TRL's own max_length filter finds none left",
    "ties: both count r_chosen == r_rejected as wrong in accuracy; rewardlab also logs eval_ties, TRL does not",
    "eval_accuracy: rewardlab's is the share of all eval pairs; TRL's is the mean of per-batch accuracies (per process, gathered), so a last partial batch weighs more",
    "weight init: a config: model is drawn by rewardlab and saved into models/, so both sides start from the same weights",
    `batch: TRL's global batch is per_device_train_batch_size × gradient_accumulation_steps × processes ` +
      `(${c.per_device_train_batch_size} × ${c.gradient_accumulation_steps} × ${o.numProcesses} on the ddp line); ` +
      "rewardlab has one process, so a multi-process run takes more pairs per step",
    "order: TRL shuffles with torch's generator and rewardlab with its own, so batches differ after the same seed; " +
      "train_sampling_strategy: sequential (TRL) against one batch of the whole set (rewardlab) gives the same first batch",
    "eval_accuracy at the end: rewardlab always evaluates after the last step; TRL only when the step is a multiple of eval_steps",
  ];
  if (c.layout === "prefix-shared") {
    w.push('layout: "prefix-shared" (one forward over the shared prompt prefix) is rewardlab\'s own; TRL concatenates chosen and rejected rows (the standard layout): same rewards up to float rounding, more compute');
  }
  if (c.group_by_length) {
    w.push("group_by_length: mapped to train_sampling_strategy: group_by_length (HF's LengthGroupedSampler over the Parquet's length column, the longer side of each pair, with remove_unused_columns: false so the column reaches the sampler); rewardlab groups by the row length of its layout, the same for the standard layout");
  }
  if (c.use_lora && (c.lora_target_modules?.length ?? 1) === 1) {
    w.push("trl reward: TrlParser reads a one-item lora_target_modules list as one string, which PEFT matches as a regex against full module names (no match); launch_trl.py turns it back into a list, so use the launcher lines");
  }
  if (c.threads !== null) w.push(`threads: ${c.threads} onnxruntime threads has no TRL equivalent (torch uses OMP_NUM_THREADS); not exported`);
  if (c.skip_nonfinite) w.push("skip_nonfinite: TRL has no equivalent (HF's logging_nan_inf_filter only hides such losses from the log); not exported");
  if (c.report_to.includes("jsonl")) w.push("report_to jsonl: TRL writes no metrics.jsonl; its log is trainer_state.json's log_history (rewardlab report reads it)");
  if (c.warmup_ratio >= 1 && c.warmup_steps === 0) w.push("warmup_ratio 1: transformers 5 takes a ratio only below 1 (warmup_steps); exported as no warmup");
  if (c.save_steps === 0) w.push("save_steps 0 (only the final model): exported as save_strategy: no; the launcher saves the final model");
  if (!o.bf16) w.push("bf16: exported as false (rewardlab trains in fp32; TRL's default is true); pass --bf16 for mixed precision on GPUs");
  if (!c.gradient_checkpointing) w.push("gradient_checkpointing: true (TRL's default; this rewardlab run keeps every activation): changes memory, not results");
  if (c.load_in_8bit || c.load_in_4bit) {
    w.push(`load_in_${c.load_in_4bit ? 4 : 8}bit: TRL quantizes with bitsandbytes (4-bit: NF4, blocks of 64; needs a CUDA GPU); rewardlab packs symmetric int blocks of ${c.quant_block_size} for onnxruntime: rewards differ by the quantization`);
  }
  return w;
}
