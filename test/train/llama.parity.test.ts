// Llama family through the trainer: one `rewardlab train` step (AdamW, lr 1e-3, no decay, no clipping, constant lr)
// from the checkpoints of test/fixtures/llama gives torch.optim.AdamW's weights; prefix-shared packing (positions
// restart for the rejected side, sliding windows measured in positions) gives the standard layout's rewards, loss
// and gradients for every model type, with and without LoRA.
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { RewardModel } from "../../src/models/index.js";
import { readMetricsJsonl } from "../../src/train/index.js";
import { pairList, StandardBatcher } from "../../src/train/batches.js";
import { PrefixSharedBatcher } from "../../src/train/prefix-shared-batcher.js";
import { TrainingGraph } from "../../src/train/train-graph.js";
import { train } from "../../src/train/trainer.js";
import { LLAMA_FIXTURES, LLAMA_MODELS, readLlamaExpected, tokenizedPair } from "../models/llama-fixtures.js";
import { quiet, testConfig, tmpDir } from "./helpers.js";

for (const name of LLAMA_MODELS) {
  test(`${name}: one trainer step gives torch AdamW's weights`, async () => {
    const e = readLlamaExpected(name);
    const model = RewardModel.load(path.join(LLAMA_FIXTURES, name));
    const out = tmpDir("llama-step");
    const pairs = e.pairs.map((p) => tokenizedPair(p.chosen_ids, p.rejected_ids));
    await train({ model, modelSource: path.join(LLAMA_FIXTURES, name), train: pairList(pairs), console: quiet, config: testConfig(out, {
      max_steps: 1, learning_rate: 1e-3, weight_decay: 0, max_grad_norm: 0, lr_scheduler_type: "constant", layout: "prefix-shared",
      per_device_train_batch_size: pairs.length, report_to: ["jsonl"] }) });
    const loss = readMetricsJsonl(path.join(out, "metrics.jsonl")).find((r) => "loss" in r)?.loss as number;
    assert.ok(Math.abs(loss - e.loss) < 1e-5, `loss ${loss} vs torch ${e.loss}`);
    const failures: string[] = [];
    let checked = 0, moved = 0;
    for (const [param, p] of Object.entries(e.params)) {
      const now = model.weights.get(param);
      p.index.forEach((idx, k) => {
        const got = now[idx] as number, want = p.after_step[k] as number;
        checked++;
        if (Math.abs(want - (p.value[k] as number)) > 5e-4) moved++;
        if (!(Math.abs(got - want) <= 1e-4)) failures.push(`${param}[${idx}] (grad ${p.grad[k]}): got ${got}, torch ${want}`);
      });
    }
    assert.ok(checked > 300 && moved > checked / 2, `checked ${checked} elements, ${moved} moved by the step`);
    assert.deepEqual(failures, []);
  });
}

/** max|got − want| ≤ rel · max(max|want|, floor). */
function assertRel(what: string, got: ArrayLike<number>, want: ArrayLike<number>, rel: number, floor = 1e-12): void {
  let worst = 0, scale = floor;
  for (let i = 0; i < want.length; i++) {
    worst = Math.max(worst, Math.abs((got[i] as number) - (want[i] as number)));
    scale = Math.max(scale, Math.abs(want[i] as number));
  }
  assert.ok(worst <= rel * scale, `${what}: largest abs diff ${worst.toExponential(3)}, tolerance ${rel} × ${scale.toExponential(3)}`);
}

for (const name of LLAMA_MODELS) {
  for (const lora of [false, true]) {
    test(`${name}${lora ? " LoRA" : ""}: prefix-shared rewards, loss and gradients equal the standard layout`, async () => {
      const e = readLlamaExpected(name);
      const m = RewardModel.load(path.join(LLAMA_FIXTURES, name));
      const g = await TrainingGraph.create(m, { hasMargin: false, centerRewardsCoefficient: null, threads: 1,
        lora: lora ? { r: 4, alpha: 8, dropout: 0, targetModules: ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"] } : undefined,
        uniform: (() => { let k = 0; return () => ((k++ * 0.618034) % 1); })() });
      try {
        const pairs = e.pairs.map((p) => tokenizedPair(p.chosen_ids, p.rejected_ids));
        const step = async (b: StandardBatcher | PrefixSharedBatcher) => {
          g.grads.fill(0);
          const r = await g.step(b.build(pairs));
          return { r, grads: Float32Array.from(g.grads) };
        };
        const a = await step(new StandardBatcher(m.def, m.config, m.padTokenId, false));
        const packed = new PrefixSharedBatcher(m.def, m.config, m.padTokenId, false);
        assert.ok(packed.build(pairs).computedTokens < packed.build(pairs).tokens, "the prompts are computed once");
        const b = await step(packed);
        assertRel(`${name} chosen rewards`, b.r.chosen, a.r.chosen, 1e-5);
        assertRel(`${name} rejected rewards`, b.r.rejected, a.r.rejected, 1e-5);
        assertRel(`${name} loss`, [b.r.loss], [a.r.loss], 1e-5);
        let maxGrad = 0;
        for (const x of a.grads) maxGrad = Math.max(maxGrad, Math.abs(x));
        assert.ok(maxGrad > 0);
        for (const t of g.tensors) {
          const sl = (x: Float32Array) => x.subarray(t.offset, t.offset + t.length);
          assertRel(`${name} grad ${t.name}`, sl(b.grads), sl(a.grads), 1e-4, 1e-3 * maxGrad);
        }
      } finally {
        await g.release();
      }
    });
  }
}
