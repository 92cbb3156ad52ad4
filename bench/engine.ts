// Engine benchmark: GFLOP/s and page faults per run on onnxruntime for (a) one matmul, (b) a GPT-2 block forward,
// (c) the same block forward+backward. Each figure is first checked against a reference (sampled f64 dot products,
// or the float64 interpreter on a small batch of the same symbolic graph), then warmed up and timed N times.
// --precision: the same matmul in float16 and bfloat16 (issue 7 asks whether reduced precision is within the
// engine's reach): onnxruntime's CPU provider has a float16 MatMul and no bfloat16 one; both are tried, raw ONNX.
// --rows 32,128,512: (a) at each M, weight fed per run (as scoring does) and baked: how much a bigger batch gains
// per token on this CPU (issue 16's batching question).
// Usage: npm run bench:engine -- [--runs 5] [--threads 2] [--batch 8] [--seq 512] [--only a,b,c] [--options] [--precision] [--rows 32,128,512]
// Legend: B batch, T tokens, C channels, H heads.
import { parseArgs } from "node:util";
import ort from "onnxruntime-node";
import { Msg } from "../src/engine/onnx/proto.js";
import {
  Graph, InterpExecutor, OrtExecutor, float32, gradients, leafName, type Executor, type Node, type Tensor,
} from "../src/engine/index.js";
import { blockForwardFlops, blockParamShapes, gpt2Block } from "../test/engine/block.js";
import { helpOrExit, parseOrExit } from "./usage.js";

const USAGE = "usage: npm run bench:engine -- [--runs 5] [--threads 2] [--batch 8] [--seq 512] [--only a,b,c] [--options] [--precision] [--rows 32,128,512]";
helpOrExit(USAGE);

const { values: args } = parseOrExit(() => parseArgs({
  options: {
    runs: { type: "string", default: "5" }, threads: { type: "string", default: "2" },
    batch: { type: "string", default: "8" }, seq: { type: "string", default: "512" },
    only: { type: "string", default: "a,b,c" }, options: { type: "boolean", default: false },
    precision: { type: "boolean", default: false }, rows: { type: "string" },
  },
}), USAGE);
const RUNS = Number(args.runs);
const THREADS = Number(args.threads);
const B = Number(args.batch), T = Number(args.seq), C = 768, H = 12;

function random(dims: number[], seed: number, scale = 1): Tensor {
  let s = seed;
  const data = new Float32Array(dims.reduce((a, b) => a * b, 1));
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    data[i] = (s / 2147483648 - 0.5) * 2 * scale;
  }
  return float32(dims, data);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

interface Timing { ms: number[]; cpuMs: number[]; faults: number[] }
interface Rate { wall: number; cpu: number }

/** Warm-up, then N timed runs; outputs are dropped before the next run so their buffers can be reused. */
async function time(ex: Executor, feeds: Record<string, Tensor>, runs: number): Promise<Timing> {
  for (let i = 0; i < 2; i++) await ex.run(feeds);
  const t: Timing = { ms: [], cpuMs: [], faults: [] };
  for (let i = 0; i < runs; i++) {
    const f0 = process.resourceUsage().minorPageFault;
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    let out: Record<string, Tensor> | undefined = await ex.run(feeds);
    t.ms.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    t.cpuMs.push((c.user + c.system) / 1000);
    t.faults.push(process.resourceUsage().minorPageFault - f0);
    out = undefined;
    void out;
  }
  return t;
}

// Wall-clock GFLOP/s is the figure; GFLOP per CPU-second (all threads) is steadier when others share the cores.
function report(label: string, flops: number, t: Timing): Rate {
  const med = median(t.ms);
  const rate = { wall: flops / (med / 1000) / 1e9, cpu: flops / (median(t.cpuMs) / 1000) / 1e9 };
  console.log(`${label} threads=${THREADS}: ${rate.wall.toFixed(1)} GFLOP/s, median ${med.toFixed(1)} ms ` +
    `(min ${Math.min(...t.ms).toFixed(1)}, max ${Math.max(...t.ms).toFixed(1)}, n=${t.ms.length}), ` +
    `${rate.cpu.toFixed(1)} GFLOP per cpu-s, page faults/run median ${median(t.faults)} (max ${Math.max(...t.faults)})`);
  return rate;
}

