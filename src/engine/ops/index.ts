// The op table: one row per op, one column per facet (shape and dtype rules, gradient rule, ONNX emitter,
// float64 kernel). The set is small and closed; `satisfies` makes the compiler check every column of every row.
// To add an op: a row here → shape rule (shapes.ts) → f64 kernel (interp/) → gradient rule (grad.ts) → emitter (onnx/).
//
// sin and cos exist for rotary position embeddings: the angles are computed in the graph from the position input,
// so prefix-shared rows (positions that restart) need no table and no extra input.
//
// matmulNBits is onnxruntime's com.microsoft.MatMulNBits: x times a frozen weight stored as 4- or 8-bit blockwise codes
// (quant.ts). With accuracy_level 4 onnxruntime runs it on int8 dot products, faster than its fp32 MatMul at our shapes
// (bench/quant.ts); QLoRA's frozen base uses it.
//
// after(x, ...deps) is x, computed only once every dep is: it orders work that onnxruntime would otherwise
// schedule too early or too late (schedule.ts, checkpoint.ts).
//
// Composites. gelu is one op: ONNX Gelu-20 (approximate "tanh") runs as one fused kernel in ORT, where the
// primitive chain costs ~8 passes over the [B, T, 4C] activation, and its f64 definition is one line. Its gradient
// is built from primitives (ORT's inference build has no GeluGrad). Attention and layer-norm statistics are not
// ops of their own: attention is matmul/softmax (ORT's matmul is where the time goes), layerNorm is one op because
// ONNX LayerNormalization is a fused kernel; its gradient recomputes the statistics from primitives.
import * as G from "../grad.js";
import type { Attrs, Graph, Node } from "../ir.js";
import * as E from "../onnx/emit.js";
import type { OnnxWriter } from "../onnx/writer.js";
import * as K from "../interp/kernels.js";
import * as NN from "../interp/kernels-nn.js";
import type { Shape } from "../shape.js";
import type { DType, F64Tensor } from "../tensor.js";
import * as S from "./shapes.js";

export interface OpDef {
  shape(inputs: readonly Shape[], attrs: Attrs): Shape; // throws ShapeProblem → ShapeError
  dtype(inputs: readonly DType[], attrs: Attrs): DType;
  grad(g: Graph, node: Node, dOut: Node): readonly (G.GradFn | null)[]; // one entry per input; null = no gradient
  onnx(w: OnnxWriter, node: Node): void;
  f64(inputs: readonly F64Tensor[], attrs: Attrs): F64Tensor;
}

const unaryFloat = { shape: S.unaryShape, dtype: S.floatDtype };
const binaryNum = { shape: S.broadcastShape, dtype: S.numericDtype };
const compare = { shape: S.broadcastShape, dtype: S.compareDtype, grad: G.noGrad };

