// The graph IR: a DAG of Nodes built through the Graph builder. Node ids follow insertion order, which is a
// topological order (a node's inputs always exist before it). Leaves are named data inputs, named parameters
// (fed by name at run time, HF names such as "transformer.h.0.attn.c_attn.weight") and small constants.
// Legend: B batch, T tokens, C channels, N rows, V vocab.
import { ShapeError } from "../errors.js";
import { OPS, type OpName } from "./ops/index.js";
import { ShapeProblem, fmtShape, isSymbol, dimSymbols, normDim, type Dim, type Shape } from "./shape.js";
import { DTYPES, type DType } from "./tensor.js";

export type LeafOp = "input" | "param" | "constant";
export type AttrValue = number | string | boolean | readonly Dim[] | Float64Array;
export type Attrs = Readonly<Record<string, AttrValue>>;

export interface Node {
  readonly id: number;
  readonly op: OpName | LeafOp;
  readonly inputs: readonly Node[];
  readonly attrs: Attrs;
  readonly shape: Shape;
  readonly dtype: DType;
}

export interface ParamOptions {
  /** Whether the trainer updates it; frozen params get no gradient. Default true. */
  readonly trainable?: boolean;
  readonly dtype?: DType;
}

/** Where a symbolic dim can be read at run time: the first node whose shape carries it. */
export interface SymbolSource {
  readonly node: Node;
  readonly axis: number;
}

export class Graph {
  readonly nodes: Node[] = [];
  readonly outputs = new Map<string, Node>();
  readonly symbols = new Map<string, SymbolSource>();
  private readonly leafNames = new Map<string, Node>();

  // ---- leaves ----

  /** A data input fed by name at run time, e.g. g.input("input_ids", ["B", "T"], "int64"). */
  input(name: string, shape: Shape, dtype: DType = "float32"): Node {
    return this.leaf("input", name, shape, dtype, { name });
  }

  /** A parameter fed by name at run time (or baked into an ORT session as an initializer). */
  param(name: string, shape: Shape, opts: ParamOptions = {}): Node {
    const trainable = opts.trainable ?? true;
    return this.leaf("param", name, shape, opts.dtype ?? "float32", { name, trainable });
  }

  /** A constant stored in the graph (small: masks, scalars, index tables). */
  constant(values: ArrayLike<number>, shape: readonly number[], dtype: DType = "float32"): Node {
    const n = shape.reduce((a, b) => a * b, 1);
    if (values.length !== n) throw new RangeError(`constant: shape ${fmtShape(shape)} needs ${n} values, got ${values.length}`);
    return this.add_("constant", [], { data: Float64Array.from(values) }, shape, dtype);
  }

  /** A rank-0 constant. */
  scalar(value: number, dtype: DType = "float32"): Node {
    return this.constant([value], [], dtype);
  }

  /** Names a node as a graph output. */
  output(name: string, node: Node): Node {
    if (this.outputs.has(name)) throw new TypeError(`graph output "${name}" is already defined`);
    this.outputs.set(name, node);
    return node;
  }

  /** Parameter nodes in creation order. */
  params(): Node[] {
    return this.nodes.filter((n) => n.op === "param");
  }

  /** Data input nodes in creation order. */
  inputs(): Node[] {
    return this.nodes.filter((n) => n.op === "input");
  }

  /** The input or param of that name. */
  leafByName(name: string): Node | undefined {
    return this.leafNames.get(name);
  }

  // ---- ops: one builder method per row of OPS ----

