// Added tokens (tokenizer.json "added_tokens", special tokens of the config files) are matched as wholes in the
// text before anything else runs, as HF's AddedVocabulary does: leftmost-longest, one regex alternation of the
// contents (longest first, so at one position the longest wins); a single_word token only where no word
// character (Rust's Unicode \w) touches it; lstrip / rstrip swallow the whitespace beside a match.

import { isWhiteSpace } from "./pre-tokenize.js";
import { escapeRegExp } from "./onig-regex.js";

/** A token matched as a whole in raw text before pre-tokenization (tokenizer.json "added_tokens"). */
export interface AddedToken {
  readonly id: number;
  readonly content: string;
  readonly special: boolean;
  /** Swallow whitespace on the left / right of a match (HF AddedToken lstrip / rstrip). */
  readonly lstrip: boolean;
  readonly rstrip: boolean;
  /** Match only as a whole word. */
  readonly singleWord: boolean;
  /** Matched in the normalized text (true) or the raw text (false); HF's default is !special. */
  readonly normalized: boolean;
}

const WORD_CHAR = /[\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\p{Join_Control}]/u;

function isWordAt(text: string, i: number): boolean {
  const cp = text.codePointAt(i);
  return cp !== undefined && WORD_CHAR.test(String.fromCodePoint(cp));
}

function isWordBefore(text: string, i: number): boolean {
  if (i <= 0) return false;
  const lo = text.charCodeAt(i - 1);
  return isWordAt(text, lo >= 0xdc00 && lo <= 0xdfff && i >= 2 ? i - 2 : i - 1);
}

export class AddedTokenMatcher {
  private readonly re: RegExp | null;
  private readonly byContent: ReadonlyMap<string, AddedToken>;

  constructor(tokens: readonly AddedToken[]) {
    const usable = tokens.filter((t) => t.content.length > 0);
    this.byContent = new Map(usable.map((t) => [t.content, t]));
    const contents = [...this.byContent.keys()].sort((a, b) => b.length - a.length);
    this.re = contents.length === 0 ? null : new RegExp(contents.map(escapeRegExp).join("|"), "gu");
  }

  /**
   * Cuts text[start, end) at added tokens: onText(from, to) for each non-empty stretch between them and
   * onToken(id) for each match, in order.
   */
  split(text: string, start: number, end: number, onText: (from: number, to: number) => void, onToken: (id: number) => void): void {
    const re = this.re;
    let pos = start;
    if (re !== null) {
      const scan = end === text.length ? text : text.slice(0, end);
      re.lastIndex = start;
      for (let m = re.exec(scan); m !== null; m = re.exec(scan)) {
        const tok = this.byContent.get(m[0]) as AddedToken;
        let s = m.index;
        let e = s + m[0].length;
        if (tok.singleWord && (isWordBefore(scan, s) || isWordAt(scan, e))) continue;
        if (tok.lstrip) while (s > pos && isWhiteSpace(scan.charCodeAt(s - 1))) s--;
        if (tok.rstrip) while (e < end && isWhiteSpace(scan.charCodeAt(e))) e++;
        if (s > pos) onText(pos, s);
        onToken(tok.id);
        pos = e;
        re.lastIndex = e;
      }
    }
    if (pos < end) onText(pos, end);
  }
}
