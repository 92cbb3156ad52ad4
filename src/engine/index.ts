// Public surface of src/engine: graph IR → autodiff → ONNX → onnxruntime-node, with a float64 reference.
// Other layers import only from this file.
//
// How a model uses it (legend: B batch, T tokens, C channels, V vocab):
//
//   import { Graph, gradients, isTrainable, leafName, OrtExecutor, float32, int64 } from "../engine/index.js";
//   const g = new Graph();
//   const ids = g.input("input_ids", ["B", "T"], "int64");                     // symbolic dims: any B, T per run
//   const wte = g.param("transformer.wte.weight", [V, C]);                      // params are fed by name each run
//   const lnW = g.param("ln_f.weight", [C]), lnB = g.param("ln_f.bias", [C]);
//   const w = g.param("score.weight", [1, C]);
//   let x = g.gather(wte, ids);                                                 // [B, T, C]
//   x = g.layerNorm(x, lnW, lnB, 1e-5);                                         // [B, T, C]
//   const r = g.reshape(g.matmul(x, g.transpose(w, [1, 0])), ["B", "T"]);      // [B, T]
//   const loss = g.reduceMean(g.softplus(g.neg(r)), [0, 1]);                    // []
//   g.output("loss", loss);
//   const params = g.params().filter(isTrainable);
//   gradients(g, loss, params).forEach((d, i) => g.output(`grad:${leafName(params[i]!)}`, d));
//   const ex = await OrtExecutor.create(g);                                     // once; reused for every step
//   const out = await ex.run({ input_ids: int64([2, 5], ids), "transformer.wte.weight": wteTensor, ... });
//   ... read out.loss.data and the gradients; drop the references before the next run ...
//   await ex.release();
//
// Symbolic dims: a dim is a number, a symbol ("B") or a product ("B*T", "2*B"); reshape and expand targets may use
// them, and executors bind each symbol from the fed tensors (a mismatch is a RangeError naming both dims).
// Frozen weights (LoRA base): g.param(name, shape, { trainable: false }), leave them out of `wrt` (no gradient, no
// weight-gradient matmul is built), and pass them once as `initializers` to OrtExecutor.create: they become
// session initializers read from our buffers as in-memory external data (no copy into the model, no 2 GB cap).
// Embedding gradients: gradientsRowSparse(g, loss, wrt, [wte]) returns rows [N, C] + indices [N]; add them into a
// persistent [V, C] buffer with scatterAddRows instead of shipping a dense [V, C] gradient (154 MB) each step.
// Tests and parity checks use InterpExecutor (float64) through the same Executor interface, or interpretF64.
// Outputs of OrtExecutor.run are fresh typed arrays owned by the caller (onnxruntime-node 1.30 fills a
// pre-allocated output but still returns a new array, no faster: a 256 MB output took 35 ms either way; its
// Tensor.dispose() on CPU data only drops a reference): copy what you keep and
// drop the rest before the next run, so that bin/launch.js's allocator settings can hand the same memory back.
// Attention tip (measured, bench/engine.ts): scale q rather than the [B, H, T, T] scores and mask with an additive
// bias rather than where() over the scores; each full pass over the scores costs about as much as a small matmul.

// tensors
export type { DType, Tensor, TensorData, TensorDataMap, F64Tensor } from "./tensor.js";
export { DTYPES, tensor, float32, int32, int64, bool, sizeOf, at, toF64, fromF64, allocData } from "./tensor.js";
// shapes
export type { Dim, Shape } from "./shape.js";
export { dimEq, shapeEq, fmtShape, normDim } from "./shape.js";
// graph IR and op table
export type { Node, Attrs, AttrValue, ParamOptions, LeafOp } from "./ir.js";
export { Graph, leafName, isTrainable } from "./ir.js";
export type { OpDef, OpName } from "./ops/index.js";
export { OPS, OP_NAMES } from "./ops/index.js";
// blockwise quantization for matmulNBits
export type { NBits, QuantizedMatrix } from "./quant.js";
export { NBITS, NBITS_BLOCK_SIZES, checkNBits, quantizeNBits, dequantizeNBits, nbitsCodeDims, kBlocks } from "./quant.js";
// autodiff
export type { RowGrad, GradientOptions } from "./autodiff.js";
export { gradients, gradientsRowSparse } from "./autodiff.js";
export { scatterAddRows } from "./rows.js";
export { segmentsOf, recomputeActivations } from "./checkpoint.js";
export { sinksInBuildOrder } from "./schedule.js";
// executors
export type { Executor, ExecutorOptions } from "./executor.js";
export { InterpExecutor, interpretF64 } from "./interp/executor.js";
export type { OrtExecutorOptions } from "./ort/executor.js";
export { OrtExecutor } from "./ort/executor.js";
export type { OnnxModel } from "./onnx/model.js";
export type { ToOnnxOptions, ExternalFile } from "./onnx/writer.js";
export { toOnnx } from "./onnx/model.js";
