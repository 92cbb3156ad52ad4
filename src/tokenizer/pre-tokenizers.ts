// tokenizer.json pre-tokenizers, one table row per "type". A pre-tokenizer is a function from the sink that takes
// its pieces to the sink that takes its input, so a Sequence is plain composition, built once, and encoding
// allocates nothing but the piece strings. `first` follows HF's "starts at offset 0 of the input" (Metaspace's
// prepend_scheme "first" uses it).
// Pieces are cut as HF's SplitDelimiterBehavior does: the pattern's matches (and the gaps between them) become
// spans, "invert" swaps which are delimiters, the behaviour decides how delimiters join their neighbours, and
// empty pieces are dropped.

import { InputError } from "../errors.js";
import { type At, asArray, at, bool, buildComponent, type JsonObject, oneOf, str } from "./json-fields.js";
import { escapeRegExp, translateOnigRegex } from "./onig-regex.js";
import { preTokenEnd } from "./pre-tokenize.js";
import { type ScanEnd, SPLIT_SCANNERS } from "./split-scanners.js";

export type Sink = (piece: string, first: boolean) => void;
export type PreTokenizer = (next: Sink) => Sink;

export interface PreTokenizerSpec {
  readonly split: PreTokenizer;
  /** A ByteLevel pre-tokenizer ran: the model sees UTF-8 bytes (GPT-2's alphabet), not characters. */
  readonly byteLevel: boolean;
}

const BEHAVIORS = ["Removed", "Isolated", "MergedWithPrevious", "MergedWithNext", "Contiguous"] as const;
type Behavior = (typeof BEHAVIORS)[number];

const IDENTITY: PreTokenizer = (next) => next;

/** Matches of `re` in text as spans [start, end) flagged delimiter = matched (HF find_matches). */
function findSpans(re: RegExp, text: string, starts: number[], ends: number[], delim: boolean[]): void {
  let prev = 0;
  re.lastIndex = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const s = m.index;
    const e = s + m[0].length;
    if (e === s) re.lastIndex = s + ((text.codePointAt(s) ?? 0) > 0xffff ? 2 : 1);
    if (s > prev) {
      starts.push(prev);
      ends.push(s);
      delim.push(false);
    }
    starts.push(s);
    ends.push(e);
    delim.push(true);
    prev = e;
  }
  if (prev < text.length) {
    starts.push(prev);
    ends.push(text.length);
    delim.push(false);
  }
}

/** Joins delimiter spans to their neighbours per behaviour (HF split_with_behavior), in place; returns the count. */
function applyBehavior(behavior: Behavior, starts: number[], ends: number[], delim: boolean[]): number {
  let n = 0;
  const keep = (i: number): void => {
    starts[n] = starts[i] as number;
    ends[n] = ends[i] as number;
    n++;
  };
  const count = starts.length;
  if (behavior === "MergedWithNext") {
    // Walk backwards: a delimiter after a non-delimiter (in reverse) joins the piece that follows it.
    const outS: number[] = [];
    const outE: number[] = [];
    let previous = false;
    for (let i = count - 1; i >= 0; i--) {
      if (delim[i] === true && !previous && outS.length > 0) outS[outS.length - 1] = starts[i] as number;
      else {
        outS.push(starts[i] as number);
        outE.push(ends[i] as number);
      }
      previous = delim[i] === true;
    }
    for (let k = outS.length - 1; k >= 0; k--) {
      starts[n] = outS[k] as number;
      ends[n] = outE[k] as number;
      n++;
    }
    return n;
  }
  let previous = false;
  for (let i = 0; i < count; i++) {
    const d = delim[i] === true;
    if (behavior === "Removed") {
      if (!d) keep(i);
    } else if (behavior === "Isolated") keep(i);
    else if (behavior === "MergedWithPrevious" ? d && !previous && n > 0 : d === previous && n > 0) ends[n - 1] = ends[i] as number;
    else keep(i);
    previous = d;
  }
  return n;
}

/** A pre-tokenizer that cuts at the matches of `re` with one of HF's behaviours. */
export function splitter(re: RegExp, behavior: Behavior, invert: boolean): PreTokenizer {
  if (behavior === "Isolated") {
    // Every match and every gap is a piece, whatever invert says: the common case, without span arrays.
    return (next) => (text, first) => {
      let prev = 0;
      re.lastIndex = 0;
      for (let m = re.exec(text); m !== null; m = re.exec(text)) {
        const s = m.index;
        if (m[0].length === 0) {
          // An empty match still cuts the gap it sits in (HF find_matches), then the search moves on.
          if (s > prev) next(text.slice(prev, s), first && prev === 0);
          prev = Math.max(prev, s);
          re.lastIndex = s + ((text.codePointAt(s) ?? 0) > 0xffff ? 2 : 1);
          continue;
        }
        if (s > prev) next(text.slice(prev, s), first && prev === 0);
        next(m[0], first && s === 0);
        prev = s + m[0].length;
      }
      if (prev < text.length) next(prev === 0 ? text : text.slice(prev), first && prev === 0);
    };
  }
  return (next) => (text, first) => {
    const starts: number[] = [];
    const ends: number[] = [];
    const delim: boolean[] = [];
    findSpans(re, text, starts, ends, delim);
    if (invert) for (let i = 0; i < delim.length; i++) delim[i] = !delim[i];
    const n = applyBehavior(behavior, starts, ends, delim);
    for (let i = 0; i < n; i++) {
      const s = starts[i] as number;
      const e = ends[i] as number;
      if (e > s) next(text.slice(s, e), first && s === 0);
    }
  };
}

