// Gradient checkpointing (gradient_checkpointing): the backward reads recomputed block activations, and the
// gradients equal those of the graph that keeps them (gpt2 and opt, full fine-tuning and LoRA on a 4-bit base).
// And the run order that makes it pay: weight gradients run as the backward makes them (schedule.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Graph, float32, gradients, interpretF64, recomputeActivations, segmentsOf, sinksInBuildOrder, type F64Tensor } from "../../src/engine/index.js";
import { createPairBatcher, profilePrefix, readOrtProfile, TrainingGraph, type TrainingGraphOptions } from "../../src/train/index.js";
import { syntheticPairs, tinyModel, TINY_OPT } from "./helpers.js";

test("recomputeActivations: the backward reads clones of a segment's inner nodes, gated on the backward; values equal", () => {
  const g = new Graph();
  const x = g.input("x", [2, 3]);
  const w0 = g.param("h.0.w", [3, 3]), w1 = g.param("h.1.w", [3, 3]);
  const b0 = g.tanh(g.matmul(x, w0));          // segment 0, inside
  const h0 = g.mul(b0, b0);                    // its output (kept)
  const h1 = g.tanh(g.matmul(h0, w1));         // segment 1
  const loss = g.output("loss", g.reduceSum(g.mul(h1, h1), [0, 1]));
  const forwardEnd = g.nodes.length;
  gradients(g, loss, [w0, w1]).forEach((d, i) => g.output(`d${i}`, d));
  const seg = segmentsOf(g, forwardEnd, (name) => (name.startsWith("h.") ? Number(name[2]) : null));
  assert.deepEqual([seg[b0.id], seg[h0.id], seg[h1.id], seg[x.id]], [0, 0, 1, null]);
  const r = recomputeActivations(g, forwardEnd, seg);
  assert.ok(r.nodes.length > g.nodes.length, "clones added");
  const backwardInputs = r.nodes.slice(forwardEnd).flatMap((n) => n.inputs.map((i) => i.id));
  assert.ok(backwardInputs.includes(h0.id), "the segment output h0 is read as is");
  assert.ok(!backwardInputs.includes(b0.id), "b0 (inside segment 0) is recomputed for the backward");
  assert.ok(r.nodes.slice(forwardEnd).some((n) => n.op === "tanh"), "its recomputation");
  const feeds = { x: float32([2, 3], [0.1, -0.2, 0.3, 0.4, -0.5, 0.6]), "h.0.w": float32([3, 3], [1, 0.5, -0.3, 0.2, 0.1, 0.7, -0.4, 0.9, 0.3]),
    "h.1.w": float32([3, 3], [0.3, -0.6, 0.2, 0.8, 0.1, -0.2, 0.5, 0.4, -0.9]) };
  const [a, b] = [interpretF64(g, feeds, ["d0", "d1"]), interpretF64(r, feeds, ["d0", "d1"])];
  for (const k of ["d0", "d1"]) assert.deepEqual((b[k] as F64Tensor).data, (a[k] as F64Tensor).data, k);
});

test("gradient_checkpointing gives the gradients of the graph that keeps activations (gpt2, opt; full, 4-bit LoRA)", async () => {
  const cases: [string, Record<string, unknown> | undefined, Partial<TrainingGraphOptions>][] = [
    ["gpt2 full", undefined, {}], ["opt full", TINY_OPT, {}],
    ["gpt2 LoRA 4-bit", undefined, { lora: { r: 4, alpha: 8, dropout: 0, targetModules: ["c_attn"] }, quant: { bits: 4, blockSize: 16 } }],
  ];
  for (const [what, raw, extra] of cases) {
    const grads: Float32Array[] = [];
    for (const gradientCheckpointing of [false, true]) {
      const m = tinyModel(raw);
      let seed = 1;
      const g = await TrainingGraph.create(m, { hasMargin: false, centerRewardsCoefficient: null, threads: 1, gradientCheckpointing,
        uniform: () => ((seed = (seed * 16807) % 2147483647) / 2147483647), ...extra });
      try {
        const batch = createPairBatcher("standard", m.def, m.config, m.padTokenId, false).build(syntheticPairs(3));
        g.zeroGrads();
        await g.step(batch);
        grads.push(Float32Array.from(g.grads));
      } finally {
        await g.release();
      }
    }
    const [keep, recompute] = grads as [Float32Array, Float32Array];
    assert.ok(keep.some((v) => v !== 0), what);
    const scale = Math.max(...keep.map(Math.abs));
    const i = keep.findIndex((v, k) => Math.abs(v - (recompute[k] as number)) > 1e-6 * scale);
    assert.equal(i, -1, `${what}: gradient ${i} differs: ${keep[i]} vs ${recompute[i]}`);
  }
});

