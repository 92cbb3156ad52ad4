// onnxruntime profiles → op-kind buckets, on a real profiled session (the trace format is onnxruntime's, not ours).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { float32, Graph, OrtExecutor } from "../../src/engine/index.js";
import type { TokenizedPair } from "../../src/data/index.js";
import { RewardModel } from "../../src/models/index.js";
import {
  DEFAULT_REWARD_CONFIG, opKindOf, opSecondsByKind, pairList, parseOrtProfile, profilePrefix, profileTrainingSteps, readOrtProfile,
} from "../../src/train/index.js";

test("matmuls with a 2-D operand are weight matmuls; batched activation·activation matmuls and softmax are attention", () => {
  assert.equal(opKindOf({ opType: "MatMul", inputShapes: [[2, 5, 16], [16, 48]] }), "matmul");
  assert.equal(opKindOf({ opType: "FusedMatMul", inputShapes: [[16, 10], [10, 48]] }), "matmul");
  assert.equal(opKindOf({ opType: "FusedMatMul", inputShapes: [[2, 4, 5, 4], [2, 4, 5, 4]] }), "attention");
  assert.equal(opKindOf({ opType: "Softmax", inputShapes: [[2, 4, 5, 5]] }), "attention");
  assert.equal(opKindOf({ opType: "SoftmaxGrad_13", inputShapes: [] }), "attention");
  assert.equal(opKindOf({ opType: "LayerNormalization", inputShapes: [[2, 5, 16]] }), "norms");
  assert.equal(opKindOf({ opType: "LayerNormalizationGrad", inputShapes: [] }), "norms");
  assert.equal(opKindOf({ opType: "Add", inputShapes: [[2, 5, 16], [16]] }), "elementwise");
});

test("a profiled session's trace: every node in a bucket, the warm-up run left out when asked", async () => {
  const g = new Graph();
  const x = g.input("x", [2, 5, 16], "float32");
  const w = g.param("w", [16, 16]);
  const h = g.layerNorm(g.matmul(x, w), g.param("ln.weight", [16]), g.param("ln.bias", [16]), 1e-5); // [2, 5, 16]
  const q = g.reshape(h, [2, 5, 4, 4]);                                                                // [B, T, H, D]
  const qh = g.transpose(q, [0, 2, 1, 3]), kt = g.transpose(q, [0, 2, 3, 1]);
  g.output("y", g.softmax(g.matmul(qh, kt)));                                                         // [2, 4, 5, 5]
  const prefix = profilePrefix(path.join(mkdtempSync(path.join(tmpdir(), "rewardlab-profile-")), "trace"));
  const ex = await OrtExecutor.create(g, { intraOpThreads: 1, sessionOptions: { enableProfiling: true, profileFilePrefix: prefix } });
  const fill = (n: number): Float32Array => Float32Array.from({ length: n }, (_, i) => Math.sin(i));
  const feeds = { x: float32([2, 5, 16], fill(160)), w: float32([16, 16], fill(256)), "ln.weight": float32([16], fill(16)), "ln.bias": float32([16], fill(16)) };
  for (let i = 0; i < 3; i++) await ex.run(feeds);
  await ex.release();

  const p = readOrtProfile(prefix);
  assert.equal(p.runs.length, 3);
  const kinds = new Set(p.nodes.map(opKindOf));
  assert.ok(kinds.has("matmul") && kinds.has("attention") && kinds.has("norms"), `kinds ${[...kinds].join(", ")}`);
  const all = opSecondsByKind(p), later = opSecondsByKind(p, p.runs.slice(1));
  const sum = (r: Record<string, number>): number => Object.values(r).reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(sum(all) - p.nodes.reduce((s, n) => s + n.durUs / 1e6, 0)) < 1e-9);
  assert.ok(sum(later) < sum(all) && sum(later) > 0);
});

test("parseOrtProfile reads the fields it needs and names the file on bad JSON", () => {
  const text = JSON.stringify([
    { cat: "Session", name: "model_run", ts: 100, dur: 50 },
    { cat: "Node", name: "MatMul_3_kernel_time", ts: 110, dur: 20, args: { op_name: "MatMul", input_type_shape: [{ float: [4, 8] }, { float: [8, 2] }] } },
    { cat: "Node", name: "MatMul_3_fence_before", ts: 109, dur: 0, args: { op_name: "MatMul" } },
  ]);
  const p = parseOrtProfile(text, "t.json");
  assert.deepEqual(p.runs, [{ tsUs: 100, durUs: 50 }]);
  assert.deepEqual(p.nodes, [{ node: "MatMul_3", opType: "MatMul", tsUs: 110, durUs: 20, inputShapes: [[4, 8], [8, 2]] }]);
  assert.deepEqual(opSecondsByKind(p), { matmul: 20e-6, attention: 0, norms: 0, elementwise: 0 });
  assert.throws(() => parseOrtProfile("[", "t.json"), /onnxruntime profile is not valid JSON/);
});

test("profileTrainingSteps: full fine-tuning and LoRA steps split by kind, and the model is left as it was", async () => {
  const model = RewardModel.create({ model_type: "opt", vocab_size: 64, hidden_size: 16, word_embed_proj_dim: 8, ffn_dim: 32, num_hidden_layers: 1,
    num_attention_heads: 2, max_position_embeddings: 32, do_layer_norm_before: false, pad_token_id: 1 }, 3);
  const pair = (n: number): TokenizedPair => {
    const c = Int32Array.from({ length: 6 + n }, (_, i) => 2 + ((i * 7 + n) % 60)), r = Int32Array.from({ length: 4 + n }, (_, i) => 2 + ((i * 5 + n) % 60));
    return { input_ids_chosen: c, attention_mask_chosen: c.map(() => 1), input_ids_rejected: r, attention_mask_rejected: r.map(() => 1), sharedPrefix: 0 };
  };
  const set = pairList([0, 1, 2, 3, 4, 5].map(pair));
  const before = Float32Array.from(model.weights.data);
  const dir = mkdtempSync(path.join(tmpdir(), "rewardlab-profile-steps-"));
  for (const use_lora of [false, true]) {
    const c = { ...DEFAULT_REWARD_CONFIG, use_lora, per_device_train_batch_size: 2, threads: 1 };
    const p = await profileTrainingSteps(model, c, set, 2, path.join(dir, String(use_lora)));
    assert.ok(p !== null);
    assert.equal(p.steps, 2);
    assert.equal(p.pairs, 4);
    assert.deepEqual(Object.keys(p.timeByKind).sort(), ["attention", "data", "elementwise", "matmul", "norms", "optimizer", "other"]);
    assert.ok(p.timeByKind.matmul > 0 && p.timeByKind.attention > 0 && p.timeByKind.optimizer > 0, JSON.stringify(p.timeByKind));
    assert.ok(Math.abs(p.seconds - Object.values(p.timeByKind).reduce((a, b) => a + b, 0)) < 1e-9);
  }
  assert.deepEqual(model.weights.data, before);
});
