// Float64 kernels of the network ops: matmul, softmax, layer norm, and the index ops (gather and its scatters).
// Legend: M, K, N matmul dims; V table rows; R row size.
import type { Attrs } from "../ir.js";
import { numAttr } from "../ops/shapes.js";
import { normAxis } from "../shape.js";
import { dequantizeNBits } from "../quant.js";
import { sizeOf, type F64Tensor } from "../tensor.js";
import { broadcastDims, broadcastMap, type F64Kernel } from "./kernels.js";

function arg(inputs: readonly F64Tensor[], i: number): F64Tensor {
  const t = inputs[i];
  if (t === undefined) throw new RangeError(`kernel input ${i} missing`);
  return t;
}

function index(v: number, n: number, what: string): number {
  const i = v < 0 ? v + n : v;
  if (!Number.isInteger(i) || i < 0 || i >= n) throw new RangeError(`${what}: index ${v} out of range [${-n}, ${n})`);
  return i;
}

export const matmulF64: F64Kernel = (inputs) => {
  const a = arg(inputs, 0);
  const b = arg(inputs, 1);
  const [M, K] = a.dims.slice(-2) as [number, number];
  const N = b.dims[b.dims.length - 1] as number;
  const batch = broadcastDims([a.dims.slice(0, -2), b.dims.slice(0, -2)]);
  // broadcastMap over the batch dims gives each batch's matrix index in a and in b
  const ma = broadcastMap(batch, a.dims.slice(0, -2));
  const mb = broadcastMap(batch, b.dims.slice(0, -2));
  const data = new Float64Array(ma.length * M * N);
  for (let t = 0; t < ma.length; t++) {
    const ao = (ma[t] as number) * M * K;
    const bo = (mb[t] as number) * K * N;
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += (a.data[ao + i * K + k] as number) * (b.data[bo + k * N + j] as number);
        data[(t * M + i) * N + j] = s;
      }
    }
  }
  return { dims: [...batch, M, N], data };
};

// The definition: dequantize the packed weight to W [K, N], then x·W. (onnxruntime's accuracy_level 4 also rounds
// x to int8 per block; that is its approximation, not the op's meaning.)
export const matmulNBitsF64: F64Kernel = (inputs, attrs) => {
  const [x, codes, scales] = [arg(inputs, 0), arg(inputs, 1), arg(inputs, 2)];
  const K = numAttr(attrs, "K"), N = codes.dims[0] as number;
  const w = dequantizeNBits(codes.data, scales.data, K, N, numAttr(attrs, "bits"), numAttr(attrs, "blockSize"));
  return matmulF64([x, { dims: [K, N], data: w }], {});
};

export const softmaxF64: F64Kernel = (inputs) => {
  const x = arg(inputs, 0);
  const n = x.dims[x.dims.length - 1] as number;
  const data = new Float64Array(x.data.length);
  for (let r = 0; r < x.data.length / Math.max(n, 1); r++) {
    const row = x.data.subarray(r * n, (r + 1) * n);
    const max = Math.max(...row);
    let sum = 0;
    for (let i = 0; i < n; i++) sum += Math.exp((row[i] as number) - max);
    for (let i = 0; i < n; i++) data[r * n + i] = Math.exp((row[i] as number) - max) / sum;
  }
  return { dims: x.dims, data };
};

export const layerNormF64: F64Kernel = (inputs, attrs: Attrs) => {
  const [x, w, b] = [arg(inputs, 0), arg(inputs, 1), arg(inputs, 2)];
  const eps = numAttr(attrs, "eps");
  const n = x.dims[x.dims.length - 1] as number;
  const data = new Float64Array(x.data.length);
  for (let r = 0; r < x.data.length / Math.max(n, 1); r++) {
    const row = x.data.subarray(r * n, (r + 1) * n);
    let mean = 0;
    for (const v of row) mean += v / n;
    let variance = 0;
    for (const v of row) variance += (v - mean) * (v - mean) / n;
    const rstd = 1 / Math.sqrt(variance + eps);
    for (let i = 0; i < n; i++) data[r * n + i] = ((row[i] as number) - mean) * rstd * (w.data[i] as number) + (b.data[i] as number);
  }
  return { dims: x.dims, data };
};

export const gatherF64: F64Kernel = (inputs) => {
  const [table, ids] = [arg(inputs, 0), arg(inputs, 1)];
  const V = table.dims[0] as number;
  const R = sizeOf(table.dims.slice(1));
  const data = new Float64Array(ids.data.length * R);
  ids.data.forEach((id, i) => {
    const row = index(id, V, "gather");
    data.set(table.data.subarray(row * R, (row + 1) * R), i * R);
  });
  return { dims: [...ids.dims, ...table.dims.slice(1)], data };
};

export const scatterAddF64: F64Kernel = (inputs) => {
  const [base, ids, upd] = [arg(inputs, 0), arg(inputs, 1), arg(inputs, 2)];
  const V = base.dims[0] as number;
  const R = sizeOf(base.dims.slice(1));
  const data = Float64Array.from(base.data);
  ids.data.forEach((id, i) => {
    const row = index(id, V, "scatterAdd");
    for (let k = 0; k < R; k++) data[row * R + k] = (data[row * R + k] as number) + (upd.data[i * R + k] as number);
  });
  return { dims: base.dims, data };
};

/** Calls f(flat index in idx, flat index in x) for each element of idx, reading along axis. */
function alongAxis(x: F64Tensor, idx: F64Tensor, axis: number, f: (i: number, j: number) => void, what: string): void {
  const n = x.dims[axis] as number;
  const innerIdx = sizeOf(idx.dims.slice(axis + 1));
  const m = idx.dims[axis] as number;
  const innerX = sizeOf(x.dims.slice(axis + 1));
  for (let i = 0; i < idx.data.length; i++) {
    const outer = Math.floor(i / (m * innerIdx));
    const inner = i % innerIdx;
    const k = index(idx.data[i] as number, n, what);
    f(i, (outer * n + k) * innerX + inner);
  }
}

export const gatherElementsF64: F64Kernel = (inputs, attrs) => {
  const [x, idx] = [arg(inputs, 0), arg(inputs, 1)];
  const data = new Float64Array(idx.data.length);
  alongAxis(x, idx, normAxis(numAttr(attrs, "axis"), x.dims.length), (i, j) => (data[i] = x.data[j] as number), "gatherElements");
  return { dims: idx.dims, data };
};

export const scatterElementsAddF64: F64Kernel = (inputs, attrs) => {
  const [base, idx, upd] = [arg(inputs, 0), arg(inputs, 1), arg(inputs, 2)];
  const data = Float64Array.from(base.data);
  const axis = normAxis(numAttr(attrs, "axis"), base.dims.length);
  alongAxis(base, idx, axis, (i, j) => (data[j] = (data[j] as number) + (upd.data[i] as number)), "scatterElementsAdd");
  return { dims: base.dims, data };
};