/** {"String": "x"} or {"Regex": "..."} of Split / Replace, as a global JS regex. */
export function patternRegExp(o: JsonObject, where: At): RegExp {
  const p = o.pattern;
  const w = at(where, "pattern");
  if (typeof p === "object" && p !== null && !Array.isArray(p)) {
    const q = p as JsonObject;
    if (typeof q.String === "string") return new RegExp(escapeRegExp(q.String), "gu");
    if (typeof q.Regex === "string") return new RegExp(translateOnigRegex(q.Regex, at(w, "Regex")), "gu");
  }
  throw new InputError(`expected {"String": ...} or {"Regex": ...}, got ${JSON.stringify(p)}`, w);
}

function byteLevel(o: JsonObject, where: At): PreTokenizerSpec {
  const addPrefixSpace = bool(o, "add_prefix_space", where, true);
  const useRegex = bool(o, "use_regex", where, true);
  const withSpace = (text: string): string => (addPrefixSpace && !text.startsWith(" ") ? ` ${text}` : text);
  if (!useRegex) return { split: addPrefixSpace ? (next) => (text, first) => next(withSpace(text), first) : IDENTITY, byteLevel: true };
  return {
    split: (next) => (raw, first) => {
      const text = withSpace(raw);
      for (let i = 0; i < text.length; ) {
        const j = preTokenEnd(text, i, text.length);
        next(text.slice(i, j), first && i === 0);
        i = j;
      }
    },
    byteLevel: true,
  };
}

function metaspace(o: JsonObject, where: At): PreTokenizerSpec {
  const replacement = str(o, "replacement", where);
  if ([...replacement].length !== 1) throw new InputError(`expected one character, got ${JSON.stringify(replacement)}`, at(where, "replacement"));
  // Older files have add_prefix_space (true = "always") instead of prepend_scheme.
  const legacy = bool(o, "add_prefix_space", where, true) ? "always" : "never";
  const scheme = oneOf(o, "prepend_scheme", where, ["always", "first", "never"], legacy);
  const cut = bool(o, "split", where, true) ? splitter(new RegExp(escapeRegExp(replacement), "gu"), "MergedWithNext", false) : IDENTITY;
  return {
    split: (next) => {
      const inner = cut(next);
      return (text, first) => {
        let s = text.replaceAll(" ", replacement);
        if ((scheme === "always" || (scheme === "first" && first)) && !s.startsWith(replacement)) s = replacement + s;
        inner(s, first);
      };
    },
    byteLevel: false,
  };
}

/** Pieces back to back, each ending where `scan` says (a pattern that matches everywhere, Isolated). */
export function scanner(scan: ScanEnd): PreTokenizer {
  return (next) => (text, first) => {
    for (let i = 0; i < text.length; ) {
      const j = scan(text, i, text.length);
      next(i === 0 && j === text.length ? text : text.slice(i, j), first && i === 0);
      i = j;
    }
  };
}

function split(o: JsonObject, where: At): PreTokenizerSpec {
  const behavior = oneOf(o, "behavior", where, BEHAVIORS, "Isolated");
  const pattern = o.pattern as JsonObject | undefined;
  const known = typeof pattern?.Regex === "string" ? SPLIT_SCANNERS.get(pattern.Regex) : undefined;
  // Isolated keeps matches and gaps alike, so invert does not change the pieces.
  if (known !== undefined && behavior === "Isolated") return { split: scanner(known), byteLevel: false };
  return { split: splitter(patternRegExp(o, where), behavior, bool(o, "invert", where, false)), byteLevel: false };
}

const PRE_TOKENIZERS: Readonly<Record<string, (o: JsonObject, where: At) => PreTokenizerSpec>> = {
  Split: split,
  ByteLevel: byteLevel,
  Metaspace: metaspace,
  Digits: (o, where) => ({
    split: splitter(/\p{N}/gu, bool(o, "individual_digits", where, false) ? "Isolated" : "Contiguous", false),
    byteLevel: false,
  }),
  Sequence: (o, where) => {
    const parts = asArray(o.pretokenizers, at(where, "pretokenizers"))
      .map((p, i) => buildPreTokenizer(p, at(at(where, "pretokenizers"), i)));
    const byteLevelAt = parts.findIndex((p) => p.byteLevel);
    if (byteLevelAt >= 0 && byteLevelAt < parts.length - 1) {
      throw new InputError("a pre-tokenizer after ByteLevel is not supported", at(at(where, "pretokenizers"), byteLevelAt + 1));
    }
    return {
      split: (next) => parts.reduceRight((sink, p) => p.split(sink), next),
      byteLevel: byteLevelAt >= 0,
    };
  },
};

/** The pre-tokenizer of tokenizer.json ("pre_tokenizer"; null = the whole segment is one piece). */
export function buildPreTokenizer(v: unknown, where: At): PreTokenizerSpec {
  if (v === null || v === undefined) return { split: IDENTITY, byteLevel: false };
  return buildComponent(PRE_TOKENIZERS, v, where, "pre_tokenizer");
}
