// Float64 kernels: what each op means, as plain loops over Float64Array (the reference the ORT path is tested
// against). Dims in attrs ("shape", "end") arrive resolved to numbers. Integer and bool tensors are numbers here.
import type { Attrs } from "../ir.js";
import { boolAttr, dimAttr, dimsAttr, dtypeAttr, intsAttr, numAttr, reduceAxes } from "../ops/shapes.js";
import { normAxis } from "../shape.js";
import { sizeOf, type F64Tensor } from "../tensor.js";

export type F64Kernel = (inputs: readonly F64Tensor[], attrs: Attrs) => F64Tensor;

export function strides(dims: readonly number[]): number[] {
  const s = new Array<number>(dims.length).fill(1);
  for (let i = dims.length - 2; i >= 0; i--) s[i] = (s[i + 1] as number) * (dims[i + 1] as number);
  return s;
}

function arg(inputs: readonly F64Tensor[], i: number): F64Tensor {
  const t = inputs[i];
  if (t === undefined) throw new RangeError(`kernel input ${i} missing`);
  return t;
}

/** Numpy broadcast of concrete dims. */
export function broadcastDims(all: readonly (readonly number[])[]): number[] {
  const rank = Math.max(...all.map((d) => d.length));
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    let d = 1;
    for (const dims of all) {
      const e = dims[dims.length - rank + i] ?? 1;
      if (e === 1) continue;
      if (d !== 1 && d !== e) throw new RangeError(`cannot broadcast [${all.map((x) => x.join(",")).join("] with [")}]`);
      d = e;
    }
    out.push(d);
  }
  return out;
}

/** For each flat index of `out`, the flat index of the broadcast input element. */
export function broadcastMap(out: readonly number[], dims: readonly number[]): Int32Array {
  const n = sizeOf(out);
  const map = new Int32Array(n);
  const pad = out.length - dims.length;
  const inStrides = strides(dims);
  const outStrides = strides(out);
  for (let i = 0; i < n; i++) {
    let j = 0;
    for (let a = 0; a < out.length; a++) {
      const coord = Math.floor(i / (outStrides[a] as number)) % (out[a] as number);
      if (a >= pad && dims[a - pad] !== 1) j += coord * (inStrides[a - pad] as number);
    }
    map[i] = j;
  }
  return map;
}

export function unary(f: (x: number) => number): F64Kernel {
  return (inputs) => {
    const x = arg(inputs, 0);
    return { dims: x.dims, data: x.data.map(f) };
  };
}

export function binary(f: (a: number, b: number) => number): F64Kernel {
  return (inputs) => {
    const a = arg(inputs, 0);
    const b = arg(inputs, 1);
    const dims = broadcastDims([a.dims, b.dims]);
    const ma = broadcastMap(dims, a.dims);
    const mb = broadcastMap(dims, b.dims);
    const data = new Float64Array(ma.length);
    for (let i = 0; i < data.length; i++) data[i] = f(a.data[ma[i] as number] as number, b.data[mb[i] as number] as number);
    return { dims, data };
  };
}

const GELU_K = Math.sqrt(2 / Math.PI);
export const geluF64 = unary((x) => 0.5 * x * (1 + Math.tanh(GELU_K * (x + 0.044715 * x * x * x))));
export const softplusF64 = unary((x) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x))));
export const sigmoidF64 = unary((x) => 1 / (1 + Math.exp(-x)));

export const whereF64: F64Kernel = (inputs) => {
  const [c, a, b] = [arg(inputs, 0), arg(inputs, 1), arg(inputs, 2)];
  const dims = broadcastDims([c.dims, a.dims, b.dims]);
  const [mc, ma, mb] = [broadcastMap(dims, c.dims), broadcastMap(dims, a.dims), broadcastMap(dims, b.dims)];
  const data = new Float64Array(mc.length);
  for (let i = 0; i < data.length; i++) {
    data[i] = (c.data[mc[i] as number] as number) !== 0 ? (a.data[ma[i] as number] as number) : (b.data[mb[i] as number] as number);
  }
  return { dims, data };
};

export const expandF64: F64Kernel = (inputs, attrs) => {
  const x = arg(inputs, 0);
  const dims = broadcastDims([x.dims, dimsAttr(attrs, "shape") as number[]]);
  const m = broadcastMap(dims, x.dims);
  return { dims, data: Float64Array.from(m, (j) => x.data[j] as number) };
};

export const castF64: F64Kernel = (inputs, attrs) => {
  const x = arg(inputs, 0);
  const to = dtypeAttr(attrs, "to");
  const f = to === "bool" ? (v: number) => (v !== 0 ? 1 : 0) : to === "float32" ? (v: number) => v : Math.trunc;
  return { dims: x.dims, data: x.data.map(f) };
};

export const fillF64: F64Kernel = (_inputs, attrs) => {
  const dims = dimsAttr(attrs, "shape") as number[];
  return { dims, data: new Float64Array(sizeOf(dims)).fill(numAttr(attrs, "value")) };
};

/** Views x as [outer, n, inner] around axis. */
function around(dims: readonly number[], axis: number): [number, number, number] {
  return [sizeOf(dims.slice(0, axis)), dims[axis] as number, sizeOf(dims.slice(axis + 1))];
}

