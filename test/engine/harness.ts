// Helpers of the engine tests: deterministic values, graph building from an OpCase, float64 central differences
// and tolerant comparisons that report the tensor name, the largest difference and where it is.
import assert from "node:assert/strict";
import {
  Graph, allocData, interpretF64, toF64, type DType, type F64Tensor, type Node, type OpName, type Tensor,
} from "../../src/engine/index.js";
import type { InputSpec, OpCase, Values } from "./cases.js";

/** xorshift PRNG in [0, 1), so every run sees the same values. */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s / 4294967296;
  };
}

function concreteDims(spec: InputSpec): number[] {
  if (spec.dims) return [...spec.dims];
  if (!spec.shape.every((d) => typeof d === "number")) throw new Error("symbolic input needs dims");
  return spec.shape as number[];
}

export function draw(spec: InputSpec, rand: () => number): Tensor {
  const dims = concreteDims(spec);
  const n = dims.reduce((a, b) => a * b, 1);
  const v: Values = spec.values ?? "any";
  const vals = Array.from({ length: n }, (_, i): number => {
    if (Array.isArray(v)) return v[i] as number;
    if (v === "bool") return rand() < 0.5 ? 1 : 0;
    if (typeof v === "object" && "ints" in v) return Math.floor(rand() * (v as { ints: number }).ints);
    const mag = 0.2 + 1.3 * rand(); // away from 0, where relu and friends have kinks
    if (v === "positive") return mag;
    if (v === "withZeros" && i % 4 === 1) return 0;
    return rand() < 0.5 ? -mag : mag;
  });
  const dtype: DType = spec.dtype ?? "float32";
  const data = allocData(dtype, n);
  vals.forEach((x, i) => (data instanceof BigInt64Array ? (data[i] = BigInt(x)) : (data[i] = x)));
  return { dtype, dims, data } as Tensor;
}

export interface Built {
  g: Graph;
  out: Node;
  inputs: Node[];
  feeds: Record<string, Tensor>;
}

/** One graph holding the op under test, fed by inputs x0, x1, ... (and binders b0, ...). */
export function buildCase(op: OpName, c: OpCase, seed: number): Built {
  const g = new Graph();
  const rand = rng(seed);
  const feeds: Record<string, Tensor> = {};
  (c.binders ?? []).forEach((spec, i) => {
    g.input(`b${i}`, spec.shape, spec.dtype ?? "float32");
    feeds[`b${i}`] = draw(spec, rand);
  });
  const inputs = c.inputs.map((spec, i) => {
    feeds[`x${i}`] = draw(spec, rand);
    return g.input(`x${i}`, spec.shape, spec.dtype ?? "float32");
  });
  const out = g.op(op, inputs, c.attrs ?? {});
  return { g, out, inputs, feeds };
}

/** Largest |a − b| beyond tol = atol + rtol·|b|; fails naming the tensor, the difference and its index. */
export function assertClose(name: string, actual: ArrayLike<number | bigint>, expected: ArrayLike<number>, atol: number, rtol: number): void {
  assert.equal(actual.length, expected.length, `${name}: length ${actual.length} vs ${expected.length}`);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = Number(actual[i]);
    const b = expected[i] as number;
    const excess = Math.abs(a - b) - (atol + rtol * Math.abs(b));
    if (!(excess <= 0) && (worst < 0 || excess > worstExcess || Number.isNaN(excess))) {
      worst = i;
      worstExcess = excess;
    }
  }
  if (worst >= 0) {
    assert.fail(`${name}: largest difference at [${worst}]: got ${Number(actual[worst])}, expected ${expected[worst]} (atol ${atol}, rtol ${rtol})`);
  }
}

/** Central differences of a scalar function of one f64 tensor, element by element. */
export function centralDiff(x: F64Tensor, f: (x: F64Tensor) => number, h = 1e-6): Float64Array {
  const out = new Float64Array(x.data.length);
  for (let i = 0; i < x.data.length; i++) {
    const plus = Float64Array.from(x.data);
    const minus = Float64Array.from(x.data);
    plus[i] = (plus[i] as number) + h;
    minus[i] = (minus[i] as number) - h;
    out[i] = (f({ dims: x.dims, data: plus }) - f({ dims: x.dims, data: minus })) / (2 * h);
  }
  return out;
}

/** Checks analytic gradients (already built as outputs d0, d1, ...) of scalar output "loss" against central differences. */
export function checkGradients(g: Graph, wrtNames: readonly string[], feeds: Record<string, Tensor>): void {
  const f64 = Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, toF64(t)]));
  const analytic = interpretF64(g, f64, wrtNames.map((_, i) => `d${i}`));
  wrtNames.forEach((name, i) => {
    const fd = centralDiff(f64[name] as F64Tensor, (v) => (interpretF64(g, { ...f64, [name]: v }, ["loss"])["loss"] as F64Tensor).data[0] as number);
    assertClose(`d${name}`, (analytic[`d${i}`] as F64Tensor).data, fd, 1e-6, 1e-5);
  });
}
