// Parsers for the Hugging Face tokenizer files: vocab.json, merges.txt and the vocabulary and merges of a
// tokenizer.json. Each names the file (and line) it rejects.

import { InputError } from "../errors.js";
import type { JsonFile } from "./special-tokens.js";

/** A merge rule as written: two token strings, and where it came from (for errors). */
export interface MergeText {
  readonly left: string;
  readonly right: string;
  readonly line: number;
}

export function parseVocab(v: unknown, file: string, field?: string): Map<string, number> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) {
    throw new InputError(`expected an object {token: id}, got ${Array.isArray(v) ? "an array" : typeof v}`, { file, field });
  }
  const vocab = new Map<string, number>();
  for (const [token, id] of Object.entries(v)) {
    if (typeof id !== "number" || !Number.isInteger(id) || id < 0) {
      throw new InputError(`token ${JSON.stringify(token)}: expected a non-negative integer id, got ${JSON.stringify(id)}`, { file, field });
    }
    vocab.set(token, id);
  }
  return vocab;
}

/** merges.txt: an optional "#version" line, then one "left right" pair per line. */
export function parseMergesTxt(text: string, file: string): MergeText[] {
  const lines = text.split("\n");
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  const out: MergeText[] = [];
  lines.forEach((raw, i) => {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (line.startsWith("#version")) return;
    const parts = line.split(" ");
    if (parts.length !== 2 || parts[0] === "" || parts[1] === "") {
      throw new InputError(`expected a merge "left right" (two tokens, one space), got ${JSON.stringify(line)}`,
        { file, line: i + 1 }, "merges.txt holds one merge per line, in rank order");
    }
    out.push({ left: parts[0] as string, right: parts[1] as string, line: i + 1 });
  });
  return out;
}

/** tokenizer.json model.merges: ["Ġ t", ...] (older) or [["Ġ", "t"], ...] (newer). */
export function parseMergesJson(v: unknown, file: string): MergeText[] {
  if (!Array.isArray(v)) throw new InputError("expected an array", { file, field: "model.merges" });
  return v.map((m: unknown, i) => {
    const pair = typeof m === "string" ? m.split(" ") : m;
    if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== "string" || typeof pair[1] !== "string") {
      throw new InputError(`expected "left right" or ["left", "right"], got ${JSON.stringify(m)}`, { file, field: `model.merges[${i}]` });
    }
    return { left: pair[0], right: pair[1], line: i };
  });
}

/** The parts of a plain byte-level BPE tokenizer.json (see isPlainByteLevel) that the fast tokenizer needs. */
export interface TokenizerJson {
  readonly merges: MergeText[];
  readonly addPrefixSpace: boolean;
}

function obj(v: unknown): Record<string, unknown> | undefined {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** Reads merges and pre_tokenizer of a tokenizer.json that isPlainByteLevel accepted (the vocab is read apart). */
export function parseTokenizerJson(f: JsonFile): TokenizerJson {
  const model = obj(f.data.model) ?? {};
  return {
    merges: parseMergesJson(model.merges, f.file),
    addPrefixSpace: obj(f.data.pre_tokenizer)?.add_prefix_space === true,
  };
}
