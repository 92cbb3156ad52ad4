// BPE merges: the short-word scan and the long-word heap give the same ids; long inputs stay fast enough to
// finish (no quadratic blow-up; no timing asserted).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Bpe, type Merge } from "../../src/tokenizer/bpe.js";
import { ByteSymbols } from "../../src/tokenizer/bpe-symbols.js";
import { BYTE_TO_CHAR } from "../../src/tokenizer/byte-level.js";
import { parseMergesTxt } from "../../src/tokenizer/hf-files.js";
import { builtinGpt2Files } from "../../src/tokenizer/load.js";
import { loadTokenizer } from "../../src/tokenizer/index.js";

function gpt2Bpe(): { bpe: Bpe; byteIds: Int32Array } {
  const files = builtinGpt2Files();
  const vocab = new Map(Object.entries(JSON.parse(readFileSync(files.vocabFile, "utf8")) as Record<string, number>));
  const id = (t: string): number => vocab.get(t) as number;
  const merges: Merge[] = parseMergesTxt(readFileSync(files.mergesFile, "utf8"), files.mergesFile)
    .map((m) => ({ left: id(m.left), right: id(m.right), merged: id(m.left + m.right) }));
  const byteIds = Int32Array.from(BYTE_TO_CHAR, id);
  return { bpe: new Bpe(new ByteSymbols(byteIds, null), merges), byteIds };
}

test("bpe: scan and heap merge the same way", () => {
  const { bpe, byteIds } = gpt2Bpe();
  const alphabets = ["abcdefghijklmnopqrstuvwxyz", "aaaab", "=-", "ingtheon", "éàü日本"];
  let seed = 7;
  const rand = (n: number): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) % n;
  for (let k = 0; k < 400; k++) {
    const chars = [...(alphabets[k % alphabets.length] as string)];
    let word = "";
    for (let i = 0, n = 1 + rand(120); i < n; i++) word += chars[rand(chars.length)] as string;
    const start = Array.from(new TextEncoder().encode(word), (b) => byteIds[b] as number);
    assert.deepEqual(bpe.mergeIds(start, "heap"), bpe.mergeIds(start, "scan"), JSON.stringify(word));
  }
});

test("bpe: known merges; a 200k-character word finishes and round-trips", async () => {
  const { bpe, byteIds } = gpt2Bpe();
  const ids = (s: string): number[] => Array.from(new TextEncoder().encode(s), (b) => byteIds[b] as number);
  assert.deepEqual(bpe.mergeIds(ids("hello"), "scan"), [31373]);
  assert.deepEqual(bpe.mergeIds(ids("hello"), "heap"), [31373]);
  assert.equal(bpe.rank(byteIds[0x20] as number, byteIds[0x74] as number), 0); // "Ġ t" is the first merge
  assert.equal(bpe.rank(byteIds[0x74] as number, byteIds[0x20] as number), -1);
  const tok = await loadTokenizer("builtin:gpt2");
  const long = "ab".repeat(100_000);
  const enc = tok.encode(long);
  assert.deepEqual(new Set(enc), new Set([tok.tokenToId("ab")]));
  assert.equal(tok.decode(enc), long);
});
