// Shape and dtype rules of the op table. Rules throw ShapeProblem with what they expected and found; the graph
// builder turns it into a ShapeError naming the op, node id and every input shape.
import type { Attrs } from "../ir.js";
import {
  ShapeProblem, addDims, broadcastShapes, dimEq, divDims, fmtShape, normAxis, normDim, numel, type Dim, type Shape,
} from "../shape.js";
import type { DType } from "../tensor.js";

export type ShapeRule = (inputs: readonly Shape[], attrs: Attrs) => Shape;
export type DTypeRule = (inputs: readonly DType[], attrs: Attrs) => DType;

// ---- attribute readers (attrs are checked where they are read) ----

export function numAttr(attrs: Attrs, key: string, fallback?: number): number {
  const v = attrs[key] ?? fallback;
  if (typeof v !== "number" || !Number.isFinite(v)) throw new ShapeProblem(`attribute ${key} must be a number, got ${String(v)}`);
  return v;
}
export function boolAttr(attrs: Attrs, key: string, fallback = false): boolean {
  const v = attrs[key] ?? fallback;
  if (typeof v !== "boolean") throw new ShapeProblem(`attribute ${key} must be a boolean, got ${String(v)}`);
  return v;
}
export function dimsAttr(attrs: Attrs, key: string): readonly Dim[] {
  const v = attrs[key];
  if (!Array.isArray(v)) throw new ShapeProblem(`attribute ${key} must be an array of dims`);
  return v as readonly Dim[];
}
export function intsAttr(attrs: Attrs, key: string): readonly number[] {
  const v = dimsAttr(attrs, key);
  if (!v.every((x) => typeof x === "number" && Number.isInteger(x))) throw new ShapeProblem(`attribute ${key} must be integers`);
  return v as readonly number[];
}
export function dimAttr(attrs: Attrs, key: string): Dim {
  const v = attrs[key];
  if (typeof v !== "number" && typeof v !== "string") throw new ShapeProblem(`attribute ${key} must be a dim`);
  return v;
}
export function dtypeAttr(attrs: Attrs, key: string): DType {
  const v = attrs[key];
  if (v !== "float32" && v !== "int32" && v !== "int64" && v !== "bool") throw new ShapeProblem(`attribute ${key} must be a dtype, got ${String(v)}`);
  return v;
}

function first(inputs: readonly Shape[]): Shape {
  const s = inputs[0];
  if (s === undefined) throw new ShapeProblem("missing input");
  return s;
}
function arity(inputs: readonly unknown[], n: number): void {
  if (inputs.length !== n) throw new ShapeProblem(`expected ${n} inputs, got ${inputs.length}`);
}

// ---- shape rules ----

export const unaryShape: ShapeRule = (inputs) => (arity(inputs, 1), first(inputs));
export const broadcastShape: ShapeRule = (inputs) => broadcastShapes(inputs);
// after(x, ...deps) is x; x needs a dim, since its emitter passes x through a Reshape to its own shape
export const afterShape: ShapeRule = (inputs) => {
  const x = first(inputs);
  if (inputs.length < 2) throw new ShapeProblem("after needs a value and at least one tensor to wait for");
  if (x.length === 0) throw new ShapeProblem("after: the value must have at least one dim");
  return x;
};

export const matmulShape: ShapeRule = (inputs) => {
  arity(inputs, 2);
  const [a, b] = inputs as [Shape, Shape];
  if (a.length < 2 || b.length < 2) throw new ShapeProblem("both operands need rank >= 2");
  const k1 = a[a.length - 1] as Dim;
  const k2 = b[b.length - 2] as Dim;
  if (!dimEq(k1, k2)) throw new ShapeProblem(`inner dims differ`);
  const batch = broadcastShapes([a.slice(0, -2), b.slice(0, -2)]);
  return [...batch, a[a.length - 2] as Dim, b[b.length - 1] as Dim];
};

