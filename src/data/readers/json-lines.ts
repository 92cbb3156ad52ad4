// The one JSON-lines line discipline every command shares (data files, score inputs, metrics.jsonl): a UTF-8
// byte-order mark before line 1 and the "\r" of CRLF line ends are dropped, blank lines are skipped (and still
// counted, so line numbers match an editor's), and a last line without "\n" is read like any other.
import { existsSync, readFileSync } from "node:fs";
import { InputError } from "../../errors.js";

/** A raw line (without its "\n") as it is parsed; null for a blank line. */
export function lineText(lineNo: number, raw: string): string | null {
  let s = lineNo === 1 && raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
  if (s.endsWith("\r")) s = s.slice(0, -1);
  return s.trim() === "" ? null : s;
}

/** [lineNumber (1-based), text] for every non-blank line of a whole file's text. */
export function* textLines(text: string): Generator<[number, string]> {
  let start = 0;
  for (let lineNo = 1; start <= text.length; lineNo++) {
    let nl = text.indexOf("\n", start);
    if (nl < 0) nl = text.length;
    const s = lineText(lineNo, text.slice(start, nl));
    if (s !== null) yield [lineNo, s];
    start = nl + 1;
  }
}

export interface JsonLine {
  readonly line: number;
  readonly value: unknown;
}

/** A small JSON-lines file read whole (large data files stream through readers/jsonl.ts): malformed JSON is an
 *  InputError naming file and line, with `hint` as its fix. */
export function readJsonLines(file: string, hint?: string): JsonLine[] {
  if (!existsSync(file)) throw new InputError("file not found", { file });
  const out: JsonLine[] = [];
  for (const [line, text] of textLines(readFileSync(file, "utf8"))) {
    try {
      out.push({ line, value: JSON.parse(text) });
    } catch (e) {
      throw new InputError(`not valid JSON: ${(e as Error).message}`, { file, line }, hint);
    }
  }
  return out;
}
