// Hand-written scanners for the Split regexes of today's byte-level vocabularies, used instead of the regex
// engine when a tokenizer.json carries one of them verbatim (the general path allocates a match object per
// piece). The family, as written in Llama-3's and Qwen2's tokenizer.json (GPT-4's cl100k_base is Llama-3's):
//   (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
// (Qwen2: \p{N} alone). The alternatives, tried in order at each position, come down to:
// - an apostrophe and s, t, m, d, re, ve, ll in either ASCII case;
// - a letter run, led by at most one character that is neither \r, \n, a letter nor a number (often a space);
// - up to 3 (Qwen2: 1) numbers;
// - an optional space, a run of characters that are neither space, letter nor number, then any \r / \n;
// - a whitespace run that holds \r or \n: up to and including its last \r / \n (\s* backtracks to it);
// - a whitespace run that ends the text, or else all of it but its last character (or that one character).
// test/tokenizer/split-scanners.test.ts checks each scanner against the translated regex on random text.

import { APOSTROPHE, charLen, classAt, LETTER, NUMBER, OTHER, runEnd, SPACE } from "./pre-tokenize.js";

export type ScanEnd = (text: string, start: number, end: number) => number;

const CR = 0x0d;
const LF = 0x0a;

function newlinesEnd(text: string, i: number, end: number): number {
  while (i < end && (text.charCodeAt(i) === CR || text.charCodeAt(i) === LF)) i++;
  return i;
}

/** Length of a case-insensitive contraction at text[i] (an apostrophe), or 0. */
function contractionLen(text: string, i: number, end: number): number {
  if (i + 1 >= end) return 0;
  const a = text.charCodeAt(i + 1) | 0x20; // ASCII lower case; no other character lands on the letters below
  if (a === 0x73 || a === 0x74 || a === 0x6d || a === 0x64) return 2; // s t m d
  if (i + 2 >= end) return 0;
  const b = text.charCodeAt(i + 2) | 0x20;
  if ((a === 0x72 || a === 0x76) && b === 0x65) return 3; // re ve
  return a === 0x6c && b === 0x6c ? 3 : 0; // ll
}

function llama3Family(maxNumbers: number): ScanEnd {
  return (text, i, end) => {
    const c = text.charCodeAt(i);
    if (c === APOSTROPHE) {
      const n = contractionLen(text, i, end);
      if (n > 0) return i + n;
    }
    const k = classAt(text, i, end);
    if (k === LETTER) return runEnd(text, i, end, LETTER);
    if (k === NUMBER) {
      let j = i;
      for (let n = 0; n < maxNumbers && j < end && classAt(text, j, end) === NUMBER; n++) j += charLen(text, j, end);
      return j;
    }
    const w = charLen(text, i, end);
    if (c !== CR && c !== LF && i + w < end && classAt(text, i + w, end) === LETTER) return runEnd(text, i + w, end, LETTER);
    if (k === OTHER) return newlinesEnd(text, runEnd(text, i, end, OTHER), end);
    if (c === 0x20 && i + 1 < end && classAt(text, i + 1, end) === OTHER) return newlinesEnd(text, runEnd(text, i + 1, end, OTHER), end);
    const j = runEnd(text, i, end, SPACE);
    for (let p = j - 1; p >= i; p--) {
      const d = text.charCodeAt(p);
      if (d === CR || d === LF) return p + 1;
    }
    return j === end || j - i === 1 ? j : j - 1; // every White_Space character is one UTF-16 unit
  };
}

const LLAMA3_REGEX = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
const QWEN2_REGEX = LLAMA3_REGEX.replace("\\p{N}{1,3}", "\\p{N}");

/** Split regexes (as written in tokenizer.json) that have a scanner. */
export const SPLIT_SCANNERS: ReadonlyMap<string, ScanEnd> = new Map([
  [LLAMA3_REGEX, llama3Family(3)],
  [QWEN2_REGEX, llama3Family(1)],
]);
