import assert from "node:assert/strict";
import test from "node:test";
import { adamwState, adamwStep, globalGradNorm, OptimizerThreads, sharedFloat32, splitRanges, type UpdateRange } from "../../src/train/index.js";

// big enough (> 1M values) that the passes really go to the worker threads
const N = 1_500_001;

function filled(a: Float32Array, seed: number, zeroFrom = -1): Float32Array {
  let x = seed;
  for (let i = 0; i < a.length; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    a[i] = i >= zeroFrom && zeroFrom >= 0 ? 0 : (x / 2147483648 - 0.5) * 1e-2;
  }
  return a;
}

test("splitRanges cuts groups into consecutive, balanced shares covering every value once", () => {
  const ranges: UpdateRange[] = [{ lo: 0, hi: 1000, weightDecay: 0.1 }, { lo: 1000, hi: 1003, weightDecay: 0 }, { lo: 2000, hi: 9000, weightDecay: 0.1 }];
  for (const parts of [1, 2, 3, 7]) {
    const shares = splitRanges(ranges, parts);
    assert.equal(shares.length, parts);
    const flat = shares.flat();
    for (let k = 1; k < flat.length; k++) assert.ok((flat[k] as UpdateRange).lo >= (flat[k - 1] as UpdateRange).hi);
    const covered = new Map<number, number>();
    for (const r of flat) for (let i = r.lo; i < r.hi; i++) covered.set(i, r.weightDecay);
    assert.equal(covered.size, 1000 + 3 + 7000);
    assert.equal(covered.get(1001), 0);
    assert.equal(covered.get(8999), 0.1);
    const sizes = shares.map((s) => s.reduce((a, r) => a + r.hi - r.lo, 0));
    assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 128 + 3, `unbalanced shares ${sizes}`);
  }
});

test("gradient norm and AdamW on worker threads give the bits of one thread", async () => {
  for (const threads of [2, 3]) {
    const pool = OptimizerThreads.start(threads);
    try {
      const grads = filled(sharedFloat32(N), 7, N - 200_000); // a zero tail: AdamW's zero-block skip on the workers too
      const one = { p: filled(new Float32Array(N), 3), s: adamwState(N) };
      const many = { p: Float32Array.from(one.p), s: adamwState(N) }; // params on an ordinary buffer, as onnxruntime needs
      const groups = [{ offset: 0, length: 700_000, weightDecay: 0.1 }, { offset: 700_000, length: N - 700_010, weightDecay: 0 }];
      const hyper = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 };
      assert.equal(await pool.gradNorm(grads), globalGradNorm([grads]));
      for (let step = 0; step < 2; step++) {
        adamwStep(one.p, grads, one.s, hyper, groups, 0.5);
        await pool.adamw(many.p, grads, many.s, hyper, groups, 0.5);
      }
      assert.equal(many.s.step, 2);
      for (const [a, b, what] of [[one.p, many.p, "params"], [one.s.m, many.s.m, "m"], [one.s.v, many.s.v, "v"]] as const) {
        const k = a.findIndex((x, i) => !Object.is(x, b[i]));
        assert.equal(k, -1, `${what} differ at ${k} with ${threads} threads: ${a[k]} vs ${b[k]}`);
      }
      assert.equal(many.p[N - 1], one.p[N - 1]);
      assert.notEqual(many.p[0], filled(new Float32Array(1), 3)[0], "params were updated");
      assert.equal(many.p[N - 5], one.p[N - 5]); // frozen tail (in no group) untouched
    } finally {
      await pool.close();
    }
  }
});

test("a bad job is an error from adamw, not a hang", async () => {
  const pool = OptimizerThreads.start(2);
  try {
    await assert.rejects(pool.adamw(new Float32Array(4), sharedFloat32(3), adamwState(4), { lr: 1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 }, []), /differ/);
  } finally {
    await pool.close();
  }
});