  matmul(a: Node, b: Node): Node { return this.op("matmul", [a, b]); } // [..., M, K] x [..., K, N] → [..., M, N]
  /**
   * x [..., K] · W [K, N] with W packed by quantizeNBits: codes [N, kBlocks, blob] uint8, scales [N, kBlocks].
   * attrs K, bits, blockSize, accuracyLevel (onnxruntime's accuracy_level). x gets a gradient only when the
   * transposed copy (Wᵀ packed the same way) is passed too.
   */
  matmulNBits(x: Node, codes: Node, scales: Node, attrs: Attrs, transposed?: readonly [Node, Node]): Node {
    return this.op("matmulNBits", [x, codes, scales, ...(transposed ?? [])], attrs);
  }
  add(a: Node, b: Node): Node { return this.op("add", [a, b]); }
  sub(a: Node, b: Node): Node { return this.op("sub", [a, b]); }
  mul(a: Node, b: Node): Node { return this.op("mul", [a, b]); }
  div(a: Node, b: Node): Node { return this.op("div", [a, b]); }
  pow(a: Node, b: Node): Node { return this.op("pow", [a, b]); }
  neg(x: Node): Node { return this.op("neg", [x]); }
  sqrt(x: Node): Node { return this.op("sqrt", [x]); }
  sin(x: Node): Node { return this.op("sin", [x]); }
  cos(x: Node): Node { return this.op("cos", [x]); }
  tanh(x: Node): Node { return this.op("tanh", [x]); }
  relu(x: Node): Node { return this.op("relu", [x]); }
  exp(x: Node): Node { return this.op("exp", [x]); }
  log(x: Node): Node { return this.op("log", [x]); }
  sigmoid(x: Node): Node { return this.op("sigmoid", [x]); }
  /** log(1 + exp(x)); logσ(x) = -softplus(-x). */
  softplus(x: Node): Node { return this.op("softplus", [x]); }
  /** GPT-2's gelu_new: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
  gelu(x: Node): Node { return this.op("gelu", [x]); }
  /** Softmax over the last axis. */
  softmax(x: Node): Node { return this.op("softmax", [x]); }
  /** Layer norm over the last axis with scale w and bias b (both [C]). */
  layerNorm(x: Node, w: Node, b: Node, eps: number): Node { return this.op("layerNorm", [x, w, b], { eps }); }
  reduceSum(x: Node, axes: readonly number[], keepdims = false): Node {
    return this.op("reduceSum", [x], { axes, keepdims });
  }
  reduceMean(x: Node, axes: readonly number[], keepdims = false): Node {
    return this.op("reduceMean", [x], { axes, keepdims });
  }
  /** Largest value over axes. */
  reduceMax(x: Node, axes: readonly number[], keepdims = false): Node {
    return this.op("reduceMax", [x], { axes, keepdims });
  }
  /** Index (int64) of the largest value along axis, the first on ties. */
  argMax(x: Node, axis: number, keepdims = false): Node { return this.op("argMax", [x], { axis, keepdims }); }
  /** Reshape; dims may be numbers, symbols ("B", "B*T") and at most one -1. */
  reshape(x: Node, shape: Shape): Node { return this.op("reshape", [x], { shape }); }
  transpose(x: Node, perm: readonly number[]): Node { return this.op("transpose", [x], { perm }); }
  /** x[start:end] along axis; negative start/end count from the end; end may be a symbolic dim when start is 0. */
  slice(x: Node, axis: number, start: number, end: Dim): Node { return this.op("slice", [x], { axis, start, end }); }
  concat(xs: readonly Node[], axis: number): Node { return this.op("concat", xs, { axis }); }
  /** Rows of table [V, ...] picked by integer ids [...I] → [...I, ...]; the embedding lookup. */
  gather(table: Node, ids: Node): Node { return this.op("gather", [table, ids]); }
  /** out[i][j] = x[i][idx[i][j]] along axis (ONNX GatherElements); idx has x's rank. */
  gatherElements(x: Node, idx: Node, axis: number): Node { return this.op("gatherElements", [x, idx], { axis }); }
  where(cond: Node, a: Node, b: Node): Node { return this.op("where", [cond, a, b]); }
  cast(x: Node, to: DType): Node { return this.op("cast", [x], { to }); }
  /** Broadcasts x to shape (numpy rules). */
  expand(x: Node, shape: Shape): Node { return this.op("expand", [x], { shape }); }
  /** Inclusive cumulative sum along axis; reverse sums from the end. */
  cumsum(x: Node, axis: number, reverse = false): Node { return this.op("cumsum", [x], { axis, reverse }); }
  equal(a: Node, b: Node): Node { return this.op("equal", [a, b]); }
  less(a: Node, b: Node): Node { return this.op("less", [a, b]); }
  greater(a: Node, b: Node): Node { return this.op("greater", [a, b]); }
  /** A tensor of the given (possibly symbolic) shape filled with one value. */
  /** x, once every dep has been computed (an ordering constraint; no copy in onnxruntime) */
  after(x: Node, deps: readonly Node[]): Node { return this.op("after", [x, ...deps]); }
  fill(shape: Shape, value: number, dtype: DType = "float32"): Node { return this.op("fill", [], { shape, value, dtype }); }
  /** base with updates[...I, :] added to rows ids[...I] of base [V, ...]; the gradient of gather. */
  scatterAdd(base: Node, ids: Node, updates: Node): Node { return this.op("scatterAdd", [base, ids, updates]); }
  /** base with upd[i][j] added at base[i][idx[i][j]] along axis; the gradient of gatherElements. */
  scatterElementsAdd(base: Node, idx: Node, upd: Node, axis: number): Node {
    return this.op("scatterElementsAdd", [base, idx, upd], { axis });
  }

