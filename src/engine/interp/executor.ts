// The float64 reference executor: evaluates the needed nodes in id order with the f64 kernels of the op table.
// Slow and plain on purpose; tests compare onnxruntime against it.
import { ShapeError } from "../../errors.js";
import { bindLeaves, bindShape, checkFeeds, type Executor, type ExecutorOptions } from "../executor.js";
import { leafName, neededNodes, outputRoots, type Attrs, type Graph, type Node } from "../ir.js";
import { OPS, type OpName } from "../ops/index.js";
import { evalDim, type Dim } from "../shape.js";
import { fromF64, toF64, type F64Tensor, type Tensor } from "../tensor.js";

/** Evaluates the named outputs in float64. Feeds may be typed tensors or F64 tensors (any dtype as numbers). */
export function interpretF64(
  graph: Graph, feeds: Readonly<Record<string, Tensor | F64Tensor>>, outputs?: readonly string[],
): Record<string, F64Tensor> {
  const { names, roots } = outputRoots(graph, outputs);
  const nodes = neededNodes(graph, roots);
  const leaves = nodes.filter((n) => n.op === "input" || n.op === "param").map((node) => {
    const name = leafName(node);
    const t = feeds[name];
    if (t === undefined) throw new TypeError(`missing feed "${name}"`);
    return { name, node, t };
  });
  const env = bindLeaves(leaves);
  const values = new Map<number, F64Tensor>();
  for (const node of nodes) {
    let v: F64Tensor;
    if (node.op === "input" || node.op === "param") {
      const name = leafName(node);
      const t = feeds[name];
      if (t === undefined) throw new TypeError(`missing feed "${name}"`);
      v = "dtype" in t ? toF64(t) : t;
    } else if (node.op === "constant") {
      v = { dims: node.shape as number[], data: node.attrs["data"] as Float64Array };
    } else {
      const inputs = node.inputs.map((x) => values.get(x.id) as F64Tensor);
      v = OPS[node.op as OpName].f64(inputs, resolveAttrs(node.attrs, env));
    }
    try {
      bindShape(env, `${node.op} #${node.id}`, node, v);
    } catch (e) {
      throw new ShapeError(`interpreter: ${(e as Error).message}`);
    }
    values.set(node.id, v);
  }
  return Object.fromEntries(names.map((name, i) => [name, values.get((roots[i] as Node).id) as F64Tensor]));
}

/** Replaces symbolic dims in the "shape" and "end" attrs by their values. */
function resolveAttrs(attrs: Attrs, env: ReadonlyMap<string, number>): Attrs {
  const shape = attrs["shape"];
  const end = attrs["end"];
  if (!Array.isArray(shape) && typeof end !== "string") return attrs;
  const out: Record<string, Attrs[string]> = { ...attrs };
  if (Array.isArray(shape)) out["shape"] = (shape as Dim[]).map((d) => (d === -1 ? -1 : evalDim(d, env)));
  if (typeof end === "string") out["end"] = evalDim(end, env);
  return out;
}

/** The interpreter behind the Executor interface; results are converted to each output's dtype. */
export class InterpExecutor implements Executor {
  private constructor(
    private readonly graph: Graph,
    readonly inputNames: readonly string[],
    readonly outputNames: readonly string[],
    private readonly baked: Readonly<Record<string, Tensor>>,
  ) {}

  static async create(graph: Graph, opts: ExecutorOptions = {}): Promise<InterpExecutor> {
    const { names, roots } = outputRoots(graph, opts.outputs);
    const baked = opts.initializers ?? {};
    const inputs = neededNodes(graph, roots)
      .filter((n) => n.op === "input" || (n.op === "param" && baked[leafName(n)] === undefined))
      .map(leafName);
    return new InterpExecutor(graph, inputs, names, baked);
  }

  async run(feeds: Readonly<Record<string, Tensor>>): Promise<Record<string, Tensor>> {
    checkFeeds(this.graph, this.inputNames, feeds);
    const out = interpretF64(this.graph, { ...this.baked, ...feeds }, this.outputNames);
    return Object.fromEntries(this.outputNames.map((name) => {
      const node = this.graph.outputs.get(name) as Node;
      return [name, fromF64(node.dtype, out[name] as F64Tensor)];
    }));
  }

  async release(): Promise<void> {}
}
