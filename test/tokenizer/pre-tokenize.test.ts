// The GPT-2 pre-tokenizer as HF's ByteLevel(use_regex) applies it: a table of texts → pieces, and a
// cross-check against the regex itself (JavaScript's engine with the u flag) on random text.
import { test } from "node:test";
import assert from "node:assert/strict";
import { preTokenize } from "../../src/tokenizer/index.js";
import { BYTE_TO_CHAR, byteLevelToBytes, utf8Encode } from "../../src/tokenizer/byte-level.js";

const GPT2_REGEX = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

const TABLE: readonly [string, readonly string[]][] = [
  ["hello world", ["hello", " world"]],
  ["  hello", [" ", " hello"]],
  ["hello  ", ["hello", "  "]], // whitespace at the end of text stays one piece
  ["a   b", ["a", "  ", " b"]], // the last space of a run leads the next word
  ["\n\n\nHuman:", ["\n\n", "\n", "Human", ":"]],
  ["\n\nHuman", ["\n", "\n", "Human"]],
  ["\tindented\t\ttabs", ["\t", "indented", "\t", "\t", "tabs"]], // a tab never attaches to a word
  ["I'm don't they'll we've she'd it's you're", ["I", "'m", " don", "'t", " they", "'ll", " we", "'ve", " she", "'d", " it", "'s", " you", "'re"]],
  ["IT'S HE'LL 'S", ["IT", "'", "S", " HE", "'", "LL", " '", "S"]], // contractions are case-sensitive
  ["'sgood ''s", ["'s", "good", " ''", "s"]],
  ["12345 3.14 1,000", ["12345", " 3", ".", "14", " 1", ",", "000"]],
  ["naïve café 日本語", ["naïve", " café", " 日本語"]],
  ["x²+½=Ⅻ", ["x", "²", "+", "½", "=", "Ⅻ"]], // \p{N} includes No and Nl
  ["🤔👍🏽 👨‍👩‍👧!", ["🤔👍🏽", " 👨‍👩‍👧!"]],
  ["trailing newline\n", ["trailing", " newline", "\n"]],
  [" \u00a0x", [" ", "\u00a0", "x"]], // NBSP is whitespace
  ["x\u0085y", ["x", "\u0085", "y"]], // NEL is whitespace for Oniguruma (not for JavaScript's \s)
  ["a\ufeffb", ["a", "\ufeff", "b"]], // BOM is not whitespace for Oniguruma (it is for JavaScript's \s)
  ["\r\n", ["\r\n"]],
  ["", []],
];

test("pre-tokenize: table of texts → pieces", () => {
  for (const [text, pieces] of TABLE) assert.deepEqual(preTokenize(text), pieces, JSON.stringify(text));
});

test("pre-tokenize: agrees with the GPT-2 regex on random text", () => {
  // No U+0085 / U+FEFF here: JavaScript's \s and Oniguruma's differ on exactly those (see the table).
  const alphabet = [..."ab Z'srevmltd \t\n\r  09.,!?-_\"", "é", "ß", "日", "¹", "\u00a0", "\u3000", "🤔", "👍🏽", "\u200d", "Ⅻ"];
  let seed = 12345;
  const rand = (n: number): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) % n;
  for (let k = 0; k < 3000; k++) {
    let text = "";
    const len = 1 + rand(30);
    for (let i = 0; i < len; i++) text += alphabet[rand(alphabet.length)] as string;
    const expected = [...text.matchAll(GPT2_REGEX)].map((m) => m[0]);
    assert.equal(expected.join(""), text, "the regex covers every character");
    assert.deepEqual(preTokenize(text), expected, JSON.stringify(text));
  }
});

test("byte-level: 256 distinct characters, space is Ġ, round trip", () => {
  assert.equal(new Set(BYTE_TO_CHAR).size, 256);
  assert.equal(BYTE_TO_CHAR[0x20], "Ġ");
  assert.equal(BYTE_TO_CHAR[0x0a], "Ċ");
  assert.equal(BYTE_TO_CHAR[0x41], "A");
  const all = Uint8Array.from({ length: 256 }, (_, i) => i);
  assert.deepEqual(byteLevelToBytes(BYTE_TO_CHAR.join("")), all);
  assert.equal(byteLevelToBytes("<|x\u4e00"), null);
});

test("utf8Encode: matches TextEncoder, lone surrogates become U+FFFD", () => {
  const buf = new Uint8Array(64);
  for (const s of ["héllo", "日本", "👍🏽", "a\ud800b", "\udc00", "x\ud83d"]) {
    const n = utf8Encode(s, 0, s.length, buf);
    assert.deepEqual(buf.subarray(0, n), new TextEncoder().encode(s), JSON.stringify(s));
  }
});