function check(name: string, got: ArrayLike<number>, want: ArrayLike<number>, tol: number): void {
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < want.length; i++) {
    worst = Math.max(worst, Math.abs((got[i] as number) - (want[i] as number)));
    scale = Math.max(scale, Math.abs(want[i] as number));
  }
  if (!(worst <= tol * Math.max(scale, 1e-3))) throw new Error(`${name}: largest difference ${worst} vs reference scale ${scale}`);
}

/** --rows: [M,768]·[768,3072] GFLOP/s at each M, the weight fed per run and baked into the session. */
async function matmulRows(rows: readonly number[]): Promise<void> {
  const [K, N] = [768, 3072];
  const b = random([K, N], 2);
  for (const baked of [false, true]) {
    const g = new Graph();
    g.output("y", g.matmul(g.input("a", ["M", K]), g.param("b", [K, N])));
    const ex = await OrtExecutor.create(g, { intraOpThreads: THREADS, initializers: baked ? { b } : {} });
    for (const M of rows) {
      const a = random([M, K], 1);
      report(`matmul [${M},${K}]x[${K},${N}], weight ${baked ? "baked" : "fed per run"}`, 2 * M * K * N,
        await time(ex, baked ? { a } : { a, b }, Math.max(RUNS, Math.ceil(4096 / M))));
    }
    await ex.release();
  }
}

async function benchMatmul(): Promise<Rate> {
  const [M, K, N] = [4096, 768, 3072];
  const g = new Graph();
  g.output("y", g.matmul(g.input("a", ["M", K]), g.param("b", [K, N])));
  const a = random([M, K], 1), b = random([K, N], 2);
  const ex = await OrtExecutor.create(g, { intraOpThreads: THREADS });
  const y = (await ex.run({ a, b }))["y"] as Tensor;
  const got: number[] = [], want: number[] = [];
  for (let s = 0; s < 64; s++) {
    const i = (s * 977) % M, j = (s * 131) % N;
    let acc = 0;
    for (let k = 0; k < K; k++) acc += (a.data[i * K + k] as number) * (b.data[k * N + j] as number);
    got.push(y.data[i * N + j] as number);
    want.push(acc);
  }
  check("matmul", got, want, 1e-4);
  const gf = report(`matmul [${M},${K}]x[${K},${N}]`, 2 * M * K * N, await time(ex, { a, b }, RUNS));
  await ex.release();
  return gf;
}

function blockGraph(backward: boolean): { g: Graph; outputs: string[] } {
  const g = new Graph();
  const x = g.input("x", ["B", "T", C]);
  const shapes = blockParamShapes(C);
  const p = (name: string): Node => g.leafByName(name) ?? g.param(name, shapes[name] as number[]);
  const y = gpt2Block(g, x, p, C, H);
  if (!backward) return (g.output("y", y), { g, outputs: ["y"] });
  const loss = g.reduceSum(g.mul(y, g.input("R", ["B", "T", C])), [0, 1, 2]);
  const wrt = [x, ...g.params()];
  const outputs = wrt.map((n) => `d:${n.op === "input" ? "x" : leafName(n)}`);
  gradients(g, loss, wrt).forEach((d, i) => g.output(outputs[i] as string, d));
  return { g, outputs };
}

