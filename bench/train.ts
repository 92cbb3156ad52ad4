// bench:train — reward-model training throughput on real pair lengths, the trainer's step (forward + backward +
// clip + AdamW) at real sizes, random init: GPT-2 124M, OPT-350m and the layouts of SmolLM2-135M and Qwen2.5-0.5B
// (bench/llama-layouts.ts), full fine-tuning and LoRA r=16 (PEFT's default targets), in three modes
//   standard   TRL's collator: 2P right-padded rows, batches in shuffled order
//   grouped    the same rows, batches grouped by length (megabatches of 50 batches, HF LengthGroupedSampler)
//   shared     prefix-shared packing (one row per pair) + length grouping: rewardlab's default
// on the pairs of ../shared/data/hh-rlhf/harmless-base-test.sample.jsonl.gz (test/fixtures/data/hh-rlhf-sample-40
// when absent) with both sides <= 512 tokens, batch 4 pairs. Every mode trains on the same pairs (the first N in file order, as bench/trl-reference.py),
// so pairs/s compare directly; "real tok/s" counts chosen + rejected tokens (no padding, the prefix twice) the same
// way for every mode, as TRL's num_tokens does. Also the peak RSS of each run (its own child process) and of one
// gpt2 full fine-tuning step at 4 pairs × 512 tokens (the memory target).
// First checks that prefix-shared and standard give the same loss on one real batch.
// Usage: npm run bench:train [-- --quick] [--pairs 64] [--models gpt2-124m,opt-350m] [--tunings full,lora,lora8,lora4]
//          [--modes standard,grouped,shared] [--trl fp32=X,bf16=Y] [--gradient-checkpointing] [--steady]
//          (--steady: one uncounted pass over the sample before the counted one, every batch shape warm; compare
//          with bench/trl-reference.py's steady argument, which counts TRL's second epoch over the same pairs)
//          (lora8 / lora4: LoRA r=16 on an 8-/4-bit base, block 128, the fp32 base released as the trainer does)
//        npm run bench:train -- --peak [--ort arena=0,pattern=0] [--gradient-checkpointing | --checkpointing-only] [--models gpt2-124m,opt-350m]
//          (only the 4 × 512 full fine-tuning step, with session overrides; with and without gradient checkpointing)
//        npm run bench:train -- --adamw [--steps 12] [--weight-decay 0]   (AdamW ms/step on 6.4M params vs the plain loop)
// References (issue 7, measured on its machine): PyTorch fp32 gpt2 full FT ~340 tok/s at 4×2×256 padded; TRL
// RewardTrainer on 64 real pairs, batch 4: 0.30 pairs/s fp32, 1.02 pairs/s bf16. TRL on this machine and these pairs:
// run bench/trl-reference.py in a venv and pass its "after 2 steps" figures as --trl fp32=X,bf16=Y to print ratios.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { LORA_DEFAULT_TARGETS, RewardModel } from "../src/models/index.js";
import { foldId } from "./llama-layouts.js";
import { BENCH_CONFIGS } from "./model-configs.js";
import { loadTokenizer, type Tokenizer } from "../src/tokenizer/index.js";
import { openPairs, SkipCounts, type TokenizedPair } from "../src/data/index.js";
import {
  adamwState, adamwStep, clipScale, createPairBatcher, OptimizerThreads, lengthGroupedOrder, paramGroups, Rng, TrainingGraph,
  type BatchLayout, type PairBatcher,
} from "../src/train/index.js";

const CONFIGS: Record<string, Record<string, unknown>> = {
  ...BENCH_CONFIGS,
  // the small model where the JS AdamW step was 38% of step time (6.4M params, almost all of them the embedding)
  "gpt2-2x128": { model_type: "gpt2", vocab_size: 50257, n_positions: 1024, n_embd: 128, n_layer: 2, n_head: 4, n_inner: null,
    layer_norm_epsilon: 1e-5, initializer_range: 0.02, pad_token_id: 50256, eos_token_id: 50256 },
};
const DATA = ["../shared/data/hh-rlhf/harmless-base-test.sample.jsonl.gz", "/work/shared/data/hh-rlhf/harmless-base-test.sample.jsonl.gz",
  "test/fixtures/data/hh-rlhf-sample-40.jsonl.gz"];
