import { test } from "node:test";
import assert from "node:assert/strict";
import { adamwState, adamwStep, noDecay, paramGroups } from "../../src/train/index.js";

const H = { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 };

// torch.optim.AdamW's single-tensor code, restated in float64 step by step in torch's own order
function torchAdamW(p: number, grads: number[], h: typeof H, wd: number): number {
  let m = 0, v = 0;
  grads.forEach((g, k) => {
    const step = k + 1;
    p = p * (1 - h.lr * wd);
    m = m + (g - m) * (1 - h.beta1); // lerp
    v = v * h.beta2 + (1 - h.beta2) * g * g;
    const bc1 = 1 - h.beta1 ** step, bc2 = 1 - h.beta2 ** step;
    const denom = Math.sqrt(v) / Math.sqrt(bc2) + h.eps;
    p = p - (h.lr / bc1) * (m / denom);
  });
  return p;
}

test("step 1 moves each element by lr·g/(|g|+eps), i.e. about lr·sign(g)", () => {
  const p = new Float32Array([1, 1, 1, 1]);
  const g = new Float32Array([0.5, -2, 1e-3, 0]);
  adamwStep(p, g, adamwState(4), H);
  assert.deepEqual([...p], [1 - 0.1, 1 + 0.1, 1 - 0.1 * (1e-3 / (1e-3 + 1e-8)), 1].map(Math.fround));
});

test("three steps with weight decay match torch's update order", () => {
  const grads = [[0.5, -0.25, 0.125], [-3, 2, 0.01], [1e-4, 1e-4, -5]];
  const p = new Float32Array([0.75, -1.5, 2]);
  const s = adamwState(3);
  for (let k = 0; k < 3; k++) {
    adamwStep(p, Float32Array.from(grads.map((gs) => gs[k] as number)), s, { ...H, weightDecay: 0.01 });
  }
  assert.equal(s.step, 3);
  [0.75, -1.5, 2].forEach((p0, i) => {
    const want = torchAdamW(p0, grads[i] as number[], H, 0.01);
    assert.ok(Math.abs((p[i] as number) - want) < 2e-7, `element ${i}: got ${p[i]}, want ${want}`);
  });
  // moments are stored float32: m after 3 steps is an EMA of the grads
  const m0 = 0.1 * 0.9 * 0.9 * 0.5 + 0.1 * 0.9 * -0.25 + 0.1 * 0.125;
  assert.equal(s.m[0], Math.fround(m0));
});

test("decoupled weight decay: a zero gradient still shrinks p by lr·wd", () => {
  const p = new Float32Array([2, -4]);
  adamwStep(p, new Float32Array(2), adamwState(2), { ...H, weightDecay: 0.5 });
  assert.deepEqual([...p], [2 * 0.95, -4 * 0.95].map(Math.fround));
});

test("parameter groups: per-group decay, elements outside every group frozen", () => {
  const p = new Float32Array([1, 1, 1, 1, 1]);
  const g = new Float32Array(5);
  adamwStep(p, g, adamwState(5), { ...H, weightDecay: 0.5 }, [
    { offset: 0, length: 2, weightDecay: 0.5 }, { offset: 2, length: 1, weightDecay: 0 }]);
  assert.deepEqual([...p], [0.95, 0.95, 1, 1, 1].map(Math.fround));
  assert.throws(() => adamwStep(p, g, adamwState(5), H, [{ offset: 4, length: 2, weightDecay: 0 }]), RangeError);
  assert.throws(() => adamwStep(p, new Float32Array(4), adamwState(5), H), RangeError);
});