async function benchBlock(backward: boolean): Promise<Rate> {
  const { g, outputs } = blockGraph(backward);
  const shapes = blockParamShapes(C);
  const params = Object.fromEntries(Object.entries(shapes).map(([name, dims], i) =>
    [name, name.startsWith("ln_") && name.endsWith("weight") ? float32(dims, new Float32Array(C).fill(1)) : random(dims, 10 + i, 0.05)]));
  const feedsAt = (b: number, t: number): Record<string, Tensor> =>
    ({ ...params, x: random([b, t, C], 3), ...(backward ? { R: random([b, t, C], 4) } : {}) });
  const ex = await OrtExecutor.create(g, { intraOpThreads: THREADS });
  // the same session at a small size against the float64 interpreter
  const small = feedsAt(1, 4);
  const ref = await InterpExecutor.create(g);
  const [got, want] = [await ex.run(small), await ref.run(small)];
  for (const name of outputs) check(name, (got[name] as Tensor).data as Float32Array, (want[name] as Tensor).data as Float32Array, 1e-3);
  const flops = blockForwardFlops(B, T, C) * (backward ? 3 : 1);
  const label = `gpt2 block ${backward ? "forward+backward" : "forward"} B=${B} T=${T} C=${C} H=${H}`;
  const gf = report(label, flops, await time(ex, feedsAt(B, T), RUNS));
  await ex.release();
  return gf;
}

const only = new Set(args.rows !== undefined ? [] : args.only.split(","));
console.log(`engine bench: node ${process.version}, MALLOC_MMAP_THRESHOLD_=${process.env.MALLOC_MMAP_THRESHOLD_ ?? "unset"}`);
if (args.rows !== undefined) await matmulRows(args.rows.split(",").map(Number));
const mm = only.has("a") ? await benchMatmul() : undefined;
const fwd = only.has("b") ? await benchBlock(false) : undefined;
const both = only.has("c") ? await benchBlock(true) : undefined;
const ratio = (a: Rate, b: Rate): string => `${(a.wall / b.wall).toFixed(2)} wall, ${(a.cpu / b.cpu).toFixed(2)} per cpu-s`;
if (mm !== undefined && fwd !== undefined) console.log(`block forward / matmul rate: ${ratio(fwd, mm)}`);
if (mm !== undefined && both !== undefined) console.log(`block forward+backward / matmul rate: ${ratio(both, mm)} (target >= 0.60)`);
// Session options, A/B interleaved (one run of each variant per round) so that load from other processes hits
// every variant alike; ratios are against the default options, block forward+backward at B/2.
async function compareOptions(): Promise<void> {
  const variants: [string, object, boolean][] = [
    ["default", {}, false], ["memPattern=off", { enableMemPattern: false }, false], ["arena=off", { enableCpuMemArena: false }, false],
    ["optimization=basic", { graphOptimizationLevel: "basic" }, false], ["no spinning", { extra: { session: { "intra_op.allow_spinning": "0" } } }, false],
    ["weights baked", {}, true],
  ];
  const { g } = blockGraph(true);
  const shapes = blockParamShapes(C);
  const params = Object.fromEntries(Object.entries(shapes).map(([name, dims], i) => [name, random(dims, 10 + i, 0.05)]));
  const b = Math.max(1, B / 2);
  const data = { x: random([b, T, C], 3), R: random([b, T, C], 4) };
  const ms = variants.map((): number[] => []);
  const exs = await Promise.all(variants.map(([, sessionOptions, bake]) =>
    OrtExecutor.create(g, { intraOpThreads: THREADS, sessionOptions, initializers: bake ? params : {} })));
  for (let round = 0; round < RUNS + 1; round++) {
    for (const [k, ex] of exs.entries()) {
      const feeds = { ...data, ...((variants[k] as [string, object, boolean])[2] ? {} : params) };
      const t0 = performance.now();
      await ex.run(feeds);
      if (round > 0) (ms[k] as number[]).push(performance.now() - t0);
    }
  }
  const base = median(ms[0] as number[]);
  variants.forEach(([name], k) => console.log(`session options ${name}: block forward+backward B=${b} T=${T} median ` +
    `${median(ms[k] as number[]).toFixed(0)} ms, ${(base / median(ms[k] as number[])).toFixed(2)}x the default's speed (n=${RUNS}, interleaved)`));
  for (const ex of exs) await ex.release();
}

