// Builds the ONNX ModelProto for a graph's outputs: picks the nodes they need, declares the fed inputs (dim_param
// for symbolic dims), turns baked params and constants into initializers, and calls each op's emitter.
import { leafName, neededNodes, outputRoots, symbolCarriers, type Graph, type Node } from "../ir.js";
import { OPS, type OpName } from "../ops/index.js";
import type { Msg } from "./proto.js";
import { OnnxWriter, valueInfo, type ExternalFile, type ToOnnxOptions } from "./writer.js";

export interface OnnxModel {
  /** The serialized ModelProto. */
  readonly bytes: Uint8Array;
  /** Inputs and params each run feeds, and the outputs it returns. */
  readonly inputNames: string[];
  readonly outputNames: string[];
  /** Baked params' bytes, referenced by the model as external data (pass as ORT's `externalData` option). */
  readonly externalData: readonly ExternalFile[];
}

/** The ONNX model computing the graph's outputs; returns the bytes and the names of the inputs it reads. */
export function toOnnx(graph: Graph, opts: ToOnnxOptions = {}): OnnxModel {
  const { names: outputNames, roots } = outputRoots(graph, opts.outputs);
  const nodes = neededNodes(graph, roots);
  const w = new OnnxWriter(symbolCarriers(graph, nodes), opts.initializerStorage);
  const claimed = new Set<number>();
  const aliases: [string, Node][] = [];
  outputNames.forEach((name, i) => {
    const n = roots[i] as Node;
    if (n.op === "input" || n.op === "param" || claimed.has(n.id)) aliases.push([name, n]);
    else { w.setName(n, name); claimed.add(n.id); }
  });
  const inputs: Msg[] = [];
  const inputNames: string[] = [];
  const baked = opts.initializers ?? {};
  const leaves = nodes.filter((n) => n.op === "input" || n.op === "param");
  for (const n of leaves) w.setName(n, leafName(n));
  for (const n of nodes) {
    if (n.op === "constant") w.initializer(w.name(n), n.dtype, n.shape as number[], n.attrs["data"] as Float64Array);
  }
  for (const n of nodes) if (n.op !== "input" && n.op !== "param" && n.op !== "constant") OPS[n.op as OpName].onnx(w, n);
  for (const [name, n] of aliases) w.emit("Identity", [w.name(n)], [name]);
  // a leaf no node reads is not declared (an op may take an input only its gradient uses: matmulNBits' transposed copy)
  for (const n of leaves.filter((l) => w.consumed.has(leafName(l)))) {
    const name = leafName(n);
    const t = baked[name];
    if (t !== undefined && n.op === "param") w.externalInitializer(name, t);
    else { inputs.push(valueInfo(name, n.dtype, n.shape)); inputNames.push(name); }
  }
  const outputs = outputNames.map((name, i) => valueInfo(name, (roots[i] as Node).dtype, (roots[i] as Node).shape));
  return { bytes: w.finish(inputs, outputs), inputNames, outputNames, externalData: w.externals };
}
