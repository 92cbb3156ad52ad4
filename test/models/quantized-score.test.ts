// Scoring with the base's linear weights quantized (RewardModel.quantize, score/serve --load-in-8bit/4bit): rewards
// stay within a stated bound of fp32 — mean |Δreward| / std(reward) ≤ 0.03 at 8 bits and ≤ 0.3 at 4 bits on random
// gpt2 and opt models (block 32; measured 0.007 / 0.011 and 0.10 / 0.19) — and fp32 scoring comes back exactly after quantize(null).
import { test } from "node:test";
import assert from "node:assert/strict";
import { RewardModel } from "../../src/models/index.js";

const GPT2 = {
  model_type: "gpt2", vocab_size: 80, n_positions: 64, n_embd: 64, n_layer: 2, n_head: 4, n_inner: null,
  layer_norm_epsilon: 1e-5, initializer_range: 0.02, pad_token_id: 0, eos_token_id: 0, bos_token_id: 0,
};
const OPT = {
  model_type: "opt", vocab_size: 80, max_position_embeddings: 64, hidden_size: 64, word_embed_proj_dim: 64, ffn_dim: 128,
  num_hidden_layers: 2, num_attention_heads: 4, do_layer_norm_before: true, enable_bias: true, pad_token_id: 1,
  bos_token_id: 2, eos_token_id: 2, init_std: 0.02, activation_function: "relu",
};

function rows(n: number): number[][] {
  let s = 5;
  const next = (k: number): number => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0), s % k);
  return Array.from({ length: n }, () => Array.from({ length: 4 + next(20) }, () => 3 + next(70)));
}

/** mean |a − b| / std(b) */
function relativeDrift(a: Float32Array, b: Float32Array): number {
  const mean = b.reduce((p, v) => p + v, 0) / b.length;
  const std = Math.sqrt(b.reduce((p, v) => p + (v - mean) ** 2, 0) / b.length);
  return a.reduce((p, v, i) => p + Math.abs(v - (b[i] as number)), 0) / a.length / std;
}

test("quantized scoring stays within the stated bound of fp32 (8-bit ≤ 0.03, 4-bit ≤ 0.3 of the reward std)", async () => {
  for (const raw of [GPT2, OPT]) {
    const model = RewardModel.create(raw, 3);
    const r = rows(32);
    const fp32 = await model.score(r);
    const drift: Record<number, number> = {};
    for (const bits of [8, 4] as const) {
      await model.quantize({ bits, blockSize: 32 });
      drift[bits] = relativeDrift(await model.score(r), fp32);
    }
    assert.ok((drift[8] as number) <= 0.03, `${raw.model_type} 8-bit drift ${drift[8]}`);
    assert.ok((drift[4] as number) <= 0.3, `${raw.model_type} 4-bit drift ${drift[4]}`);
    assert.ok((drift[8] as number) > 0 && (drift[8] as number) < (drift[4] as number), `${raw.model_type}: 8-bit ${drift[8]} vs 4-bit ${drift[4]}`);
    await model.quantize(null);
    assert.deepEqual(await model.score(r), fp32, "fp32 again after quantize(null)");
    await model.release();
  }
});

test("quantize() rejects bits and block sizes onnxruntime does not take", async () => {
  const model = RewardModel.create(GPT2, 3);
  await assert.rejects(model.quantize({ bits: 4, blockSize: 48 }), /block size must be one of 16, 32, 64, 128, 256, got 48/);
});
