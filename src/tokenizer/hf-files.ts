// Parsers for the Hugging Face tokenizer files: vocab.json, merges.txt and the parts of tokenizer.json we
// use (model BPE, pre_tokenizer ByteLevel, post_processor). Each names the file (and line) it rejects.

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
function parseMergesJson(v: unknown, file: string): MergeText[] {
  if (!Array.isArray(v)) throw new InputError("expected an array", { file, field: "model.merges" });
  return v.map((m: unknown, i) => {
    const pair = typeof m === "string" ? m.split(" ") : m;
    if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== "string" || typeof pair[1] !== "string") {
      throw new InputError(`expected "left right" or ["left", "right"], got ${JSON.stringify(m)}`, { file, field: `model.merges[${i}]` });
    }
    return { left: pair[0], right: pair[1], line: i };
  });
}

export interface TokenizerJson {
  readonly vocab: Map<string, number>;
  readonly merges: MergeText[];
  readonly addPrefixSpace: boolean;
  /** Special token strings the post-processor puts before / after each text. */
  readonly prefix: readonly string[];
  readonly suffix: readonly string[];
}

function obj(v: unknown): Record<string, unknown> | undefined {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

const UNSUPPORTED_HINT = "rewardlab supports byte-level BPE tokenizers (GPT-2, OPT, RoBERTa-style)";

/** Reads model / pre_tokenizer / post_processor of a tokenizer.json, refusing what we do not implement. */
export function parseTokenizerJson(f: JsonFile): TokenizerJson {
  const file = f.file;
  const model = obj(f.data.model);
  if (model === undefined || model.type !== "BPE") {
    throw new InputError(`model.type: expected "BPE", got ${JSON.stringify(model?.type)}`, { file, field: "model.type" }, UNSUPPORTED_HINT);
  }
  if (model.dropout !== null && model.dropout !== undefined) {
    throw new InputError(`expected no BPE dropout, got ${JSON.stringify(model.dropout)}`, { file, field: "model.dropout" });
  }
  if (f.data.normalizer !== null && f.data.normalizer !== undefined) {
    throw new InputError("expected no normalizer (byte-level BPE uses none)", { file, field: "normalizer" }, UNSUPPORTED_HINT);
  }
  const pre = obj(f.data.pre_tokenizer);
  if (pre === undefined || pre.type !== "ByteLevel" || pre.use_regex === false) {
    throw new InputError(`expected a ByteLevel pre_tokenizer with use_regex, got ${JSON.stringify(pre?.type)}`,
      { file, field: "pre_tokenizer" }, UNSUPPORTED_HINT);
  }
  const prefix: string[] = [];
  const suffix: string[] = [];
  readPostProcessor(f.data.post_processor, file, prefix, suffix);
  return {
    vocab: parseVocab(model.vocab, file, "model.vocab"),
    merges: parseMergesJson(model.merges, file),
    addPrefixSpace: pre.add_prefix_space === true,
    prefix,
    suffix,
  };
}

/** Special tokens of a single-sequence template: before and after "$A". */
function readPostProcessor(v: unknown, file: string, prefix: string[], suffix: string[]): void {
  const p = obj(v);
  if (p === undefined || p.type === "ByteLevel") return;
  if (p.type === "Sequence" && Array.isArray(p.processors)) {
    for (const q of p.processors) readPostProcessor(q, file, prefix, suffix);
    return;
  }
  if (p.type === "TemplateProcessing" && Array.isArray(p.single)) {
    let seen = false;
    for (const piece of p.single) {
      const special = obj(obj(piece)?.SpecialToken);
      if (obj(piece)?.Sequence !== undefined) seen = true;
      else if (special !== undefined && typeof special.id === "string") (seen ? suffix : prefix).push(special.id);
      else throw new InputError(`unexpected template piece ${JSON.stringify(piece)}`, { file, field: "post_processor.single" });
    }
    return;
  }
  if ((p.type === "RobertaProcessing" || p.type === "BertProcessing") && Array.isArray(p.cls) && Array.isArray(p.sep)) {
    prefix.push(String(p.cls[0]));
    suffix.push(String(p.sep[0]));
    return;
  }
  throw new InputError(`unsupported post_processor ${JSON.stringify(p.type)}`, { file, field: "post_processor" }, UNSUPPORTED_HINT);
}
