// JSON lines, plain or gzipped: streamed chunk by chunk and split into lines, never read as one string.
import { createReadStream, statSync } from "node:fs";
import { StringDecoder } from "node:string_decoder";
import { createGunzip } from "node:zlib";
import { InputError } from "../../errors.js";
import type { PairReader, PairStream, RawPair, ReadOptions } from "../types.js";
import { lineText } from "./json-lines.js";
import { invalid, isInvalid, pairFromRecord, reject } from "./record.js";

const JSONL = /\.jsonl(\.gz)?$/i;

export function isJsonlFile(file: string): boolean {
  return JSONL.test(file);
}

/** Yields [lineNumber (1-based), text] for every non-blank line (json-lines.ts's rules), streamed. A gzip error
 *  becomes an InputError at that line. */
async function* lines(file: string, onBytes: (n: number) => void): AsyncGenerator<[number, string]> {
  const raw = createReadStream(file, { highWaterMark: 1 << 20 });
  raw.on("data", (b) => onBytes(b.length));
  const gz = file.toLowerCase().endsWith(".gz");
  const stream = gz ? raw.pipe(createGunzip()) : raw;
  if (gz) raw.on("error", (e) => stream.destroy(e));
  const decoder = new StringDecoder("utf8");
  let rest = "";
  let lineNo = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const s = rest + decoder.write(chunk);
      let start = 0;
      for (let nl = s.indexOf("\n"); nl >= 0; nl = s.indexOf("\n", start)) {
        lineNo++;
        const line = lineText(lineNo, s.slice(start, nl));
        start = nl + 1;
        if (line !== null) yield [lineNo, line];
      }
      rest = s.slice(start);
    }
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && code.startsWith("Z_")) {
      const what = code === "Z_BUF_ERROR" ? "the gzip stream ends early (truncated .gz file?)" : `invalid gzip data (${(e as Error).message})`;
      throw new InputError(`${what}; ${lineNo} complete lines were read`, { file, line: lineNo + 1 },
        "re-download or re-compress the file; records after this point cannot be read");
    }
    if (code === "ENOENT" || code === "EACCES" || code === "EISDIR") {
      throw new InputError(`cannot read file (${code})`, { file });
    }
    throw e;
  }
  const last = lineText(lineNo + 1, rest + decoder.end());
  if (last !== null) yield [lineNo + 1, last];
}

async function* readJsonl(file: string, opts: ReadOptions, onBytes: (n: number) => void): AsyncGenerator<RawPair> {
  for await (const [line, textLine] of lines(file, onBytes)) {
    const source = { file, line };
    let rec: unknown;
    try {
      rec = JSON.parse(textLine);
    } catch (e) {
      reject(invalid(source, undefined, `malformed JSON: ${(e as Error).message}`, "with malformed JSON"), opts);
      continue;
    }
    const p = pairFromRecord(rec, source);
    if (isInvalid(p)) reject(p, opts);
    else yield p;
  }
}

/** Opens one JSON-lines file; `onBytes` sees the (compressed) bytes as they are read. */
export function openJsonlFile(file: string, opts: ReadOptions, onBytes: (n: number) => void = () => {}): PairStream {
  let done = 0;
  const total = statSync(file).size;
  return {
    files: [file],
    pairs: () => readJsonl(file, opts, (n) => { done += n; onBytes(n); }),
    progress: () => (total > 0 ? Math.min(1, done / total) : 1),
  };
}

export const JSONL_READER: PairReader = {
  name: "jsonl",
  accepts: (spec) => isJsonlFile(spec) && isFile(spec),
  open: async (spec, opts) => openJsonlFile(spec, opts),
};

export function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}
