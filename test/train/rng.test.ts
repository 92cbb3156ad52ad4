import { test } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../../src/train/index.js";

test("xoshiro128** matches the reference outputs for state [1, 2, 3, 4]", () => {
  const r = Rng.fromState({ algorithm: "xoshiro128**", s: [1, 2, 3, 4] });
  assert.deepEqual(Array.from({ length: 6 }, () => r.nextUint32()), [11520, 0, 5927040, 70819200, 2031721883, 1637235492]);
});

test("same seed, same stream; different seeds differ", () => {
  const a = new Rng(42), b = new Rng(42), c = new Rng(43);
  const xs = Array.from({ length: 8 }, () => a.nextUint32());
  assert.deepEqual(Array.from({ length: 8 }, () => b.nextUint32()), xs);
  assert.notDeepEqual(Array.from({ length: 8 }, () => c.nextUint32()), xs);
});

test("state() / restore() resumes the exact stream, through JSON", () => {
  const a = new Rng(7);
  a.shuffle([1, 2, 3, 4, 5]);
  const saved = JSON.parse(JSON.stringify(a.state())) as unknown;
  const rest = [a.next(), a.normal(), a.int(1000)];
  const b = new Rng(0);
  b.restore(saved);
  assert.deepEqual([b.next(), b.normal(), b.int(1000)], rest);
  assert.throws(() => b.restore({ algorithm: "xoshiro128**", s: [0, 0, 0, 0] }), /RNG state/);
  assert.throws(() => b.restore({ algorithm: "pcg32", s: [1, 2, 3, 4] }), /RNG state/);
});

test("shuffle is a permutation and uniform enough", () => {
  const r = new Rng(1);
  const p = r.permutation(100);
  assert.deepEqual([...p].sort((x, y) => x - y), Array.from({ length: 100 }, (_, i) => i));
  assert.notDeepEqual(p, Array.from({ length: 100 }, (_, i) => i));
  // position of element 0 over many 4-element shuffles: each slot about 1/4
  const counts = [0, 0, 0, 0];
  for (let k = 0; k < 8000; k++) {
    const at = r.permutation(4).indexOf(0);
    counts[at] = (counts[at] as number) + 1;
  }
  for (const c of counts) assert.ok(c > 1800 && c < 2200, `counts ${counts}`);
});

test("next() in [0, 1), int() in range, normal() has mean 0 and std 1", () => {
  const r = new Rng(3);
  let sum = 0, sumSq = 0;
  const n = 20000;
  for (let i = 0; i < n; i++) {
    const u = r.next();
    assert.ok(u >= 0 && u < 1);
    const k = r.int(7);
    assert.ok(Number.isInteger(k) && k >= 0 && k < 7);
  }
  const buf = new Float64Array(n);
  r.fillNormal(buf, 0, 1);
  for (const x of buf) {
    sum += x;
    sumSq += x * x;
  }
  assert.ok(Math.abs(sum / n) < 0.03, `mean ${sum / n}`);
  assert.ok(Math.abs(Math.sqrt(sumSq / n) - 1) < 0.03, `std ${Math.sqrt(sumSq / n)}`);
  const f = new Float32Array(5);
  r.fillNormal(f, 10, 0.02);
  for (const x of f) assert.ok(Math.abs(x - 10) < 0.2);
});