const OPT_TOKENIZER = ["../shared/tokenizers/opt", "/work/shared/tokenizers/opt"];
const MAX_LENGTH = 512, BATCH = 4, MEGABATCH_MULT = 50, SEED = 42;
const MODES = { standard: { layout: "standard", grouped: false }, grouped: { layout: "standard", grouped: true },
  shared: { layout: "prefix-shared", grouped: true } } as const;
type Mode = keyof typeof MODES;

interface RunResult { pairs: number; tokens: number; computed: number; padded: number; wall: number; cpu: number; steps: number;
  firstLoss: number; maxRssMiB: number }

/**
 * The data file's pairs, tokenized for this model type (OPT: its own vocabulary and leading </s>; others GPT-2's,
 * folded into a smaller vocabulary), both sides <= 512.
 */
async function loadPairs(modelType: string, vocab = 50257): Promise<{ file: string; pairs: TokenizedPair[] }> {
  const file = DATA.find((f) => existsSync(f)) as string;
  const optDir = OPT_TOKENIZER.find((d) => existsSync(d));
  const tok: Tokenizer = await loadTokenizer(modelType === "opt" && optDir ? optDir : "builtin:gpt2");
  // without the OPT tokenizer folder, GPT-2 ids + a leading </s> give OPT's lengths
  const lead = modelType === "opt" && !optDir ? [2] : [];
  const stream = await openPairs(file, { skipped: new SkipCounts() });
  const pairs: TokenizedPair[] = [];
  for await (const p of stream.pairs()) {
    if (p.format !== "text") throw new Error(`${file}: the bench reads standard text pairs`);
    const ids = (text: string) => Int32Array.from([...lead, ...tok.encode(text)], (id) => foldId(id, vocab));
    const c = ids(p.chosen), r = ids(p.rejected);
    if (c.length > MAX_LENGTH || r.length > MAX_LENGTH || c.length === 0 || r.length === 0) continue;
    let s = 0;
    while (s < Math.min(c.length, r.length) && c[s] === r[s]) s++;
    pairs.push({ input_ids_chosen: c, attention_mask_chosen: new Int32Array(c.length).fill(1), input_ids_rejected: r,
      attention_mask_rejected: new Int32Array(r.length).fill(1), sharedPrefix: s });
  }
  return { file, pairs };
}

/** The first n pairs in file order (the same for every mode, and those TRL's reference run trains on), then that
 *  mode's batch order of them. */
function batchesOf(all: readonly TokenizedPair[], n: number, batcher: PairBatcher, grouped: boolean): TokenizedPair[][] {
  const sample = all.slice(0, n);
  const perm = new Rng(SEED + 1).permutation(sample.length);
  const order = grouped ? lengthGroupedOrder(perm, sample.map((p) => batcher.rowLength(p)), BATCH, MEGABATCH_MULT) : perm;
  const out: TokenizedPair[][] = [];
  for (let lo = 0; lo < order.length; lo += BATCH) out.push(order.slice(lo, lo + BATCH).map((i) => sample[i] as TokenizedPair));
  return out;
}

/** `--ort arena=0,pattern=0`: onnxruntime session overrides for the training session (peak-RSS experiments). */
function ortOverrides(spec: string | undefined): Record<string, unknown> {
  const keys: Record<string, string> = { arena: "enableCpuMemArena", pattern: "enableMemPattern", spin: "spin" };
  const out: Record<string, unknown> = {};
  for (const kv of (spec ?? "").split(",").filter((x) => x !== "")) {
    const [k, v] = kv.split("=");
    const key = keys[k ?? ""];
    if (key === undefined || (v !== "0" && v !== "1")) throw new Error(`--ort: expected arena=0|1,pattern=0|1,spin=0|1, got "${kv}"`);
    if (key === "spin") out.extra = { session: { intra_op: { allow_spinning: v } } };
    else out[key] = v === "1";
  }
  return out;
}

