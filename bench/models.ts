// bench:models — reward-model throughput on onnxruntime at real sizes, random init (HF _init_weights rules):
//   score:  forward of 8 rows × 256 tokens through RewardModel.score (weights baked into the session)
//   train:  forward + backward of the pairwise loss, 4 pairs × 2 × 256 tokens, every parameter trainable
//           (the token-embedding gradient comes back row-sparse, as a trainer would take it)
// for GPT-2 124M, OPT-350m and the Llama-family layouts of SmolLM2-135M and Qwen2.5-0.5B (bench/llama-layouts.ts).
// Each (model, mode) runs in its own child process, so peak RSS is its own.
// First checks gpt2-tiny's rewards against the reference fixture.
// Usage: npm run bench:models [-- --runs 3] [--models gpt2-124m,opt-350m,smollm2-135m,qwen2.5-0.5b] [--modes score,train]
// PyTorch 1.13 on this machine (shared/README.md): GPT-2 score ~900 tok/s, train ~340 tok/s; OPT-350m train ~100 tok/s.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gradientsRowSparse, isTrainable, leafName, OrtExecutor, type Node } from "../src/engine/index.js";
import { batchFeeds, buildRewardGraph, formulaWeights, RewardModel, weightFeeds } from "../src/models/index.js";
import { BENCH_CONFIGS } from "./model-configs.js";
import { helpOrExit } from "./usage.js";

const USAGE = "usage: npm run bench:models [-- --runs 3] [--models gpt2-124m,opt-350m,smollm2-135m,qwen2.5-0.5b] [--modes score,train]";
helpOrExit(USAGE);

const CONFIGS = BENCH_CONFIGS;
const T = 256;
const THREADS = os.availableParallelism();

function randomRows(n: number, vocab: number, seed: number): number[][] {
  let s = seed >>> 0;
  const next = () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s; };
  return Array.from({ length: n }, () => Array.from({ length: T }, () => 3 + (next() % (vocab - 3))));
}

