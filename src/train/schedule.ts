// Learning-rate schedules with transformers' get_scheduler semantics. `step` counts scheduler.step() calls so far:
// the first optimizer step runs at lr(0) (0 when there is warmup), and HF's logged learning_rate at global step s
// is lr(s), the rate the next step will use.
import type { LrSchedulerType } from "./config.js";

/** HF TrainingArguments.get_warmup_steps: warmup_steps when > 0, else ceil(num_training_steps · warmup_ratio). */
export function numWarmupSteps(numTrainingSteps: number, warmupSteps: number, warmupRatio: number): number {
  return warmupSteps > 0 ? warmupSteps : Math.ceil(numTrainingSteps * warmupRatio);
}

/**
 * HF Trainer's total optimizer steps: max_steps when > 0, else ceil(num_train_epochs · updates_per_epoch) with
 * updates_per_epoch = max(floor(batches_per_epoch / gradient_accumulation_steps), 1) and
 * batches_per_epoch = ceil(numPairs / per_device_train_batch_size) (the last partial batch is kept).
 */
export function numTrainingSteps(o: { numPairs: number; per_device_train_batch_size: number;
  gradient_accumulation_steps: number; num_train_epochs: number; max_steps: number }): number {
  if (o.max_steps > 0) return o.max_steps;
  return Math.ceil(o.num_train_epochs * updatesPerEpoch(o));
}

export function updatesPerEpoch(o: { numPairs: number; per_device_train_batch_size: number;
  gradient_accumulation_steps: number }): number {
  const batches = Math.ceil(o.numPairs / o.per_device_train_batch_size);
  return Math.max(Math.floor(batches / o.gradient_accumulation_steps), 1);
}

/** The multiplier of the base learning rate after `step` scheduler steps (HF's lr_lambda). */
export function lrLambda(type: LrSchedulerType, step: number, numWarmup: number, numTraining: number): number {
  if (type === "constant") return 1;
  if (step < numWarmup) return step / Math.max(1, numWarmup);
  switch (type) {
    case "constant_with_warmup":
      return 1;
    case "linear":
      return Math.max(0, (numTraining - step) / Math.max(1, numTraining - numWarmup));
    case "cosine": {
      // num_cycles = 0.5: half a cosine from 1 down to 0
      const progress = (step - numWarmup) / Math.max(1, numTraining - numWarmup);
      return Math.max(0, 0.5 * (1 + Math.cos(Math.PI * 0.5 * 2 * progress)));
    }
  }
}

export interface LrSchedule {
  readonly type: LrSchedulerType;
  readonly baseLr: number;
  readonly numWarmupSteps: number;
  readonly numTrainingSteps: number;
}

/** The learning rate for the optimizer step that follows `step` completed steps. */
export function learningRateAt(s: LrSchedule, step: number): number {
  return s.baseLr * lrLambda(s.type, step, s.numWarmupSteps, s.numTrainingSteps);
}

export function lrSchedule(c: { learning_rate: number; lr_scheduler_type: LrSchedulerType; warmup_steps: number;
  warmup_ratio: number }, totalSteps: number): LrSchedule {
  return { type: c.lr_scheduler_type, baseLr: c.learning_rate, numTrainingSteps: totalSteps,
    numWarmupSteps: numWarmupSteps(totalSteps, c.warmup_steps, c.warmup_ratio) };
}
