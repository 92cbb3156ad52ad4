// Quantized-weight matmul benchmark (issue 14: measure before building QLoRA on it): at training shapes, the forward
// x·W and the backward dX = dY·Wᵀ with W frozen and baked into the session, fp32 MatMul vs matmulNBits (onnxruntime
// MatMulNBits) at 8 and 4 bits, block sizes 32/64/128, accuracy_level 4 (0 with --level 0). Each variant is first
// checked against sampled float64 dot products of the dequantized weight, then warmed up and timed.
// --rewards: reward drift of scoring with the base quantized (RewardModel.quantize) on real-size random-init models, or
// a trained model folder (--model <dir>): mean |Δreward| / std(reward) over both sides of the first --pairs pairs of
// the hh-rlhf sample, and how often the quantized model ranks a pair as fp32 does.
// Usage: npm run bench:quant -- [--rows 2048] [--runs 5] [--threads 2] [--blocks 32,64,128] [--level 4] [--only gpt2-attn,...]
//        npm run bench:quant -- --rewards [--models gpt2-124m,opt-350m | --model <dir>] [--pairs 32] [--blocks 128]
// Legend: M rows (tokens of a batch), K input features, N output features.
import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import { openPairs, SkipCounts } from "../src/data/index.js";
import { RewardModel } from "../src/models/index.js";
import { loadTokenizer } from "../src/tokenizer/index.js";
import {
  Graph, OrtExecutor, dequantizeNBits, float32, quantizeNBits, tensor, type NBits, type Tensor,
} from "../src/engine/index.js";
import { BENCH_CONFIGS } from "./model-configs.js";
import { helpOrExit, parseOrExit } from "./usage.js";

const USAGE = "usage: npm run bench:quant -- [--rows 2048] [--runs 5] [--threads 2] [--blocks 32,64,128] [--level 4] [--only gpt2-attn,...]\n       npm run bench:quant -- --rewards [--models gpt2-124m,opt-350m | --model <dir>] [--pairs 32] [--blocks 128]";
helpOrExit(USAGE);

const { values: args } = parseOrExit(() => parseArgs({
  options: {
    rows: { type: "string", default: "2048" }, runs: { type: "string", default: "5" }, threads: { type: "string", default: "2" },
    blocks: { type: "string", default: "32,64,128" }, level: { type: "string", default: "4" }, only: { type: "string" },
    rewards: { type: "boolean", default: false }, models: { type: "string", default: "gpt2-124m,opt-350m" }, model: { type: "string" },
    pairs: { type: "string", default: "32" },
  },
}), USAGE);
const M = Number(args.rows), RUNS = Number(args.runs), THREADS = Number(args.threads), LEVEL = Number(args.level);
const BLOCKS = args.blocks.split(",").map(Number);

const SHAPES: readonly { name: string; K: number; N: number }[] = [
  { name: "gpt2-attn", K: 768, N: 2304 }, { name: "gpt2-fc", K: 768, N: 3072 }, { name: "gpt2-proj", K: 3072, N: 768 },
  { name: "opt350m-fc1", K: 1024, N: 4096 }, { name: "opt350m-fc2", K: 4096, N: 1024 },
];

function random(n: number, seed: number, scale: number): Float32Array {
  let s = seed;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    out[i] = (s / 2147483648 - 0.5) * 2 * scale;
  }
  return out;
}

function median(xs: number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
}

/** y = x·W (W [K, N] row-major as given) in fp32 or quantized; returns the session, its baked bytes and W as the op sees it. */
async function session(K: number, N: number, w: Float32Array, q: { bits: NBits; blockSize: number } | null) {
  const g = new Graph();
  const x = g.input("x", ["M", K]);
  if (q === null) {
    const wp = g.param("w", [K, N], { trainable: false });
    g.output("y", g.matmul(x, wp));
    const ex = await OrtExecutor.create(g, { initializers: { w: float32([K, N], w) }, intraOpThreads: THREADS });
    return { ex, bytes: w.byteLength, at: (k: number, n: number) => w[k * N + n] as number };
  }
  const p = quantizeNBits((k, n) => w[k * N + n] as number, K, N, q.bits, q.blockSize);
  const nb = Math.ceil(K / q.blockSize);
  const codes = g.param("codes", [N, nb, (q.blockSize * q.bits) / 8], { dtype: "uint8", trainable: false });
  const scales = g.param("scales", [N, nb], { trainable: false });
  g.output("y", g.matmulNBits(x, codes, scales, { K, bits: q.bits, blockSize: q.blockSize, accuracyLevel: LEVEL }));
  const initializers: Record<string, Tensor> = {
    codes: tensor("uint8", [N, nb, (q.blockSize * q.bits) / 8], p.codes), scales: float32([N, nb], p.scales),
  };
  const ex = await OrtExecutor.create(g, { initializers, intraOpThreads: THREADS });
  const deq = dequantizeNBits(p.codes, p.scales, K, N, q.bits, q.blockSize);
  return { ex, bytes: p.codes.byteLength + p.scales.byteLength, at: (k: number, n: number) => deq[k * N + n] as number };
}

