// Where a training step's time goes, by op kind, from onnxruntime's own profiler; and the machine's matmul peak.
//
// onnxruntime-node 1.30 profiles a session when it is created with `enableProfiling: true` and a
// `profileFilePrefix`; it writes a chrome-trace JSON file "<prefix>_<date>_<time>.json" that is complete once the
// session is released (the node binding's endProfiling() returns nothing, so the file is found by its prefix).
// Each node run is an event {cat: "Node", name: "<node>_kernel_time", dur (µs), args: {op_name, input_type_shape}};
// each session run is {cat: "Session", name: "model_run", ts, dur}.
//
// Buckets: matmul (MatMul, FusedMatMul, Gemm with a weight operand), attention (Softmax and its gradient, and the
// matmuls whose two operands are both activations of rank ≥ 3: q·kᵀ, probs·v and their gradients, told apart by
// their input shapes because the engine names ONNX nodes "<OpType>_<index>", not by layer), norms (LayerNorm and
// its gradient, fused skip-LayerNorms), elementwise (everything else ORT runs). optimizer (clip + AdamW), data
// (batch building) and other (session overhead: a run's wall time minus its nodes' time, gradient copies) are
// timed on the JS side.
import { mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { float32, Graph, OrtExecutor } from "../engine/index.js";
import { InputError } from "../errors.js";
import { LORA_DEFAULT_TARGETS, type RewardModel } from "../models/index.js";
import { adamwState, paramGroups } from "./adamw.js";
import { createPairBatcher, hasMargins, type PairSet } from "./batches.js";
import { clipScale } from "./clip.js";
import type { RewardConfig } from "./config.js";
import { OptimizerThreads } from "./optimizer-threads.js";
import { TrainingGraph } from "./train-graph.js";
import { Rng } from "./rng.js";

export type OpKind = "matmul" | "attention" | "norms" | "elementwise";
export type TimeKind = OpKind | "optimizer" | "data" | "other";
export const TIME_KINDS: readonly TimeKind[] = ["matmul", "attention", "norms", "elementwise", "optimizer", "data", "other"];

/** One node execution in an onnxruntime profile. */
export interface OrtNodeEvent {
  readonly node: string;
  readonly opType: string;
  readonly tsUs: number;
  readonly durUs: number;
  readonly inputShapes: readonly (readonly number[])[];
}

/** One InferenceSession.run in an onnxruntime profile. */
export interface OrtRunEvent {
  readonly tsUs: number;
  readonly durUs: number;
}

export interface OrtProfile {
  readonly nodes: readonly OrtNodeEvent[];
  readonly runs: readonly OrtRunEvent[];
}

const MATMULS = new Set(["MatMul", "FusedMatMul", "Gemm", "MatMulNBits"]);
const ATTENTION = new Set(["Softmax", "SoftmaxGrad", "SoftmaxGrad_13", "BiasSoftmax", "Attention", "MultiHeadAttention"]);
const NORMS = /LayerNorm|LayerNormalization/;

/** The bucket of one node: matmul, attention, norms or elementwise (see the header for the rules). */
export function opKindOf(e: Pick<OrtNodeEvent, "opType" | "inputShapes">): OpKind {
  if (ATTENTION.has(e.opType)) return "attention";
  if (NORMS.test(e.opType)) return "norms";
  if (MATMULS.has(e.opType)) {
    const [a, b] = e.inputShapes;
    // weight matmuls have a 2-D operand ([B,T,C]·[C,N], dX = dY·Wᵀ, dW = Xᵀ·dY flattened); attention's are both batched
    return a !== undefined && b !== undefined && a.length >= 3 && b.length >= 3 ? "attention" : "matmul";
  }
  return "elementwise";
}

/** Parses onnxruntime's chrome-trace profile text. */
export function parseOrtProfile(text: string, file: string): OrtProfile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new InputError(`onnxruntime profile is not valid JSON: ${(e as Error).message}`, { file });
  }
  if (!Array.isArray(raw)) throw new InputError("expected a JSON array of trace events", { file });
  const nodes: OrtNodeEvent[] = [], runs: OrtRunEvent[] = [];
  for (const ev of raw as unknown[]) {
    if (typeof ev !== "object" || ev === null) continue;
    const o = ev as { cat?: unknown; name?: unknown; ts?: unknown; dur?: unknown; args?: { op_name?: unknown; input_type_shape?: unknown } };
    if (typeof o.ts !== "number" || typeof o.dur !== "number" || typeof o.name !== "string") continue;
    if (o.cat === "Session" && o.name === "model_run") runs.push({ tsUs: o.ts, durUs: o.dur });
    if (o.cat !== "Node" || !o.name.endsWith("_kernel_time") || typeof o.args?.op_name !== "string") continue;
    nodes.push({ node: o.name.slice(0, -"_kernel_time".length), opType: o.args.op_name, tsUs: o.ts, durUs: o.dur, inputShapes: shapesOf(o.args.input_type_shape) });
  }
  return { nodes, runs };
}

