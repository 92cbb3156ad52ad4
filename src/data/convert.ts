// data convert --to conversational: hh-rlhf transcripts ("\n\nHuman: …\n\nAssistant: …") into TRL's conversational
// explicit format, as TRL's dataset script for hh-rlhf (examples/datasets/hh-rlhf-helpful-base.py) does it:
//   - the prompt is the common start of chosen and rejected, cut back to just after the last "\n\nAssistant: " in it;
//   - the answers are what follows the prompt, each one assistant message;
//   - the prompt without its final "\n\nAssistant: " is split at every "\n\nHuman: " / "\n\nAssistant: " into
//     user / assistant messages.
// One difference: text before the first turn marker (TRL drops it) makes the record invalid here, since nothing is
// dropped silently; hh-rlhf transcripts all start with "\n\nHuman: ".
import { createWriteStream, existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import path from "node:path";
import { once } from "node:events";
import { createGzip } from "node:zlib";
import { InputError } from "../errors.js";
import type { ChatMessage } from "../tokenizer/index.js";
import { openPairs } from "./readers/index.js";
import { invalid, reject } from "./readers/record.js";
import { SkipCounts, type RawPair } from "./types.js";

const ASSISTANT = "\n\nAssistant: ";
const TURN = /(\n\nAssistant: |\n\nHuman: )/;

export interface ConversationalPair {
  readonly prompt: ChatMessage[];
  readonly chosen: ChatMessage[];
  readonly rejected: ChatMessage[];
}

function commonStart(a: string, b: string): string {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return a.slice(0, i);
}

/** One hh-rlhf pair as prompt messages and one answer message per side; a string says why it cannot be converted. */
export function hhToConversational(chosen: string, rejected: string): ConversationalPair | string {
  let prompt = commonStart(chosen, rejected);
  if (!prompt.endsWith(ASSISTANT)) {
    const last = prompt.lastIndexOf(ASSISTANT);
    if (last < 0) return `chosen and rejected share no "\\n\\nAssistant: " turn`;
    prompt = prompt.slice(0, last + ASSISTANT.length);
  }
  const answers = [chosen.slice(prompt.length), rejected.slice(prompt.length)];
  const parts = prompt.slice(0, -ASSISTANT.length).split(TURN);
  if (parts[0] !== "") return `text before the first "\\n\\nHuman: " turn: ${JSON.stringify((parts[0] ?? "").slice(0, 40))}`;
  const messages: ChatMessage[] = [];
  for (let k = 1; k + 1 < parts.length; k += 2) {
    messages.push({ role: parts[k] === "\n\nHuman: " ? "user" : "assistant", content: parts[k + 1] as string });
  }
  return {
    prompt: messages,
    chosen: [{ role: "assistant", content: answers[0] as string }],
    rejected: [{ role: "assistant", content: answers[1] as string }],
  };
}

export interface ConvertOptions {
  readonly split?: string;
  readonly skipInvalid?: boolean;
  readonly overwrite?: boolean;
}

export interface ConvertSummary {
  readonly read: number;
  readonly written: number;
  readonly skipped: SkipCounts;
}

/** Converts a standard-format source (hh-rlhf) into a JSON-lines file (gzipped when `out` ends in .gz). */
export async function convertToConversational(spec: string, out: string, opts: ConvertOptions = {}): Promise<ConvertSummary> {
  if (existsSync(out) && !opts.overwrite) {
    throw new InputError("the output file already exists", { file: out }, "pass --overwrite to replace it, or choose another --out");
  }
  const skipped = new SkipCounts();
  const readOpts = { split: opts.split, skipInvalid: opts.skipInvalid, skipped };
  const stream = await openPairs(spec, readOpts);
  mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
  const tmp = `${out}.partial-${process.pid}`;
  const file = createWriteStream(tmp);
  const sink = out.toLowerCase().endsWith(".gz") ? createGzip() : file;
  if (sink !== file) sink.pipe(file);
  let written = 0;
  try {
    for await (const p of stream.pairs()) {
      const line = convertedLine(p);
      if (typeof line !== "string") {
        reject(line, readOpts);
        continue;
      }
      if (!sink.write(line)) await once(sink, "drain");
      written++;
    }
    sink.end();
    await once(file, "close");
  } catch (e) {
    // let pending writes finish before the partial file goes (destroying now would fail them)
    if (!sink.writableEnded) sink.end();
    if (!file.closed) await once(file, "close");
    rmSync(tmp, { force: true });
    throw e;
  }
  renameSync(tmp, out);
  return { read: written + skipped.total, written, skipped };
}

function convertedLine(p: RawPair): string | ReturnType<typeof invalid> {
  if (p.format !== "text") {
    return invalid(p.source, "chosen", `expected hh-rlhf text transcripts, got a ${p.format === "chat" ? "conversational" : "pre-tokenized"} record`,
      "not a text transcript");
  }
  const c = hhToConversational(p.chosen, p.rejected);
  if (typeof c === "string") return invalid(p.source, "chosen", c, "not an hh-rlhf transcript");
  return `${JSON.stringify(p.margin === undefined ? c : { ...c, margin: p.margin })}\n`;
}
