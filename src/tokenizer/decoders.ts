// tokenizer.json decoders, one table row per "type", with HF's decode_chain semantics: each step maps the list
// of token strings to a new list, and the result is their concatenation.

import { InputError } from "../errors.js";
import { byteLevelToBytes } from "./byte-level.js";
import { type At, asArray, at, buildComponent, int, type JsonObject, oneOf, str } from "./json-fields.js";
import { patternRegExp } from "./pre-tokenizers.js";

export type Decoder = (tokens: string[]) => string[];

// ignoreBOM: a leading U+FEFF is text to decode, not a byte order mark to drop.
const UTF8_LOSSY = new TextDecoder("utf-8", { ignoreBOM: true });
const UTF8_STRICT = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const UTF8 = new TextEncoder();

/** GPT-2 alphabet back to bytes (a token with a character outside it counts as its own UTF-8), then UTF-8. */
function byteLevel(tokens: string[]): string[] {
  const parts = tokens.map((t) => byteLevelToBytes(t) ?? UTF8.encode(t));
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let n = 0;
  for (const p of parts) {
    all.set(p, n);
    n += p.length;
  }
  return [UTF8_LOSSY.decode(all)];
}

/** Runs of <0xNN> tokens become the text of their bytes, or one U+FFFD per byte when not valid UTF-8. */
function byteFallback(tokens: string[]): string[] {
  const out: string[] = [];
  let bytes: number[] = [];
  const flush = (): void => {
    if (bytes.length === 0) return;
    try {
      out.push(UTF8_STRICT.decode(Uint8Array.from(bytes)));
    } catch {
      for (let i = 0; i < bytes.length; i++) out.push("\ufffd");
    }
    bytes = [];
  };
  for (const t of tokens) {
    const m = /^<0x([0-9A-Fa-f]{2})>$/.exec(t);
    if (m !== null) bytes.push(parseInt(m[1] as string, 16));
    else {
      flush();
      out.push(t);
    }
  }
  flush();
  return out;
}

function strip(content: string, start: number, stop: number): Decoder {
  return (tokens) => tokens.map((t) => {
    const chars = [...t];
    let s = 0;
    while (s < start && s < chars.length && chars[s] === content) s++;
    let e = chars.length;
    while (chars.length - e < stop && e > s && chars[e - 1] === content) e--;
    return chars.slice(s, e).join("");
  });
}

function metaspace(o: JsonObject, where: At): Decoder {
  const replacement = str(o, "replacement", where);
  const legacy = o.add_prefix_space === false ? "never" : "always";
  const scheme = oneOf(o, "prepend_scheme", where, ["always", "first", "never"], legacy);
  return (tokens) => tokens.map((t, i) => {
    const s = t.replaceAll(replacement, " ");
    return i === 0 && scheme !== "never" && s.startsWith(" ") ? s.slice(1) : s;
  });
}

const DECODERS: Readonly<Record<string, (o: JsonObject, where: At) => Decoder>> = {
  ByteLevel: () => byteLevel,
  ByteFallback: () => byteFallback,
  Fuse: () => (tokens) => [tokens.join("")],
  Metaspace: metaspace,
  Replace: (o, where) => {
    const re = patternRegExp(o, where);
    const content = str(o, "content", where);
    return (tokens) => tokens.map((t) => t.replace(re, () => content));
  },
  Strip: (o, where) => {
    const content = str(o, "content", where);
    if ([...content].length !== 1) throw new InputError(`expected one character, got ${JSON.stringify(content)}`, at(where, "content"));
    return strip(content, int(o, "start", where, 0), int(o, "stop", where, 0));
  },
  Sequence: (o, where) => {
    const parts = asArray(o.decoders, at(where, "decoders")).map((d, i) => buildDecoder(d, at(at(where, "decoders"), i)));
    return (tokens) => parts.reduce((ts, d) => (d === null ? ts : d(ts)), tokens);
  },
};

/** The decoder of tokenizer.json ("decoder"); null = none (HF then joins the tokens with spaces). */
export function buildDecoder(v: unknown, where: At): Decoder | null {
  if (v === null || v === undefined) return null;
  return buildComponent(DECODERS, v, where, "decoder");
}