export const OPS = {
  matmul: { shape: S.matmulShape, dtype: S.floatDtype, grad: G.dMatmul, onnx: E.emitSimple("MatMul"), f64: NN.matmulF64 },
  matmulNBits: { shape: S.matmulNBitsShape, dtype: S.matmulNBitsDtype, grad: G.dMatmulNBits, onnx: E.emitMatMulNBits, f64: NN.matmulNBitsF64 },
  add: { ...binaryNum, grad: G.dAdd, onnx: E.emitSimple("Add"), f64: K.binary((a, b) => a + b) },
  sub: { ...binaryNum, grad: G.dSub, onnx: E.emitSimple("Sub"), f64: K.binary((a, b) => a - b) },
  mul: { ...binaryNum, grad: G.dMul, onnx: E.emitSimple("Mul"), f64: K.binary((a, b) => a * b) },
  div: { shape: S.broadcastShape, dtype: S.floatDtype, grad: G.dDiv, onnx: E.emitSimple("Div"), f64: K.binary((a, b) => a / b) },
  pow: { shape: S.broadcastShape, dtype: S.floatDtype, grad: G.dPow, onnx: E.emitSimple("Pow"), f64: K.binary(Math.pow) },
  neg: { shape: S.unaryShape, dtype: S.numericDtype, grad: G.dNeg, onnx: E.emitSimple("Neg"), f64: K.unary((x) => -x) },
  sqrt: { ...unaryFloat, grad: G.dSqrt, onnx: E.emitSimple("Sqrt"), f64: K.unary(Math.sqrt) },
  sin: { ...unaryFloat, grad: G.dSin, onnx: E.emitSimple("Sin"), f64: K.unary(Math.sin) },
  cos: { ...unaryFloat, grad: G.dCos, onnx: E.emitSimple("Cos"), f64: K.unary(Math.cos) },
  tanh: { ...unaryFloat, grad: G.dTanh, onnx: E.emitSimple("Tanh"), f64: K.unary(Math.tanh) },
  relu: { ...unaryFloat, grad: G.dRelu, onnx: E.emitSimple("Relu"), f64: K.unary((x) => Math.max(x, 0)) },
  exp: { ...unaryFloat, grad: G.dExp, onnx: E.emitSimple("Exp"), f64: K.unary(Math.exp) },
  log: { ...unaryFloat, grad: G.dLog, onnx: E.emitSimple("Log"), f64: K.unary(Math.log) },
  sigmoid: { ...unaryFloat, grad: G.dSigmoid, onnx: E.emitSimple("Sigmoid"), f64: K.sigmoidF64 },
  softplus: { ...unaryFloat, grad: G.dSoftplus, onnx: E.emitSimple("Softplus"), f64: K.softplusF64 },
  gelu: { ...unaryFloat, grad: G.dGelu, onnx: E.emitGelu, f64: K.geluF64 },
  softmax: { shape: S.lastAxisShape, dtype: S.floatDtype, grad: G.dSoftmax, onnx: E.emitSoftmax, f64: NN.softmaxF64 },
  layerNorm: { shape: S.layerNormShape, dtype: S.floatDtype, grad: G.dLayerNorm, onnx: E.emitLayerNorm, f64: NN.layerNormF64 },
  reduceSum: { shape: S.reduceShape, dtype: S.numericDtype, grad: G.dReduceSum, onnx: E.emitReduce("ReduceSum"), f64: K.reduceF64("sum") },
  reduceMean: { shape: S.reduceShape, dtype: S.floatDtype, grad: G.dReduceMean, onnx: E.emitReduce("ReduceMean"), f64: K.reduceF64("mean") },
  reduceMax: { shape: S.reduceShape, dtype: S.numericDtype, grad: G.dReduceMax, onnx: E.emitReduce("ReduceMax"), f64: K.reduceF64("max") },
  argMax: { shape: S.argMaxShape, dtype: S.argMaxDtype, grad: G.noGrad, onnx: E.emitArgMax, f64: K.argMaxF64 },
  reshape: { shape: S.reshapeShape, dtype: S.anyDtype, grad: G.dReshape, onnx: E.emitReshape, f64: K.reshapeF64 },
  transpose: { shape: S.transposeShape, dtype: S.anyDtype, grad: G.dTranspose, onnx: E.emitTranspose, f64: K.transposeF64 },
  slice: { shape: S.sliceShape, dtype: S.anyDtype, grad: G.dSlice, onnx: E.emitSlice, f64: K.sliceF64 },
  concat: { shape: S.concatShape, dtype: S.anyDtype, grad: G.dConcat, onnx: E.emitConcat, f64: K.concatF64 },
  gather: { shape: S.gatherShape, dtype: S.gatherDtype, grad: G.dGather, onnx: E.emitGather, f64: NN.gatherF64 },
  gatherElements: { shape: S.gatherElementsShape, dtype: S.gatherDtype, grad: G.dGatherElements, onnx: E.emitGatherElements, f64: NN.gatherElementsF64 },
  where: { shape: S.whereShape, dtype: S.whereDtype, grad: G.dWhere, onnx: E.emitSimple("Where"), f64: K.whereF64 },
  cast: { shape: S.unaryShape, dtype: S.castDtype, grad: G.dCast, onnx: E.emitCast, f64: K.castF64 },
  expand: { shape: S.expandShape, dtype: S.anyDtype, grad: G.dExpand, onnx: E.emitExpand, f64: K.expandF64 },
  cumsum: { shape: S.unaryShape, dtype: S.cumsumDtype, grad: G.dCumsum, onnx: E.emitCumsum, f64: K.cumsumF64 },
  equal: { ...compare, onnx: E.emitSimple("Equal"), f64: K.compareF64((a, b) => a === b) },
  less: { ...compare, onnx: E.emitSimple("Less"), f64: K.compareF64((a, b) => a < b) },
  greater: { ...compare, onnx: E.emitSimple("Greater"), f64: K.compareF64((a, b) => a > b) },
  after: { shape: S.afterShape, dtype: S.firstDtype, grad: G.dAfter, onnx: E.emitAfter, f64: (inputs) => inputs[0] as F64Tensor },
  fill: { shape: S.fillShape, dtype: S.fillDtype, grad: G.noGrad, onnx: E.emitFill, f64: K.fillF64 },
  scatterAdd: { shape: S.scatterAddShape, dtype: S.scatterDtype, grad: G.dScatterAdd, onnx: E.emitScatterAdd, f64: NN.scatterAddF64 },
  scatterElementsAdd: { shape: S.scatterElementsShape, dtype: S.scatterDtype, grad: G.dScatterElementsAdd, onnx: E.emitScatterElementsAdd, f64: NN.scatterElementsAddF64 },
} satisfies Record<string, OpDef>;

export type OpName = keyof typeof OPS;
export const OP_NAMES = Object.keys(OPS) as OpName[];
