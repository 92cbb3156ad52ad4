// Test cases for every row of OPS (the Record type makes a new op without cases a compile error), shared by the
// table-driven op tests. Each case declares its inputs (declared shape, possibly symbolic, plus concrete dims)
// and how to draw their values: away from kinks for gradient checks, with zeros and negatives where it is safe.
import type { Attrs, DType, OpName, Shape } from "../../src/engine/index.js";

export type Values = "any" | "positive" | "withZeros" | { readonly ints: number } | "bool" | readonly number[];

export interface InputSpec {
  readonly shape: Shape; // as declared in the graph
  readonly dims?: readonly number[]; // concrete dims fed (default: shape, when numeric)
  readonly dtype?: DType;
  readonly values?: Values;
}

export interface OpCase {
  readonly inputs: readonly InputSpec[];
  readonly attrs?: Attrs;
  /** Inputs fed but not passed to the op: they carry symbols that the op's attrs use. */
  readonly binders?: readonly InputSpec[];
  /** false: the op is not differentiable at these inputs (checks forward only). */
  readonly grad?: boolean;
}

const f = (shape: Shape, values: Values = "any", dims?: readonly number[]): InputSpec => ({ shape, values, dims });
const ids = (shape: Shape, n: number, dtype: DType = "int64", dims?: readonly number[]): InputSpec => ({ shape, dtype, values: { ints: n }, dims });
const unary = (values: Values = "any"): OpCase[] => [
  { inputs: [f([2, 3], values)] },
  { inputs: [f([], values)] },
  { inputs: [f(["B", 4], values, [3, 4])] },
];
const binary = (b: Values = "any", a: Values = "any"): OpCase[] => [
  { inputs: [f([2, 3], a), f([3], b)] },
  { inputs: [f([2, 1], a), f([1, 3], b)] },
  { inputs: [f([], a), f([2, 2], b)] },
  { inputs: [f(["B", 3], a, [2, 3]), f([1, 3], b)] },
];
const reduce: OpCase[] = [
  { inputs: [f([2, 3])], attrs: { axes: [1], keepdims: false } },
  { inputs: [f([2, 3, 4])], attrs: { axes: [0, 2], keepdims: true } },
  { inputs: [f([2, 1, 3])], attrs: { axes: [-1, 0], keepdims: false } },
  { inputs: [f(["B", 3], "any", [4, 3])], attrs: { axes: [0], keepdims: false } },
];
const compare: OpCase[] = [
  { inputs: [f([2, 3], [0, 1, -1, 2, 2, 0.5]), f([3], [0, 2, 0.5])], grad: false },
  { inputs: [f([2, 1], [1, -3]), f([], [1])], grad: false },
];

