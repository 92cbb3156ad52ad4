// One AdamW step against torch.optim.AdamW (lr 1e-3, betas 0.9/0.999, eps 1e-8, wd 0) on the sampled elements of
// the three reference models (copied from ../shared/reference/formula/*/expected.json into test/fixtures/train).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { adamwState, adamwStep } from "../../src/train/index.js";

interface Fixture {
  optimizer: { lr: number; betas: [number, number]; eps: number; weight_decay: number };
  models: Record<string, { rows: [string, number, number, number, number, "tight" | "loose" | "unchanged"][] }>;
}
const fx = JSON.parse(readFileSync("test/fixtures/train/adamw-one-step.json", "utf8")) as Fixture;
const TOL = { tight: 1e-6, loose: 2e-3 };

for (const [model, { rows }] of Object.entries(fx.models)) {
  test(`AdamW step 1 matches torch on ${model} (${rows.length} sampled elements)`, () => {
    const p = Float32Array.from(rows, (r) => r[2]);
    const g = Float32Array.from(rows, (r) => r[3]);
    const state = adamwState(p.length);
    const o = fx.optimizer;
    adamwStep(p, g, state, { lr: o.lr, beta1: o.betas[0], beta2: o.betas[1], eps: o.eps, weightDecay: o.weight_decay });
    assert.equal(state.step, 1);
    const worst = { tight: { d: 0, at: "" }, loose: { d: 0, at: "" } };
    const failures: string[] = [];
    rows.forEach(([name, index, value, , after, rule], i) => {
      const got = p[i] as number;
      if (rule === "unchanged") {
        if (got !== Math.fround(value)) failures.push(`${name}[${index}]: expected unchanged ${value}, got ${got}`);
        return;
      }
      const d = Math.abs(got - Math.fround(after));
      if (d > worst[rule].d) worst[rule] = { d, at: `${name}[${index}]` };
      if (d > TOL[rule]) failures.push(`${name}[${index}] (${rule}): expected ${after}, got ${got}, |diff| ${d.toExponential(2)}`);
    });
    assert.deepEqual(failures, [], `worst tight ${worst.tight.d.toExponential(2)} at ${worst.tight.at}; worst loose ${worst.loose.d.toExponential(2)} at ${worst.loose.at}`);
    assert.ok(rows.some((r) => r[5] === "tight"), "fixture has tight elements");
  });
}