  /** A node like n of another graph (same op, attrs and leaf name) over inputs of this one: graph rewrites. */
  copyNode(n: Node, inputs: readonly Node[]): Node {
    if (n.op === "input") return this.input(leafName(n), n.shape, n.dtype);
    if (n.op === "param") return this.param(leafName(n), n.shape, { trainable: n.attrs["trainable"] !== false, dtype: n.dtype });
    if (n.op === "constant") return this.constant(n.attrs["data"] as Float64Array, n.shape as number[], n.dtype);
    return this.op(n.op, inputs, n.attrs);
  }

  /** Adds a node of any op in OPS, checking shapes and dtypes with its rule. */
  op(op: OpName, inputs: readonly Node[], attrs: Attrs = {}): Node {
    const def = OPS[op];
    if (def === undefined) throw new TypeError(`unknown op "${String(op)}" (ops: ${Object.keys(OPS).join(", ")})`);
    const shapes = inputs.map((n) => n.shape);
    for (const n of inputs) {
      if (this.nodes[n.id] !== n) throw new TypeError(`${op}: input #${n.id} belongs to another graph`);
    }
    try {
      return this.add_(op, inputs, attrs, def.shape(shapes, attrs), def.dtype(inputs.map((n) => n.dtype), attrs));
    } catch (e) {
      if (!(e instanceof ShapeProblem)) throw e;
      const sep = op === "matmul" ? " x " : ", ";
      const types = inputs.map((n) => (n.dtype === "float32" ? "" : `${n.dtype}`) + fmtShape(n.shape));
      throw new ShapeError(`${op} #${this.nodes.length}: ${e.message}: ${types.join(sep)}`, undefined,
        "check the shapes the model passes to this op (the node id is its position in graph.nodes)");
    }
  }

  private leaf(op: LeafOp, name: string, shape: Shape, dtype: DType, attrs: Attrs): Node {
    if (this.leafNames.has(name)) throw new TypeError(`graph already has an input or param named "${name}"`);
    if (!DTYPES.includes(dtype)) throw new TypeError(`${op} "${name}": unknown dtype ${String(dtype)}`);
    for (const d of shape) {
      if (typeof d === "number" ? !(Number.isInteger(d) && d >= 0) : !d.split("*").every((p) => isSymbol(p) || /^\d+$/.test(p))) {
        throw new TypeError(`${op} "${name}": dim ${String(d)} must be an integer >= 0, a symbol such as "B" or a product such as "B*T"`);
      }
    }
    const n = this.add_(op, [], attrs, shape, dtype);
    this.leafNames.set(name, n);
    return n;
  }

