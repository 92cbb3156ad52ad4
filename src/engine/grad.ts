// Every gradient rule, side by side. A rule returns one entry per input: a thunk that builds that input's
// gradient, or null when the input has none (indices, conditions, comparisons). Thunks let the walker
// (autodiff.ts) build only the gradients some trainable tensor needs: a frozen weight's matmul is never made.
// Rules return gradients at the broadcast shape; autodiff.ts alone sums broadcast dims back down.
// Legend: dOut is the gradient of the node's output, dx / dw the gradient of input x / w.
import type { Graph, Node } from "./ir.js";
import { boolAttr, dimAttr, intsAttr, numAttr, reduceAxes, sliceRange } from "./ops/shapes.js";
import { ShapeProblem, dimEq, normAxis, type Dim } from "./shape.js";

export type GradFn = () => Node;
export type GradRule = (g: Graph, node: Node, dOut: Node) => readonly (GradFn | null)[];

function inp(node: Node, i: number): Node {
  const n = node.inputs[i];
  if (n === undefined) throw new RangeError(`${node.op} #${node.id}: input ${i} missing`);
  return n;
}

/** Memoizes a thunk, for intermediates that several entries of one rule share. */
function once<T>(f: () => T): () => T {
  let v: T | undefined;
  return () => (v ??= f());
}

function swapLastPerm(r: number): number[] {
  return [...Array.from({ length: r - 2 }, (_, i) => i), r - 1, r - 2];
}

/** Whether x is a transpose that swaps its last two axes (a linear layer's Wᵀ). */
function isSwapLast(x: Node): boolean {
  if (x.op !== "transpose") return false;
  const perm = intsAttr(x.attrs, "perm"), swap = swapLastPerm(perm.length);
  return perm.every((p, i) => p === swap[i]);
}

/** x with its last two axes swapped; a transpose of a transpose folds away (dx of x·Wᵀ is dOut·W, no copy of W). */
function swapLast(g: Graph, x: Node): Node {
  return isSwapLast(x) ? inp(x, 0) : g.transpose(x, swapLastPerm(x.shape.length));
}

export const dAdd: GradRule = (_g, _n, d) => [() => d, () => d];
export const dSub: GradRule = (g, _n, d) => [() => d, () => g.neg(d)];
export const dMul: GradRule = (g, n, d) => [() => g.mul(d, inp(n, 1)), () => g.mul(d, inp(n, 0))];
// d(a/b)/db = -a/b² = -out/b
export const dDiv: GradRule = (g, n, d) => [() => g.div(d, inp(n, 1)), () => g.neg(g.div(g.mul(d, n), inp(n, 1)))];
export const dPow: GradRule = (g, n, d) => {
  const [a, b] = [inp(n, 0), inp(n, 1)];
  return [() => g.mul(d, g.mul(b, g.pow(a, g.sub(b, g.scalar(1))))), () => g.mul(d, g.mul(n, g.log(a)))];
};
export const dNeg: GradRule = (g, _n, d) => [() => g.neg(d)];
export const dSqrt: GradRule = (g, n, d) => [() => g.div(g.mul(d, g.scalar(0.5)), n)];
export const dSin: GradRule = (g, n, d) => [() => g.mul(d, g.cos(inp(n, 0)))];
export const dCos: GradRule = (g, n, d) => [() => g.neg(g.mul(d, g.sin(inp(n, 0))))];
export const dTanh: GradRule = (g, n, d) => [() => g.mul(d, g.sub(g.scalar(1), g.mul(n, n)))];
export const dRelu: GradRule = (g, n, d) => [() => g.where(g.greater(inp(n, 0), g.scalar(0)), d, g.scalar(0))];
export const dExp: GradRule = (g, n, d) => [() => g.mul(d, n)];
export const dLog: GradRule = (g, n, d) => [() => g.div(d, inp(n, 0))];
export const dSigmoid: GradRule = (g, n, d) => [() => g.mul(d, g.mul(n, g.sub(g.scalar(1), n)))];
export const dSoftplus: GradRule = (g, n, d) => [() => g.mul(d, g.sigmoid(inp(n, 0)))];

const GELU_K = Math.sqrt(2 / Math.PI);
const GELU_A = 0.044715;
// gelu(x) = 0.5·x·(1 + t), t = tanh(u), u = k·(x + a·x³)
// gelu'(x) = 0.5·(1 + t) + 0.5·x·(1 − t²)·k·(1 + 3a·x²)
export const dGelu: GradRule = (g, n, d) => [() => {
  const x = inp(n, 0);
  const x2 = g.mul(x, x);
  const t = g.tanh(g.mul(x, g.add(g.scalar(GELU_K), g.mul(g.scalar(GELU_K * GELU_A), x2))));
  const du = g.add(g.scalar(0.5 * GELU_K), g.mul(g.scalar(1.5 * GELU_K * GELU_A), x2)); // 0.5·k·(1 + 3a·x²)
  const slope = g.add(g.mul(g.scalar(0.5), g.add(g.scalar(1), t)), g.mul(g.mul(x, g.sub(g.scalar(1), g.mul(t, t))), du));
  return g.mul(d, slope);
}];