// input_type_shape: [{"float": [4096, 768]}, {"int64": [2]}, ...]
function shapesOf(v: unknown): number[][] {
  if (!Array.isArray(v)) return [];
  return v.map((entry) => {
    const dims = typeof entry === "object" && entry !== null ? Object.values(entry as Record<string, unknown>)[0] : undefined;
    return Array.isArray(dims) ? dims.filter((d): d is number => typeof d === "number") : [];
  });
}

/** Reads the profile a session wrote under `prefix` (the newest "<prefix>_*.json"). */
export function readOrtProfile(prefix: string): OrtProfile {
  const dir = path.dirname(prefix), base = path.basename(prefix);
  const files = readdirSync(dir).filter((f) => f.startsWith(`${base}_`) && f.endsWith(".json")).sort();
  const file = files.at(-1);
  if (file === undefined) throw new InputError(`onnxruntime wrote no profile "${base}_*.json"`, { file: dir }, "the session must be created with enableProfiling and released");
  return parseOrtProfile(readFileSync(path.join(dir, file), "utf8"), path.join(dir, file));
}

/** Seconds per op kind of the node events inside the given runs (e.g. all runs but the warm-up). */
export function opSecondsByKind(profile: OrtProfile, runs: readonly OrtRunEvent[] = profile.runs): Record<OpKind, number> {
  const out: Record<OpKind, number> = { matmul: 0, attention: 0, norms: 0, elementwise: 0 };
  for (const n of profile.nodes) {
    if (!runs.some((r) => n.tsUs >= r.tsUs && n.tsUs <= r.tsUs + r.durUs)) continue;
    out[opKindOf(n)] += n.durUs / 1e6;
  }
  return out;
}

/** Matmul throughput of this machine through the engine: [M, K]·[K, N], median of `runs` timed runs after one warm-up. */
export async function measureMatmulPeak(opts: { M?: number; K?: number; N?: number; runs?: number; threads?: number } = {}): Promise<{ gflops: number; seconds: number[] }> {
  const M = opts.M ?? 4096, K = opts.K ?? 768, N = opts.N ?? 3072, runs = opts.runs ?? 5;
  const g = new Graph();
  const a = g.input("a", [M, K], "float32");
  const w = g.param("w", [K, N]);
  g.output("y", g.matmul(a, w));                                           // [M, N]
  const fill = (n: number): Float32Array => Float32Array.from({ length: n }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5);
  const feeds = { a: float32([M, K], fill(M * K)), w: float32([K, N], fill(K * N)) };
  const ex = await OrtExecutor.create(g, opts.threads !== undefined ? { intraOpThreads: opts.threads } : {});
  const seconds: number[] = [];
  try {
    await ex.run(feeds);
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      await ex.run(feeds);
      seconds.push((performance.now() - t0) / 1000);
    }
  } finally {
    await ex.release();
  }
  const sorted = [...seconds].sort((x, y) => x - y);
  const median = sorted[Math.floor(sorted.length / 2)] as number;
  return { gflops: (2 * M * K * N) / median / 1e9, seconds };
}

