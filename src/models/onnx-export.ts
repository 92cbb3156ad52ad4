// The inference graph of a reward model as Hugging Face exporters ship it: inputs input_ids and attention_mask
// [B, T] (int64), output logits [B, 1], weights stored in the model (or in one external data file when large). The
// reward graph's own inputs (positions, attention bias, pooled token) are computed inside the graph from the two
// inputs exactly as transformers computes them:
//   positions:  the model's position rule, probed on the CPU rule (positionIds): GPT-2 numbers every slot
//               (arange(T), padding included); OPT numbers the real tokens (cumsum(mask) - 1, padding at 0), both
//               then mapped to rows of the position table (OPT's +2 offset) through that same rule.
//   bias:       query i sees key j when j <= i and mask[j] = 1 (float32 min elsewhere, as transformers' eager path).
//   pooling:    the rightmost token that is not pad_token_id: argmax(arange(T) · (input_ids != pad)).
// Legend: B batch, T tokens, L positions in the model's table.
import { Graph, tensor, toOnnx, type Node, type OnnxModel, type ToOnnxOptions } from "../engine/index.js";
import { MASKED, paramLookup, type RewardInputs } from "./layers.js";
import type { RewardModel } from "./reward-model.js";

export const ONNX_INPUTS = { inputIds: "input_ids", attentionMask: "attention_mask" } as const;
export const ONNX_OUTPUT = "logits";

/** The inference graph: input_ids, attention_mask [B, T] int64 → logits [B, 1]; parameters as graph params. */
export function inferenceGraph(model: RewardModel): Graph {
  const { def, config } = model;
  const g = new Graph();
  const ids = g.input(ONNX_INPUTS.inputIds, ["B", "T"], "int64");
  const mask = g.input(ONNX_INPUTS.attentionMask, ["B", "T"], "int64");
  const slot = g.sub(g.cumsum(g.fill(["B", "T"], 1, "int64"), 1), g.scalar(1, "int64"));          // [B, T]: t
  // the position table: row of position id p, from the model's own rule on an all-real row of L tokens
  const L = model.maxPositions;
  const table = g.constant(def.positionIds(config, new Uint8Array(L).fill(1), 1, L), [L], "int64");
  // does the rule number padding slots (GPT-2) or only real tokens (OPT)? ask it about one pad before one token
  const countsPadding = def.positionIds(config, [0, 1], 1, 2)[1] === def.positionIds(config, [1, 1], 1, 2)[1];
  const positionIds = countsPadding ? slot : g.mul(mask, g.sub(g.cumsum(mask, 1), g.scalar(1, "int64")));
  const positionRows = g.gather(table, positionIds);                                              // [B, T]
  const later = g.less(g.reshape(slot, ["B", "T", 1]), g.reshape(slot, ["B", 1, "T"]));           // [B, T, T]: j > i
  const seen = g.mul(g.sub(g.scalar(1), g.cast(later, "float32")), g.reshape(g.cast(mask, "float32"), ["B", 1, "T"]));
  const attentionBias = g.reshape(g.mul(g.sub(g.scalar(1), seen), g.scalar(MASKED)), ["B", 1, "T", "T"]);
  const notPad = g.sub(g.scalar(1, "int64"), g.cast(g.equal(ids, g.scalar(model.padTokenId, "int64")), "int64"));
  const poolIndex = g.argMax(g.cast(g.mul(slot, notPad), "float32"), 1, true);                     // [B, 1]
  const x: RewardInputs = { inputIds: ids, positionRows, attentionBias, poolIndex };
  const logits: Node = def.forward(g, config, x, paramLookup(g, model.weights.specs, () => false)); // [B, 1]
  g.output(ONNX_OUTPUT, logits);
  return g;
}

/** The ONNX model of the inference graph with every weight baked in, stored as `storage` says. */
export function inferenceOnnx(model: RewardModel, storage: ToOnnxOptions["initializerStorage"]): OnnxModel {
  const w = model.weights;
  const initializers = Object.fromEntries(w.names.map((n) => [n, tensor("float32", w.shape(n), w.get(n))]));
  return toOnnx(inferenceGraph(model), { initializers, initializerStorage: storage ?? "inline" });
}
