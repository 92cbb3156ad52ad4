// Reverse-mode autodiff: the walker. It visits nodes from the loss back in reverse topological (id) order,
// asks each op's rule (grad.ts) for the gradients of inputs that need one, sums broadcast dims back down to each
// input's shape (the only place that happens) and accumulates fan-out by addition. Only tensors on a path from a
// `wrt` node to the loss are differentiated, so frozen params and their weight-gradient matmuls never appear.
import { ShapeError } from "../errors.js";
import type { Graph, Node } from "./ir.js";
import { OPS, type OpName } from "./ops/index.js";
import { dimAttr, numAttr, sliceRange } from "./ops/shapes.js";
import { ShapeProblem, dimEq, normAxis, shapeEq, fmtShape, type Shape } from "./shape.js";

/** Row gradient of a table used only through gather: dTable = Σ over rows of scatter(rows at indices). */
export interface RowGrad {
  readonly rows: Node; // [N, ...row]: one gradient row per looked-up id
  readonly indices: Node; // [N]: the ids, as fed (int32 or int64)
}

export interface GradientOptions {
  /** Gradient of the loss to start from; default 1 (the loss must then be a scalar). */
  readonly seed?: Node;
}

/** Gradients of `loss` with respect to each of `wrt`, added as nodes to g; a zero fill where loss does not depend on it. */
export function gradients(g: Graph, loss: Node, wrt: readonly Node[], opts: GradientOptions = {}): Node[] {
  return backward(g, loss, wrt, [], opts).grads;
}

/**
 * Like gradients(), but each table in `rowSparse` (used by gather only, e.g. the token embedding) gets its gradient
 * as rows + indices instead of a dense [V, C] tensor; scatter them with scatterAddRows(). Tables must not be in wrt.
 */
export function gradientsRowSparse(
  g: Graph, loss: Node, wrt: readonly Node[], rowSparse: readonly Node[], opts: GradientOptions = {},
): { grads: Node[]; rows: RowGrad[] } {
  return backward(g, loss, wrt, rowSparse, opts);
}

function backward(g: Graph, loss: Node, wrt: readonly Node[], rowSparse: readonly Node[], opts: GradientOptions) {
  const sparseIds = new Set(rowSparse.map((n) => n.id));
  for (const n of wrt) if (sparseIds.has(n.id)) throw new TypeError(`node #${n.id} is in both wrt and rowSparse`);
  for (const n of [...wrt, ...rowSparse]) {
    if (n.dtype !== "float32") throw new TypeError(`gradients: node #${n.id} (${n.op}) is ${n.dtype}; only float32 tensors have gradients`);
  }
  const targets = new Set([...wrt, ...rowSparse].map((n) => n.id));
  const active = activeNodes(g, loss, targets);
  const seed = opts.seed ?? g.scalar(1);
  if (!opts.seed && loss.shape.length !== 0) throw new TypeError(`loss #${loss.id} has shape ${fmtShape(loss.shape)}; gradients() needs a scalar or a seed`);
  if (!shapeEq(seed.shape, loss.shape)) throw new TypeError(`seed shape ${fmtShape(seed.shape)} differs from loss shape ${fmtShape(loss.shape)}`);

  const acc = new Map<number, Node>([[loss.id, seed]]);
  const accumulate = (x: Node, dx: Node): void => {
    const prev = acc.get(x.id);
    acc.set(x.id, prev === undefined ? dx : g.add(prev, dx));
  };
  const rowParts = new Map<number, { rows: Node[]; ids: Node[] }>();
  const sliceParts = new Map<number, SlicePart[]>();
  for (let id = loss.id; id >= 0; id--) {
    const node = g.nodes[id] as Node;
    const parts = sliceParts.get(id);
    if (parts) for (const dx of wrap(node, () => joinSlices(g, node, parts))) accumulate(node, dx);
    const dOut = acc.get(id);
    if (dOut === undefined || !active.has(id) || node.inputs.length === 0) continue;
    const entries = wrap(node, () => OPS[node.op as OpName].grad(g, node, dOut));
    node.inputs.forEach((x, i) => {
      const entry = entries[i];
      if (!active.has(x.id) || !entry) return;
      if (sparseIds.has(x.id)) {
        if (node.op !== "gather" || i !== 0) throw new TypeError(`rowSparse table #${x.id} is used by ${node.op} #${node.id}; only gather may use it`);
        const part = rowParts.get(x.id) ?? { rows: [], ids: [] };
        part.rows.push(wrap(node, () => g.reshape(dOut, [-1, ...x.shape.slice(1)]))); // [N, ...row]
        part.ids.push(wrap(node, () => g.reshape(node.inputs[1] as Node, [-1]))); // [N]
        rowParts.set(x.id, part);
        return;
      }
      if (node.op === "slice") { // joined with its sibling slices when x is reached (see joinSlices)
        sliceParts.set(x.id, [...(sliceParts.get(x.id) ?? []), { node, dOut, entry }]);
        return;
      }
      accumulate(x, wrap(node, () => unbroadcast(g, entry(), x.shape)));
    });
  }
  const grads = wrt.map((n) => acc.get(n.id) ?? g.fill(n.shape, 0));
  const rows = rowSparse.map((n): RowGrad => {
    const p = rowParts.get(n.id);
    if (!p) return { rows: g.fill([0, ...n.shape.slice(1)], 0), indices: g.fill([0], 0, "int64") };
    if (p.rows.length === 1) return { rows: p.rows[0] as Node, indices: p.ids[0] as Node };
    const ids = p.ids.map((i) => (i.dtype === "int64" ? i : g.cast(i, "int64")));
    return { rows: g.concat(p.rows, 0), indices: g.concat(ids, 0) };
  });
  return { grads, rows };
}

