// JS-side accumulation of row-sparse gradients (see gradientsRowSparse): the trainer keeps one persistent
// [V, C] gradient buffer and adds each step's [N, C] rows into it, so no dense [V, C] tensor leaves the session.
import { at, type Tensor } from "./tensor.js";

/** target[indices[i], :] += scale · rows[i, :] for a row-major target of `rowSize` columns; returns the rows touched. */
export function scatterAddRows(target: Float32Array, rowSize: number, rows: Tensor, indices: Tensor, scale = 1): number {
  const n = indices.data.length;
  if (!(rows.data instanceof Float32Array)) throw new TypeError(`scatterAddRows: rows must be float32, got ${rows.dtype}`);
  if (rows.data.length !== n * rowSize) {
    throw new RangeError(`scatterAddRows: ${n} indices need ${n * rowSize} row values, got ${rows.data.length}`);
  }
  const V = target.length / rowSize;
  const src = rows.data;
  for (let i = 0; i < n; i++) {
    const r = at(indices, i);
    if (!(r >= 0 && r < V)) throw new RangeError(`scatterAddRows: index ${r} out of range [0, ${V})`);
    const o = r * rowSize;
    const s = i * rowSize;
    for (let k = 0; k < rowSize; k++) target[o + k] = (target[o + k] as number) + scale * (src[s + k] as number);
  }
  return n;
}
