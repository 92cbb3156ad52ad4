// The training graph of a reward model, built once: reward forward → pair split → TRL loss → gradients of the
// trainable parameters. Trainable parameters, their gradients and AdamW moments are flat Float32Arrays allocated
// once, with every tensor a named view (llm.c). Full fine-tuning trains the model's own Weights buffer; LoRA trains
// a small buffer of adapters + the score head and bakes the frozen base weights into the session.
// The token-embedding gradient leaves the session as rows + ids (row-sparse) and is scattered into its view.
// Legend: P pairs, V vocab, C channels.
import os from "node:os";
import {
  gradientsRowSparse, recomputeActivations, segmentsOf, sinksInBuildOrder, InterpExecutor, isTrainable, leafName, OrtExecutor, scatterAddRows, tensor, Graph,
  type Executor, type Node, type OrtExecutorOptions, type Tensor,
} from "../engine/index.js";
import { paramLookup, rewardInputs, Weights, type ParamSpec, type RewardModel } from "../models/index.js";
import {
  initLoraParams, loraParamSpecs, loraTargets, LoraGraph, quantizedBaseTensors, type LoraSettings, type LoraTarget, type QuantSettings,
} from "../models/index.js";
import { sharedFloat32 } from "./adamw.js";
import { marginInput, pairwiseLoss, splitRewards } from "./pairwise-loss.js";
import type { PairBatch } from "./batches.js";

export type ExecutorKind = "ort" | "interp";

export interface TrainingGraphOptions {
  /** LoRA settings; undefined = full fine-tuning */
  readonly lora?: LoraSettings;
  /** LoRA only: the frozen base's linear weights run quantized (load_in_8bit / load_in_4bit) */
  readonly quant?: { readonly bits: QuantSettings["bits"]; readonly blockSize: number };
  /** where the quantized base is cached (the run's output_dir); undefined = not cached */
  readonly quantCacheDir?: string;
  /** with quant: release the model's fp32 weights (model.releaseWeights) once the quantized base is built, before
   *  onnxruntime's session, so they and the session never share the peak */
  readonly releaseBase?: boolean;
  /** recompute each block's activations in the backward pass instead of keeping them (gradient_checkpointing) */
  readonly gradientCheckpointing?: boolean;
  readonly hasMargin: boolean;
  readonly centerRewardsCoefficient: number | null;
  readonly executor?: ExecutorKind;
  /** onnxruntime intra-op threads; default all cores */
  readonly threads?: number | null;
  /** uniform [0, 1) source for LoRA A init; default Math.random (the trainer draws from a stream of its seed kept apart from the data order) */
  readonly uniform?: () => number;
  /** onnxruntime session option overrides for the training session (measurements, bench/train.ts --peak) */
  readonly trainSessionOptions?: OrtExecutorOptions["sessionOptions"];
}

/** A named view of the flat trainable buffers. */
export interface TrainableTensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly offset: number;
  readonly length: number;
}

export interface StepResult {
  readonly loss: number;
  readonly chosen: Float32Array;
  readonly rejected: Float32Array;
}

/**
 * Embedding tables, token and position: used only through gather, so their gradient comes out row-sparse and is
 * summed in JS, row by row in a fixed order. As a dense gradient, onnxruntime's scatter-add over repeated ids (every
 * position repeats in each row of a batch) summed in a different order from run to run on 2 threads: two steps on
 * the same batch gave different transformer.wpe.weight gradients, and the default study's accuracy moved by ~2
 * points between runs of the same build. The Llama family's token table also skips a dense [V, C] output that way
 * (Qwen2.5-0.5B: 136M floats per step).
 */
const EMBEDDING_TABLES = new Set(["transformer.wte.weight", "transformer.wpe.weight", "model.decoder.embed_tokens.weight",
  "model.decoder.embed_positions.weight", "model.embed_tokens.weight"]);

export class TrainingGraph {
  /** trainable values, one buffer (full fine-tuning: the model's Weights.data itself) */
  readonly params: Float32Array;
  /** gradient accumulator, same layout as params, on a SharedArrayBuffer (the optimizer's worker threads read it) */
  readonly grads: Float32Array;
  /** set by zeroGrads(): the next step() stores its dense gradients instead of adding them to zeros */
  private gradsAreZero = false;
  private evalEx: Promise<Executor> | null = null;
  readonly tensors: readonly TrainableTensor[];
  /** LoRA only: adapters + score, as a Weights over `params` */
  readonly loraWeights: Weights | null;
  readonly loraTargets: readonly LoraTarget[];