interface SlicePart {
  readonly node: Node;
  readonly dOut: Node;
  readonly entry: () => Node;
}

/**
 * Fan-out of slices: when a tensor is cut into static pieces along one axis (q, k, v out of c_attn), its gradient
 * is one concat of the pieces' gradients (zeros only in gaps), not one zero-padded copy per piece summed up.
 * Anything else falls back to the slice rule for each piece.
 */
function joinSlices(g: Graph, x: Node, parts: readonly SlicePart[]): Node[] {
  const axes = new Set(parts.map((p) => normAxis(numAttr(p.node.attrs, "axis"), x.shape.length)));
  const axis = [...axes][0] as number;
  const dim = x.shape[axis];
  if (parts.length < 2 || axes.size !== 1 || typeof dim !== "number") return parts.map((p) => p.entry());
  const pieces = parts.map((p) => ({ ...sliceRange(dim, numAttr(p.node.attrs, "start"), dimAttr(p.node.attrs, "end")), d: p.dOut }))
    .sort((a, b) => a.start - b.start);
  if (pieces.some((p, i) => i > 0 && p.start < (pieces[i - 1] as { start: number }).start + ((pieces[i - 1] as { len: number }).len))) {
    return parts.map((p) => p.entry()); // overlapping pieces
  }
  const out: Node[] = [];
  let at = 0;
  const zeros = (k: number): Node => g.fill(x.shape.map((s, i) => (i === axis ? k : s)), 0);
  for (const p of pieces) {
    if (p.start > at) out.push(zeros(p.start - at));
    out.push(p.d);
    at = p.start + (p.len as number);
  }
  if (at < dim) out.push(zeros(dim - at));
  return [g.concat(out, axis)];
}

/** Nodes that depend on a target and lead to the loss, float only (ids, masks and conditions carry no gradient). */
function activeNodes(g: Graph, loss: Node, targets: ReadonlySet<number>): Set<number> {
  const depends = new Set<number>();
  for (const n of g.nodes.slice(0, loss.id + 1)) {
    if (n.dtype !== "float32") continue;
    if (targets.has(n.id) || n.inputs.some((x) => depends.has(x.id))) depends.add(n.id);
  }
  const active = new Set<number>();
  const stack = [loss];
  while (stack.length > 0) {
    const n = stack.pop() as Node;
    if (active.has(n.id) || !depends.has(n.id)) continue;
    active.add(n.id);
    stack.push(...n.inputs);
  }
  return active;
}

/** Sums a gradient over the dims that broadcasting stretched, so it takes the input's shape. */
function unbroadcast(g: Graph, d: Node, shape: Shape): Node {
  if (shapeEq(d.shape, shape)) return d;
  const lead = d.shape.length - shape.length;
  const axes: number[] = [];
  d.shape.forEach((dim, i) => {
    const target = i < lead ? undefined : shape[i - lead];
    if (target === undefined || (dimEq(target, 1) && !dimEq(dim, 1))) axes.push(i);
  });
  if (lead < 0) throw new ShapeProblem(`gradient ${fmtShape(d.shape)} has lower rank than its input ${fmtShape(shape)}`);
  const summed = axes.length > 0 ? g.reduceSum(d, axes, true) : d;
  return shapeEq(summed.shape, shape) ? summed : g.reshape(summed, shape);
}

/** Runs a rule, turning a ShapeProblem into a ShapeError that names the node it was differentiating. */
function wrap<T>(node: Node, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (!(e instanceof ShapeProblem)) throw e;
    throw new ShapeError(`gradient of ${node.op} #${node.id}: ${e.message}: ${node.inputs.map((x) => fmtShape(x.shape)).join(", ")}`);
  }
}