// dx = y·(dy − Σ dy·y) over the last axis
export const dSoftmax: GradRule = (g, n, d) => [() => g.mul(n, g.sub(d, g.reduceSum(g.mul(d, n), [-1], true)))];

// Recomputes the row statistics (ORT has no inference kernel that returns them to us cheaply).
// dx = rstd·(dxhat − mean(dxhat) − xhat·mean(dxhat·xhat)), dxhat = dy·w; dw = Σ dy·xhat; db = Σ dy.
export const dLayerNorm: GradRule = (g, n, d) => {
  const [x, w] = [inp(n, 0), inp(n, 1)];
  const stats = once(() => {
    const xc = g.sub(x, g.reduceMean(x, [-1], true));
    const variance = g.reduceMean(g.mul(xc, xc), [-1], true);
    const rstd = g.div(g.scalar(1), g.sqrt(g.add(variance, g.scalar(numAttr(n.attrs, "eps")))));
    return { rstd, xhat: g.mul(xc, rstd) };
  });
  return [
    () => {
      const { rstd, xhat } = stats();
      const dxhat = g.mul(d, w);
      const inner = g.sub(g.sub(dxhat, g.reduceMean(dxhat, [-1], true)), g.mul(xhat, g.reduceMean(g.mul(dxhat, xhat), [-1], true)));
      return g.mul(rstd, inner);
    },
    () => g.mul(d, stats().xhat),
    () => d,
  ];
};

// dA = dOut·Bᵀ; dB = Aᵀ·dOut. A weight B [K, N] shared over batch dims gets one big [K, R]·[R, N] matmul
// (R = rows of all batches) instead of a batched product summed afterwards.
export const dMatmul: GradRule = (g, n, d) => {
  const [a, b] = [inp(n, 0), inp(n, 1)];
  return [
    () => g.matmul(d, swapLast(g, b)),
    () => {
      if (b.shape.length === 2 && a.shape.length > 2) {
        const k = a.shape[a.shape.length - 1] as Dim;
        const nOut = d.shape[d.shape.length - 1] as Dim;
        return g.matmul(g.transpose(g.reshape(a, [-1, k]), [1, 0]), g.reshape(d, [-1, nOut])); // [K, R] x [R, N]
      }
      return g.matmul(swapLast(g, a), d);
    },
  ];
};

// dx = dOut·Wᵀ through the same frozen weight, quantized a second time in the layout that product needs (inputs 3
// and 4): MatMulNBits blocks run along the reduction dim, which for Wᵀ is N, so the forward codes cannot serve.
// The packed weights are frozen integers: no gradient.
export const dMatmulNBits: GradRule = (g, n, d) => {
  const [codesT, scalesT] = [n.inputs[3], n.inputs[4]];
  const N = inp(n, 1).shape[0] as number;
  return [
    () => {
      if (codesT === undefined || scalesT === undefined) {
        throw new ShapeProblem(`matmulNBits #${n.id}: no gradient for x without the transposed packed weight (inputs 3, 4)`);
      }
      return g.matmulNBits(d, codesT, scalesT, { ...n.attrs, K: N });
    },
    null, null, null, null,
  ].slice(0, n.inputs.length);
};

function keepdimsGrad(g: Graph, n: Node, d: Node): Node {
  const x = inp(n, 0);
  const axes = reduceAxes(x.shape.length, n.attrs);
  const kept = boolAttr(n.attrs, "keepdims") ? d : g.reshape(d, x.shape.map((s, i) => (axes.includes(i) ? 1 : s)));
  return g.expand(kept, x.shape);
}
export const dReduceSum: GradRule = (g, n, d) => [() => keepdimsGrad(g, n, d)];
export const dReduceMean: GradRule = (g, n, d) => [() => {
  const x = inp(n, 0);
  const axes = reduceAxes(x.shape.length, n.attrs);
  const reduced = axes.map((a) => x.shape[a] as Dim);
  // a symbolic count (mean over T) is read at run time as the sum of ones over the reduced dims
  const count = reduced.every((r) => typeof r === "number")
    ? g.scalar(reduced.reduce<number>((p, r) => p * (r as number), 1))
    : g.reduceSum(g.fill(reduced, 1), reduced.map((_, i) => i));
  return g.div(keepdimsGrad(g, n, d), count);
}];

// The gradient goes to the maxima, split evenly between ties.
export const dReduceMax: GradRule = (g, n, d) => [() => {
  const x = inp(n, 0);
  const axes = reduceAxes(x.shape.length, n.attrs);
  const keep = (v: Node): Node => (boolAttr(n.attrs, "keepdims") ? v : g.reshape(v, x.shape.map((s, i) => (axes.includes(i) ? 1 : s))));
  const hit = g.cast(g.equal(x, keep(n)), "float32");
  return g.mul(g.expand(keep(d), x.shape), g.div(hit, g.reduceSum(hit, axes, true)));
}];

