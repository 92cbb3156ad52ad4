// Hugging Face `tokenizers` runs tokenizer.json regexes with Oniguruma; this translates one into a JavaScript
// RegExp (flags "gu") that matches the same strings. The differences that matter for real vocabularies:
// - `\s` is Unicode White_Space (includes U+0085, excludes U+FEFF), JavaScript's is not: written out as a class;
// - `(?i:…)` (Llama-3 / GPT-4 contractions) has no Node 20 equivalent: its letters become [sS] pairs. Oniguruma
//   folds ASCII letters only here ("'ſ" is not "'s" for HF), so no wider Unicode folding is added;
// - `\p{Han}`-style script names need `\p{Script=Han}`; `.` must not match only "\n";
// - escapes of punctuation that `u` mode forbids (`\'`) become the plain character.
// Constructs with no JavaScript equivalent (atomic groups, possessive quantifiers, class intersection, \b, back
// references) are refused by name.

import { InputError } from "../errors.js";
import type { At } from "./json-fields.js";

/** Unicode White_Space, the members of Oniguruma's `\s`, as class content. */
export const WHITE_SPACE_CLASS = "\\t-\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const WORD_CLASS = "\\p{L}\\p{M}\\p{Nd}\\p{Pc}";
const SYNTAX = new Set("^$\\.*+?()[]{}|/");
const SIMPLE_ESCAPES: Readonly<Record<string, string>> = { n: "\\n", r: "\\r", t: "\\t", f: "\\f", v: "\\v", a: "\\x07", e: "\\x1b", "0": "\\0" };

/** Escapes text for use as a literal inside a RegExp (tokenizer.json {"String": ...} patterns). */
export function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&");
}

function unicodeProperty(name: string, negated: boolean, where: At): string {
  let n = name;
  let neg = negated;
  if (n.startsWith("^")) {
    n = n.slice(1);
    neg = !neg;
  }
  for (const candidate of [n, `Script=${n}`]) {
    try {
      new RegExp(`\\p{${candidate}}`, "u");
      return `\\${neg ? "P" : "p"}{${candidate}}`;
    } catch {
      // not this spelling; try the next
    }
  }
  throw new InputError(`regex: unknown Unicode property \\p{${name}}`, where);
}

/** Both cases of an ASCII letter inside a case-insensitive group; other characters as they are. */
function caseVariants(ch: string): string {
  const lower = ch.toLowerCase();
  const upper = ch.toUpperCase();
  return lower !== upper && /^[a-z]$/i.test(ch) ? lower + upper : ch;
}

/** Translates an Oniguruma pattern (as HF tokenizers compiles it) into the source of an equivalent JS regex. */
export function translateOnigRegex(pattern: string, where: At): string {
  const refuse = (what: string): never => {
    throw new InputError(`regex ${JSON.stringify(pattern)}: ${what} has no JavaScript equivalent`, where);
  };
  let out = "";
  let inClass = false;
  const groups: boolean[] = []; // per open group: case-insensitive?
  let ci = false;
  const chars = [...pattern];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] as string;
    if (c === "\\") {
      const e = chars[++i];
      if (e === undefined) refuse("a trailing backslash");
      out += translateEscape(chars, i, inClass, where, refuse, (skip) => (i += skip));
      continue;
    }
    if (inClass) {
      if (c === "]") inClass = false;
      else if (c === "[") refuse("a nested character class");
      else if (c === "&" && chars[i + 1] === "&") refuse("class intersection (&&)");
      out += ci ? caseVariants(c) : c;
      continue;
    }
    if (c === "[") {
      inClass = true;
      out += c;
      if (chars[i + 1] === "^") out += chars[++i] as string;
      continue;
    }
    if (c === "(") {
      if (chars[i + 1] === "?") {
        const rest = chars.slice(i + 2, i + 5).join("");
        if (rest.startsWith("i:")) {
          groups.push(ci);
          ci = true;
          out += "(?:";
          i += 3;
          continue;
        }
        if (!/^(:|=|!|<=|<!|<[A-Za-z])/.test(rest)) refuse(`the group "(?${rest}"`);
      }
      groups.push(ci);
      out += c;
      continue;
    }
    if (c === ")") {
      ci = groups.pop() ?? refuse("an unbalanced \")\"");
      out += c;
      continue;
    }
    if ((c === "+" || c === "*" || c === "?" || c === "}") && chars[i + 1] === "+") refuse("a possessive quantifier");
    if (c === ".") {
      out += "[^\\n]";
      continue;
    }
    out += ci ? (caseVariants(c).length > 1 ? `[${caseVariants(c)}]` : c) : c;
  }
  if (inClass || groups.length > 0) refuse("an unclosed class or group");
  try {
    new RegExp(out, "gu");
  } catch (e) {
    throw new InputError(`regex ${JSON.stringify(pattern)}: cannot translate (${(e as Error).message})`, where);
  }
  return out;
}

/** The JS text for the escape at chars[i] (the character after the backslash); skip() consumes extra characters. */
function translateEscape(chars: readonly string[], i: number, inClass: boolean, where: At, refuse: (what: string) => never,
  skip: (n: number) => void): string {
  const e = chars[i] as string;
  const wrap = (content: string, negated: boolean): string => {
    if (!inClass) return `[${negated ? "^" : ""}${content}]`;
    return negated ? refuse(`\\${e} inside a class`) : content;
  };
  switch (e) {
    case "s": return wrap(WHITE_SPACE_CLASS, false);
    case "S": return wrap(WHITE_SPACE_CLASS, true);
    case "d": return "\\p{Nd}";
    case "D": return inClass ? refuse("\\D inside a class") : "\\P{Nd}";
    case "w": return wrap(WORD_CLASS, false);
    case "W": return wrap(WORD_CLASS, true);
    case "A": return inClass ? refuse("\\A inside a class") : "^";
    case "z": return inClass ? refuse("\\z inside a class") : "$";
    case "p":
    case "P": {
      if (chars[i + 1] !== "{") return refuse(`\\${e} without {…}`);
      const close = chars.indexOf("}", i + 2);
      if (close < 0) return refuse(`an unclosed \\${e}{`);
      skip(close - i);
      return unicodeProperty(chars.slice(i + 2, close).join(""), e === "P", where);
    }
    case "x": {
      if (chars[i + 1] !== "{") {
        skip(2);
        return `\\x${chars.slice(i + 1, i + 3).join("")}`;
      }
      const close = chars.indexOf("}", i + 2);
      if (close < 0) return refuse("an unclosed \\x{");
      skip(close - i);
      return `\\u{${chars.slice(i + 2, close).join("")}}`;
    }
    case "u":
      skip(4);
      return `\\u${chars.slice(i + 1, i + 5).join("")}`;
    case "-": return inClass ? "\\-" : "-";
    default:
      if (Object.hasOwn(SIMPLE_ESCAPES, e)) return SIMPLE_ESCAPES[e] as string;
      if (/[0-9A-Za-z]/.test(e)) return refuse(`the escape \\${e}`);
      return SYNTAX.has(e) ? `\\${e}` : e;
  }
}