  private constructor(
    readonly model: RewardModel,
    private readonly trainEx: Executor,
    /** makes the forward-only session on the first evaluate(): a run without eval never holds a second copy of the
     *  baked frozen base (LoRA on Qwen2.5-0.5B: two sessions of ~2 GB of initializers each, plus their prepacked copies) */
    private readonly makeEval: () => Promise<Executor>,
    store: { params: Float32Array; tensors: TrainableTensor[]; lora: Weights | null; targets: LoraTarget[] },
    private readonly dense: readonly TrainableTensor[],
    private readonly sparse: readonly TrainableTensor[],
    private readonly paramFeeds: Readonly<Record<string, Tensor>>,
    /** quantized base: whether it came from the run's cache (null: not quantized) */
    readonly quantizedBaseCached: boolean | null,
  ) {
    this.params = store.params;
    this.tensors = store.tensors;
    this.grads = sharedFloat32(store.params.length);
    this.loraWeights = store.lora;
    this.loraTargets = store.targets;
  }

  static async create(model: RewardModel, o: TrainingGraphOptions): Promise<TrainingGraph> {
    if (o.quant && !o.lora) throw new RangeError("quantized base weights need LoRA: a frozen base has nothing else to train");
    const specs = model.weights.specs;
    let g: Graph, store: { params: Float32Array; tensors: TrainableTensor[]; lora: Weights | null; targets: LoraTarget[] };
    let trainable: (name: string) => boolean;
    if (o.lora) {
      const targets = loraTargets(specs, model.modelType, o.lora);
      const loraSpecs: ParamSpec[] = [...loraParamSpecs(targets, o.lora.r), ...specs.filter((s) => s.name === "score.weight")];
      const lw = new Weights(loraSpecs);
      initLoraParams(lw, targets, o.uniform ?? Math.random);
      lw.get("score.weight").set(model.weights.get("score.weight"));
      g = new LoraGraph(targets, o.lora.r, o.lora.alpha / o.lora.r, o.quant ? { ...o.quant, backward: true } : null);
      store = { params: lw.data, tensors: viewsOf(lw), lora: lw, targets };
      trainable = (name) => name === "score.weight";
    } else {
      g = new Graph();
      store = { params: model.weights.data, tensors: viewsOf(model.weights), lora: null, targets: [] };
      trainable = () => true;
    }
    const inputs = rewardInputs(g);
    const rewards = model.def.forward(g, model.config, inputs, paramLookup(g, specs, trainable)); // [B, 1]
    const pair = splitRewards(g, rewards);
    const loss = pairwiseLoss(g, pair, { margin: o.hasMargin ? marginInput(g) : undefined, centerRewardsCoefficient: o.centerRewardsCoefficient });
    const quantized = g instanceof LoraGraph ? g : null;
    if (quantized) quantized.wrapping = false;
    g.output("loss", loss);
    g.output("chosen", pair.chosen);
    g.output("rejected", pair.rejected);

    const byName = new Map(store.tensors.map((t) => [t.name, t]));
    const forwardEnd = g.nodes.length;
    const wrt: Node[] = [], tables: Node[] = [];
    for (const p of g.params().filter(isTrainable)) (EMBEDDING_TABLES.has(leafName(p)) ? tables : wrt).push(p);
    const missing = store.tensors.filter((t) => g.leafByName(t.name) === undefined).map((t) => t.name);
    if (missing.length > 0) throw new RangeError(`training graph does not use trainable tensors: ${missing.join(", ")}`);
    const { grads, rows } = gradientsRowSparse(g, loss, wrt, tables);
    grads.forEach((d, i) => g.output(`grad:${leafName(wrt[i] as Node)}`, d));
    rows.forEach((r, i) => {
      g.output(`rows:${leafName(tables[i] as Node)}`, r.rows);
      g.output(`ids:${leafName(tables[i] as Node)}`, r.indices);
    });

    if (o.gradientCheckpointing) g = recomputeActivations(g, forwardEnd, segmentsOf(g, forwardEnd, blockIndex));
    g = sinksInBuildOrder(g, forwardEnd);
    const initializers: Record<string, Tensor> = {};
    // with a quantized base the frozen fp32 tensors left (embeddings, norms, biases) are copied, so that no view
    // pins the model's one buffer and the trainer can release it (QLoRA's memory saving)
    const frozen = (name: string): Float32Array => o.quant ? Float32Array.from(model.weights.get(name)) : model.weights.get(name);
    const quantizedNames = new Set(quantized?.quant ? quantized.quantized.keys() : []);
    for (const s of specs) if (!byName.has(s.name) && !quantizedNames.has(s.name)) initializers[s.name] = tensor("float32", s.shape, frozen(s.name));
    let quantizedBaseCached: boolean | null = null;
    if (quantized !== null && quantized.quant !== null) {
      const packed = quantizedBaseTensors(model.weights, [...quantized.quantized.values()], quantized.quant, o.quantCacheDir);
      Object.assign(initializers, packed.tensors); // the fp32 copies of the quantized weights are not in the graph
      quantizedBaseCached = packed.cached;
    }
    if (o.releaseBase && o.quant) model.releaseWeights();
    const paramFeeds: Record<string, Tensor> = {};
    for (const t of store.tensors) paramFeeds[t.name] = tensor("float32", t.shape, store.params.subarray(t.offset, t.offset + t.length));
    const make = (outputs: string[], sessionOptions?: OrtExecutorOptions["sessionOptions"]): Promise<Executor> => o.executor === "interp"
      ? InterpExecutor.create(g, { outputs, initializers })
      : OrtExecutor.create(g, { outputs, initializers, intraOpThreads: o.threads ?? os.availableParallelism(), sessionOptions });
    // Memory patterns off for the training session: gpt2 124M full fine-tuning, one step at 4 pairs × 2 × 512 tokens
    // (standard layout, bench/train.ts --peak, 2 loaded cores) peaked at 10,237 / 10,246 MiB RSS with them on and
    // 6,548 / 6,547 MiB off, at 20.6 / 21.9 vs 18.4 / 19.2 s per step (no slower); LoRA r=16 on c_attn, same step:
    // 8,074 → 5,148 MiB, 15.1 → 11.1 s; gpt2 2×128 on real pairs: forward+backward 106 / 92 vs 95 / 96 ms (noise).
    // The CPU arena stays on: off as well gave 8,084 MiB, arena off alone 11,330 MiB.
    // Spinning off as well: onnxruntime's pool threads otherwise spin after each run, on the cores the optimizer's
    // threads then need (gpt2 124M full fine-tuning, prefix-shared, 64 real pairs: 0.906 -> 0.940 pairs/s, CPU
    // seconds per step 8.19 -> 7.66).
    const trainEx = await make([...g.outputs.keys()], { enableMemPattern: false, extra: { session: { intra_op: { allow_spinning: "0" } } }, ...o.trainSessionOptions });
    const makeEval = (): Promise<Executor> => make(["loss", "chosen", "rejected"]);
    const dense = wrt.map((n) => byName.get(leafName(n)) as TrainableTensor);
    const sparse = tables.map((n) => byName.get(leafName(n)) as TrainableTensor);
    return new TrainingGraph(model, trainEx, makeEval, store, dense, sparse, paramFeeds, quantizedBaseCached);
  }

