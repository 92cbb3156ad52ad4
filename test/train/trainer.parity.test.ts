// One optimizer step through the whole trainer (`--max-steps 1 --learning-rate 1e-3 --weight-decay 0
// --max-grad-norm 0 --lr-scheduler-type constant`) on the reference pair batch reproduces the sampled
// after-one-step weights of ../shared/reference (copied to test/fixtures/reference/<model>/expected.json) under its
// after_one_step_comparison_rule: "tight" ≤ 2e-6, "loose" ≤ 2e-3, "unchanged" bit-identical. The reference loss too.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { formulaValues, RewardModel } from "../../src/models/index.js";
import { readMetricsJsonl } from "../../src/train/index.js";
import type { TokenizedPair } from "../../src/data/index.js";
import { train } from "../../src/train/trainer.js";
import { pairList } from "../../src/train/batches.js";
import { quiet, testConfig, tmpDir } from "./helpers.js";

interface Samples { index: number[]; value: number[]; grad: number[]; after_step: number[]; after_rule: string[] }
interface Expected {
  loss: number;
  pairs: { chosen_ids: number[]; rejected_ids: number[] }[];
  params: Record<string, { samples: Samples; top_grad: Samples }>;
}

const FIXTURES = "test/fixtures/reference";
const TOLERANCE: Record<string, number> = { tight: 2e-6, loose: 2e-3, unchanged: 0 };

for (const name of ["gpt2-tiny", "opt-tiny-postln", "opt-tiny-preln"]) {
  const dir = path.join(FIXTURES, name);
  const skip = existsSync(path.join(dir, "expected.json")) ? false : `missing ${dir}/expected.json`;
  test(`one AdamW step matches the reference: ${name}`, { skip }, async () => {
    const exp = JSON.parse(readFileSync(path.join(dir, "expected.json"), "utf8")) as Expected;
    const model = RewardModel.create(JSON.parse(readFileSync(path.join(dir, "config.json"), "utf8")) as Record<string, unknown>);
    for (const n of model.weights.names) formulaValues(n, model.weights.get(n));
    const pairs: TokenizedPair[] = exp.pairs.map((p) => ({
      input_ids_chosen: Int32Array.from(p.chosen_ids), attention_mask_chosen: new Int32Array(p.chosen_ids.length).fill(1),
      input_ids_rejected: Int32Array.from(p.rejected_ids), attention_mask_rejected: new Int32Array(p.rejected_ids.length).fill(1), sharedPrefix: 0,
    }));
    const out = tmpDir("parity");
    await train({ model, modelSource: dir, train: pairList(pairs), console: quiet, config: testConfig(out, {
      max_steps: 1, learning_rate: 1e-3, weight_decay: 0, max_grad_norm: 0, lr_scheduler_type: "constant",
      per_device_train_batch_size: pairs.length, report_to: ["jsonl"] }) });
    const loss = readMetricsJsonl(path.join(out, "metrics.jsonl")).find((r) => "loss" in r)?.loss as number;
    assert.ok(Math.abs(loss - exp.loss) < 2e-6, `loss ${loss} vs reference ${exp.loss}`);
    const failures: string[] = [];
    let checked = 0;
    for (const [param, e] of Object.entries(exp.params)) {
      const now = model.weights.get(param);
      for (const s of [e.samples, e.top_grad]) {
        s.index.forEach((idx, k) => {
          const rule = s.after_rule[k] as string, ref = s.after_step[k] as number, got = now[idx] as number;
          const d = Math.abs(got - ref);
          checked++;
          if (rule === "unchanged" ? got !== Math.fround(ref) : d > (TOLERANCE[rule] ?? 0)) {
            failures.push(`${param}[${idx}] (${rule}, g_ref ${s.grad[k]}): got ${got}, reference ${ref}, |diff| ${d.toExponential(2)}`);
          }
        });
      }
    }
    assert.ok(checked > 100, `checked ${checked} elements`);
    assert.deepEqual(failures, []);
  });
}
