// Training through the engine on onnxruntime: a 2-layer MLP and a one-block transformer learn (loss falls),
// with the gradients computed by the graph and a plain optimizer loop in the test.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  Graph, OrtExecutor, float32, gradients, int64, leafName, type Node, type Tensor,
} from "../../src/engine/index.js";
import { blockParamShapes, gpt2Block } from "./block.js";
import { rng } from "./harness.js";

function randomParams(shapes: Record<string, number[]>, seed: number, scale: number): Record<string, Tensor> {
  const rand = rng(seed);
  return Object.fromEntries(Object.entries(shapes).map(([name, dims]) => {
    const n = dims.reduce((a, b) => a * b, 1);
    const ones = /ln_\d\.weight/.test(name);
    return [name, float32(dims, Array.from({ length: n }, () => (ones ? 1 : (rand() * 2 - 1) * scale)))];
  }));
}

/** Adam over flat buffers, for the test only (the trainer owns the real AdamW). */
function adam(params: Record<string, Tensor>, lr: number): (grads: Record<string, Tensor>) => void {
  const m = new Map<string, Float32Array>();
  const v = new Map<string, Float32Array>();
  let t = 0;
  return (grads) => {
    t++;
    for (const [name, p] of Object.entries(params)) {
      const gd = grads[name]?.data as Float32Array;
      const pm = m.get(name) ?? new Float32Array(gd.length);
      const pv = v.get(name) ?? new Float32Array(gd.length);
      m.set(name, pm);
      v.set(name, pv);
      const data = p.data as Float32Array;
      for (let i = 0; i < gd.length; i++) {
        const gi = gd[i] as number;
        pm[i] = 0.9 * (pm[i] as number) + 0.1 * gi;
        pv[i] = 0.999 * (pv[i] as number) + 0.001 * gi * gi;
        const mh = (pm[i] as number) / (1 - 0.9 ** t);
        const vh = (pv[i] as number) / (1 - 0.999 ** t);
        data[i] = (data[i] as number) - (lr * mh) / (Math.sqrt(vh) + 1e-8);
      }
    }
  };
}

async function trainLoop(g: Graph, params: Record<string, Tensor>, data: Record<string, Tensor>, steps: number, lr: number): Promise<number[]> {
  const ex = await OrtExecutor.create(g, { intraOpThreads: 1 });
  const step = adam(params, lr);
  const losses: number[] = [];
  try {
    for (let s = 0; s < steps; s++) {
      const out = await ex.run({ ...data, ...params });
      losses.push((out["loss"] as Tensor).data[0] as number);
      step(Object.fromEntries(Object.keys(params).map((name) => [name, out[`grad:${name}`] as Tensor])));
    }
  } finally {
    await ex.release();
  }
  return losses;
}

function addGradOutputs(g: Graph, loss: Node): void {
  g.output("loss", loss);
  const ps = g.params();
  gradients(g, loss, ps).forEach((d, i) => g.output(`grad:${leafName(ps[i] as Node)}`, d));
}

test("a 2-layer MLP regresses a smooth target on onnxruntime (loss falls 10x)", async () => {
  const g = new Graph();
  const x = g.input("x", ["N", 2]);
  const y = g.input("y", ["N", 1]);
  const h = g.tanh(g.add(g.matmul(x, g.param("w1", [2, 16])), g.param("b1", [16])));
  const pred = g.add(g.matmul(h, g.param("w2", [16, 1])), g.param("b2", [1]));
  const err = g.sub(pred, y);
  addGradOutputs(g, g.reduceMean(g.mul(err, err), [0, 1]));
  const params = randomParams({ w1: [2, 16], b1: [16], w2: [16, 1], b2: [1] }, 7, 0.5);
  const rand = rng(3);
  const xs = Array.from({ length: 64 * 2 }, () => rand() * 2 - 1);
  const ys = Array.from({ length: 64 }, (_, i) => Math.sin(2 * (xs[2 * i] as number)) * (xs[2 * i + 1] as number));
  const losses = await trainLoop(g, params, { x: float32([64, 2], xs), y: float32([64, 1], ys) }, 150, 0.03);
  assert.ok(losses.every(Number.isFinite), "losses are finite");
  assert.ok((losses.at(-1) as number) < (losses[0] as number) / 10, `loss ${losses[0]} → ${losses.at(-1)}`);
});

test("a one-block transformer (d 16, 2 heads, T 8) learns to predict the previous token", async () => {
  const C = 16, V = 8, B = 4, T = 8;
  const g = new Graph();
  const ids = g.input("input_ids", ["B", "T"], "int64");
  const targets = g.input("targets", ["B", "T"], "int64");
  const shapes: Record<string, number[]> = { wte: [V, C], wpe: [T, C], head: [C, V] };
  for (const [name, dims] of Object.entries(blockParamShapes(C))) shapes[`h.${name}`] = dims;
  const p = Object.fromEntries(Object.entries(shapes).map(([name, dims]) => [name, g.param(name, dims)]));
  const pos = g.sub(g.cumsum(g.fill(["T"], 1, "int64"), 0), g.scalar(1, "int64")); // [T]: 0..T-1
  let x = g.add(g.gather(p["wte"] as Node, ids), g.gather(p["wpe"] as Node, pos)); // [B, T, C]
  x = gpt2Block(g, x, (name) => p[`h.${name}`] as Node, C, 2);
  const logp = g.log(g.softmax(g.matmul(x, p["head"] as Node))); // [B, T, V]
  const picked = g.gatherElements(logp, g.reshape(targets, ["B", "T", 1]), 2); // [B, T, 1]
  addGradOutputs(g, g.neg(g.reduceMean(picked, [0, 1, 2])));
  const params = randomParams(shapes, 11, 0.3);
  const rand = rng(5);
  const seq = Array.from({ length: B * T }, () => Math.floor(rand() * V));
  const prev = seq.map((v, i) => (i % T === 0 ? 0 : (seq[i - 1] as number)));
  const losses = await trainLoop(g, params, { input_ids: int64([B, T], seq), targets: int64([B, T], prev) }, 60, 0.02);
  assert.ok(losses.every(Number.isFinite), "losses are finite");
  assert.ok((losses.at(-1) as number) < (losses[0] as number) * 0.5, `loss ${losses[0]} → ${losses.at(-1)}`);
});
