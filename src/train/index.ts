// Public surface of src/train. Other layers import only from this file.

// config: RewardConfig (TRL / HF TrainingArguments names), run.json / run.yaml loading, CLI flag overrides
export { DEFAULT_REWARD_CONFIG, parseRewardConfig, loadRewardConfig, didYouMean } from "./config.js";
export type { RewardConfig, LrSchedulerType, EvalStrategy, BatchLayout, ReportTo } from "./config.js";
export { rewardConfigFlags, applyRewardConfigFlags, flagName } from "./config-flags.js";
export type { RewardFlagSpec, RewardFlagSpecs } from "./config-flags.js";

// optimizer, schedule, clipping (PyTorch / transformers semantics)
export { adamwState, adamwStep, adamwUpdate, noDecay, paramGroups, sharedFloat32 } from "./adamw.js";
export { OptimizerThreads, splitRanges } from "./optimizer-threads.js";
export type { UpdateRange } from "./optimizer-threads.js";
export type { AdamWHyper, AdamWState, ParamGroup } from "./adamw.js";
export { numWarmupSteps, numTrainingSteps, updatesPerEpoch, lrLambda, learningRateAt, lrSchedule } from "./schedule.js";
export type { LrSchedule } from "./schedule.js";
export { globalGradNorm, clipGradNorm, clipScale } from "./clip.js";

// randomness and metrics
export { Rng } from "./rng.js";
export type { RngState } from "./rng.js";
export { MetricsAccumulator, pairBatchMetrics, RunningStats } from "./metrics.js";
export type { MetricsMode, PairBatchMetrics } from "./metrics.js";

// metric sinks
export { MultiSink } from "./log/sink.js";
export type { MetricsSink } from "./log/sink.js";
export { JsonlSink, readMetricsJsonl, METRICS_JSONL } from "./log/jsonl.js";
export { TensorboardSink, tensorboardTag, encodeEvent, tfRecord } from "./log/tensorboard.js";
export type { TfEvent } from "./log/tensorboard.js";
export { readTensorboardEvents } from "./log/tensorboard-read.js";
export { crc32c, maskedCrc32c } from "./log/crc32c.js";
export { ConsoleSink, formatDuration } from "./log/console.js";
export type { ConsoleSinkOptions, ConsoleStream } from "./log/console.js";
export {
  TrainerStateSink, newTrainerState, formatTrainerState, writeTrainerState, readTrainerState, trainSummary,
  TRAINER_STATE_NAME,
} from "./log/trainer-state.js";
export type { TrainerState, TrainerControlArgs } from "./log/trainer-state.js";
export { pythonJsonDumps } from "./log/python-json.js";

// checkpoints: atomic directories, optimizer / scheduler / RNG / data-position state
export {
  saveCheckpointDir, listCheckpoints, latestCheckpoint, rotateCheckpoints, cleanTempCheckpoints, CHECKPOINT_PREFIX,
} from "./checkpoint-dir.js";
export type { CheckpointEntry, SaveCheckpointOptions } from "./checkpoint-dir.js";
export {
  writeOptimizerState, readOptimizerState, writeTrainingState, readTrainingState, OPTIMIZER_NAME, TRAINING_STATE_NAME,
} from "./checkpoint-state.js";
export type { SchedulerState, DataPosition, TrainingState } from "./checkpoint-state.js";

// the study: FLOPs per token by layer kind, profiled op-kind times and the matmul peak, the study spec and presets
export {
  forwardFlopsPerToken, trainingFlopsPerToken, loraParamCount, isLoraTarget, NORM_FLOPS, GELU_FLOPS, SOFTMAX_FLOPS, RMS_NORM_FLOPS, SWIGLU_FLOPS, ROTARY_FLOPS,
} from "./flops.js";
export type { FlopsBreakdown, FlopsKind, TrainingMode } from "./flops.js";
export type { FlopsPerToken as FlopsByKind } from "./flops.js";
export {
  opKindOf, parseOrtProfile, readOrtProfile, opSecondsByKind, measureMatmulPeak, profileTrainingSteps, profilePrefix, TIME_KINDS,
} from "./profile.js";
export type { OpKind, TimeKind, OrtNodeEvent, OrtRunEvent, OrtProfile, StepProfile } from "./profile.js";
export { parseStudySpec, loadStudySpec, modelTraining, studyPreset, STUDY_PRESETS } from "./study-spec.js";
export type { StudySpec, StudyModel } from "./study-spec.js";

// the RewardTrainer: one loop (trainer.ts), the pair batches it feeds, the pairwise loss, evaluation, run.json
export { train, NonFiniteError } from "./trainer.js";
export type { TrainOptions, TrainResult } from "./trainer.js";
export { StandardBatcher, pairList, pairSlice, hasMargins } from "./batches.js";
export type { PairSet, PairBatch, PairBatcher } from "./batches.js";
export { PrefixSharedBatcher, packedLength, lastNonPad, rowsCost } from "./prefix-shared-batcher.js";
export { createPairBatcher } from "./batches.js";
export { lengthGroupedOrder, defaultMegabatchMult } from "./length-grouped-sampler.js";
export { pairwiseLoss, splitRewards, marginInput, pairwiseLossF64, PAIR_INPUT_NAMES } from "./pairwise-loss.js";
export type { LossOptions, PairRewards } from "./pairwise-loss.js";
export { TrainingGraph } from "./train-graph.js";
export type { ExecutorKind, TrainingGraphOptions } from "./train-graph.js";
export { evaluatePairs, lengthBaselines } from "./evaluate.js";
export type { EvalMetrics } from "./evaluate.js";
export { writeRunJson, RUN_JSON } from "./run-info.js";

// setup shared by the train and study commands: model sources (folder, hub id, config:NAME, config object) and pair sets
export { resolveModelSource, openPairSet, NAMED_CONFIGS } from "./setup.js";
export type { ModelSource, ModelSourceOptions, PairSetOptions } from "./setup.js";

// hand-off to TRL + accelerate: Parquet data, RewardConfig YAML, accelerate configs, launcher, README, export.json
export { exportTrl, EXPORT_JSON, LAUNCH_NAMES } from "./trl/export.js";
export type { ExportTrlOptions, ExportJson, ExportedModel, LaunchName } from "./trl/export.js";
export { trlArgs, trlWarnings } from "./trl/trl-config.js";
export type { TrlArgs, TrlArgsOptions } from "./trl/trl-config.js";
