// The reward graph of a model (inputs → rewards [B, K]) and the feeds of a batch. The trainer builds on the same
// graph: it adds its loss to `rewards` and asks the engine for gradients.
// Legend: B batch, T tokens, K pooled positions per row.
import { Graph, int64, tensor, type Node, type Tensor } from "../engine/index.js";
import { INPUT_NAMES, ordinaryBatch, paramLookup, rewardInputs, type RewardInputs } from "./layers.js";
import { SEQ_CLS_MODULES_TO_SAVE } from "./lora.js";
import { QuantGraph, type QuantSettings } from "./quantized-base.js";
import type { ModelConfig, ModelDef } from "./registry.js";
import type { Weights } from "./weights.js";

export interface RewardGraph {
  readonly graph: Graph;
  readonly inputs: RewardInputs;
  /** rewards [B, K], also graph output "rewards" */
  readonly rewards: Node;
}

export interface RewardGraphOptions {
  /** false freezes a parameter (no gradient; can be baked into the session); default every parameter trainable */
  readonly trainable?: (name: string) => boolean;
  /** frozen linear weights run quantized (QuantGraph); the score head stays fp32 */
  readonly quant?: QuantSettings;
}

export function buildRewardGraph(def: ModelDef, config: ModelConfig, weights: Weights, opts: RewardGraphOptions = {}): RewardGraph {
  const graph = opts.quant ? new QuantGraph(opts.quant, SEQ_CLS_MODULES_TO_SAVE) : new Graph();
  const inputs = rewardInputs(graph);
  const p = paramLookup(graph, weights.specs, opts.trainable);
  const rewards = graph.output("rewards", def.forward(graph, config, inputs, p));
  return { graph, inputs, rewards };
}

/** Every parameter as a tensor viewing the Weights store (no copy). */
export function weightFeeds(weights: Weights, names: readonly string[] = weights.names): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const name of names) out[name] = tensor("float32", weights.shape(name), weights.get(name));
  return out;
}

/** The four data feeds of plain rows (one text per row, right padding) and the batch's B and T. */
export function batchFeeds(def: ModelDef, config: ModelConfig, rows: readonly (readonly number[])[], padId: number):
  { feeds: Record<string, Tensor>; B: number; T: number } {
  const b = ordinaryBatch(rows, padId);
  const positions = def.positionIds(config, b.attentionMask, b.B, b.T);
  const feeds: Record<string, Tensor> = {
    [INPUT_NAMES.inputIds]: tensor("int64", [b.B, b.T], b.inputIds),
    [INPUT_NAMES.positionRows]: int64([b.B, b.T], positions),
    [INPUT_NAMES.attentionBias]: tensor("float32", [b.B, 1, b.T, b.T], b.attentionBias),
    [INPUT_NAMES.poolIndex]: tensor("int64", [b.B, 1], b.poolIndex),
  };
  return { feeds, B: b.B, T: b.T };
}
