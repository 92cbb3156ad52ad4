// ONNX emitters, one per op: the only place ONNX op names and opset details appear (opset 20, see writer.ts).
import type { Node } from "../ir.js";
import { boolAttr, dimAttr, dtypeAttr, intsAttr, numAttr, reduceAxes } from "../ops/shapes.js";
import { normAxis } from "../shape.js";
import type { DType } from "../tensor.js";
import { tensorProto, type OnnxWriter } from "./writer.js";

export type Emitter = (w: OnnxWriter, node: Node) => void;

const ONNX_TYPE: Record<DType, number> = { float32: 1, int32: 6, int64: 7, bool: 9, uint8: 2 };

export function emitSimple(opType: string): Emitter {
  return (w, n) => w.simple(n, opType);
}

export const emitGelu: Emitter = (w, n) => w.simple(n, "Gelu", { approximate: { str: "tanh" } }); // Gelu-20
export const emitSoftmax: Emitter = (w, n) => w.simple(n, "Softmax", { axis: { int: -1 } });
export const emitLayerNorm: Emitter = (w, n) =>
  w.simple(n, "LayerNormalization", { axis: { int: -1 }, epsilon: { float: numAttr(n.attrs, "eps") } }); // opset 17+

// com.microsoft.MatMulNBits (onnxruntime contrib op); inputs 3 and 4 (the transposed copy) are for the gradient only.
export const emitMatMulNBits: Emitter = (w, n) => {
  const [x, codes, scales] = n.inputs as [Node, Node, Node];
  const attrs = {
    K: { int: numAttr(n.attrs, "K") }, N: { int: codes.shape[0] as number }, bits: { int: numAttr(n.attrs, "bits") },
    block_size: { int: numAttr(n.attrs, "blockSize") }, accuracy_level: { int: numAttr(n.attrs, "accuracyLevel") },
  };
  w.emit("MatMulNBits", [w.name(x), w.name(codes), w.name(scales)], [w.name(n)], attrs, "com.microsoft");
};

// after(x, ...deps): a Reshape of x to its own shape, plus 0 for each dep. The dep's first element goes through
// Cast(bool) → Cast(int64) → ·0, so a NaN or huge value still gives 0 (a float ·0 would make NaN). onnxruntime
// cannot fold the shape away (it is computed from values), and its Reshape shares x's buffer: waiting costs no copy.
export const emitAfter: Emitter = (w, n) => {
  const [x, ...deps] = n.inputs as [Node, ...Node[]];
  let zero: string | undefined;
  for (const d of deps) {
    const flat = w.fresh("after_flat"), one = w.fresh("after_first"), b = w.fresh("after_bool"), i = w.fresh("after_int"), z = w.fresh("after_zero");
    w.emit("Reshape", [w.name(d), w.int64s([-1])], [flat]);
    w.emit("Slice", [flat, w.int64s([0]), w.int64s([1]), w.int64s([0])], [one]);
    w.emit("Cast", [one], [b], { to: { int: ONNX_TYPE.bool } });
    w.emit("Cast", [b], [i], { to: { int: ONNX_TYPE.int64 } });
    w.emit("Mul", [i, w.int64s([0])], [z]);
    if (zero === undefined) zero = z;
    else {
      const sum = w.fresh("after_sum");
      w.emit("Add", [zero, z], [sum]);
      zero = sum;
    }
  }
  const shape = w.fresh("after_shape"), target = w.fresh("after_target");
  w.emit("Shape", [w.name(x)], [shape]);
  w.emit("Add", [shape, zero as string], [target]);
  w.emit("Reshape", [w.name(x), target], [w.name(n)], { allowzero: { int: 1 } });
};

export function emitReduce(opType: "ReduceSum" | "ReduceMean" | "ReduceMax"): Emitter {
  return (w, n) => {
    const x = n.inputs[0] as Node;
    const axes = w.int64s(reduceAxes(x.shape.length, n.attrs));
    w.emit(opType, [w.name(x), axes], [w.name(n)], { keepdims: { int: boolAttr(n.attrs, "keepdims") ? 1 : 0 } });
  };
}

export const emitArgMax: Emitter = (w, n) =>
  w.simple(n, "ArgMax", { axis: { int: numAttr(n.attrs, "axis") }, keepdims: { int: boolAttr(n.attrs, "keepdims") ? 1 : 0 } });

// The target is the node's own (fully resolved) shape, so -1 never reaches ONNX; allowzero keeps a literal 0 a 0.
export const emitReshape: Emitter = (w, n) =>
  w.emit("Reshape", [w.name(n.inputs[0] as Node), w.shapeTensor(n.shape)], [w.name(n)], { allowzero: { int: 1 } });
export const emitExpand: Emitter = (w, n) => w.emit("Expand", [w.name(n.inputs[0] as Node), w.shapeTensor(n.shape)], [w.name(n)]);
export const emitTranspose: Emitter = (w, n) => w.simple(n, "Transpose", { perm: { ints: intsAttr(n.attrs, "perm") } });

export const emitSlice: Emitter = (w, n) => {
  const x = n.inputs[0] as Node;
  const axis = normAxis(numAttr(n.attrs, "axis"), x.shape.length);
  const start = w.int64s([numAttr(n.attrs, "start")]);
  const end = w.dimValue(dimAttr(n.attrs, "end"));
  w.emit("Slice", [w.name(x), start, end, w.int64s([axis])], [w.name(n)]);
};

export const emitConcat: Emitter = (w, n) => w.simple(n, "Concat", { axis: { int: normAxis(numAttr(n.attrs, "axis"), n.shape.length) } });
export const emitGather: Emitter = (w, n) => w.simple(n, "Gather", { axis: { int: 0 } });
export const emitGatherElements: Emitter = (w, n) => w.simple(n, "GatherElements", { axis: { int: numAttr(n.attrs, "axis") } });
export const emitCast: Emitter = (w, n) => w.simple(n, "Cast", { to: { int: ONNX_TYPE[dtypeAttr(n.attrs, "to")] } });

export const emitCumsum: Emitter = (w, n) => {
  const axis = w.int64s([numAttr(n.attrs, "axis")], []);
  w.emit("CumSum", [w.name(n.inputs[0] as Node), axis], [w.name(n)], { reverse: { int: boolAttr(n.attrs, "reverse") ? 1 : 0 } });
};

export const emitFill: Emitter = (w, n) => {
  const dtype = dtypeAttr(n.attrs, "dtype");
  const value = tensorProto("value", dtype, [1], Float64Array.of(numAttr(n.attrs, "value")));
  w.emit("ConstantOfShape", [w.shapeTensor(n.shape)], [w.name(n)], { value: { tensor: value } });
};

// ScatterND reads indices with a trailing index dim: ids [...I] → [...I, 1], int64 as ONNX requires.
export const emitScatterAdd: Emitter = (w, n) => {
  const [base, ids, upd] = n.inputs as [Node, Node, Node];
  let idx = w.name(ids);
  if (ids.dtype !== "int64") {
    const c = w.fresh("ids64");
    w.emit("Cast", [idx], [c], { to: { int: ONNX_TYPE.int64 } });
    idx = c;
  }
  const u = w.fresh("ids_nd");
  w.emit("Unsqueeze", [idx, w.int64s([-1])], [u]);
  w.emit("ScatterND", [w.name(base), u, w.name(upd)], [w.name(n)], { reduction: { str: "add" } });
};

export const emitScatterElementsAdd: Emitter = (w, n) =>
  w.simple(n, "ScatterElements", { axis: { int: numAttr(n.attrs, "axis") }, reduction: { str: "add" } });
