// A training step is a function of its inputs: the same batch twice, on 2 onnxruntime threads, gives the same
// gradient bits. (Embedding gradients used to come from onnxruntime's scatter-add over repeated ids, whose order
// varied between runs; they are summed in JS now, in train-graph.ts's EMBEDDING_TABLES.)
import { test } from "node:test";
import assert from "node:assert/strict";
import { RewardModel } from "../../src/models/index.js";
import { createPairBatcher, TrainingGraph } from "../../src/train/index.js";

const CONFIGS: Record<string, Record<string, unknown>> = {
  gpt2: { model_type: "gpt2", vocab_size: 5000, pad_token_id: 0, eos_token_id: 0, n_positions: 256, n_embd: 128, n_layer: 2, n_head: 4, n_inner: null },
  opt: { model_type: "opt", vocab_size: 5000, pad_token_id: 1, eos_token_id: 2, bos_token_id: 2, hidden_size: 160, word_embed_proj_dim: 80,
    ffn_dim: 640, num_hidden_layers: 2, num_attention_heads: 5, max_position_embeddings: 256, do_layer_norm_before: false, enable_bias: true },
  llama: { model_type: "llama", vocab_size: 5000, hidden_size: 128, intermediate_size: 352, num_hidden_layers: 2, num_attention_heads: 4,
    num_key_value_heads: 2, pad_token_id: 0, max_position_embeddings: 512 },
};

test("the same batch twice on 2 threads gives the same gradient bits (gpt2, opt, llama; full fine-tuning)", async () => {
  const row = (k: number, n: number) => Int32Array.from({ length: n }, (_, t) => 3 + ((t * 7919 + k * 104729) % 4900));
  const pairs = Array.from({ length: 8 }, (_, k) => ({ input_ids_chosen: row(2 * k, 100 + 13 * k), attention_mask_chosen: new Int32Array(100 + 13 * k).fill(1),
    input_ids_rejected: row(2 * k + 1, 90 + 7 * k), attention_mask_rejected: new Int32Array(90 + 7 * k).fill(1), sharedPrefix: 0 }));
  for (const [name, raw] of Object.entries(CONFIGS)) {
    const m = RewardModel.create(raw, 1);
    const g = await TrainingGraph.create(m, { hasMargin: false, centerRewardsCoefficient: null, threads: 2 });
    try {
      const batch = createPairBatcher("standard", m.def, m.config, m.padTokenId, false).build(pairs);
      const runs: Float32Array[] = [];
      for (let i = 0; i < 4; i++) {
        g.zeroGrads();
        await g.step(batch);
        runs.push(Float32Array.from(g.grads));
      }
      for (const [i, r] of runs.entries()) {
        const k = r.findIndex((v, j) => !Object.is(v, (runs[0] as Float32Array)[j]));
        const t = g.tensors.find((x) => k >= x.offset && k < x.offset + x.length);
        assert.equal(k, -1, `${name}: run ${i} differs from run 0 first in ${t?.name ?? "?"}`);
      }
    } finally {
      await g.release();
    }
  }
});
