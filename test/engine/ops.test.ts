// Table-driven op tests (tinygrad's test_gradient style): for every row of OPS and each of its cases,
// (1) the shape rule against the interpreter's output dims, (2) every gradient rule against float64 central
// differences, (3) onnxruntime's outputs and gradients against the interpreter. A new op is covered once it has
// a row in OPS and cases in cases.ts.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  OP_NAMES, OrtExecutor, float32, gradients, interpretF64, toF64, type F64Tensor, type Node, type Tensor,
} from "../../src/engine/index.js";
import { CASES, type OpCase } from "./cases.js";
import { assertClose, buildCase, centralDiff, rng, type Built } from "./harness.js";

function symbolValues(c: OpCase): Map<string, number> {
  const env = new Map<string, number>();
  for (const spec of [...(c.binders ?? []), ...c.inputs]) {
    spec.shape.forEach((d, i) => {
      if (typeof d === "string" && !d.includes("*")) env.set(d, spec.dims?.[i] as number);
    });
  }
  return env;
}

function evalShape(shape: readonly (number | string)[], env: Map<string, number>): number[] {
  return shape.map((d) => (typeof d === "number" ? d : d.split("*").reduce((p, s) => p * (/^\d+$/.test(s) ? Number(s) : (env.get(s) as number)), 1)));
}

/** Adds loss = Σ out·R (R a fed weight tensor) and the gradients of the float inputs as outputs. */
function withLoss(b: Built, outDims: readonly number[], seed: number): { wrt: Node[]; feeds: Record<string, Tensor> } {
  const { g, out } = b;
  const r = g.input("R", out.shape);
  const prod = g.mul(out, r);
  const loss = out.shape.length === 0 ? prod : g.reduceSum(prod, out.shape.map((_, i) => i));
  g.output("loss", loss);
  const wrt = b.inputs.filter((n) => n.dtype === "float32");
  gradients(g, loss, wrt).forEach((d, i) => g.output(`d${i}`, d));
  const rand = rng(seed);
  const n = outDims.reduce((p, q) => p * q, 1);
  return { wrt, feeds: { ...b.feeds, R: float32(outDims, Array.from({ length: n }, () => rand() * 2 - 1)) } };
}

for (const op of OP_NAMES) {
  CASES[op].forEach((c, k) => {
    const seed = 1000 + k * 17 + op.length;
    const label = `${op} case ${k} (${c.inputs.map((s) => `[${s.shape.join(",")}]`).join(", ")})`;

    test(`${label}: shape rule matches the interpreter`, () => {
      const b = buildCase(op, c, seed);
      b.g.output("out", b.out);
      const r = interpretF64(b.g, b.feeds, ["out"])["out"] as F64Tensor;
      assert.deepEqual([...r.dims], evalShape(b.out.shape, symbolValues(c)));
    });

    const differentiable = c.grad !== false && c.inputs.some((s) => (s.dtype ?? "float32") === "float32");
    if (differentiable) {
      test(`${label}: gradients match float64 central differences`, () => {
        const b = buildCase(op, c, seed);
        b.g.output("out", b.out);
        const outDims = (interpretF64(b.g, b.feeds, ["out"])["out"] as F64Tensor).dims;
        const { wrt, feeds } = withLoss(b, outDims, seed + 1);
        const f64Feeds = Object.fromEntries(Object.entries(feeds).map(([name, t]) => [name, toF64(t)]));
        const analytic = interpretF64(b.g, f64Feeds, wrt.map((_, i) => `d${i}`));
        wrt.forEach((x, i) => {
          const name = `x${b.inputs.indexOf(x)}`;
          const fd = centralDiff(f64Feeds[name] as F64Tensor, (v) =>
            (interpretF64(b.g, { ...f64Feeds, [name]: v }, ["loss"])["loss"] as F64Tensor).data[0] as number);
          assertClose(`d${name}`, (analytic[`d${i}`] as F64Tensor).data, fd, 1e-6, 1e-5);
        });
      });
    }

    test(`${label}: onnxruntime matches the interpreter${differentiable ? " (outputs and gradients)" : ""}`, async () => {
      const b = buildCase(op, c, seed);
      b.g.output("out", b.out);
      let feeds = b.feeds;
      let names = ["out"];
      if (differentiable) {
        const outDims = (interpretF64(b.g, b.feeds, ["out"])["out"] as F64Tensor).dims;
        const r = withLoss(b, outDims, seed + 1);
        feeds = r.feeds;
        names = ["out", "loss", ...r.wrt.map((_, i) => `d${i}`)];
      }
      const expected = interpretF64(b.g, feeds, names);
      const ex = await OrtExecutor.create(b.g, { outputs: names, intraOpThreads: 1 });
      try {
        const got = await ex.run(feeds);
        for (const name of names) {
          const e = expected[name] as F64Tensor;
          const a = got[name] as Tensor;
          assert.deepEqual([...a.dims], [...e.dims], `${name} dims`);
          assertClose(name, a.data, e.data, 1e-5, 1e-4);
        }
      } finally {
        await ex.release();
      }
    });
  });
}