test("onnxruntime runs each weight gradient as soon as the backward makes it, not after the whole backward", async () => {
  // on llama, onnxruntime's own order ran every weight-gradient matmul (2-D·2-D: Xᵀ·dY flattened) after the last
  // matmul of the backward's chain (3-D inputs), holding all activations to the end; sinksInBuildOrder interleaves them
  const dir = mkdtempSync(path.join(os.tmpdir(), "rewardlab-order-"));
  const m = tinyModel({ model_type: "llama", vocab_size: 50, hidden_size: 16, intermediate_size: 32, num_hidden_layers: 3,
    num_attention_heads: 2, pad_token_id: 0 });
  const prefix = profilePrefix(dir);
  const g = await TrainingGraph.create(m, { hasMargin: false, centerRewardsCoefficient: null, threads: 1,
    trainSessionOptions: { enableProfiling: true, profileFilePrefix: prefix } });
  try {
    g.zeroGrads();
    await g.step(createPairBatcher("standard", m.def, m.config, m.padTokenId, false).build(syntheticPairs(3)));
  } finally {
    await g.release();
  }
  const matmuls = readOrtProfile(prefix).nodes.filter((n) => /MatMul|Gemm/.test(n.opType));
  const weightGrad = (n: (typeof matmuls)[number]): boolean => n.inputShapes.length >= 2 && n.inputShapes.every((s) => s.length === 2);
  const firstWeightGrad = matmuls.findIndex(weightGrad);
  assert.ok(firstWeightGrad > 0, "the profile has weight-gradient matmuls");
  const chainAfter = matmuls.slice(firstWeightGrad).filter((n) => !weightGrad(n)).length;
  assert.ok(chainAfter >= 6, `backward matmuls after the first weight gradient: ${chainAfter} (0 = all weight gradients ran last)`);
  rmSync(dir, { recursive: true, force: true });
});

test("sinksInBuildOrder: every backward sink but the last is waited for; values are unchanged", () => {
  const g = new Graph();
  const x = g.input("x", [2, 3]);
  const w0 = g.param("w0", [3, 3]), w1 = g.param("w1", [3, 3]);
  const loss = g.output("loss", g.reduceSum(g.tanh(g.matmul(g.tanh(g.matmul(x, w0)), w1)), [0, 1]));
  const forwardEnd = g.nodes.length;
  gradients(g, loss, [w1, w0]).forEach((d, i) => g.output(`d${i}`, d));
  const r = sinksInBuildOrder(g, forwardEnd);
  const readers = new Set(r.nodes.flatMap((n) => n.inputs.map((i) => i.id)));
  const sinks = r.nodes.slice(forwardEnd).filter((n) => n.inputs.length > 0 && !readers.has(n.id));
  assert.ok(r.nodes.some((n) => n.op === "after"), "after() inserted");
  assert.equal(sinks.length, 1, `one sink left: ${sinks.map((n) => n.op).join(", ")}`);
  const feeds = { x: float32([2, 3], [0.1, -0.2, 0.3, 0.4, -0.5, 0.6]), w0: float32([3, 3], [1, 0.5, -0.3, 0.2, 0.1, 0.7, -0.4, 0.9, 0.3]),
    w1: float32([3, 3], [0.3, -0.6, 0.2, 0.8, 0.1, -0.2, 0.5, 0.4, -0.9]) };
  const [a, b] = [interpretF64(g, feeds, ["d0", "d1"]), interpretF64(r, feeds, ["d0", "d1"])];
  for (const k of ["d0", "d1"]) assert.deepEqual((b[k] as F64Tensor).data, (a[k] as F64Tensor).data, k);
});