export const dReshape: GradRule = (g, n, d) => [() => g.reshape(d, inp(n, 0).shape)];
// A weight used as Wᵀ gets dW = (Aᵀ·dOut)ᵀ; built as dOutᵀ·A instead, so the [K, N] result is not transposed again
// (onnxruntime runs the transpose of an operand inside the matmul, but a transpose of its result is a full pass).
export const dTranspose: GradRule = (g, n, d) => {
  const perm = intsAttr(n.attrs, "perm");
  if (perm.length === 2 && perm[0] === 1 && d.op === "matmul" && d.inputs.every((x) => x.shape.length === 2)) {
    return [() => g.matmul(swapLast(g, inp(d, 1)), swapLast(g, inp(d, 0)))];
  }
  const inv = perm.map((_, i) => perm.indexOf(i));
  return [() => g.transpose(d, inv)];
};
export const dExpand: GradRule = (_g, _n, d) => [() => d];

// Pads dOut back with zeros along the axis; needs static before/after lengths.
export const dSlice: GradRule = (g, n, d) => [() => {
  const x = inp(n, 0);
  const axis = normAxis(numAttr(n.attrs, "axis"), x.shape.length);
  const dim = x.shape[axis] as Dim;
  const { start, len } = sliceRange(dim, numAttr(n.attrs, "start"), dimAttr(n.attrs, "end"));
  if (start === 0 && dimEq(len, dim)) return d;
  if (typeof dim !== "number" || typeof len !== "number") {
    throw new ShapeProblem(`slice #${n.id}: no gradient for a slice of symbolic dim ${dim}; use gather or gatherElements`);
  }
  const parts: Node[] = [];
  const zeros = (k: number): Node => g.fill(x.shape.map((s, i) => (i === axis ? k : s)), 0);
  if (start > 0) parts.push(zeros(start));
  parts.push(d);
  if (dim - start - len > 0) parts.push(zeros(dim - start - len));
  return parts.length === 1 ? d : g.concat(parts, axis);
}];

// Each input's part of dOut: by static offsets, or, when all parts share one symbolic length L, by viewing the
// axis as [k, L] and taking row i.
export const dConcat: GradRule = (g, n, d) => {
  const axis = normAxis(numAttr(n.attrs, "axis"), n.shape.length);
  const lens = n.inputs.map((x) => x.shape[axis] as Dim);
  const first = lens[0] as Dim;
  let offset = 0;
  return n.inputs.map((_x, i) => {
    const start = offset;
    const len = lens[i] as Dim;
    if (typeof len === "number" && typeof offset === "number") offset += len;
    return () => {
      if (lens.every((l) => typeof l === "number")) return g.slice(d, axis, start, start + (len as number));
      if (!lens.every((l) => dimEq(l, first))) throw new ShapeProblem(`concat #${n.id}: no gradient for parts of unequal symbolic lengths`);
      const split = g.reshape(d, [...d.shape.slice(0, axis), lens.length, first, ...d.shape.slice(axis + 1)]);
      return g.reshape(g.slice(split, axis, i, i + 1), n.inputs[i]?.shape ?? []);
    };
  });
};

export const dGather: GradRule = (g, n, d) => {
  const table = inp(n, 0);
  return [() => g.scatterAdd(g.fill(table.shape, 0), inp(n, 1), d), null];
};
export const dGatherElements: GradRule = (g, n, d) => {
  const x = inp(n, 0);
  return [() => g.scatterElementsAdd(g.fill(x.shape, 0), inp(n, 1), d, numAttr(n.attrs, "axis")), null];
};
export const dScatterAdd: GradRule = (g, n, d) => [() => d, null, () => g.gather(d, inp(n, 1))];
export const dScatterElementsAdd: GradRule = (g, n, d) => [() => d, null, () => g.gatherElements(d, inp(n, 1), numAttr(n.attrs, "axis"))];

export const dWhere: GradRule = (g, n, d) => {
  const c = inp(n, 0);
  return [null, () => g.where(c, d, g.scalar(0)), () => g.where(c, g.scalar(0), d)];
};
export const dCast: GradRule = (g, n, d) => [inp(n, 0).dtype === "float32" ? () => g.cast(d, "float32") : null];
export const dCumsum: GradRule = (g, n, d) => [() => g.cumsum(d, numAttr(n.attrs, "axis"), !boolAttr(n.attrs, "reverse"))];
export const noGrad: GradRule = (_g, n) => n.inputs.map(() => null);
export const dAfter: GradRule = (_g, n, d) => n.inputs.map((_, i) => (i === 0 ? () => d : null));