  private add_(op: OpName | LeafOp, inputs: readonly Node[], attrs: Attrs, shape: Shape, dtype: DType): Node {
    const node: Node = { id: this.nodes.length, op, inputs, attrs, shape: shape.map(normDim), dtype };
    this.nodes.push(node);
    node.shape.forEach((d, axis) => {
      // only a dim that is exactly one symbol can be read back as that symbol's value
      if (typeof d === "string" && dimSymbols(d).length === 1 && d === dimSymbols(d)[0] && !this.symbols.has(d)) {
        this.symbols.set(d, { node, axis });
      }
    });
    return node;
  }
}

/** Name of an input or param node. */
export function leafName(n: Node): string {
  const name = n.attrs["name"];
  if (typeof name !== "string") throw new TypeError(`node #${n.id} (${n.op}) has no name`);
  return name;
}

export function isTrainable(n: Node): boolean {
  return n.op === "param" && n.attrs["trainable"] !== false;
}

/**
 * Nodes needed for the outputs, in id order, plus a carrier for every symbol they use (see symbolCarriers):
 * a needed input that has the symbol as a whole dim, else the graph's first carrier of it, pulled in.
 * So an unrelated input never becomes a required feed when a needed one already carries the symbol.
 */
export function neededNodes(graph: Graph, roots: readonly Node[]): Node[] {
  const seen = new Set<number>();
  const visit = (start: Node): void => {
    const stack = [start];
    while (stack.length > 0) {
      const n = stack.pop() as Node;
      if (seen.has(n.id)) continue;
      seen.add(n.id);
      stack.push(...n.inputs);
    }
  };
  roots.forEach(visit);
  for (;;) {
    const nodes = graph.nodes.filter((n) => seen.has(n.id));
    const pending = [...symbolCarriers(graph, nodes).values()].filter((src) => !seen.has(src.node.id));
    if (pending.length === 0) return nodes;
    pending.forEach((src) => visit(src.node));
  }
}

/**
 * Where each symbol the nodes use is read at run time: the first of the nodes' leaves (inputs, params) that has
 * it as a whole dim, else the graph's first carrier (always created before any node that uses the symbol).
 */
export function symbolCarriers(graph: Graph, nodes: readonly Node[]): Map<string, SymbolSource> {
  const out = new Map<string, SymbolSource>();
  for (const node of nodes) {
    if (node.op !== "input" && node.op !== "param") continue;
    node.shape.forEach((d, axis) => {
      if (typeof d === "string" && isSymbol(d) && !out.has(d)) out.set(d, { node, axis });
    });
  }
  for (const s of new Set(nodes.flatMap((n) => [...n.shape, ...attrDims(n)].flatMap(dimSymbols)))) {
    const src = graph.symbols.get(s);
    if (!out.has(s) && src) out.set(s, src);
  }
  return out;
}

function attrDims(n: Node): Dim[] {
  const out: Dim[] = [];
  const shape = n.attrs["shape"];
  if (Array.isArray(shape)) out.push(...(shape as Dim[]));
  const end = n.attrs["end"];
  if (typeof end === "string") out.push(end);
  return out;
}


/** The nodes behind the named graph outputs (all outputs when names is undefined). */
export function outputRoots(graph: Graph, names?: readonly string[]): { names: string[]; roots: Node[] } {
  const list = names ? [...names] : [...graph.outputs.keys()];
  if (list.length === 0) throw new TypeError("graph has no outputs; name some with g.output(name, node)");
  const roots = list.map((name) => {
    const n = graph.outputs.get(name);
    if (n === undefined) throw new TypeError(`graph has no output "${name}" (outputs: ${[...graph.outputs.keys()].join(", ")})`);
    return n;
  });
  return { names: list, roots };
}
