// matmulNBits and its blockwise quantization: the packing round-trips within half a step per element, onnxruntime's
// MatMulNBits reads our packing as the f64 kernel defines it (exactly at accuracy_level 0; within a stated bound at
// accuracy_level 4, which rounds x to int8), and x's gradient goes through the transposed copy.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  Graph, InterpExecutor, OrtExecutor, dequantizeNBits, float32, gradients, interpretF64, quantizeNBits, tensor, toF64,
  type F64Tensor, type NBits, type Tensor,
} from "../../src/engine/index.js";
import { assertClose, centralDiff, rng } from "./harness.js";

function randW(K: number, N: number, seed: number): Float32Array {
  const rand = rng(seed);
  return Float32Array.from({ length: K * N }, () => (rand() * 2 - 1) * 0.1);
}

/** A graph y = x·W with W quantized (and its transposed copy), loss = Σ y·R, dx as output "dx". */
function quantGraph(K: number, N: number, bits: NBits, blockSize: number, accuracyLevel: number, w: Float32Array) {
  const q = quantizeNBits((k, n) => w[k * N + n] as number, K, N, bits, blockSize);
  const qT = quantizeNBits((k, n) => w[n * N + k] as number, N, K, bits, blockSize);
  const g = new Graph();
  const x = g.input("x", ["M", K]);
  const leaf = (name: string, t: { codes: Uint8Array; scales: Float32Array; K: number; N: number }) => [
    g.param(`${name}.codes`, [t.N, Math.ceil(t.K / blockSize), (blockSize * bits) / 8], { dtype: "uint8", trainable: false }),
    g.param(`${name}.scales`, [t.N, Math.ceil(t.K / blockSize)], { trainable: false }),
  ] as const;
  const [c, s] = leaf("w", q), [cT, sT] = leaf("wT", qT);
  const y = g.output("y", g.matmulNBits(x, c, s, { K, bits, blockSize, accuracyLevel }, [cT, sT]));
  const loss = g.output("loss", g.reduceSum(g.mul(y, g.input("R", ["M", N])), [0, 1]));
  const [dx] = gradients(g, loss, [x]);
  g.output("dx", dx as NonNullable<typeof dx>);
  const packed = (t: typeof q): [Tensor, Tensor] => [
    tensor("uint8", [t.N, Math.ceil(t.K / blockSize), (blockSize * bits) / 8], t.codes),
    float32([t.N, Math.ceil(t.K / blockSize)], t.scales),
  ];
  const [qc, qs] = packed(q), [tc, ts] = packed(qT);
  return { g, q, qT, initializers: { "w.codes": qc, "w.scales": qs, "wT.codes": tc, "wT.scales": ts } };
}

test("quantizeNBits round-trips every weight within half a quantization step of its block", () => {
  for (const bits of [4, 8] as const) {
    const K = 40, N = 3, blockSize = 16, w = randW(K, N, bits);
    const q = quantizeNBits((k, n) => w[k * N + n] as number, K, N, bits, blockSize);
    const back = dequantizeNBits(q.codes, q.scales, K, N, bits, blockSize);
    for (let k = 0; k < K; k++) {
      for (let n = 0; n < N; n++) {
        const scale = q.scales[n * 3 + Math.floor(k / blockSize)] as number;
        assert.ok(Math.abs((back[k * N + n] as number) - (w[k * N + n] as number)) <= scale / 2 + 1e-9, `${bits}-bit [${k},${n}]`);
      }
    }
  }
  assert.throws(() => quantizeNBits(() => 0, 4, 4, 3 as NBits, 16), /bits must be one of 4, 8, got 3/);
  assert.throws(() => quantizeNBits(() => 0, 4, 4, 4, 48), /block size must be one of 16, 32, 64, 128, 256, got 48/);
});

test("x's gradient is dY·Wᵀ through the transposed packed copy, and close to the exact derivative", () => {
  const K = 48, N = 20, M = 3, w = randW(K, N, 7);
  const { g, qT, initializers } = quantGraph(K, N, 8, 16, 0, w);
  const rand = rng(3);
  const feeds = { x: float32([M, K], Array.from({ length: M * K }, () => rand() * 2 - 1)), R: float32([M, N], Array.from({ length: M * N }, () => rand() * 2 - 1)) };
  const f64 = { ...Object.fromEntries(Object.entries(initializers).map(([k, t]) => [k, toF64(t)])), ...Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, toF64(t)])) };
  const dx = (interpretF64(g, f64, ["dx"])["dx"] as F64Tensor).data;
  // definition: dx = R·Wᵀ with Wᵀ as the transposed copy dequantizes it ([N, K] read as the matrix multiplying R)
  const wt = dequantizeNBits(qT.codes, qT.scales, N, K, 8, 16);
  const want = new Float64Array(M * K);
  for (let m = 0; m < M; m++) for (let k = 0; k < K; k++) for (let n = 0; n < N; n++) want[m * K + k] = (want[m * K + k] as number) + (feeds.R.data[m * N + n] as number) * (wt[n * K + k] as number);
  assertClose("dx", dx, want, 1e-12, 1e-12);
  // and the forward's own derivative differs from it only by the two quantizations' rounding (8-bit: < 1% of max |dx|)
  const fd = centralDiff(f64["x"] as F64Tensor, (v) => (interpretF64(g, { ...f64, x: v }, ["loss"])["loss"] as F64Tensor).data[0] as number);
  const maxAbs = Math.max(...fd.map(Math.abs));
  assertClose("dx vs central differences", dx, fd, 0.01 * maxAbs, 0);
});

test("onnxruntime MatMulNBits equals the f64 kernel at accuracy_level 0 and stays within 1.5% of max |y| at level 4", async () => {
  const K = 256, N = 64, M = 8;
  for (const bits of [4, 8] as const) {
    for (const level of [0, 4]) {
      const { g, initializers } = quantGraph(K, N, bits, 32, level, randW(K, N, bits + level));
      const rand = rng(11);
      const feeds = { x: float32([M, K], Array.from({ length: M * K }, () => rand() * 2 - 1)), R: float32([M, N], Array.from({ length: M * N }, () => rand() * 2 - 1)) };
      const ort = await OrtExecutor.create(g, { outputs: ["y", "dx"], initializers, intraOpThreads: 1 });
      const ref = await InterpExecutor.create(g, { outputs: ["y", "dx"], initializers });
      try {
        const [a, e] = [await ort.run(feeds), await ref.run(feeds)];
        for (const name of ["y", "dx"]) {
          const want = (e[name] as Tensor).data as Float32Array;
          const tol = level === 0 ? 1e-5 : 0.015 * Math.max(...want.map(Math.abs));
          assertClose(`${bits}-bit level ${level} ${name}`, (a[name] as Tensor).data, want, tol, level === 0 ? 1e-4 : 0);
        }
      } finally {
        await ort.release();
        await ref.release();
      }
    }
  }
});