/** Tunings: full fine-tuning, LoRA r=16 on an fp32 base, LoRA r=16 on an 8-bit / 4-bit base (block 128). */
const TUNINGS = ["full", "lora", "lora8", "lora4"] as const;
type Tuning = (typeof TUNINGS)[number];
const TUNING_LABEL: Record<Tuning, string> = { full: "full", lora: "LoRA r=16", lora8: "LoRA r=16 8-bit", lora4: "LoRA r=16 4-bit" };

async function newGraph(m: RewardModel, tuning: Tuning, ort = "", gradientCheckpointing = false): Promise<TrainingGraph> {
  const rng = new Rng(SEED);
  const lora = tuning !== "full", bits = tuning === "lora8" ? 8 : tuning === "lora4" ? 4 : null;
  return TrainingGraph.create(m, { hasMargin: false, centerRewardsCoefficient: null, threads: os.availableParallelism(), trainSessionOptions: ortOverrides(ort),
    lora: lora ? { r: 16, alpha: 16, dropout: 0, targetModules: LORA_DEFAULT_TARGETS[m.modelType] ?? [] } : undefined,
    // a quantized base releases the fp32 weights as the trainer does (QLoRA holds only the quantized base)
    quant: bits ? { bits, blockSize: 128 } : undefined, releaseBase: bits !== null, gradientCheckpointing, uniform: () => rng.next() });
}

/** One child process: train `mode` over the sample (one uncounted warm-up step first), or the 4 × 512 peak step. */
async function child(model: string, tuning: Tuning, mode: Mode | "peak" | "check", n: number, ort = "", ckpt = false, steady = false): Promise<void> {
  const m = RewardModel.create(CONFIGS[model] as Record<string, unknown>, 0);
  const g = await newGraph(m, tuning, ort, ckpt);
  const opt = adamwState(g.params.length), groups = paramGroups(g.tensors, 0), threads = OptimizerThreads.start();
  let batches: TokenizedPair[][], batcher: PairBatcher, warmup = 1;
  if (mode === "check") {
    // the same real batch through both layouts: the loss must agree
    const { pairs } = await loadPairs(m.modelType, m.config.vocab_size);
    const b = batchesOf(pairs, BATCH, createPairBatcher("standard", m.def, m.config, m.padTokenId, false), false)[0] as TokenizedPair[];
    const a = await g.evaluate(createPairBatcher("standard", m.def, m.config, m.padTokenId, false).build(b));
    const s = await g.evaluate(createPairBatcher("prefix-shared", m.def, m.config, m.padTokenId, false).build(b));
    console.log(JSON.stringify({ standard: a.loss, shared: s.loss, rewards: [...a.chosen, ...a.rejected], sharedRewards: [...s.chosen, ...s.rejected] }));
    return;
  }
  if (mode === "peak") {
    const row = (k: number) => Int32Array.from({ length: MAX_LENGTH }, (_, t) => 3 + ((t * 7919 + k * 104729) % Math.min(50000, m.config.vocab_size - 3)));
    const pairs = Array.from({ length: BATCH }, (_, k): TokenizedPair => ({ input_ids_chosen: row(2 * k), attention_mask_chosen: new Int32Array(MAX_LENGTH).fill(1),
      input_ids_rejected: row(2 * k + 1), attention_mask_rejected: new Int32Array(MAX_LENGTH).fill(1), sharedPrefix: 0 }));
    batcher = createPairBatcher("standard", m.def, m.config, m.padTokenId, false);
    batches = [pairs, pairs];
  } else {
    batcher = createPairBatcher(MODES[mode].layout as BatchLayout, m.def, m.config, m.padTokenId, false);
    batches = batchesOf((await loadPairs(m.modelType, m.config.vocab_size)).pairs, n, batcher, MODES[mode].grouped);
    // warm-up, not counted: the first batch (session, allocator), or with --steady a whole pass (every shape seen once)
    warmup = steady ? batches.length : 1;
    batches = [...(steady ? batches : [batches[0] as TokenizedPair[]]), ...batches];
  }
  const r: RunResult = { pairs: 0, tokens: 0, computed: 0, padded: 0, wall: 0, cpu: 0, steps: 0, firstLoss: NaN, maxRssMiB: 0 };
  for (let k = 0; k < batches.length; k++) {
    const c0 = process.cpuUsage(), t0 = performance.now();
    const batch = batcher.build(batches[k] as TokenizedPair[]);
    g.zeroGrads();
    const res = await g.step(batch);
    const norm = await threads.gradNorm(g.grads);
    await threads.adamw(g.params, g.grads, opt, { lr: 1e-5, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 }, groups, clipScale(norm, 1));
    if (k === 0) r.firstLoss = res.loss;
    if (k < warmup) continue;
    const cpu = process.cpuUsage(c0);
    r.wall += (performance.now() - t0) / 1000;
    r.cpu += (cpu.user + cpu.system) / 1e6;
    r.pairs += batch.pairs;
    r.tokens += batch.tokens;
    r.computed += batch.computedTokens;
    r.padded += batch.paddedTokens;
    r.steps++;
  }
  await g.release();
  await threads.close();
  r.maxRssMiB = process.resourceUsage().maxRSS / 1024;
  console.log(JSON.stringify(r));
}

