import { test } from "node:test";
import assert from "node:assert/strict";
import { clipGradNorm, globalGradNorm } from "../../src/train/index.js";

test("global norm spans every buffer", () => {
  assert.equal(globalGradNorm([new Float32Array([3]), new Float32Array([0, 4])]), 5);
  assert.equal(globalGradNorm([]), 0);
});

test("clips to max_norm/(norm+1e-6) and returns the pre-clip norm", () => {
  const a = new Float32Array([3]), b = new Float32Array([0, 4]);
  assert.equal(clipGradNorm([a, b], 1), 5);
  const coef = 1 / (5 + 1e-6);
  assert.equal(a[0], Math.fround(3 * coef));
  assert.equal(b[1], Math.fround(4 * coef));
  assert.ok(Math.abs(globalGradNorm([a, b]) - 1) < 1e-6);
});

test("no change when the norm is within max_norm, or when clipping is off (0)", () => {
  const a = new Float32Array([0.3, 0.4]);
  assert.equal(clipGradNorm([a], 1), Math.hypot(Math.fround(0.3), Math.fround(0.4)));
  assert.deepEqual([...a], [0.3, 0.4].map(Math.fround));
  const b = new Float32Array([30, 40]);
  assert.equal(clipGradNorm([b], 0), 50);
  assert.deepEqual([...b], [30, 40]);
});

test("a non-finite norm is returned and the gradients are left alone", () => {
  const a = new Float32Array([1, NaN]);
  assert.ok(Number.isNaN(clipGradNorm([a], 1)));
  assert.equal(a[0], 1);
  const b = new Float32Array([Infinity, 1]);
  assert.equal(clipGradNorm([b], 1), Infinity);
  assert.equal(b[1], 1);
});

test("accumulates in float64 (float32 summation of 2^24 + 1 ones would stall)", () => {
  const g = new Float32Array((1 << 24) + 16).fill(1);
  assert.equal(globalGradNorm([g]), Math.sqrt((1 << 24) + 16));
});