export const lastAxisShape: ShapeRule = (inputs) => {
  const x = unaryShape(inputs, {});
  if (x.length < 1) throw new ShapeProblem("needs rank >= 1");
  return x;
};

export const layerNormShape: ShapeRule = (inputs) => {
  arity(inputs, 3);
  const [x, w, b] = inputs as [Shape, Shape, Shape];
  const c = x[x.length - 1];
  if (c === undefined) throw new ShapeProblem("x needs rank >= 1");
  if (w.length !== 1 || b.length !== 1 || !dimEq(w[0] as Dim, c) || !dimEq(b[0] as Dim, c)) {
    throw new ShapeProblem(`weight and bias must be [${c}]`);
  }
  return x;
};

export function reduceAxes(rank: number, attrs: Attrs): number[] {
  const axes = intsAttr(attrs, "axes").map((a) => normAxis(a, rank));
  if (axes.length === 0) throw new ShapeProblem("axes must not be empty");
  if (new Set(axes).size !== axes.length) throw new ShapeProblem(`axes repeat: [${axes.join(",")}]`);
  return axes.sort((p, q) => p - q);
}
export const reduceShape: ShapeRule = (inputs, attrs) => {
  const x = unaryShape(inputs, attrs);
  const axes = reduceAxes(x.length, attrs);
  const keep = boolAttr(attrs, "keepdims");
  return x.flatMap((d, i) => (axes.includes(i) ? (keep ? [1] : []) : [d]));
};

export const argMaxShape: ShapeRule = (inputs, attrs) => {
  const x = unaryShape(inputs, attrs);
  const axis = normAxis(numAttr(attrs, "axis"), x.length);
  return boolAttr(attrs, "keepdims") ? x.map((d, i) => (i === axis ? 1 : d)) : x.filter((_, i) => i !== axis);
};

export const reshapeShape: ShapeRule = (inputs, attrs) => {
  const x = unaryShape(inputs, attrs);
  const target = dimsAttr(attrs, "shape");
  const holes = target.filter((d) => d === -1).length;
  if (holes > 1) throw new ShapeProblem(`target ${fmtShape(target)} has more than one -1`);
  const known = target.filter((d) => d !== -1);
  for (const d of known) if (typeof d === "number" && !(Number.isInteger(d) && d >= 0)) throw new ShapeProblem(`bad target dim ${d}`);
  if (holes === 1) {
    const rest = divDims(numel(x), numel(known));
    if (rest === undefined) throw new ShapeProblem(`cannot infer -1 in target ${fmtShape(target)}`);
    return target.map((d) => (d === -1 ? rest : d));
  }
  if (!dimEq(numel(x), numel(target))) throw new ShapeProblem(`target ${fmtShape(target)} has ${numel(target)} elements, input has ${numel(x)}`);
  return target;
};

export const transposeShape: ShapeRule = (inputs, attrs) => {
  const x = unaryShape(inputs, attrs);
  const perm = intsAttr(attrs, "perm");
  const ok = perm.length === x.length && [...perm].sort((a, b) => a - b).every((p, i) => p === i);
  if (!ok) throw new ShapeProblem(`perm [${perm.join(",")}] is not a permutation of ${x.length} axes`);
  return perm.map((p) => x[p] as Dim);
};

/** Start and length of a slice along a dim; symbolic only where the result is still plain. */
export function sliceRange(dim: Dim, startAttr: number, end: Dim): { start: number; len: Dim } {
  if (typeof dim === "number" && typeof end === "number") {
    const clamp = (v: number): number => Math.min(Math.max(v < 0 ? v + dim : v, 0), dim);
    const s = clamp(startAttr);
    return { start: s, len: Math.max(0, clamp(end) - s) };
  }
  if (startAttr === 0 && typeof end === "string") return { start: 0, len: normDim(end) };
  if (startAttr < 0 && dimEq(end, dim)) return { start: startAttr, len: -startAttr };
  if (startAttr >= 0 && typeof end === "number" && end >= startAttr) return { start: startAttr, len: end - startAttr };
  throw new ShapeProblem(`slice [${startAttr}:${end}] of dim ${dim} has no static length`);
}
export const sliceShape: ShapeRule = (inputs, attrs) => {
  const x = unaryShape(inputs, attrs);
  const axis = normAxis(numAttr(attrs, "axis"), x.length);
  const { len } = sliceRange(x[axis] as Dim, numAttr(attrs, "start"), dimAttr(attrs, "end"));
  return x.map((d, i) => (i === axis ? len : d));
};