/** torch.optim.AdamW's update as the plain per-element loop adamw.ts had before its zero-block skip (the baseline). */
function plainAdamw(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, step: number, lr: number, wd: number): void {
  const beta1 = 0.9, beta2 = 0.999, eps = 1e-8, decay = 1 - lr * wd;
  const stepSize = lr / (1 - Math.pow(beta1, step)), invBc2Sqrt = 1 / Math.sqrt(1 - Math.pow(beta2, step));
  for (let i = 0; i < p.length; i++) {
    const gi = g[i] as number;
    const mi = beta1 * (m[i] as number) + (1 - beta1) * gi;
    const vi = beta2 * (v[i] as number) + (1 - beta2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    p[i] = (p[i] as number) * decay - (stepSize * mi) / (Math.sqrt(vi) * invBc2Sqrt + eps);
  }
}

/** `--adamw`: real gpt2-2x128 steps on real pairs; the AdamW step (ours vs the plain loop, same grads, bits checked). */
async function adamwBench(steps: number, wd: number, ort: string): Promise<void> {
  const m = RewardModel.create(CONFIGS["gpt2-2x128"] as Record<string, unknown>, 0);
  const g = await newGraph(m, "full", ort);
  const batcher = createPairBatcher("standard", m.def, m.config, m.padTokenId, false);
  const batches = batchesOf((await loadPairs("gpt2")).pairs, steps * BATCH, batcher, false);
  const opt = adamwState(g.params.length), groups = paramGroups(g.tensors, wd);
  const ref = { p: Float32Array.from(g.params), m: new Float32Array(g.params.length), v: new Float32Array(g.params.length) };
  const ours: number[] = [], plain: number[] = [], fwdBwd: number[] = [];
  const hyper = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: wd };
  for (const [k, b] of batches.entries()) {
    g.grads.fill(0);
    let t0 = performance.now();
    await g.step(batcher.build(b));
    fwdBwd.push(performance.now() - t0);
    t0 = performance.now();
    adamwStep(g.params, g.grads, opt, hyper, groups);
    ours.push(performance.now() - t0);
    t0 = performance.now();
    plainAdamw(ref.p, g.grads, ref.m, ref.v, k + 1, hyper.lr, wd);
    plain.push(performance.now() - t0);
    // with weight decay the groups exempt biases and LayerNorms, which the plain loop does not: compare wd 0 only
    if (wd === 0 && !ref.p.every((x, i) => Object.is(x, g.params[i]))) throw new Error(`step ${k + 1}: AdamW differs from the plain loop`);
  }
  await g.release();
  const med = (a: number[]): number => { const s = a.slice(1).sort((x, y) => x - y); return s[s.length >> 1] as number; };
  console.log(`AdamW, gpt2-2x128 (${(g.params.length / 1e6).toFixed(2)}M params), ${steps} real steps of ${BATCH} pairs, weight decay ${wd}` +
    `${wd === 0 ? ", params bit-identical to the plain loop" : ""}: ${med(ours).toFixed(1)} ms/step vs plain loop ${med(plain).toFixed(1)} ms/step ` +
    `(${(med(plain) / med(ours)).toFixed(2)}x); forward+backward ${med(fwdBwd).toFixed(0)} ms/step (medians after the first step)`);
}