export function reduceF64(kind: "sum" | "mean" | "max"): F64Kernel {
  return (inputs, attrs) => {
    const x = arg(inputs, 0);
    const axes = reduceAxes(x.dims.length, attrs);
    const keep = boolAttr(attrs, "keepdims");
    const outKeep = x.dims.map((d, i) => (axes.includes(i) ? 1 : d));
    const m = broadcastMap(x.dims, outKeep);
    const data = new Float64Array(sizeOf(outKeep)).fill(kind === "max" ? -Infinity : 0);
    for (let i = 0; i < x.data.length; i++) {
      const j = m[i] as number;
      data[j] = kind === "max" ? Math.max(data[j] as number, x.data[i] as number) : (data[j] as number) + (x.data[i] as number);
    }
    const count = x.data.length / Math.max(data.length, 1);
    if (kind === "mean") for (let i = 0; i < data.length; i++) data[i] = (data[i] as number) / count;
    return { dims: keep ? outKeep : x.dims.filter((_, i) => !axes.includes(i)), data };
  };
}

/** Index of the largest value along axis; the first one on ties (as ONNX ArgMax with select_last_index 0). */
export const argMaxF64: F64Kernel = (inputs, attrs) => {
  const x = arg(inputs, 0);
  const axis = normAxis(numAttr(attrs, "axis"), x.dims.length);
  const [outer, n, inner] = around(x.dims, axis);
  const data = new Float64Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < inner; k++) {
      let best = 0;
      for (let j = 1; j < n; j++) if ((x.data[(o * n + j) * inner + k] as number) > (x.data[(o * n + best) * inner + k] as number)) best = j;
      data[o * inner + k] = best;
    }
  }
  const dims = boolAttr(attrs, "keepdims") ? x.dims.map((d, i) => (i === axis ? 1 : d)) : x.dims.filter((_, i) => i !== axis);
  return { dims, data };
};

export const cumsumF64: F64Kernel = (inputs, attrs) => {
  const x = arg(inputs, 0);
  const [outer, n, inner] = around(x.dims, normAxis(numAttr(attrs, "axis"), x.dims.length));
  const reverse = boolAttr(attrs, "reverse");
  const data = new Float64Array(x.data.length);
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < inner; k++) {
      let acc = 0;
      for (let s = 0; s < n; s++) {
        const j = reverse ? n - 1 - s : s;
        const i = (o * n + j) * inner + k;
        acc += x.data[i] as number;
        data[i] = acc;
      }
    }
  }
  return { dims: x.dims, data };
};

export const reshapeF64: F64Kernel = (inputs, attrs) => {
  const x = arg(inputs, 0);
  const target = dimsAttr(attrs, "shape") as number[];
  const known = sizeOf(target.filter((d) => d !== -1));
  return { dims: target.map((d) => (d === -1 ? x.data.length / known : d)), data: x.data };
};

export const transposeF64: F64Kernel = (inputs, attrs) => {
  const x = arg(inputs, 0);
  const perm = intsAttr(attrs, "perm");
  const dims = perm.map((p) => x.dims[p] as number);
  const inStrides = strides(x.dims);
  const outStrides = strides(dims);
  const data = new Float64Array(x.data.length);
  for (let i = 0; i < data.length; i++) {
    let j = 0;
    for (let a = 0; a < dims.length; a++) {
      j += (Math.floor(i / (outStrides[a] as number)) % (dims[a] as number)) * (inStrides[perm[a] as number] as number);
    }
    data[i] = x.data[j] as number;
  }
  return { dims, data };
};

export const sliceF64: F64Kernel = (inputs, attrs) => {
  const x = arg(inputs, 0);
  const axis = normAxis(numAttr(attrs, "axis"), x.dims.length);
  const [outer, n, inner] = around(x.dims, axis);
  const clamp = (v: number): number => Math.min(Math.max(v < 0 ? v + n : v, 0), n);
  const start = clamp(numAttr(attrs, "start"));
  const len = Math.max(0, clamp(dimAttr(attrs, "end") as number) - start);
  const data = new Float64Array(outer * len * inner);
  for (let o = 0; o < outer; o++) data.set(x.data.subarray((o * n + start) * inner, (o * n + start + len) * inner), o * len * inner);
  return { dims: x.dims.map((d, i) => (i === axis ? len : d)), data };
};

export const concatF64: F64Kernel = (inputs, attrs) => {
  const x = arg(inputs, 0);
  const axis = normAxis(numAttr(attrs, "axis"), x.dims.length);
  const total = inputs.reduce((s, t) => s + (t.dims[axis] as number), 0);
  const dims = x.dims.map((d, i) => (i === axis ? total : d));
  const [outer, , inner] = around(dims, axis);
  const data = new Float64Array(sizeOf(dims));
  let offset = 0;
  for (const t of inputs) {
    const n = t.dims[axis] as number;
    for (let o = 0; o < outer; o++) data.set(t.data.subarray(o * n * inner, (o + 1) * n * inner), (o * total + offset) * inner);
    offset += n;
  }
  return { dims, data };
};

export function compareF64(f: (a: number, b: number) => boolean): F64Kernel {
  return binary((a, b) => (f(a, b) ? 1 : 0));
}