/**
 * y = MatMul(a, b) with a, b and y of one ONNX element type; float32 inputs are cast to it first and y back to
 * float32 when `casts` (onnxruntime-node has no bfloat16 tensors to feed or read).
 */
function matmulModel(elemType: number, M: number, K: number, N: number, casts: boolean): Uint8Array {
  const io = casts ? 1 : elemType;
  const valueInfo = (name: string, dims: number[]): Msg => {
    const shape = new Msg();
    for (const d of dims) shape.msg(1, new Msg().int(1, d));
    return new Msg().str(1, name).msg(2, new Msg().msg(1, new Msg().int(1, io).msg(2, shape)));
  };
  const node = (op: string, inputs: string[], output: string, to?: number): Msg => {
    const m = new Msg();
    for (const i of inputs) m.str(1, i);
    m.str(2, output).str(4, op);
    if (to !== undefined) m.msg(5, new Msg().str(1, "to").int(3, to).int(20, 2)); // AttributeProto INT
    return m;
  };
  const graph = new Msg();
  if (casts) graph.msg(1, node("Cast", ["a"], "a_", elemType)).msg(1, node("Cast", ["b"], "b_", elemType));
  graph.msg(1, node("MatMul", casts ? ["a_", "b_"] : ["a", "b"], casts ? "y_" : "y"));
  if (casts) graph.msg(1, node("Cast", ["y_"], "y", 1));
  graph.str(2, "matmul").msg(11, valueInfo("a", [M, K])).msg(11, valueInfo("b", [K, N])).msg(12, valueInfo("y", [M, N]));
  return new Msg().int(1, 9).msg(8, new Msg().str(1, "").int(2, 20)).msg(7, graph).finish();
}

/** float32 → float16 bits (round to nearest even; the inputs here are small normal numbers). */
function float16Bits(x: number): number {
  const u = new Uint32Array(new Float32Array([x]).buffer)[0] as number;
  const sign = (u >>> 16) & 0x8000, exp = ((u >>> 23) & 0xff) - 127 + 15, mant = u & 0x7fffff;
  if (exp <= 0) return sign;
  const r = (exp << 10) | (mant >>> 13), rest = mant & 0x1fff;
  return sign | (rest > 0x1000 || (rest === 0x1000 && (r & 1) === 1) ? r + 1 : r);
}

async function comparePrecisions(): Promise<void> {
  const [M, K, N] = [4096, 768, 3072];
  const a = random([M, K], 1), b = random([K, N], 2);
  const kinds = [["float32", 1, false], ["float16", 10, false], ["bfloat16 (cast from float32 in the graph)", 16, true]] as const;
  for (const [kind, elemType, casts] of kinds) {
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(matmulModel(elemType, M, K, N, casts), { intraOpNumThreads: THREADS });
    } catch (e) {
      console.log(`precision ${kind}: not runnable on onnxruntime's CPU provider: ${(e as Error).message.split("\n")[0]}`);
      continue;
    }
    const feed = (t: Tensor): ort.Tensor => elemType === 10
      ? new ort.Tensor("float16", Uint16Array.from(t.data as Float32Array, float16Bits), t.dims)
      : new ort.Tensor("float32", t.data as Float32Array, t.dims);
    const feeds = { a: feed(a), b: feed(b) };
    const ms: number[] = [];
    for (let r = 0; r < RUNS + 2; r++) {
      const t0 = performance.now();
      await session.run(feeds);
      if (r >= 2) ms.push(performance.now() - t0);
    }
    console.log(`precision ${kind}: matmul [${M},${K}]x[${K},${N}] ${((2 * M * K * N) / (median(ms) / 1000) / 1e9).toFixed(1)} GFLOP/s (median of ${RUNS})`);
    await session.release();
  }
}

if (args.precision) await comparePrecisions();
if (args.options) await compareOptions();