export const concatShape: ShapeRule = (inputs, attrs) => {
  const x = first(inputs);
  const axis = normAxis(numAttr(attrs, "axis"), x.length);
  let total: Dim | undefined;
  for (const s of inputs) {
    if (s.length !== x.length || s.some((d, i) => i !== axis && !dimEq(d, x[i] as Dim))) {
      throw new ShapeProblem(`inputs differ outside axis ${axis}`);
    }
    const next: Dim | undefined = total === undefined ? s[axis] : addDims(total, s[axis] as Dim);
    if (next === undefined) throw new ShapeProblem(`cannot add dims ${total} and ${s[axis]} along axis ${axis}`);
    total = next;
  }
  return x.map((d, i) => (i === axis ? (total as Dim) : d));
};

export const gatherShape: ShapeRule = (inputs) => {
  arity(inputs, 2);
  const [table, ids] = inputs as [Shape, Shape];
  if (table.length < 1) throw new ShapeProblem("table needs rank >= 1");
  return [...ids, ...table.slice(1)];
};

export const gatherElementsShape: ShapeRule = (inputs, attrs) => {
  arity(inputs, 2);
  const [x, idx] = inputs as [Shape, Shape];
  const axis = normAxis(numAttr(attrs, "axis"), x.length);
  if (idx.length !== x.length || idx.some((d, i) => i !== axis && !dimEq(d, x[i] as Dim))) {
    throw new ShapeProblem(`indices must match x outside axis ${axis}`);
  }
  return idx;
};

export const expandShape: ShapeRule = (inputs, attrs) => broadcastShapes([unaryShape(inputs, attrs), dimsAttr(attrs, "shape")]);
export const fillShape: ShapeRule = (inputs, attrs) => (arity(inputs, 0), dimsAttr(attrs, "shape"));

export const scatterAddShape: ShapeRule = (inputs) => {
  arity(inputs, 3);
  const [base, ids, upd] = inputs as [Shape, Shape, Shape];
  const want = [...ids, ...base.slice(1)];
  if (base.length < 1 || upd.length !== want.length || upd.some((d, i) => !dimEq(d, want[i] as Dim))) {
    throw new ShapeProblem(`updates must be ${fmtShape(want)} (ids shape + base row shape)`);
  }
  return base;
};

export const scatterElementsShape: ShapeRule = (inputs, attrs) => {
  arity(inputs, 3);
  const [base, idx, upd] = inputs as [Shape, Shape, Shape];
  const axis = normAxis(numAttr(attrs, "axis"), base.length);
  if (idx.length !== base.length || idx.length !== upd.length || idx.some((d, i) => !dimEq(d, upd[i] as Dim))) {
    throw new ShapeProblem("indices and updates must have the same shape and base's rank");
  }
  if (idx.some((d, i) => i !== axis && !dimEq(d, base[i] as Dim))) throw new ShapeProblem(`indices must match base outside axis ${axis}`);
  return base;
};

export const whereShape: ShapeRule = (inputs) => (arity(inputs, 3), broadcastShapes(inputs));

// ---- dtype rules ----

