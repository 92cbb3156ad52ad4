// Tokenizer throughput: encodes both sides of every pair of the hh-rlhf sample repeatedly on one thread and
// prints tokens/s (median and spread of the timed passes). First checks a few known ids (HF AutoTokenizer's).
// Usage: npm run bench:tokenizer [-- <pairs.jsonl.gz> [passes]]

import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { loadTokenizer } from "../src/tokenizer/index.js";

const SAMPLE = process.argv[2] ?? "../shared/data/hh-rlhf/harmless-base-test.sample.jsonl.gz";
const PASSES = Number(process.argv[3] ?? 10);

// From /work/shared/reference/formula/gpt2-tiny/expected.json (HF tokenizers' output).
const KNOWN: readonly [string, readonly number[]][] = [
  ["\n\nHuman: ok\n\nAssistant: ...", [198, 198, 20490, 25, 12876, 198, 198, 48902, 25, 2644]],
  ["   \n\nHuman:   How", [220, 220, 220, 198, 198, 20490, 25, 220, 220, 1374]],
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

const tok = await loadTokenizer("builtin:gpt2");
for (const [text, ids] of KNOWN) {
  const got = tok.encode(text);
  if (JSON.stringify(got) !== JSON.stringify(ids)) {
    console.error(`bench:tokenizer: wrong ids for ${JSON.stringify(text)}: got ${JSON.stringify(got)}, expected ${JSON.stringify(ids)}`);
    process.exit(1);
  }
}
const texts = readTexts(SAMPLE);
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
const chars = texts.reduce((s, t) => s + t.length, 0);
console.log(`tokenizer gpt2 encode: ${texts.length} texts, ${tokens} tokens, ${chars} chars, ${PASSES} passes, 1 thread`);
console.log(`  cold (empty word cache): ${(tokens / (coldMs / 1000) / 1e6).toFixed(2)}M tokens/s`);
console.log(`  warm: median ${(median(rates) / 1e6).toFixed(2)}M tokens/s, min ${(Math.min(...rates) / 1e6).toFixed(2)}M, max ${(Math.max(...rates) / 1e6).toFixed(2)}M`);
