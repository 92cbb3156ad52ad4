// The one interface both backends implement (the f64 interpreter and onnxruntime), and the feed checks they share.
import { leafName, type Graph, type Node } from "./ir.js";
import { dimSymbols, evalDim, fmtShape, isSymbol } from "./shape.js";
import type { Tensor } from "./tensor.js";

export interface Executor {
  /** Names of the inputs and params each run must feed (baked params excluded). */
  readonly inputNames: readonly string[];
  /** Names of the graph outputs each run returns. */
  readonly outputNames: readonly string[];
  /** Runs the graph; feeds must hold every name in inputNames (extra names are ignored). */
  run(feeds: Readonly<Record<string, Tensor>>): Promise<Record<string, Tensor>>;
  /** Frees the session; the executor is unusable afterwards. */
  release(): Promise<void>;
}

export interface ExecutorOptions {
  /** Graph outputs to compute; default all. */
  readonly outputs?: readonly string[];
  /** Params fixed for the executor's lifetime (e.g. frozen base weights under LoRA): not fed per run. */
  readonly initializers?: Readonly<Record<string, Tensor>>;
}

/**
 * Checks feeds against the graph's declared inputs: presence, dtype, rank, numeric dims, and that each symbol has
 * one value across all feeds. Returns the symbol values.
 */
export function checkFeeds(graph: Graph, names: readonly string[], feeds: Readonly<Record<string, Tensor>>): Map<string, number> {
  const leaves = names.map((name) => {
    const node = graph.leafByName(name) as Node;
    const t = feeds[name];
    if (t === undefined) throw new TypeError(`missing feed "${name}" (expected ${node.dtype}${fmtShape(node.shape)})`);
    if (t.dtype !== node.dtype) throw new TypeError(`feed "${name}": expected dtype ${node.dtype}, got ${t.dtype}`);
    return { name, node, t };
  });
  return bindLeaves(leaves);
}

/** Binds symbols from all leaves first, then checks every dim, so "B*T" may come before "B" and "T". */
export function bindLeaves(leaves: readonly { name: string; node: Node; t: { readonly dims: readonly number[] } }[]): Map<string, number> {
  const env = new Map<string, number>();
  for (const { node, t } of leaves) {
    node.shape.forEach((d, i) => {
      if (typeof d === "string" && isSymbol(d) && !env.has(d) && t.dims[i] !== undefined) env.set(d, t.dims[i] as number);
    });
  }
  for (const { name, node, t } of leaves) bindShape(env, name, node, t);
  return env;
}

/** Binds the symbols of node's declared shape from a concrete tensor, checking numeric dims and earlier bindings. */
export function bindShape(env: Map<string, number>, what: string, node: Node, t: { readonly dims: readonly number[] }): void {
  const bad = (): never => {
    throw new RangeError(`${what}: expected dims ${fmtShape(node.shape)}, got ${fmtShape(t.dims)}` +
      (env.size > 0 ? ` (bound so far: ${[...env].map(([k, v]) => `${k}=${v}`).join(", ")})` : ""));
  };
  if (t.dims.length !== node.shape.length) bad();
  node.shape.forEach((d, i) => {
    const actual = t.dims[i] as number;
    if (typeof d === "string" && dimSymbols(d).length === 1 && d === dimSymbols(d)[0] && !env.has(d)) env.set(d, actual);
    else if (evalDimSafe(d, env) !== actual) bad();
  });
}

function evalDimSafe(d: number | string, env: ReadonlyMap<string, number>): number | undefined {
  try {
    return evalDim(d, env);
  } catch {
    return undefined;
  }
}

export function leafNames(nodes: readonly Node[]): string[] {
  return nodes.filter((n) => n.op === "input" || n.op === "param").map(leafName);
}