export const CASES: Record<OpName, readonly OpCase[]> = {
  matmul: [
    { inputs: [f([2, 3]), f([3, 4])] },
    { inputs: [f([2, 2, 3]), f([3, 4])] },
    { inputs: [f([2, 1, 2, 3]), f([3, 3, 2])] },
    { inputs: [f(["B", 2, 3], "any", [3, 2, 3]), f(["B", 3, 2], "any", [3, 3, 2])] },
  ],
  // forward only here: the scales are float32 inputs without a gradient (frozen); test/engine/quant.test.ts checks dx
  matmulNBits: [
    { inputs: [f([2, 32]), { shape: [3, 2, 8], dtype: "uint8", values: { ints: 256 } }, f([3, 2], "positive")],
      attrs: { K: 32, bits: 4, blockSize: 16, accuracyLevel: 0 }, grad: false },
    { inputs: [f(["B", 2, 20], "any", [2, 2, 20]), { shape: [3, 2, 16], dtype: "uint8", values: { ints: 256 } }, f([3, 2], "positive")],
      attrs: { K: 20, bits: 8, blockSize: 16, accuracyLevel: 0 }, grad: false },
  ],
  add: binary(), sub: binary(), mul: binary("withZeros", "withZeros"), div: binary("positive"), pow: binary("any", "positive"),
  neg: unary("withZeros"), sqrt: unary("positive"), sin: unary(), cos: unary(), tanh: unary(), relu: unary(), exp: unary(), log: unary("positive"),
  sigmoid: unary(), softplus: unary(), gelu: unary(),
  softmax: [{ inputs: [f([2, 5])] }, { inputs: [f([3, 1])] }, { inputs: [f(["B", "T", 4], "any", [2, 3, 4])] }],
  layerNorm: [
    { inputs: [f([2, 3, 4]), f([4]), f([4])], attrs: { eps: 1e-5 } },
    { inputs: [f(["B", 5], "any", [3, 5]), f([5]), f([5])], attrs: { eps: 0.1 } },
  ],
  reduceSum: reduce, reduceMean: reduce, reduceMax: reduce,
  argMax: [
    { inputs: [f([2, 3], [1, 5, 5, 0, -1, -2])], attrs: { axis: 1, keepdims: false }, grad: false },
    { inputs: [f([3, 2])], attrs: { axis: 0, keepdims: true }, grad: false },
    { inputs: [ids(["B", "T"], 9, "int64", [2, 4])], attrs: { axis: -1, keepdims: false } },
  ],
  reshape: [
    { inputs: [f([2, 6])], attrs: { shape: [3, 4] } },
    { inputs: [f([2, 3, 4])], attrs: { shape: [-1, 4] } },
    { inputs: [f(["B", "T", 4], "any", [2, 3, 4])], attrs: { shape: ["B*T", 2, 2] } },
    { inputs: [f(["B*T", 4], "any", [6, 4])], binders: [f(["B", "T"], "any", [2, 3])], attrs: { shape: ["B", "T", 4] } },
  ],
  transpose: [{ inputs: [f([2, 3, 4])], attrs: { perm: [2, 0, 1] } }, { inputs: [f(["B", 3], "any", [2, 3])], attrs: { perm: [1, 0] } }],
  slice: [
    { inputs: [f([4, 3])], attrs: { axis: 0, start: 1, end: 3 } },
    { inputs: [f([2, 5])], attrs: { axis: -1, start: -2, end: 5 } },
    { inputs: [f(["B", 5], "any", [3, 5])], attrs: { axis: 0, start: 0, end: "B" } },
    { inputs: [f(["B", "T"], "any", [2, 4])], attrs: { axis: 1, start: -1, end: "T" }, grad: false },
  ],
  concat: [
    { inputs: [f([2, 3]), f([1, 3])], attrs: { axis: 0 } },
    { inputs: [f([2, 1]), f([2, 2]), f([2, 1])], attrs: { axis: -1 } },
    { inputs: [f(["B", 2], "any", [2, 2]), f(["B", 2], "any", [2, 2])], attrs: { axis: 0 } },
  ],
  gather: [
    { inputs: [f([5, 3]), ids([2, 2], 5)] },
    { inputs: [f([4]), ids([6], 4, "int32")] },
    { inputs: [f([5, 2]), ids(["B", "T"], 5, "int64", [2, 3])] },
  ],
  gatherElements: [
    { inputs: [f([3, 4]), ids([3, 2], 4)], attrs: { axis: 1 } },
    { inputs: [f([3, 2]), ids([4, 2], 3, "int32")], attrs: { axis: 0 } },
  ],
  // x waits for the deps; its value is x (a NaN dep included: the emitter never multiplies a float by 0)
  after: [
    { inputs: [f([2, 3]), f([4])] },
    { inputs: [f(["B", 3], "any", [2, 3]), ids([2], 5, "int64"), f([], [NaN])] },
  ],
  where: [
    { inputs: [{ shape: [2, 3], dtype: "bool", values: "bool" }, f([2, 3]), f([1])] },
    { inputs: [{ shape: [3], dtype: "bool", values: "bool" }, f([2, 3]), f([2, 1])] },
  ],
  cast: [
    { inputs: [f([2, 3])], attrs: { to: "float32" } },
    { inputs: [f([2, 3], [1.5, -1.5, 0, 2.7, -2.7, 3])], attrs: { to: "int32" }, grad: false },
    { inputs: [ids([4], 9)], attrs: { to: "float32" }, grad: false },
    { inputs: [f([3], [0, 2, -1])], attrs: { to: "bool" }, grad: false },
  ],
  expand: [
    { inputs: [f([3, 1])], attrs: { shape: [2, 3, 4] } },
    { inputs: [f([1, 4])], binders: [f(["B", 1], "any", [3, 1])], attrs: { shape: ["B", 4] } },
  ],
  cumsum: [
    { inputs: [f([2, 4])], attrs: { axis: 1, reverse: false } },
    { inputs: [f([3, 2])], attrs: { axis: 0, reverse: true } },
    { inputs: [ids([2, 3], 2)], attrs: { axis: -1, reverse: false } },
  ],
  equal: compare, less: compare, greater: compare,
  fill: [{ inputs: [], attrs: { shape: [2, 3], value: 1.5, dtype: "float32" } }, { inputs: [], attrs: { shape: [3], value: 7, dtype: "int64" } }],
  scatterAdd: [
    { inputs: [f([5, 3]), { shape: [4], dtype: "int64", values: [1, 3, 1, 0] }, f([4, 3])] },
    { inputs: [f([4]), { shape: [2, 2], dtype: "int32", values: [2, 2, 0, 3] }, f([2, 2])] },
  ],
  scatterElementsAdd: [
    { inputs: [f([3, 4]), { shape: [3, 2], dtype: "int64", values: [0, 0, 3, 1, 2, 2] }, f([3, 2])], attrs: { axis: 1 } },
  ],
};
