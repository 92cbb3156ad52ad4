// The Llama-3 / Qwen2 Split scanners against the regexes they stand for (translated from Oniguruma and run by
// JavaScript's engine, the general path): a table of texts → pieces, and random text from an alphabet of the
// characters the alternatives tell apart.
import { test } from "node:test";
import assert from "node:assert/strict";
import { translateOnigRegex } from "../../src/tokenizer/onig-regex.js";
import { type Sink, scanner, splitter } from "../../src/tokenizer/pre-tokenizers.js";
import { SPLIT_SCANNERS } from "../../src/tokenizer/split-scanners.js";

function pieces(split: (next: Sink) => Sink, text: string): string[] {
  const out: string[] = [];
  split((p) => out.push(p))(text, true);
  return out;
}

const [LLAMA3, QWEN2] = [...SPLIT_SCANNERS.keys()] as [string, string];
const where = { file: "test", field: "pattern.Regex" };

const TABLE: readonly [string, readonly string[]][] = [
  ["Hello world", ["Hello", " world"]],
  ["I'M HE'LL we'Re it's 'ſ", ["I", "'M", " HE", "'LL", " we", "'Re", " it", "'s", " '", "ſ"]], // ASCII case only
  ["12345 x2y", ["123", "45", " x", "2", "y"]],
  ["a\r\n\r\nb  ", ["a", "\r\n\r\n", "b", "  "]],
  ["a  \n  b", ["a", "  \n", " ", " b"]], // \s*[\r\n]+ stops at the last newline; \s+(?!\S) keeps one space back
  ["\tword .!?\n\nx", ["\tword", " .!?\n\n", "x"]], // any one non-newline character may lead a letter run
  ["x\u0085y\ufeffz", ["x", "\u0085y", "\ufeffz"]],
  ["日本語，한국어", ["日本語", "，한국어"]],
  ["e\u0301!", ["e", "\u0301!"]], // a combining mark is not a letter
];

test("llama-3 scanner: text → pieces table, same as the regex", () => {
  const viaRegex = splitter(new RegExp(translateOnigRegex(LLAMA3, where), "gu"), "Isolated", false);
  const viaScanner = scanner(SPLIT_SCANNERS.get(LLAMA3) as (t: string, s: number, e: number) => number);
  for (const [text, expected] of TABLE) {
    assert.deepEqual(pieces(viaScanner, text), expected, JSON.stringify(text));
    assert.deepEqual(pieces(viaRegex, text), expected, JSON.stringify(text));
  }
});

test("llama-3 and qwen2 scanners equal their regexes on random text", () => {
  const alphabet = [..."aZéǅ日1١²Ⅻ \t\u00a0\u3000\u0085\ufeff\r\n'sStTrReEvVlLmMdD.!-\u0301", "🤔", "𝔘", "𝟙", "\ud800"];
  let seed = 11;
  const rand = (n: number): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) % n;
  for (const pattern of [LLAMA3, QWEN2]) {
    const viaRegex = splitter(new RegExp(translateOnigRegex(pattern, where), "gu"), "Isolated", false);
    const viaScanner = scanner(SPLIT_SCANNERS.get(pattern) as (t: string, s: number, e: number) => number);
    for (let k = 0; k < 3000; k++) {
      let text = "";
      for (let i = 0, n = rand(24); i < n; i++) text += alphabet[rand(alphabet.length)] as string;
      assert.deepEqual(pieces(viaScanner, text), pieces(viaRegex, text), JSON.stringify(text));
    }
  }
});
