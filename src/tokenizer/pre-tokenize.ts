// The ByteLevel pre-tokenizer of Hugging Face `tokenizers` (use_regex: true): text is cut into the pieces that
// GPT-2's regex matches, one after another,
//   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
// written out as a scanner (no regex engine, no allocation). Semantics that matter:
// - contractions are case-sensitive ASCII: "'s" splits off, "'S" does not (it falls into the punctuation run);
// - a single ASCII space (U+0020, not a tab) attaches to the letter / number / punctuation run after it;
// - a whitespace run followed by a non-space keeps its last character back (`\s+(?!\S)` backtracks one), which
//   then either leads the next word (if it is a space) or stands alone; at the end of text the run is one piece;
// - `\s` is Oniguruma's (Unicode White_Space: includes U+0085, excludes U+FEFF), not JavaScript's.

export const OTHER = 0;
export const LETTER = 1;
export const NUMBER = 2;
export const SPACE = 3;

const LETTER_RE = /^\p{L}$/u;
const NUMBER_RE = /^\p{N}$/u;

/** Unicode White_Space (Oniguruma's `\s`, Rust's char::is_whitespace). */
export function isWhiteSpace(cp: number): boolean {
  return (
    (cp >= 0x09 && cp <= 0x0d) || cp === 0x20 || cp === 0x85 || cp === 0xa0 || cp === 0x1680 ||
    (cp >= 0x2000 && cp <= 0x200a) || cp === 0x2028 || cp === 0x2029 || cp === 0x202f || cp === 0x205f || cp === 0x3000
  );
}

function classifySlow(cp: number): number {
  if (isWhiteSpace(cp)) return SPACE;
  const s = String.fromCodePoint(cp);
  return LETTER_RE.test(s) ? LETTER : NUMBER_RE.test(s) ? NUMBER : OTHER;
}

// Class of every BMP code unit, filled in 256-unit blocks on first use; surrogates are handled by the caller.
const BMP_CLASS = new Uint8Array(0x10000);
const BMP_BLOCK_READY = new Uint8Array(0x100);
const ASTRAL_CLASS = new Map<number, number>();

function bmpClass(c: number): number {
  const block = c >> 8;
  if (BMP_BLOCK_READY[block] === 0) {
    for (let u = block << 8; u < (block + 1) << 8; u++) BMP_CLASS[u] = classifySlow(u);
    BMP_BLOCK_READY[block] = 1;
  }
  return BMP_CLASS[c] as number;
}
bmpClass(0); // ASCII block

function astralClass(cp: number): number {
  let k = ASTRAL_CLASS.get(cp);
  if (k === undefined) ASTRAL_CLASS.set(cp, (k = classifySlow(cp)));
  return k;
}

/** Class (OTHER, LETTER, NUMBER, SPACE) of the character at text[i]; a lone surrogate is OTHER. */
export function classAt(text: string, i: number, end: number): number {
  const c = text.charCodeAt(i);
  if (c < 0xd800 || c > 0xdfff) return bmpClass(c);
  if (c <= 0xdbff && i + 1 < end) {
    const lo = text.charCodeAt(i + 1);
    if (lo >= 0xdc00 && lo <= 0xdfff) return astralClass(0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00));
  }
  return OTHER;
}

/** UTF-16 length of the character at text[i] (2 for a surrogate pair). */
export function charLen(text: string, i: number, end: number): number {
  const c = text.charCodeAt(i);
  if (c < 0xd800 || c > 0xdbff || i + 1 >= end) return 1;
  const lo = text.charCodeAt(i + 1);
  return lo >= 0xdc00 && lo <= 0xdfff ? 2 : 1;
}

/** End of the run of characters of class k that starts at i. */
export function runEnd(text: string, i: number, end: number, k: number): number {
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c < 0x80) {
      if ((BMP_CLASS[c] as number) !== k) return i;
      i++;
    } else {
      if (classAt(text, i, end) !== k) return i;
      i += charLen(text, i, end);
    }
  }
  return i;
}

export const APOSTROPHE = 0x27;

/** Length of a contraction ('s 't 're 've 'm 'll 'd) at text[i], or 0. */
function contractionLen(text: string, i: number, end: number): number {
  if (i + 1 >= end) return 0;
  const a = text.charCodeAt(i + 1);
  if (a === 0x73 || a === 0x74 || a === 0x6d || a === 0x64) return 2; // s t m d
  if (i + 2 >= end) return 0;
  const b = text.charCodeAt(i + 2);
  if ((a === 0x72 || a === 0x76) && b === 0x65) return 3; // re ve
  if (a === 0x6c && b === 0x6c) return 3; // ll
  return 0;
}

/** End (exclusive) of the pre-token that starts at `start`; text[start, end) must be non-empty. */
export function preTokenEnd(text: string, start: number, end: number): number {
  let i = start;
  const c = text.charCodeAt(i);
  if (c === APOSTROPHE) {
    const n = contractionLen(text, i, end);
    if (n > 0) return i + n;
  }
  let k = c < 0x80 ? (BMP_CLASS[c] as number) : classAt(text, i, end);
  if (k === SPACE) {
    if (c === 0x20 && i + 1 < end) {
      const next = classAt(text, i + 1, end);
      if (next !== SPACE) {
        i++; // " ?" joins the run that follows
        k = next;
        return runEnd(text, i, end, k);
      }
    }
    const j = runEnd(text, i, end, SPACE);
    if (j === end || j - i === 1) return j; // \s+ at end of text, or a lone whitespace before a non-space
    return j - 1; // \s+(?!\S): give the last whitespace back
  }
  return runEnd(text, i, end, k);
}

/** The pre-tokens of text, as strings (for tests and debugging; encoding uses preTokenEnd directly). */
export function preTokenize(text: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; ) {
    const j = preTokenEnd(text, i, text.length);
    out.push(text.slice(i, j));
    i = j;
  }
  return out;
}