test("noDecay follows HF: biases and LayerNorm weights", () => {
  for (const n of ["transformer.h.0.attn.c_attn.bias", "transformer.h.0.ln_1.weight", "transformer.ln_f.weight",
    "model.decoder.layers.0.self_attn_layer_norm.weight", "model.decoder.final_layer_norm.weight", "model.norm.weight"]) {
    assert.equal(noDecay(n), true, n);
  }
  for (const n of ["transformer.wte.weight", "transformer.h.0.mlp.c_fc.weight", "score.weight",
    "model.decoder.layers.0.self_attn.q_proj.weight", "base_model.model.transformer.h.0.attn.c_attn.lora_A.weight"]) {
    assert.equal(noDecay(n), false, n);
  }
});

test("paramGroups merges adjacent ranges and skips frozen tensors", () => {
  const groups = paramGroups([
    { name: "a.weight", offset: 0, length: 4 }, { name: "a.bias", offset: 4, length: 2 },
    { name: "b.weight", offset: 6, length: 3 }, { name: "c.weight", offset: 9, length: 3 },
    { name: "ln_f.weight", offset: 12, length: 2, trainable: false }], 0.01);
  assert.deepEqual(groups, [
    { offset: 0, length: 4, weightDecay: 0.01 }, { offset: 4, length: 2, weightDecay: 0 },
    { offset: 6, length: 6, weightDecay: 0.01 }]);
});

// The update restated per element, no block skipping: adamwStep must give the same bits.
function plainStep(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, step: number, wd: number, lo: number, hi: number): void {
  const decay = 1 - H.lr * wd, stepSize = H.lr / (1 - Math.pow(H.beta1, step)), bc2Sqrt = Math.sqrt(1 - Math.pow(H.beta2, step));
  for (let i = lo; i < hi; i++) {
    const gi = g[i] as number;
    const mi = H.beta1 * (m[i] as number) + (1 - H.beta1) * gi, vi = H.beta2 * (v[i] as number) + (1 - H.beta2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    p[i] = (p[i] as number) * decay - (stepSize * mi) / (Math.sqrt(vi) / bc2Sqrt + H.eps);
  }
}

test("all-zero blocks (untouched embedding rows) are skipped with the same bits as the full update", () => {
  const n = 1000;
  for (const shift of [0, 1]) { // shift 1: buffers not 8-byte aligned take the plain loop
    const mk = (): Float32Array => new Float32Array(n + shift).subarray(shift);
    const p = mk(), g = mk(), ref = { p: mk(), m: mk(), v: mk() };
    for (let i = 0; i < n; i++) p[i] = Math.sin(i);
    ref.p.set(p);
    const state = { m: mk(), v: mk(), step: 0 };
    const groups = [{ offset: 3, length: 500, weightDecay: 0.1 }, { offset: 503, length: 450, weightDecay: 0 }];
    for (let step = 1; step <= 4; step++) {
      g.fill(0);
      for (let i = 64 * step; i < 64 * step + 10; i++) g[i] = 0.01 * (i % 5 - 2); // a few rows touched each step
      g[700 + step] = -0; // negative zeros count as zero
      g[10] = 1e-3; // inside a ragged start
      if (step === 3) g[640] = NaN; // a NaN is not skipped
      if (step === 1) g[200] = 1e-30; // m becomes nonzero while v rounds to 0: the block is live at step 2
      adamwStep(p, g, state, H, groups);
      for (const gr of groups) plainStep(ref.p, g, ref.m, ref.v, step, gr.weightDecay, gr.offset, gr.offset + gr.length);
      for (const [name, a, b] of [["p", p, ref.p], ["m", state.m, ref.m], ["v", state.v, ref.v]] as const) {
        const bad = a.findIndex((x, i) => !Object.is(x, b[i]));
        assert.equal(bad, -1, `shift ${shift} step ${step}: ${name}[${bad}] is ${a[bad]}, plain loop ${b[bad]}`);
      }
    }
    assert.ok(Number.isNaN(p[640]), "NaN propagated");
    assert.notEqual(p[400], Math.fround(Math.sin(400)), "weight decay applied in a skipped block");
    assert.equal(p[960], Math.fround(Math.sin(960)), "elements outside the groups untouched");
  }
});