function same(inputs: readonly DType[]): DType {
  const d = inputs[0];
  if (d === undefined) throw new ShapeProblem("missing input");
  if (inputs.some((x) => x !== d)) throw new ShapeProblem(`dtypes differ: ${inputs.join(" vs ")}`);
  return d;
}
export const floatDtype: DTypeRule = (inputs) => {
  const d = same(inputs);
  if (d !== "float32") throw new ShapeProblem(`expects float32, got ${d}`);
  return d;
};
export const numericDtype: DTypeRule = (inputs) => {
  const d = same(inputs);
  if (d === "bool" || d === "uint8") throw new ShapeProblem(`expects numbers, got ${d}`);
  return d;
};
export const anyDtype: DTypeRule = (inputs) => same(inputs);
export const firstDtype: DTypeRule = (inputs) => same(inputs.slice(0, 1));
export const compareDtype: DTypeRule = (inputs) => (numericDtype(inputs, {}), "bool");
export const argMaxDtype: DTypeRule = (inputs) => (numericDtype(inputs, {}), "int64");
export const castDtype: DTypeRule = (_inputs, attrs) => dtypeAttr(attrs, "to");
export const fillDtype: DTypeRule = (_inputs, attrs) => dtypeAttr(attrs, "dtype");
export const cumsumDtype: DTypeRule = numericDtype;

function isInt(d: DType | undefined): boolean {
  return d === "int32" || d === "int64";
}
export const gatherDtype: DTypeRule = (inputs) => {
  if (!isInt(inputs[1])) throw new ShapeProblem(`indices must be int32 or int64, got ${inputs[1]}`);
  return inputs[0] as DType;
};
export const scatterDtype: DTypeRule = (inputs) => {
  if (!isInt(inputs[1])) throw new ShapeProblem(`indices must be int32 or int64, got ${inputs[1]}`);
  return floatDtype([inputs[0] as DType, inputs[2] as DType], {});
};
export const whereDtype: DTypeRule = (inputs) => {
  if (inputs[0] !== "bool") throw new ShapeProblem(`condition must be bool, got ${inputs[0]}`);
  return same(inputs.slice(1));
};

// matmulNBits: x [..., K] · codes [N, kBlocks, blob] (+ scales [N, kBlocks]) → [..., N]; optionally the transposed
// copy codesT [K, ceil(N / blockSize), blob] + scalesT that the gradient of x multiplies by.
export const matmulNBitsShape: ShapeRule = (inputs, attrs) => {
  const [x, codes, scales] = inputs as [Shape, Shape, Shape];
  const K = numAttr(attrs, "K"), bits = numAttr(attrs, "bits"), blockSize = numAttr(attrs, "blockSize");
  if (inputs.length !== 3 && inputs.length !== 5) throw new ShapeProblem(`expects 3 or 5 inputs, got ${inputs.length}`);
  if (x.length < 2 || !dimEq(x[x.length - 1] as Dim, K)) throw new ShapeProblem(`x must end in K = ${K}`);
  const N = codes[0];
  if (typeof N !== "number") throw new ShapeProblem("packed weight dims must be numbers");
  const packed = (k: number, n: number): string => fmtShape([n, Math.ceil(k / blockSize), (blockSize * bits) / 8]);
  if (fmtShape(codes) !== packed(K, N) || fmtShape(scales) !== fmtShape([N, Math.ceil(K / blockSize)])) {
    throw new ShapeProblem(`packed weight must be ${packed(K, N)} with scales [${N},${Math.ceil(K / blockSize)}]`);
  }
  if (inputs.length === 5 && (fmtShape(inputs[3] as Shape) !== packed(N, K) || fmtShape(inputs[4] as Shape) !== fmtShape([K, Math.ceil(N / blockSize)]))) {
    throw new ShapeProblem(`transposed packed weight must be ${packed(N, K)} with scales [${K},${Math.ceil(N / blockSize)}]`);
  }
  return [...x.slice(0, -1), N];
};
export const matmulNBitsDtype: DTypeRule = (inputs) => {
  const want = ["float32", "uint8", "float32", "uint8", "float32"];
  inputs.forEach((d, i) => { if (d !== want[i]) throw new ShapeProblem(`input ${i} must be ${want[i]}, got ${d}`); });
  return "float32";
};
