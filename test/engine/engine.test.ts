// The engine's contracts beyond single ops: shape errors, frozen params, symbolic dims across runs, row-sparse
// embedding gradients, baked initializers and feed checks.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ShapeError } from "../../src/errors.js";
import {
  Graph, InterpExecutor, OrtExecutor, float32, gradients, gradientsRowSparse, int64, scatterAddRows, type Executor,
  type Node, type Tensor,
} from "../../src/engine/index.js";
import { blockParamShapes, gpt2Block } from "./block.js";
import { assertClose, checkGradients, rng } from "./harness.js";

function randTensor(dims: number[], seed: number): Tensor {
  const rand = rng(seed);
  return float32(dims, Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => rand() * 2 - 1));
}

async function runBoth(g: Graph, feeds: Record<string, Tensor>, opts = {}): Promise<[Record<string, Tensor>, Record<string, Tensor>]> {
  const exs: Executor[] = [await OrtExecutor.create(g, { ...opts, intraOpThreads: 1 }), await InterpExecutor.create(g, opts)];
  try {
    return [await (exs[0] as Executor).run(feeds), await (exs[1] as Executor).run(feeds)];
  } finally {
    for (const ex of exs) await ex.release();
  }
}

test("a shape error names the op, the node id and every input shape", () => {
  const g = new Graph();
  const x = g.input("x", [4, 256, 768]);
  const w = g.param("w", [512, 768]);
  assert.throws(() => g.matmul(x, w), (e: unknown) => e instanceof ShapeError && e.message === "matmul #2: inner dims differ: [4,256,768] x [512,768]");
  assert.throws(() => g.add(g.input("a", ["B", 3]), g.input("b", ["T", 3])), /add #4: cannot broadcast dim B with T at axis 0: \[B,3\], \[T,3\]/);
});

test("frozen params get no gradient and their weight-gradient matmuls are never built (LoRA)", async () => {
  const g = new Graph();
  const x = g.input("x", ["N", 6]);
  const w0 = g.param("w0", [6, 6], { trainable: false });
  const a = g.param("lora_A", [6, 2]);
  const b = g.param("lora_B", [2, 6]);
  const w2 = g.param("w2", [6, 1], { trainable: false });
  const h = g.add(g.matmul(x, w0), g.matmul(g.matmul(x, a), b));
  const loss = g.reduceSum(g.matmul(g.tanh(h), w2), [0, 1]);
  const matmuls = (): number => g.nodes.filter((n) => n.op === "matmul").length;
  assert.equal(matmuls(), 4);
  const [da, db] = gradients(g, loss, [a, b]) as [Node, Node];
  // dh = d·w2ᵀ, dB = (xA)ᵀ·dh, d(xA) = dh·Bᵀ, dA = xᵀ·d(xA); no dw0, no dw2, no dx
  assert.equal(matmuls(), 8);
  g.output("dA", da);
  g.output("dB", db);
  const feeds = { x: randTensor([5, 6], 1), w0: randTensor([6, 6], 2), lora_A: randTensor([6, 2], 3), lora_B: randTensor([2, 6], 4), w2: randTensor([6, 1], 5) };
  const [ortOut, ref] = await runBoth(g, feeds);
  for (const name of ["dA", "dB"]) assertClose(name, (ortOut[name] as Tensor).data, (ref[name] as Tensor).data as Float32Array, 1e-5, 1e-4);
  // baked frozen weights leave the per-run feeds and give the same result
  const ex = await OrtExecutor.create(g, { initializers: { w0: feeds.w0, w2: feeds.w2 }, intraOpThreads: 1 });
  assert.deepEqual([...ex.inputNames].sort(), ["lora_A", "lora_B", "x"]);
  const baked = await ex.run({ x: feeds.x, lora_A: feeds.lora_A, lora_B: feeds.lora_B });
  await ex.release();
  assertClose("dA baked", (baked["dA"] as Tensor).data, (ref["dA"] as Tensor).data as Float32Array, 1e-5, 1e-4);
});

test("a weight used as Wᵀ (nn.Linear) gets dx = dOut·W and dW = dOutᵀ·x: no transpose of W or of dW is built", async () => {
  const g = new Graph();
  const x = g.input("x", ["B", "T", 6]);
  const w = g.param("w", [4, 6]); // [out, in], applied as x·Wᵀ
  const y = g.matmul(x, g.transpose(w, [1, 0]));
  const loss = g.reduceSum(g.mul(y, y), [0, 1, 2]);
  const before = g.nodes.length;
  const [dx, dw] = gradients(g, loss, [x, w]) as [Node, Node];
  // what the gradients read (a rule may build a form it then does not use: dead nodes are never emitted)
  const used = new Set<Node>();
  const visit = (n: Node): void => { if (!used.has(n)) { used.add(n); n.inputs.forEach(visit); } };
  [dx, dw].forEach(visit);
  const transposes = [...used].filter((n) => n.op === "transpose" && n.id >= before);
  // the only transpose is that of the flattened dOut rows (run inside the matmul); W, Wᵀᵀ and dWᵀ are never copied
  assert.deepEqual(transposes.map((n) => n.inputs[0]?.op), ["reshape"]);
  assert.notEqual(transposes[0]?.inputs[0]?.inputs[0], x);
  assert.equal(dw.op, "matmul");
  assert.deepEqual(dw.shape, [4, 6]);
  g.output("dx", dx);
  g.output("dw", dw);
  const feeds = { x: randTensor([2, 3, 6], 6), w: randTensor([4, 6], 7) };
  const [ortOut, ref] = await runBoth(g, feeds);
  // d(Σ y²)/dW = 2·yᵀ·x over the flattened rows, computed here in float64
  const xs = feeds.x.data as Float32Array, ws = feeds.w.data as Float32Array;
  const expected = new Float64Array(24);
  for (let r = 0; r < 6; r++) {
    for (let o = 0; o < 4; o++) {
      let yo = 0;
      for (let i = 0; i < 6; i++) yo += (xs[r * 6 + i] as number) * (ws[o * 6 + i] as number);
      for (let i = 0; i < 6; i++) expected[o * 6 + i] = (expected[o * 6 + i] as number) + 2 * yo * (xs[r * 6 + i] as number);
    }
  }
  for (const out of [ortOut, ref]) assertClose("dw", (out["dw"] as Tensor).data, Float32Array.from(expected), 1e-5, 1e-4);
  assertClose("dx", (ortOut["dx"] as Tensor).data, (ref["dx"] as Tensor).data as Float32Array, 1e-5, 1e-4);
});

test("one onnxruntime session runs a block at two batch and sequence sizes", async () => {
  const C = 8;
  const g = new Graph();
  const x = g.input("x", ["B", "T", C]);
  const shapes = blockParamShapes(C);
  const out = gpt2Block(g, x, (name) => g.leafByName(name) ?? g.param(name, shapes[name] as number[]), C, 2);
  g.output("y", out);
  const r = g.input("R", ["B", "T", C]);
  const loss = g.reduceSum(g.mul(out, r), [0, 1, 2]);
  const [dx, dw] = gradients(g, loss, [x, g.leafByName("attn.c_attn.weight") as Node]) as [Node, Node];
  g.output("dx", dx);
  g.output("dw", dw);
  const params = Object.fromEntries(Object.entries(shapes).map(([name, dims], i) => [name, randTensor(dims, 10 + i)]));
  const ort = await OrtExecutor.create(g, { intraOpThreads: 1 });
  const ref = await InterpExecutor.create(g);
  for (const [B, T] of [[2, 3], [1, 5]] as const) {
    const feeds = { ...params, x: randTensor([B, T, C], B * 7 + T), R: randTensor([B, T, C], T) };
    const [got, want] = [await ort.run(feeds), await ref.run(feeds)];
    assert.deepEqual((got["y"] as Tensor).dims, [B, T, C]);
    for (const name of ["y", "dx", "dw"]) {
      assertClose(`${name} at B=${B} T=${T}`, (got[name] as Tensor).data, (want[name] as Tensor).data as Float32Array, 1e-4, 1e-3);
    }
  }
  await ort.release();
});

test("row-sparse embedding gradients scatter into the same dense gradient", async () => {
  const V = 7, C = 3;
  const g = new Graph();
  const ids = g.input("ids", ["B", "T"], "int64");
  const wte = g.param("wte", [V, C]);
  const e = g.gather(wte, ids);
  const loss = g.reduceSum(g.mul(e, g.tanh(e)), [0, 1, 2]);
  const dense = gradients(g, loss, [wte])[0] as Node;
  const { rows } = gradientsRowSparse(g, loss, [], [wte]);
  const rg = rows[0];
  assert.ok(rg);
  g.output("dense", dense);
  g.output("rows", rg.rows);
  g.output("indices", rg.indices);
  const feeds = { ids: int64([2, 3], [1, 4, 1, 6, 0, 4]), wte: randTensor([V, C], 9) };
  const [got] = await runBoth(g, feeds);
  assert.deepEqual((got["rows"] as Tensor).dims, [6, C]);
  const acc = new Float32Array(V * C);
  scatterAddRows(acc, C, got["rows"] as Tensor, got["indices"] as Tensor);
  assertClose("scattered rows", acc, (got["dense"] as Tensor).data as Float32Array, 1e-6, 1e-5);
  assert.ok(acc.some((v) => v !== 0));
});

test("a symbol is read from a needed input, so an unrelated input that declares it first is not a required feed", async () => {
  const g = new Graph();
  g.input("unrelated", ["B", 2]);
  const x = g.input("x", ["B", "T"]);
  g.output("y", g.add(g.reshape(x, ["B*T"]), g.fill(["B*T"], 1))); // reads B and T at run time
  const [got, want] = await runBoth(g, { x: float32([2, 3], [0, 1, 2, 3, 4, 5]) });
  assert.deepEqual((got["y"] as Tensor).dims, [6]);
  assert.deepEqual(Array.from((got["y"] as Tensor).data as Float32Array), Array.from((want["y"] as Tensor).data as Float32Array));
  assert.deepEqual(Array.from((got["y"] as Tensor).data as Float32Array), [1, 2, 3, 4, 5, 6]);
  const ex = await OrtExecutor.create(g, { intraOpThreads: 1 });
  assert.deepEqual([...ex.inputNames], ["x"]);
  await ex.release();
});

test("feeds are checked: missing names, dtypes and inconsistent symbol values", async () => {
  const g = new Graph();
  const a = g.input("a", ["B", 2]);
  const b = g.input("b", ["B", 2]);
  g.output("s", g.add(a, b));
  const ex = await OrtExecutor.create(g, { intraOpThreads: 1 });
  try {
    await assert.rejects(ex.run({ a: float32([1, 2]) }), /missing feed "b" \(expected float32\[B,2\]\)/);
    await assert.rejects(ex.run({ a: float32([1, 2]), b: int64([1, 2], [1, 2]) }), /feed "b": expected dtype float32, got int64/);
    await assert.rejects(ex.run({ a: float32([1, 2]), b: float32([3, 2]) }), /b: expected dims \[B,2\], got \[3,2\] \(bound so far: B=1\)/);
    const ok = await ex.run({ a: float32([1, 2], [1, 2]), b: float32([1, 2], [3, 4]) });
    assert.deepEqual(Array.from((ok["s"] as Tensor).data as Float32Array), [4, 6]);
  } finally {
    await ex.release();
  }
});

test("gradients through sibling slices (joined, with gaps, overlapping) match central differences", () => {
  for (const [name, cuts] of [["tiling", [[0, 2], [2, 4], [4, 6]]], ["gaps", [[3, 5], [0, 2]]], ["overlap", [[0, 3], [2, 5]]]] as const) {
    const g = new Graph();
    const x = g.input("x", [2, 6]);
    const h = g.tanh(x);
    const parts = cuts.map(([s, e], i) => g.mul(g.slice(h, 1, s, e), g.scalar(i + 1)));
    const loss = g.reduceSum(g.mul(g.concat(parts, 1), g.concat(parts, 1)), [0, 1]);
    g.output("loss", loss);
    g.output("d0", gradients(g, loss, [x])[0] as Node);
    if (name !== "overlap") assert.equal(g.nodes.filter((n) => n.op === "concat").length, 3, `${name}: one concat joins the slice gradients`);
    checkGradients(g, ["x"], { x: randTensor([2, 6], 3) });
  }
});

test("gradients: zero for an unused tensor, errors for a non-scalar loss and an integer target", async () => {
  const g = new Graph();
  const x = g.input("x", [3]);
  const unused = g.param("unused", [2]);
  const ids = g.input("ids", [3], "int64");
  const y = g.mul(x, x);
  assert.throws(() => gradients(g, y, [x]), /loss #\d+ has shape \[3\]; gradients\(\) needs a scalar or a seed/);
  assert.throws(() => gradients(g, g.reduceSum(y, [0]), [ids]), /node #2 \(input\) is int64; only float32 tensors have gradients/);
  const loss = g.reduceSum(y, [0]);
  const [dx, du] = gradients(g, loss, [x, unused]) as [Node, Node];
  g.output("dx", dx);
  g.output("du", du);
  const [got] = await runBoth(g, { x: float32([3], [1, -2, 3]), unused: float32([2], [5, 5]) });
  assert.deepEqual(Array.from((got["dx"] as Tensor).data as Float32Array), [2, -4, 6]);
  assert.deepEqual(Array.from((got["du"] as Tensor).data as Float32Array), [0, 0]);
});
