// The reward trainer, one loop read top to bottom (nanoGPT's train.py): lr schedule → batch → forward/backward
// (one graph, chosen and rejected rows together) → gradient accumulation → clip → AdamW → log → eval → checkpoint.
// Semantics follow TRL's RewardTrainer on the HF Trainer: per-epoch shuffled order, last partial batch kept,
// logged grad_norm is the pre-clip norm, learning_rate logged after the scheduler step, eval keys prefixed eval_.
import { existsSync, mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { InputError, RewardlabError } from "../errors.js";
import type { RewardModel } from "../models/index.js";
import { mergeLoraInto, loadPeftAdapter, LORA_DEFAULT_TARGETS, type LoraSettings } from "../models/index.js";
import type { TokenizedPair } from "../data/index.js";
import { adamwState, paramGroups } from "./adamw.js";
import { createPairBatcher, hasMargins, type PairSet } from "./batches.js";
import { latestCheckpoint, saveCheckpointDir } from "./checkpoint-dir.js";
import { clipScale } from "./clip.js";
import type { RewardConfig } from "./config.js";
import { evaluatePairs, lengthBaselines, type EvalMetrics } from "./evaluate.js";
import { ConsoleSink, type ConsoleStream } from "./log/console.js";
import { JsonlSink } from "./log/jsonl.js";
import { MultiSink, type MetricsSink } from "./log/sink.js";
import { TensorboardSink } from "./log/tensorboard.js";
import { newTrainerState, TrainerStateSink, trainSummary } from "./log/trainer-state.js";
import { MetricsAccumulator, pairBatchMetrics } from "./metrics.js";
import { readCheckpoint, saveTrained, writeCheckpoint, type RunCounters } from "./resume.js";
import { Rng } from "./rng.js";
import { configSummary, flopsPerToken, writeRunJson } from "./run-info.js";
import { lengthGroupedOrder } from "./length-grouped-sampler.js";
import { learningRateAt, lrSchedule, numTrainingSteps, updatesPerEpoch } from "./schedule.js";
import { OptimizerThreads } from "./optimizer-threads.js";
import { TrainingGraph, type ExecutorKind } from "./train-graph.js";

/** Raised when a loss or gradient is NaN/Inf and skip_nonfinite is off. */
export class NonFiniteError extends RewardlabError {
  override readonly exitCode = 5;
}

export interface TrainOptions {
  readonly model: RewardModel;
  /** where the model came from (folder, hub id, "config:…"): PEFT base_model_name_or_path and run.json */
  readonly modelSource: string;
  /** output_dir is where everything goes */
  readonly config: RewardConfig;
  readonly train: PairSet;
  readonly eval?: PairSet | null;
  /** run name in run.json; default the output folder's name */
  readonly name?: string;
  /** a checkpoint folder, or "latest" for the newest under output_dir */
  readonly resume?: string | null;
  readonly executor?: ExecutorKind;
  readonly console?: ConsoleStream;
  /** the base model folder a LoRA adapter refers to, when the base is not a folder already (fresh init) */
  readonly baseModelDir?: string | null;
}

export interface TrainResult {
  readonly globalStep: number;
  readonly finalDir: string;
  readonly mergedDir: string | null;
  readonly lastEval: EvalMetrics | null;
  readonly trainLoss: number;
  readonly wallSeconds: number;
  readonly skippedSteps: number;
}

export async function train(o: TrainOptions): Promise<TrainResult> {
  const c = o.config, out = c.output_dir, model = o.model, N = o.train.length;
  if (N === 0) throw new InputError("the training set is empty", undefined, "check --data and --max-length");
  checkFitsPositions(model, o.train, "training");
  if (o.eval) checkFitsPositions(model, o.eval, "eval");
  if (c.use_lora && c.lora_dropout > 0) throw new InputError("lora_dropout > 0 is not supported yet", { file: "config", field: "lora_dropout" }, "use 0 (the study's setting)");
  const lora: LoraSettings | null = c.use_lora
    ? { r: c.lora_r, alpha: c.lora_alpha, dropout: c.lora_dropout, targetModules: c.lora_target_modules ?? [...(LORA_DEFAULT_TARGETS[model.modelType] ?? [])] }
    : null;
  mkdirSync(out, { recursive: true });
  const say = (s: string): void => { (o.console ?? process.stderr).write(`${s}\n`); };

  // ---- model, graph, optimizer: allocated once ----
  // data order and weight init draw from separate streams of the seed, so the order of pairs does not depend on
  // how many numbers the init took (LoRA rank, targets): a LoRA run and a full run with one seed see the same batches
  const rng = new Rng(c.seed);
  const initRng = weightInitRng(c.seed);
  const hasMargin = hasMargins(o.train);
  const quant = c.load_in_8bit || c.load_in_4bit ? { bits: c.load_in_4bit ? 4 as const : 8 as const, blockSize: c.quant_block_size } : undefined;
  if (quant && !lora) throw new InputError(`--load-in-${quant.bits}bit needs --use-lora: a quantized base is frozen`, { file: "config", field: `load_in_${quant.bits}bit` });
  const baseParams = model.weights.numel, scoreParams = model.weights.get("score.weight").length;
  // QLoRA trains on the quantized base alone: the fp32 base leaves memory (opt-350m: 1.3 GB) before onnxruntime's
  // session is made, and is read from its folder again for final-merged
  const baseDir = o.baseModelDir ?? o.modelSource;
  const releasedBase = quant !== undefined && existsSync(path.join(baseDir, "config.json"));
  const graph = await TrainingGraph.create(model, { lora: lora ?? undefined, hasMargin, centerRewardsCoefficient: c.center_rewards_coefficient,
    executor: o.executor, threads: c.threads, uniform: () => initRng.next(), quant, quantCacheDir: quant ? out : undefined,
    gradientCheckpointing: c.gradient_checkpointing, releaseBase: releasedBase });
  if (quant) say(`base linear weights in ${quant.bits}-bit blocks of ${quant.blockSize}${graph.quantizedBaseCached ? " (read from the run's cache)" : " (quantized, cached in output_dir)"}`);
  if (releasedBase) say(`fp32 base released while training; final-merged reads it again from ${baseDir}`);
  const batcher = createPairBatcher(c.layout, model.def, model.config, model.padTokenId, hasMargin);
  // length grouping sorts by each pair's row length in this layout, read once
  const lengths = c.group_by_length ? Int32Array.from({ length: N }, (_, i) => batcher.rowLength(o.train.pair(i))) : null;
  const epochOrder = (perm: number[]): number[] => lengths ? lengthGroupedOrder(perm, lengths, c.per_device_train_batch_size) : perm;
  const totalSteps = numTrainingSteps({ numPairs: N, ...c });
  const schedule = lrSchedule(c, totalSteps);
  const groups = paramGroups(graph.tensors, c.weight_decay);
  const batchesPerEpoch = Math.ceil(N / c.per_device_train_batch_size);
  let opt = adamwState(graph.params.length);
  const optimizer = OptimizerThreads.start(c.threads ?? undefined);
  let globalStep = 0, epoch = 0, batchInEpoch = 0, pairsSeen = 0;
  let epochRng = rng.state();
  let perm = epochOrder(rng.permutation(N));
  let counters: RunCounters = { tokens_seen: 0, tokens_computed: 0, skipped_nonfinite_steps: 0, wall_seconds: 0 };
  const trainerState = newTrainerState({ ...c, train_batch_size: c.per_device_train_batch_size, max_steps: totalSteps });
  trainerState.num_train_epochs = Math.ceil(totalSteps / updatesPerEpoch({ numPairs: N, ...c }));

  // ---- resume ----
  let resumedFrom: number | undefined;
  if (o.resume) {
    const dir = o.resume === "latest" ? latestCheckpoint(out) : o.resume;
    if (dir === null) throw new InputError(`no checkpoint-* folder under ${out} to resume from`, { file: out }, "run without --resume to start fresh");
    const r = readCheckpoint(dir, graph);
    opt = r.optimizer;
    globalStep = r.training.global_step;
    ({ epoch, batch_in_epoch: batchInEpoch, pairs_seen: pairsSeen } = r.training.data);
    rng.restore(r.training.rng);
    epochRng = r.training.data.epoch_rng;
    perm = epochOrder(Rng.fromState(epochRng).permutation(N));
    counters = r.counters;
    if (r.trainerState) trainerState.log_history = r.trainerState.log_history.filter((e) => (e.step ?? 0) <= globalStep);
    resumedFrom = globalStep;
    say(`resumed from ${dir} at step ${globalStep}`);
  }

  // ---- sinks ----
  const consoleSink = new ConsoleSink({ totalSteps, stream: o.console });
  const stateSink = new TrainerStateSink(trainerState, out);
  const sinks: MetricsSink[] = [consoleSink, stateSink];
  if (c.report_to.includes("jsonl")) sinks.push(new JsonlSink(out, { resumeFromStep: resumedFrom }));
  if (c.report_to.includes("tensorboard")) sinks.push(new TensorboardSink(path.join(out, "runs")));
  const log = new MultiSink(sinks);
  const metrics = new MetricsAccumulator();
  const t0 = performance.now() / 1000 - counters.wall_seconds;
  const elapsed = (): number => performance.now() / 1000 - t0;
  let lastLog = { time: elapsed(), pairs: pairsSeen, tokens: counters.tokens_seen };
  let lastEval: EvalMetrics | null = null, bestEvalAccuracy = -Infinity, lossSum = 0, lossSteps = 0;
  let lastCheckpoint: string | null = latestCheckpoint(out);
  const evalEvery = c.eval_strategy === "steps" ? (c.eval_steps ?? c.logging_steps) : 0;
  const evaluate = async (): Promise<void> => {
    if (!o.eval || o.eval.length === 0) return;
    const m = await evaluatePairs(graph, batcher, o.eval, c.per_device_eval_batch_size);
    lastEval = m;
    bestEvalAccuracy = Math.max(bestEvalAccuracy, m.eval_accuracy);
    const { eval_pairs: _pairs, ...record } = m;
    log.write(globalStep, { ...record, epoch: pairsSeen / N, elapsed_seconds: elapsed() }, "eval");
  };
  if (resumedFrom === undefined) await evaluate(); // the starting point of the eval curve

  try {
    while (globalStep < totalSteps) {
      // ---- learning rate, batches of this optimizer step ----
      const lr = learningRateAt(schedule, globalStep);
      if (batchInEpoch >= batchesPerEpoch) {
        epoch++;
        batchInEpoch = 0;
        epochRng = rng.state();
        perm = epochOrder(rng.permutation(N));
        if (c.eval_strategy === "epoch") await evaluate();
      }
      const left = batchesPerEpoch - batchInEpoch;
      // the last update of an epoch takes the leftover micro-batches too (updatesPerEpoch = floor(batches / ga))
      const micro = left < 2 * c.gradient_accumulation_steps ? left : c.gradient_accumulation_steps;
      // ---- forward / backward, accumulated ----
      graph.zeroGrads();
      let stepLoss = 0;
      for (let m = 0; m < micro; m++) {
        const lo = batchInEpoch * c.per_device_train_batch_size;
        const pairs: TokenizedPair[] = [];
        for (let i = lo; i < Math.min(N, lo + c.per_device_train_batch_size); i++) pairs.push(o.train.pair(perm[i] as number));
        const batch = batcher.build(pairs);
        const r = await graph.step(batch);
        const bm = pairBatchMetrics(r.chosen, r.rejected);
        metrics.append("train", { loss: r.loss, accuracy: bm.accuracy, margin: bm.margin, min_reward: bm.min_reward,
          mean_reward: bm.mean_reward, max_reward: bm.max_reward });
        stepLoss += r.loss / micro;
        counters.tokens_seen += batch.tokens;
        counters.tokens_computed += batch.computedTokens;
        pairsSeen += pairs.length;
        batchInEpoch++;
      }
      if (micro > 1) for (let i = 0; i < graph.grads.length; i++) graph.grads[i] = (graph.grads[i] as number) / micro;
      // ---- clip, AdamW ----
      const gradNorm = await optimizer.gradNorm(graph.grads);
      if (!Number.isFinite(stepLoss) || !Number.isFinite(gradNorm)) {
        const what = `${Number.isFinite(stepLoss) ? "gradient norm" : "loss"} is ${Number.isFinite(stepLoss) ? gradNorm : stepLoss} at step ${globalStep + 1}`;
        if (!c.skip_nonfinite) {
          throw new NonFiniteError(`${what}; stopped`, undefined,
            `${lastCheckpoint ? `the last good checkpoint is ${lastCheckpoint}; ` : ""}lower --learning-rate, or pass --skip-nonfinite to skip such steps`);
        }
        counters.skipped_nonfinite_steps++;
        say(`warning: ${what}; step skipped (${counters.skipped_nonfinite_steps} so far)`);
      } else {
        await optimizer.adamw(graph.params, graph.grads, opt, { lr, beta1: c.adam_beta1, beta2: c.adam_beta2, eps: c.adam_epsilon, weightDecay: c.weight_decay },
          groups, clipScale(gradNorm, c.max_grad_norm));
        lossSum += stepLoss;
        lossSteps++;
      }
      globalStep++;
      trainerState.global_step = globalStep;
      trainerState.epoch = pairsSeen / N;
      trainerState.num_input_tokens_seen = counters.tokens_seen;
      consoleSink.progress(globalStep);

      // ---- log ----
      if (globalStep % c.logging_steps === 0 || globalStep === totalSteps) {
        const now = elapsed(), dt = Math.max(1e-9, now - lastLog.time);
        log.write(globalStep, {
          ...metrics.average("train"), grad_norm: gradNorm, learning_rate: learningRateAt(schedule, globalStep), epoch: pairsSeen / N,
          pairs_per_second: (pairsSeen - lastLog.pairs) / dt, tokens_per_second: (counters.tokens_seen - lastLog.tokens) / dt,
          elapsed_seconds: now, num_tokens: counters.tokens_seen,
        }, "train");
        lastLog = { time: now, pairs: pairsSeen, tokens: counters.tokens_seen };
      }
      // ---- eval ----
      if (evalEvery > 0 && globalStep % evalEvery === 0 && globalStep !== totalSteps) await evaluate();
      // ---- checkpoint ----
      if (c.save_steps > 0 && globalStep % c.save_steps === 0) {
        counters.wall_seconds = elapsed();
        const training = {
          format_version: 1 as const, global_step: globalStep, epoch: pairsSeen / N, rng: rng.state(),
          scheduler: { type: schedule.type, base_lr: schedule.baseLr, num_warmup_steps: schedule.numWarmupSteps,
            num_training_steps: schedule.numTrainingSteps, last_step: globalStep },
          data: { epoch, batch_in_epoch: batchInEpoch, pairs_seen: pairsSeen, epoch_rng: epochRng },
        };
        lastCheckpoint = await saveCheckpointDir(out, globalStep, (dir) => writeCheckpoint(dir, {
          graph, lora, baseModel: o.baseModelDir ?? o.modelSource, optimizer: opt, training, trainerState, counters,
        }), { saveTotalLimit: c.save_total_limit });
      }
    }
    await evaluate(); // at the end, always (when there is an eval split)

    // ---- final save, records ----
    const wallSeconds = elapsed();
    counters.wall_seconds = wallSeconds;
    const trainLoss = lossSum / Math.max(1, lossSteps);
    stateSink.write(globalStep, { ...trainSummary({ runtimeSeconds: wallSeconds, numSamples: pairsSeen, numSteps: globalStep,
      totalFlos: 0, trainLoss }), epoch: pairsSeen / N }, "train");
    const finalDir = path.join(out, "final");
    rmSync(finalDir, { recursive: true, force: true });
    const saveDtype = c.save_dtype === "bf16" ? "bfloat16" : "float32";
    saveTrained(finalDir, graph, lora, o.baseModelDir ?? o.modelSource, saveDtype);
    let mergedDir: string | null = null;
    if (lora) {
      mergedDir = path.join(out, "final-merged");
      rmSync(mergedDir, { recursive: true, force: true });
      if (releasedBase) model.reloadWeights(baseDir);
      const baseScore = Float32Array.from(model.weights.get("score.weight"));
      const base = Float32Array.from(model.weights.data);
      mergeLoraInto(model.weights, loadPeftAdapter(finalDir), model.modelType);
      model.save(mergedDir, { dtype: saveDtype });
      model.weights.data.set(base); // leave the caller's model as it was
      model.weights.get("score.weight").set(baseScore);
    }
    const meanRowTokens = counters.tokens_seen / Math.max(1, 2 * pairsSeen);
    const loraParams = graph.loraWeights ? graph.loraWeights.numel - scoreParams : 0;
    const ev = lastEval as EvalMetrics | null;
    const baselines = o.eval && o.eval.length > 0 ? lengthBaselines(o.eval) : null;
    writeRunJson(out, {
      name: o.name ?? path.basename(path.resolve(out)), model_type: model.modelType, model: o.modelSource, config: configSummary(model),
      lora: lora !== null, layout: c.layout, group_by_length: c.group_by_length,
      params_total: baseParams + loraParams, params_trainable: graph.params.length,
      flops_per_token: flopsPerToken(model, meanRowTokens, lora ? { params: loraParams } : null),
      tokens_seen: counters.tokens_seen, tokens_computed: counters.tokens_computed, pairs_seen: pairsSeen, steps: globalStep, wall_seconds: wallSeconds,
      pairs_per_second: pairsSeen / wallSeconds, tokens_per_second: counters.tokens_seen / wallSeconds,
      peak_rss_bytes: process.resourceUsage().maxRSS * 1024, skipped_nonfinite_steps: counters.skipped_nonfinite_steps,
      final_eval_loss: ev?.eval_loss ?? null, final_eval_accuracy: ev?.eval_accuracy ?? null,
      best_eval_accuracy: Number.isFinite(bestEvalAccuracy) ? bestEvalAccuracy : null,
      length_baseline_longer: baselines?.longer ?? null, length_baseline_shorter: baselines?.shorter ?? null,
      eval_pairs: o.eval?.length ?? 0, train_pairs: N,
    });
    return { globalStep, finalDir, mergedDir, lastEval: ev, trainLoss, wallSeconds, skippedSteps: counters.skipped_nonfinite_steps };
  } finally {
    log.close();
    await optimizer.close();
    await graph.release();
  }
}

/** The weight-init stream of `seed`: Rng(seed)'s state words remixed (murmur3's finalizer over word ^ tag). */
function weightInitRng(seed: number): Rng {
  const mix = (x: number): number => {
    let z = (x ^ 0x696e6974) >>> 0; // "init"
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  const s = new Rng(seed).state().s.map(mix) as [number, number, number, number];
  if (s.every((w) => w === 0)) s[0] = 1;
  return Rng.fromState({ algorithm: "xoshiro128**", s });
}

/** A pair longer than the position table would fail deep inside onnxruntime (a Gather out of range): say so here. */
function checkFitsPositions(model: RewardModel, set: PairSet, what: string): void {
  let longest = 0;
  for (let i = 0; i < set.length; i++) {
    const p = set.pair(i);
    longest = Math.max(longest, p.input_ids_chosen.length, p.input_ids_rejected.length);
  }
  if (longest > model.maxPositions) {
    throw new InputError(`the ${what} set has a sequence of ${longest} tokens, the model takes at most ${model.maxPositions} positions`,
      undefined, `prepare the data with --max-length ${model.maxPositions} or less`);
  }
}
