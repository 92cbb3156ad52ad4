// What a training checkpoint holds besides the directory mechanics of checkpoint-dir.ts: the trained tensors
// (full model as save_pretrained writes it, or the PEFT adapter), AdamW moments, scheduler / RNG / data position,
// trainer_state.json and rewardlab's own counters (tokens seen, skipped steps, wall time), and reading all of it back.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { CheckpointError } from "../errors.js";
import { openSafetensorsCheckpoint, readTensorF32 } from "../models/index.js";
import { loadPeftAdapter, peftAdapterConfig, savePeftAdapter, type LoraSettings } from "../models/index.js";
import type { AdamWState } from "./adamw.js";
import { readOptimizerState, readTrainingState, writeOptimizerState, writeTrainingState, type TrainingState } from "./checkpoint-state.js";
import { readTrainerState, writeTrainerState, TRAINER_STATE_NAME, type TrainerState } from "./log/trainer-state.js";
import type { TrainingGraph } from "./train-graph.js";

export const COUNTERS_NAME = "rewardlab_counters.json";

export interface RunCounters {
  tokens_seen: number;
  /** token positions the forward passes computed (prefix-shared rows compute a shared prompt once); FLOP/s use these */
  tokens_computed: number;
  skipped_nonfinite_steps: number;
  wall_seconds: number;
}

export interface CheckpointContents {
  readonly graph: TrainingGraph;
  readonly lora: LoraSettings | null;
  readonly baseModel: string | null;
  readonly optimizer: AdamWState;
  readonly training: TrainingState;
  readonly trainerState: TrainerState;
  readonly counters: RunCounters;
}

/** Writes the trained tensors: a PEFT adapter folder (LoRA, float32) or config.json + model.safetensors. */
export function saveTrained(dir: string, graph: TrainingGraph, lora: LoraSettings | null, baseModel: string | null,
  dtype: "float32" | "bfloat16" = "float32"): void {
  if (lora && graph.loraWeights) {
    const w = graph.loraWeights;
    savePeftAdapter(dir, peftAdapterConfig(graph.model.modelType, lora, baseModel),
      w.specs.map((s) => ({ name: s.name, shape: s.shape, data: w.get(s.name) })));
  } else {
    graph.model.save(dir, { dtype });
  }
}

export function writeCheckpoint(dir: string, c: CheckpointContents): void {
  saveTrained(dir, c.graph, c.lora, c.baseModel);
  writeOptimizerState(dir, c.optimizer);
  writeTrainingState(dir, c.training);
  writeTrainerState(dir, c.trainerState);
  writeFileSync(path.join(dir, COUNTERS_NAME), `${JSON.stringify(c.counters, null, 2)}\n`);
}

export interface ResumedState {
  readonly optimizer: AdamWState;
  readonly training: TrainingState;
  readonly trainerState: TrainerState | null;
  readonly counters: RunCounters;
}

/** Loads a checkpoint's tensors into the graph's buffers and returns the rest of the state. */
export function readCheckpoint(dir: string, graph: TrainingGraph): ResumedState {
  if (graph.loraWeights) {
    const w = graph.loraWeights;
    const adapter = loadPeftAdapter(dir);
    const missing = w.specs.filter((s) => adapter.tensors.get(s.name)?.data.length !== w.get(s.name).length).map((s) => s.name);
    if (missing.length > 0) {
      throw new CheckpointError(`adapter lacks or mis-sizes ${missing.join(", ")}`, { file: dir }, "resume with the same LoRA settings the run was started with");
    }
    for (const s of w.specs) w.get(s.name).set((adapter.tensors.get(s.name) as { data: Float32Array }).data);
  } else {
    const files = openSafetensorsCheckpoint(dir);
    if (!files) throw new CheckpointError("checkpoint has no model.safetensors", { file: dir });
    const w = graph.model.weights;
    for (const name of w.names) {
      const f = files.find((x) => x.tensors.has(name));
      if (!f) throw new CheckpointError(`checkpoint lacks tensor ${name}`, { file: dir }, "resume with the model the run was started with");
      readTensorF32(f, name, w.get(name));
    }
  }
  const optimizer = readOptimizerState(dir, graph.params.length);
  const training = readTrainingState(dir);
  const tsFile = path.join(dir, TRAINER_STATE_NAME);
  const trainerState = existsSync(tsFile) ? readTrainerState(tsFile) : null;
  let counters: RunCounters = { tokens_seen: 0, tokens_computed: 0, skipped_nonfinite_steps: 0, wall_seconds: 0 };
  const cf = path.join(dir, COUNTERS_NAME);
  if (existsSync(cf)) counters = { ...counters, ...(JSON.parse(readFileSync(cf, "utf8")) as Partial<RunCounters>) };
  return { optimizer, training, trainerState, counters };
}