  /** Zeroes `grads` before an optimizer step's micro-batches. Only the embedding tables are written now: the first
   *  step() afterwards copies the dense gradients in rather than adding them to zeros (a pass saved). */
  zeroGrads(): void {
    for (const t of this.sparse) this.grads.fill(0, t.offset, t.offset + t.length);
    this.gradsAreZero = true;
  }

  /** Forward + backward of one micro-batch; its gradients are ADDED into `grads` (zeroGrads() per optimizer step). */
  async step(batch: PairBatch): Promise<StepResult> {
    const out = await this.trainEx.run({ ...batch.feeds, ...this.paramFeeds });
    for (const t of this.dense) {
      const d = out[`grad:${t.name}`]?.data as Float32Array;
      const g = this.grads.subarray(t.offset, t.offset + t.length);
      if (this.gradsAreZero) g.set(d);
      else for (let i = 0; i < g.length; i++) g[i] = (g[i] as number) + (d[i] as number);
    }
    this.gradsAreZero = false;
    for (const t of this.sparse) {
      const row = t.shape[1] as number;
      scatterAddRows(this.grads.subarray(t.offset, t.offset + t.length), row, out[`rows:${t.name}`] as Tensor, out[`ids:${t.name}`] as Tensor);
    }
    return result(out);
  }

  /** Forward only: loss and rewards. */
  async evaluate(batch: PairBatch): Promise<StepResult> {
    this.evalEx ??= this.makeEval();
    return result(await (await this.evalEx).run({ ...batch.feeds, ...this.paramFeeds }));
  }

  /** Copies trained LoRA score head back into the model (before merging / saving the full model). */
  syncScoreToModel(): void {
    if (this.loraWeights) this.model.weights.get("score.weight").set(this.loraWeights.get("score.weight"));
  }

  async release(): Promise<void> {
    await this.trainEx.release();
    const evalEx = this.evalEx;
    this.evalEx = null;
    await (await evalEx)?.release();
  }
}

/** The transformer block a parameter belongs to, from its HF name (gpt2 "transformer.h.3.", opt/llama "layers.3."). */
function blockIndex(name: string): number | null {
  const m = /\.(?:h|layers)\.(\d+)\./.exec(name);
  return m ? Number(m[1]) : null;
}

function result(out: Record<string, Tensor>): StepResult {
  return {
    loss: (out["loss"]?.data as Float32Array)[0] as number,
    chosen: Float32Array.from(out["chosen"]?.data as Float32Array),
    rejected: Float32Array.from(out["rejected"]?.data as Float32Array),
  };
}

function viewsOf(w: Weights): TrainableTensor[] {
  return w.specs.map((s) => ({ name: s.name, shape: s.shape, offset: w.offset(s.name), length: w.get(s.name).length }));
}
