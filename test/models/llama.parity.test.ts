// Llama-family parity with transformers (test/fixtures/llama, made by make-fixtures.py with transformers itself):
// checkpoints as save_pretrained wrote them (F32, BF16, sharded, a 4.x config), rewards one at a time and batched,
// the pairwise loss and every sampled gradient of one training step.
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { RewardModel } from "../../src/models/index.js";
import { StandardBatcher } from "../../src/train/batches.js";
import { TrainingGraph } from "../../src/train/train-graph.js";
import { LLAMA_FIXTURES, LLAMA_MODELS, readLlamaExpected, tokenizedPair } from "./llama-fixtures.js";
import { assertClose } from "./parity.js";

for (const name of LLAMA_MODELS) {
  test(`${name}: checkpoint loads; rewards (single, batched) match transformers`, async () => {
    const e = readLlamaExpected(name);
    const m = RewardModel.load(path.join(LLAMA_FIXTURES, name));
    try {
      assert.deepEqual(m.notes, [], "nothing fresh, nothing ignored");
      assert.equal(m.padTokenId, e.pad_token_id);
      const tol = 1e-5 * Math.max(...e.texts.map((t) => Math.abs(t.reward)));
      const single = new Float32Array(e.texts.length);
      for (let i = 0; i < e.texts.length; i++) single[i] = (await m.score([e.texts[i]?.input_ids as number[]]))[0] as number;
      assertClose(`${name} rewards one at a time`, single, e.texts.map((t) => t.reward), tol, (i) => `text ${i}`);
      const batched = await m.score(e.texts.map((t) => t.input_ids), { batchSize: e.texts.length });
      assertClose(`${name} rewards batched`, batched, e.texts_batch_rewards, tol, (i) => `text ${i}`);
    } finally {
      await m.release();
    }
  });

  test(`${name}: pairwise loss and sampled gradients of every parameter match torch`, async () => {
    const e = readLlamaExpected(name);
    const m = RewardModel.load(path.join(LLAMA_FIXTURES, name));
    const g = await TrainingGraph.create(m, { hasMargin: false, centerRewardsCoefficient: null, threads: 1 });
    try {
      const batch = new StandardBatcher(m.def, m.config, m.padTokenId, false).build(e.pairs.map((p) => tokenizedPair(p.chosen_ids, p.rejected_ids)));
      g.grads.fill(0);
      const r = await g.step(batch);
      const P = e.pairs.length;
      assertClose(`${name} pair rewards`, [...r.chosen, ...r.rejected], e.pairs_rewards, 1e-5 * Math.max(...e.pairs_rewards.map(Math.abs)));
      assertClose(`${name} loss`, [r.loss], [e.loss], 1e-6);
      assert.equal(r.chosen.length, P);
      const problems: string[] = [];
      for (const t of g.tensors) {
        const p = e.params[t.name];
        if (!p) { problems.push(`${t.name}: not in the reference`); continue; }
        const grad = g.grads.subarray(t.offset, t.offset + t.length);
        let sq = 0;
        for (const x of grad) sq += x * x;
        const tol = 1e-4 * p.grad_max_abs;
        if (!(Math.abs(Math.sqrt(sq) - p.grad_norm) <= 1e-4 * p.grad_norm + 1e-12)) problems.push(`${t.name}: grad norm ${Math.sqrt(sq)}, expected ${p.grad_norm}`);
        p.index.forEach((i, k) => {
          const d = Math.abs((grad[i] as number) - (p.grad[k] as number));
          if (!(d <= tol)) problems.push(`${t.name}[${i}]: grad ${grad[i]}, expected ${p.grad[k]} (abs diff ${d.toExponential(3)}, tolerance ${tol.toExponential(3)})`);
        });
      }
      assert.equal(g.tensors.length, Object.keys(e.params).length, "every parameter has a gradient");
      assert.deepEqual(problems, [], `${name}: gradient mismatches`);
    } finally {
      await g.release();
    }
  });
}