/** A fresh folder for one profiled session's trace; the returned prefix goes to profileFilePrefix. */
export function profilePrefix(dir: string): string {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return path.join(dir, "ort");
}

export interface StepProfile {
  /** profiled optimizer steps (after one warm-up step that is not counted) */
  readonly steps: number;
  /** seconds per kind, summed over the profiled steps */
  readonly timeByKind: Record<TimeKind, number>;
  readonly seconds: number;
  readonly pairs: number;
  readonly tokens: number;
}

/**
 * Runs `steps` + 1 training steps as the trainer does (TrainingGraph with the session profiled, the optimizer's
 * threads) on pairs drawn like the trainer's first epoch, and splits their time by kind; the first step warms up
 * and is not counted. The trained values are put back afterwards: the model is left as it was.
 */
export async function profileTrainingSteps(model: RewardModel, c: RewardConfig, set: PairSet, steps: number, traceDir: string): Promise<StepProfile | null> {
  if (steps < 1 || set.length === 0) return null;
  const hasMargin = hasMargins(set);
  const prefix = profilePrefix(traceDir);
  const initRng = new Rng(c.seed);
  const lora = c.use_lora ? { r: c.lora_r, alpha: c.lora_alpha, dropout: c.lora_dropout,
    targetModules: c.lora_target_modules ?? [...(LORA_DEFAULT_TARGETS[model.modelType] ?? [])] } : undefined;
  const graph = await TrainingGraph.create(model, { lora, hasMargin, centerRewardsCoefficient: c.center_rewards_coefficient, threads: c.threads,
    uniform: () => initRng.next(), trainSessionOptions: { enableProfiling: true, profileFilePrefix: prefix } });
  const optimizer = OptimizerThreads.start(c.threads ?? undefined);
  const before = Float32Array.from(graph.params);
  const opt = adamwState(graph.params.length), groups = paramGroups(graph.tensors, c.weight_decay);
  const batcher = createPairBatcher(c.layout, model.def, model.config, model.padTokenId, hasMargin);
  const perm = new Rng(c.seed).permutation(set.length), B = c.per_device_train_batch_size;
  const t: Record<TimeKind, number> = { matmul: 0, attention: 0, norms: 0, elementwise: 0, optimizer: 0, data: 0, other: 0 };
  let stepSeconds = 0, pairs = 0, tokens = 0;
  try {
    for (let step = 0; step <= steps; step++) {
      const counted = step > 0; // step 0 warms up the session's allocations
      let t0 = performance.now();
      const batchPairs = [];
      for (let k = 0; k < B; k++) batchPairs.push(set.pair(perm[(step * B + k) % set.length] as number));
      const batch = batcher.build(batchPairs);
      const tData = performance.now() - t0;
      t0 = performance.now();
      graph.zeroGrads();
      await graph.step(batch);
      const tStep = performance.now() - t0;
      t0 = performance.now();
      const norm = await optimizer.gradNorm(graph.grads);
      await optimizer.adamw(graph.params, graph.grads, opt, { lr: c.learning_rate, beta1: c.adam_beta1, beta2: c.adam_beta2, eps: c.adam_epsilon,
        weightDecay: c.weight_decay }, groups, clipScale(norm, c.max_grad_norm));
      const tOpt = performance.now() - t0;
      if (!counted) continue;
      t.data += tData / 1000;
      t.optimizer += tOpt / 1000;
      stepSeconds += tStep / 1000;
      pairs += batch.pairs;
      tokens += batch.tokens;
    }
  } finally {
    graph.params.set(before);
    await optimizer.close();
    await graph.release();
  }
  const profile = readOrtProfile(prefix);
  const ops = opSecondsByKind(profile, profile.runs.slice(1));
  const opTotal = ops.matmul + ops.attention + ops.norms + ops.elementwise;
  Object.assign(t, ops);
  t.other += Math.max(0, stepSeconds - opTotal); // session overhead (feeds, outputs, scheduling) and gradient copies
  const seconds = TIME_KINDS.reduce((s, k) => s + t[k], 0);
  return { steps, timeByKind: t, seconds, pairs, tokens };
}