/** Wall seconds and CPU seconds (all threads) of one call: the machine is shared, so CPU time is the steadier figure. */
async function timed(f: () => Promise<unknown>): Promise<{ wall: number; cpu: number }> {
  const c0 = process.cpuUsage(), t0 = performance.now();
  await f();
  const c = process.cpuUsage(c0);
  return { wall: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

interface Runs { wall: number[]; cpu: number[] }

async function score(m: RewardModel, runs: number): Promise<Runs> {
  const rows = randomRows(8, m.config.vocab_size, 1);
  await m.score(rows, { batchSize: 8 }); // warm-up (session creation)
  const r: Runs = { wall: [], cpu: [] };
  for (let i = 0; i < runs; i++) {
    const t = await timed(() => m.score(rows, { batchSize: 8 }));
    r.wall.push(t.wall);
    r.cpu.push(t.cpu);
  }
  await m.release();
  return r;
}

async function train(m: RewardModel, runs: number): Promise<Runs> {
  const P = 4;
  const rows = randomRows(2 * P, m.config.vocab_size, 2);
  const { graph: g, rewards } = buildRewardGraph(m.def, m.config, m.weights);
  const rowsOf = (from: number) => g.constant(Array.from({ length: P }, (_, i) => from + i), [P], "int64");
  const loss = g.output("loss", g.reduceMean(g.softplus(g.neg(g.sub(g.gather(rewards, rowsOf(0)), g.gather(rewards, rowsOf(P))))), [0, 1]));
  const table = g.params().find((p) => /(wte|embed_tokens)\.weight$/.test(leafName(p))) as Node;
  const wrt = g.params().filter((p) => isTrainable(p) && p !== table);
  const { grads, rows: rowGrads } = gradientsRowSparse(g, loss, wrt, [table]);
  grads.forEach((d, i) => g.output(`grad:${leafName(wrt[i] as Node)}`, d));
  rowGrads.forEach((r, i) => { g.output(`rows:${i}`, r.rows); g.output(`idx:${i}`, r.indices); });
  const ex = await OrtExecutor.create(g);
  const feeds = { ...weightFeeds(m.weights), ...batchFeeds(m.def, m.config, rows, m.padTokenId).feeds };
  await ex.run(feeds); // warm-up
  const r: Runs = { wall: [], cpu: [] };
  for (let i = 0; i < runs; i++) {
    const t = await timed(() => ex.run(feeds));
    r.wall.push(t.wall);
    r.cpu.push(t.cpu);
  }
  await ex.release();
  return r;
}

async function child(model: string, mode: string, runs: number): Promise<void> {
  const m = RewardModel.create(CONFIGS[model] as Record<string, unknown>, 0);
  const r = mode === "score" ? await score(m, runs) : await train(m, runs);
  console.log(JSON.stringify({ ...r, maxRssMiB: process.resourceUsage().maxRSS / 1024, params: m.weights.numel }));
}

async function checkReference(): Promise<void> {
  const dir = path.resolve("test/fixtures/reference/gpt2-tiny");
  const m = RewardModel.create(JSON.parse(readFileSync(path.join(dir, "config.json"), "utf8")) as Record<string, unknown>);
  m.weights.data.set(formulaWeights(m.weights.specs).data);
  const e = JSON.parse(readFileSync(path.join(dir, "expected.json"), "utf8")) as { texts: { input_ids: number[]; reward: number }[] };
  const r = await m.score(e.texts.map((t) => t.input_ids));
  await m.release();
  const maxR = Math.max(...e.texts.map((t) => Math.abs(t.reward)));
  const diff = Math.max(...e.texts.map((t, i) => Math.abs((r[i] as number) - t.reward)));
  if (!(diff <= 5e-6 * maxR)) throw new Error(`gpt2-tiny rewards differ from the reference by ${diff}`);
  console.log(`reference check: gpt2-tiny rewards within ${(diff / maxR).toExponential(2)} × max|r| of transformers`);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === "--child") return child(argv[1] as string, argv[2] as string, Number(argv[3]));
  const flag = (name: string): string | undefined => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
  const runs = Number(flag("--runs") ?? 3);
  const models = (flag("--models") ?? Object.keys(CONFIGS).join(",")).split(",");
  const modes = (flag("--modes") ?? "score,train").split(",");
  for (const m of models) if (!(m in CONFIGS)) throw new Error(`--models: expected some of ${Object.keys(CONFIGS).join(",")}, got "${m}"`);
  await checkReference();
  for (const [model, mode] of models.flatMap((m) => modes.map((k) => [m, k] as const))) {
    const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), "--child", model, mode, String(runs)], { encoding: "utf8", env: process.env });
    if (r.status !== 0) throw new Error(`bench child ${model} ${mode} failed (${r.status}): ${r.stderr}`);
    const res = JSON.parse(r.stdout.trim().split("\n").pop() as string) as Runs & { maxRssMiB: number; params: number };
    const tokens = 8 * T, tps = res.wall.map((s) => tokens / s);
    const shape = mode === "score" ? `8 x ${T}` : `4 pairs x 2 x ${T}`;
    console.log(`${model} ${mode.padEnd(5)} ${shape.padEnd(17)} ${median(tps).toFixed(0).padStart(5)} tok/s ` +
      `(min ${Math.min(...tps).toFixed(0)}, max ${Math.max(...tps).toFixed(0)}, ${runs} runs)  ` +
      `cpu ${median(res.cpu).toFixed(1)} s/step (${(tokens / (median(res.cpu) / THREADS)).toFixed(0)} tok/s at ${THREADS} busy threads)  ` +
      `peak RSS ${res.maxRssMiB.toFixed(0)} MiB  params ${(res.params / 1e6).toFixed(1)}M`);
  }
}

await main();