/** GFLOP/s of x [M, K] · W [K, N], after a sampled check of 64 outputs against float64 dot products. */
async function measure(K: number, N: number, w: Float32Array, q: { bits: NBits; blockSize: number } | null): Promise<{ gflops: number; bytes: number; err: number }> {
  const { ex, bytes, at } = await session(K, N, w, q);
  try {
    const x = random(M * K, 7, 1);
    const feeds = { x: float32([M, K], x) };
    const y = (await ex.run(feeds))["y"]?.data as Float32Array;
    let err = 0, scale = 0;
    for (let s = 0; s < 64; s++) {
      const i = (s * 7919) % M, j = (s * 104729) % N;
      let want = 0;
      for (let k = 0; k < K; k++) want += (x[i * K + k] as number) * at(k, j);
      err = Math.max(err, Math.abs((y[i * N + j] as number) - want));
      scale = Math.max(scale, Math.abs(want));
    }
    if (err > 0.05 * scale) throw new Error(`${q ? `${q.bits}-bit` : "fp32"} [${K},${N}]: output off by ${err} (max |y| ${scale})`);
    await ex.run(feeds);
    const ms: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      const t0 = performance.now();
      await ex.run(feeds);
      ms.push(performance.now() - t0);
    }
    return { gflops: (2 * M * K * N) / (median(ms) / 1000) / 1e9, bytes, err: err / scale };
  } finally {
    await ex.release();
  }
}

const CONFIGS = BENCH_CONFIGS;
const DATA = ["/work/shared/data/hh-rlhf/harmless-base-test.sample.jsonl.gz", "test/fixtures/data/hh-rlhf-sample-40.jsonl.gz"];

/** `--rewards`: fp32 vs 8-bit vs 4-bit rewards of one model on real pairs (GPT-2 ids, cut to 256 tokens). */
async function rewardDrift(label: string, model: RewardModel, nPairs: number): Promise<void> {
  const tok = await loadTokenizer("builtin:gpt2");
  const stream = await openPairs(DATA.find((f) => existsSync(f)) as string, { skipped: new SkipCounts() });
  const rows: number[][] = [];
  for await (const p of stream.pairs()) {
    if (rows.length >= 2 * nPairs) break;
    if (p.format !== "text") throw new Error("bench:quant reads standard text pairs");
    rows.push(tok.encode(p.chosen).slice(-256), tok.encode(p.rejected).slice(-256));
  }
  const fp32 = await model.score(rows);
  const mean = fp32.reduce((a, v) => a + v, 0) / fp32.length;
  const std = Math.sqrt(fp32.reduce((a, v) => a + (v - mean) ** 2, 0) / fp32.length);
  for (const bits of [8, 4] as const) {
    for (const blockSize of BLOCKS) {
      await model.quantize({ bits, blockSize });
      const q = await model.score(rows);
      const drift = q.reduce((a, v, i) => a + Math.abs(v - (fp32[i] as number)), 0) / q.length / std;
      let agree = 0;
      for (let i = 0; i < rows.length; i += 2) agree += Math.sign((q[i] as number) - (q[i + 1] as number)) === Math.sign((fp32[i] as number) - (fp32[i + 1] as number)) ? 1 : 0;
      console.log(`${label} ${bits}-bit block ${blockSize}: mean |Δreward| / std(reward) ${drift.toFixed(4)}, pair ranking agrees with fp32 on ${agree}/${rows.length / 2}`);
    }
  }
  await model.quantize(null);
  await model.release();
}

if (args.rewards) {
  if (args.model) await rewardDrift(args.model, (await RewardModel.fromPretrained(args.model)).model, Number(args.pairs));
  else for (const name of args.models.split(",")) await rewardDrift(`${name} (random init)`, RewardModel.create(CONFIGS[name] as Record<string, unknown>, 0), Number(args.pairs));
  process.exit(0);
}

console.log(`matmul rows M=${M}, ${THREADS} threads, median of ${RUNS}, accuracy_level ${LEVEL} (shared machine: figures are indicative)`);
for (const s of SHAPES.filter((x) => !args.only || args.only.split(",").includes(x.name))) {
  const w = random(s.K * s.N, 11, 0.05);
  // the backward dX = dY·Wᵀ is the product [M, N]·[N, K] with Wᵀ as its weight
  const wt = new Float32Array(s.K * s.N);
  for (let k = 0; k < s.K; k++) for (let n = 0; n < s.N; n++) wt[n * s.K + k] = w[k * s.N + n] as number;
  for (const [dir, K, N, mat] of [["forward x·W", s.K, s.N, w], ["backward dY·Wᵀ", s.N, s.K, wt]] as const) {
    const base = await measure(K, N, mat, null);
    const cells = [`fp32 ${base.gflops.toFixed(0)}`];
    for (const bits of [8, 4] as const) {
      for (const blockSize of BLOCKS) {
        const r = await measure(K, N, mat, { bits, blockSize });
        cells.push(`${bits}b/${blockSize} ${r.gflops.toFixed(0)} (${(r.gflops / base.gflops).toFixed(2)}x, ${(r.bytes / base.bytes * 100).toFixed(0)}% bytes, err ${(r.err * 100).toFixed(2)}%)`);
      }
    }
    console.log(`${s.name} ${dir} [${M},${K}]·[${K},${N}] GFLOP/s: ${cells.join(" | ")}`);
  }
}
