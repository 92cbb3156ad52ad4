// tokenizer.json normalizers, one table row per "type": each is a string → string function applied to every
// text segment between added tokens (as HF normalizes each split, not the whole input).

import { type At, asArray, at, bool, buildComponent, type JsonObject, str } from "./json-fields.js";
import { isWhiteSpace } from "./pre-tokenize.js";
import { patternRegExp } from "./pre-tokenizers.js";

export type Normalizer = (text: string) => string;

function strip(left: boolean, right: boolean): Normalizer {
  return (text) => {
    let s = 0;
    let e = text.length;
    if (left) while (s < e && isWhiteSpace(text.codePointAt(s) as number)) s += (text.codePointAt(s) as number) > 0xffff ? 2 : 1;
    if (right) {
      while (e > s) {
        const lo = text.charCodeAt(e - 1);
        const wide = lo >= 0xdc00 && lo <= 0xdfff && e - 2 >= s;
        if (!isWhiteSpace(text.codePointAt(wide ? e - 2 : e - 1) as number)) break;
        e -= wide ? 2 : 1;
      }
    }
    return s === 0 && e === text.length ? text : text.slice(s, e);
  };
}

/** True when every UTF-16 unit is below U+0300 (no combining marks, nothing NFC changes), so NFC can be skipped. */
function belowCombiningMarks(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) >= 0x300) return false;
  return true;
}

const NORMALIZERS: Readonly<Record<string, (o: JsonObject, where: At) => Normalizer>> = {
  NFC: () => (text) => (belowCombiningMarks(text) ? text : text.normalize("NFC")),
  NFD: () => (text) => text.normalize("NFD"),
  NFKC: () => (text) => text.normalize("NFKC"),
  NFKD: () => (text) => text.normalize("NFKD"),
  // HF lowercases character by character, so a final capital sigma becomes σ, where JavaScript's toLowerCase
  // (Unicode's context rule) writes ς; splitting at Σ keeps the rest on the fast path.
  Lowercase: () => (text) => (text.includes("Σ") ? text.split("Σ").map((p) => p.toLowerCase()).join("σ") : text.toLowerCase()),
  Prepend: (o, where) => {
    const prefix = str(o, "prepend", where);
    return (text) => (text.length > 0 ? prefix + text : text);
  },
  Replace: (o, where) => {
    const re = patternRegExp(o, where);
    const content = str(o, "content", where);
    return (text) => text.replace(re, () => content); // a function, so "$" in content stays literal
  },
  Strip: (o, where) => strip(bool(o, "strip_left", where, false), bool(o, "strip_right", where, false)),
  Sequence: (o, where) => {
    const parts = asArray(o.normalizers, at(where, "normalizers"))
      .map((n, i) => buildComponent(NORMALIZERS, n, at(at(where, "normalizers"), i), "normalizer"));
    return (text) => parts.reduce((s, n) => n(s), text);
  },
};

/** The normalizer of tokenizer.json ("normalizer"; null = none). */
export function buildNormalizer(v: unknown, where: At): Normalizer | null {
  if (v === null || v === undefined) return null;
  return buildComponent(NORMALIZERS, v, where, "normalizer");
}