/**
 * `--trl fp32=0.471,bf16=0.939`: TRL's pairs/s from bench/trl-reference.py on this machine, to print ratios. A key
 * may name the model and the tuning (`qwen2.5-0.5b:lora:bf16=0.2`, as trl-reference.py prints them); a bare
 * precision applies to full fine-tuning of every model.
 */
function trlReference(spec: string | undefined): Map<string, number> {
  const out = new Map<string, number>();
  for (const kv of (spec ?? "").split(",").filter((x) => x !== "")) {
    const [k = "", v] = kv.split("=");
    const parts = k.split(":"), precision = parts.pop() as string, x = Number(v);
    const model = parts.length > 0 ? parts[0] as string : "*", tuning = parts[1] ?? "full";
    if ((precision !== "fp32" && precision !== "bf16") || !(x > 0) || parts.length > 2 || (tuning !== "full" && tuning !== "lora")) {
      throw new Error(`--trl: expected [model:[full|lora:]]fp32|bf16=<pairs/s>, got "${kv}"`);
    }
    out.set(`${model}|${tuning}|${precision}`, x);
  }
  return out;
}

/** A child that the kernel killed (out of memory) is not an error of the bench: its row says so and the bench goes on. */
class ChildKilled extends Error {}

function spawnChild(args: string[]): string {
  const p = spawnSync(process.execPath, [fileURLToPath(import.meta.url), "--child", ...args], { encoding: "utf8", env: process.env, maxBuffer: 1 << 24 });
  if (p.signal === "SIGKILL") throw new ChildKilled(`killed by SIGKILL (out of memory? ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB here)`);
  if (p.status !== 0) throw new Error(`bench child ${args.join(" ")} failed (${p.status}): ${p.stderr}`);
  return p.stdout.trim().split("\n").pop() as string;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === "--child") return child(argv[1] as string, argv[2] as Tuning, argv[3] as Mode, Number(argv[4]), argv[5], argv[6] === "ckpt", argv[7] === "steady");
  const flag = (name: string): string | undefined => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
  if (argv.includes("--help")) {
    console.log("usage: npm run bench:train [-- --quick] [--pairs 64] [--models gpt2-124m,opt-350m] [--tunings full,lora,lora8,lora4] [--modes standard,grouped,shared] [--trl fp32=X,bf16=Y] [--gradient-checkpointing] [--steady]\n" +
      `       models: ${Object.keys(CONFIGS).join(", ")}\n` +
      "       npm run bench:train -- --peak [--ort arena=0,pattern=0] [--gradient-checkpointing | --checkpointing-only] [--models gpt2-124m]   only the full-FT 4x2x512 step: peak RSS, s/step\n" +
      "       npm run bench:train -- --adamw [--steps 12] [--weight-decay 0]   AdamW ms/step on gpt2-2x128 (6.4M params)");
    return;
  }
  if (argv.includes("--adamw")) return adamwBench(Number(flag("--steps") ?? 12), Number(flag("--weight-decay") ?? 0), flag("--ort") ?? "");
  if (argv.includes("--peak")) {
    const ort = flag("--ort") ?? "";
    ortOverrides(ort); // fail fast on a bad spec
    // --gradient-checkpointing: the same step without and with it, per model of --models (default gpt2-124m)
    // (--checkpointing-only: just with it, for a model whose step without it does not fit in memory)
    const ckpts = argv.includes("--checkpointing-only") ? [true] : argv.includes("--gradient-checkpointing") ? [false, true] : [false];
    for (const model of (flag("--models") ?? "gpt2-124m").split(",")) {
      for (const ckpt of ckpts) {
        const what = `${model} full fine-tuning${ckpt ? " + gradient checkpointing" : ""}, 4 pairs x 2 x ${MAX_LENGTH} tokens (standard)${ort ? `, ort ${ort}` : ""}`;
        let peak: RunResult;
        try {
          peak = JSON.parse(spawnChild([model, "full", "peak", "0", ort, ckpt ? "ckpt" : ""])) as RunResult;
        } catch (e) {
          if (!(e instanceof ChildKilled)) throw e;
          console.log(`${what}: ${e.message}`);
          continue;
        }
        console.log(`${what}: peak RSS ${peak.maxRssMiB.toFixed(0)} MiB (${(peak.maxRssMiB / 1024).toFixed(2)} GiB), ` +
          `${(peak.wall / peak.steps).toFixed(2)} s/step (second step), load average ${os.loadavg()[0]?.toFixed(2)}`);
      }
    }
    return;
  }
  const quick = argv.includes("--quick");
  const ort = flag("--ort") ?? "";
  ortOverrides(ort);
  const trlRates = trlReference(flag("--trl"));
  const defaultRates: [string, string, number][] = []; // model, tuning, pairs/s of the default mode
  const models = (flag("--models") ?? (quick ? "gpt2-124m" : "gpt2-124m,opt-350m,smollm2-135m,qwen2.5-0.5b")).split(",");
  for (const m of models) if (!(m in CONFIGS)) throw new Error(`--models: expected some of ${Object.keys(CONFIGS).join(",")}, got "${m}"`);
  const n = Number(flag("--pairs") ?? (quick ? 16 : 64));
  const tunings = (flag("--tunings") ?? "full,lora,lora8,lora4").split(",") as Tuning[];
  for (const t of tunings) if (!TUNINGS.includes(t)) throw new Error(`--tunings: expected some of ${TUNINGS.join(",")}, got "${t}"`);
  const loraRates = new Map<string, number>(), loraRss = new Map<string, number>();
  // --gradient-checkpointing: every run recomputes block activations in the backward (TRL's RewardConfig default)
  const ckpt = argv.includes("--gradient-checkpointing");
  // --steady: a whole uncounted pass over the sample first, so every batch shape is warm (bench/trl-reference.py steady)
  const steady = argv.includes("--steady");
  const modes = (flag("--modes") ?? Object.keys(MODES).join(",")).split(",") as Mode[];
  for (const m of modes) if (!(m in MODES)) throw new Error(`--modes: expected some of ${Object.keys(MODES).join(",")}, got "${m}"`);
  const { file, pairs } = await loadPairs("gpt2");
  console.log(`data: ${file}: ${pairs.length} pairs with both sides <= ${MAX_LENGTH} GPT-2 tokens; the first ${n} in file order, batch ${BATCH} pairs`);
  if (ckpt) console.log("gradient checkpointing: on in every run");
  console.log(steady ? "counted: the second pass over the sample (--steady: the first warms every batch shape)" : "counted: every batch, after one warm-up step on the first");
  console.log(`machine: ${os.cpus().length} cpus, load average ${os.loadavg().map((x) => x.toFixed(2)).join(" ")} (shared: figures are noisy)`);
  for (const model of models) {
    const c = JSON.parse(spawnChild([model, "full", "check", "0"])) as { standard: number; shared: number; rewards: number[]; sharedRewards: number[] };
    const scale = Math.max(...c.rewards.map(Math.abs));
    const dr = Math.max(...c.rewards.map((x, i) => Math.abs(x - (c.sharedRewards[i] as number))));
    const ok = Math.abs(c.shared - c.standard) <= 1e-4 * Math.abs(c.standard) && dr <= 1e-4 * scale;
    console.log(`check ${model}: loss standard ${c.standard.toFixed(6)} prefix-shared ${c.shared.toFixed(6)}, rewards max diff ${(dr / scale).toExponential(2)} × max|r| ${ok ? "OK" : "MISMATCH"}`);
    if (!ok) throw new Error("prefix-shared and standard layouts disagree");
  }
  const rows: string[][] = [["model", "tuning", "mode", "pairs", "pairs/s", "real tok/s", "computed tok/s", "padded/real", "s/step", "cpu s/step", "peak RSS MiB", "vs standard", "vs fp32 LoRA", "RSS vs fp32 LoRA"]];
  for (const model of models) {
    for (const tuning of tunings) {
      let base = NaN;
      for (const mode of modes) {
        const r = JSON.parse(spawnChild([model, tuning, mode, String(n), ort, ckpt ? "ckpt" : "", steady ? "steady" : ""])) as RunResult;
        const pps = r.pairs / r.wall;
        if (mode === "standard") base = pps;
        if (mode === "shared") defaultRates.push([model, tuning, pps]);
        if (tuning === "lora") {
          loraRates.set(`${model} ${mode}`, pps);
          loraRss.set(`${model} ${mode}`, r.maxRssMiB);
        }
        const quantized = tuning.startsWith("lora") && tuning !== "lora";
        const vsLora = quantized ? loraRates.get(`${model} ${mode}`) : undefined, rssLora = quantized ? loraRss.get(`${model} ${mode}`) : undefined;
        rows.push([model, TUNING_LABEL[tuning], mode, String(r.pairs), pps.toFixed(3), (r.tokens / r.wall).toFixed(0),
          (r.computed / r.wall).toFixed(0), (r.padded / r.tokens).toFixed(2), (r.wall / r.steps).toFixed(2), (r.cpu / r.steps).toFixed(2),
          r.maxRssMiB.toFixed(0), Number.isNaN(base) ? "-" : `${(pps / base).toFixed(2)}x`, vsLora ? `${(pps / vsLora).toFixed(2)}x` : "-",
          rssLora ? `${(100 * r.maxRssMiB / rssLora).toFixed(0)}%` : "-"]);
        console.error(`  done ${model} ${tuning} ${mode}: ${pps.toFixed(3)} pairs/s`);
      }
    }
  }
  const widths = (rows[0] as string[]).map((_, k) => Math.max(...rows.map((r) => (r[k] as string).length)));
  for (const r of rows) console.log(r.map((x, k) => (k < 3 ? x.padEnd(widths[k] as number) : x.padStart(widths[k] as number))).join("  "));
  const peak = JSON.parse(spawnChild(["gpt2-124m", "full", "peak", "0"])) as RunResult;
  console.log(`gpt2-124m full fine-tuning, 4 pairs x 2 x ${MAX_LENGTH} tokens (standard): peak RSS ${peak.maxRssMiB.toFixed(0)} MiB, ` +
    `${(peak.tokens / peak.wall).toFixed(0)} tok/s (PyTorch fp32 reference ~340 tok/s at 4x2x256)`);
  console.log(`references (issue 7's machine): TRL fp32 0.30 pairs/s, TRL bf16 1.02 pairs/s on 64 real pairs, batch 4; load average now ${os.loadavg()[0]?.toFixed(2)}`);
  for (const [model, tuning, pps] of defaultRates) {
    for (const precision of ["fp32", "bf16"]) {
      // TRL's LoRA runs on its fp32 (or bf16) base: the reference of every LoRA row, quantized bases included
      const trlTuning = tuning === "full" ? "full" : "lora";
      const trl = trlRates.get(`${model}|${trlTuning}|${precision}`) ?? (tuning === "full" ? trlRates.get(`*|full|${precision}`) : undefined);
      if (trl === undefined) continue;
      console.log(`${model} ${tuning === "full" ? "full fine-tuning" : TUNING_LABEL[tuning as Tuning]}, default mode (prefix-shared + grouped): ${pps.toFixed(3)} pairs/s = ` +
        `${(pps / trl).toFixed(2)}x TRL ${precision} (${trl} pairs/s, --trl)`);
    }
  }
}

await main();
