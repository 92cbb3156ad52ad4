// RewardModel outside the reference fixtures: fresh init rules, input checks, ordinary batches.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ordinaryBatch } from "../../src/models/layers.js";
import { RewardModel } from "../../src/models/reward-model.js";

const TINY_GPT2 = { model_type: "gpt2", vocab_size: 100, n_positions: 16, n_embd: 8, n_layer: 2, n_head: 2, pad_token_id: 0 };

test("create() follows HF _init_weights: LayerNorm 1/0, biases 0, normal(0, 0.02), residual projections scaled", () => {
  const m = RewardModel.create(TINY_GPT2, 3);
  assert.ok(m.weights.get("transformer.h.0.ln_1.weight").every((x) => x === 1));
  assert.ok(m.weights.get("transformer.h.1.attn.c_attn.bias").every((x) => x === 0));
  const std = (xs: Float32Array) => Math.sqrt(xs.reduce((a, x) => a + x * x, 0) / xs.length);
  assert.ok(Math.abs(std(m.weights.get("transformer.wte.weight")) - 0.02) < 0.002);
  assert.ok(Math.abs(std(m.weights.get("transformer.h.0.mlp.c_proj.weight")) - 0.01) < 0.002); // 0.02 / sqrt(2 · 2)
  assert.deepEqual(RewardModel.create(TINY_GPT2, 3).weights.data, m.weights.data);
  assert.notDeepEqual(RewardModel.create(TINY_GPT2, 4).weights.data, m.weights.data);
});

test("ordinaryBatch: right padding, mask, rightmost non-pad token pooled, causal + padding bias", () => {
  const b = ordinaryBatch([[5, 6, 7], [8]], 0);
  assert.deepEqual([...b.inputIds].map(Number), [5, 6, 7, 8, 0, 0]);
  assert.deepEqual([...b.attentionMask], [1, 1, 1, 1, 0, 0]);
  assert.deepEqual([...b.poolIndex].map(Number), [2, 0]);
  const seen = [...b.attentionBias].map((x) => (x === 0 ? 1 : 0));
  assert.deepEqual(seen, [1, 0, 0, 1, 1, 0, 1, 1, 1, /* row 2 */ 1, 0, 0, 1, 0, 0, 1, 0, 0]);
  // a text ending in the pad id (GPT-2: pad = eos) is read at the token before it, as transformers does
  assert.deepEqual([...ordinaryBatch([[5, 0]], 0).poolIndex].map(Number), [0]);
});

test("score() rejects rows the model cannot take, naming the row", async () => {
  const m = RewardModel.create(TINY_GPT2, 1);
  await assert.rejects(m.score([[1, 2], new Array<number>(17).fill(1)]), /row 1 has 17 tokens, the model takes at most 16/);
  await assert.rejects(m.score([[1, 100]]), /row 0: token id 100 is outside the vocabulary \[0, 100\)/);
  await assert.rejects(m.score([[]]), /row 0 has no tokens/);
  assert.deepEqual(await m.score([]), new Float32Array(0));
  const r = await m.score([[1, 2, 3], [4]], { batchSize: 1 });
  const both = await m.score([[1, 2, 3], [4]], { batchSize: 2 });
  await m.release();
  assert.ok(r.every((x, i) => Math.abs(x - (both[i] as number)) < 1e-6 && x !== 0));
});
