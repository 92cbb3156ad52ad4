// Checks one parsed record at the reader boundary and tells its format (TRL's standard, conversational or
// pre-tokenized; implicit or with an explicit prompt). Everything downstream trusts the result.
import { InputError, type Where } from "../../errors.js";
import type { ChatMessage } from "../../tokenizer/index.js";
import type { PairSides, PairSource, RawPair, ReadOptions } from "../types.js";

/** A record that failed validation: the error to throw, and the reason to count when skipping. */
export interface Invalid {
  readonly error: InputError;
  readonly reason: string;
}

export function where(source: PairSource, field?: string): Where {
  const base = "line" in source ? { file: source.file, line: source.line } : { file: source.file, row: source.row };
  return field === undefined ? base : { ...base, field };
}

/** "null", "number 3", `string "abc"`, "array", "object", ... for messages. */
export function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "string") return `string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return `${typeof v} ${String(v)}`;
  return typeof v;
}

export function invalid(source: PairSource, field: string | undefined, message: string, reason: string): Invalid {
  return { error: new InputError(message, where(source, field)), reason };
}

function text(rec: Record<string, unknown>, key: string, source: PairSource): string | Invalid {
  const v = rec[key];
  if (v === undefined) return invalid(source, key, "missing (expected a string)", `missing "${key}"`);
  if (typeof v !== "string") return invalid(source, key, `expected string, got ${describe(v)}`, `with non-string "${key}"`);
  if (v.trim() === "") return invalid(source, key, `expected non-empty text, got ${describe(v)}`, `with empty "${key}"`);
  return v;
}

/** A message list: [{"role": string, "content": string}, ...], not empty. Other message keys are not kept. */
function messages(v: unknown, key: string, source: PairSource): ChatMessage[] | Invalid {
  if (!Array.isArray(v)) return invalid(source, key, `expected a list of messages, got ${describe(v)}`, `with non-list "${key}"`);
  if (v.length === 0) return invalid(source, key, "expected at least one message, got an empty list", `with empty "${key}"`);
  const out: ChatMessage[] = [];
  for (const [i, m] of v.entries()) {
    const at = `${key}[${i}]`;
    if (typeof m !== "object" || m === null || Array.isArray(m)) {
      return invalid(source, at, `expected a message {"role", "content"}, got ${describe(m)}`, "with a message that is not an object");
    }
    const o = m as Record<string, unknown>;
    for (const k of ["role", "content"]) {
      if (o[k] === undefined || o[k] === null) return invalid(source, `${at}.${k}`, `missing (a message needs "role" and "content")`, `with a message without "${k}"`);
      if (typeof o[k] !== "string") {
        return invalid(source, `${at}.${k}`, `expected string, got ${describe(o[k])}`, `with non-string message "${k}"`);
      }
    }
    out.push({ role: o.role as string, content: o.content as string });
  }
  return out;
}

/** Token ids: a list of non-negative integers (Parquet int64 lists arrive as bigint). */
function ids(v: unknown, key: string, source: PairSource): number[] | Invalid {
  if (!Array.isArray(v)) return invalid(source, key, `expected a list of token ids, got ${describe(v)}`, `with non-list "${key}"`);
  if (v.length === 0) return invalid(source, key, "expected at least one token id, got an empty list", `with empty "${key}"`);
  const out = new Array<number>(v.length);
  for (const [i, x] of v.entries()) {
    const n = typeof x === "bigint" ? Number(x) : x;
    if (typeof n !== "number" || !Number.isInteger(n) || n < 0) {
      return invalid(source, `${key}[${i}]`, `expected a non-negative integer token id, got ${describe(x)}`, `with a bad id in "${key}"`);
    }
    out[i] = n;
  }
  return out;
}

/** The study's columns carry attention masks too: only ones (an unpadded row) are accepted; a padded row would
 *  need its pads dropped, which TRL never did for these columns either. */
function checkMask(rec: Record<string, unknown>, idsKey: string, maskKey: string, n: number, source: PairSource): Invalid | undefined {
  const m = rec[maskKey];
  if (m === undefined || m === null) return undefined;
  const mask = ids(m, maskKey, source);
  if (!Array.isArray(mask)) return mask;
  if (mask.length !== n) {
    return invalid(source, maskKey, `has ${mask.length} entries but "${idsKey}" has ${n} ids`, `with "${maskKey}" of another length`);
  }
  const zero = mask.findIndex((x) => x !== 1);
  if (zero >= 0) {
    return invalid(source, `${maskKey}[${zero}]`, `expected 1 (unpadded rows only), got ${mask[zero]}`, `with padding in "${maskKey}"`);
  }
  return undefined;
}

/** The id columns of a pre-tokenized record, TRL's first, then the study's; undefined when it has neither. */
const ID_COLUMNS = [
  { chosen: "chosen_ids", rejected: "rejected_ids", masks: undefined },
  { chosen: "input_ids_chosen", rejected: "input_ids_rejected", masks: ["attention_mask_chosen", "attention_mask_rejected"] },
] as const;

function sidesFromRecord(r: Record<string, unknown>, source: PairSource): PairSides | Invalid {
  const idCols = ID_COLUMNS.find((c) => r[c.chosen] !== undefined || r[c.rejected] !== undefined);
  if (idCols !== undefined) {
    const chosen = ids(r[idCols.chosen], idCols.chosen, source);
    if (!Array.isArray(chosen)) return chosen;
    const rejected = ids(r[idCols.rejected], idCols.rejected, source);
    if (!Array.isArray(rejected)) return rejected;
    if (idCols.masks !== undefined) {
      const bad = checkMask(r, idCols.chosen, idCols.masks[0], chosen.length, source) ?? checkMask(r, idCols.rejected, idCols.masks[1], rejected.length, source);
      if (bad !== undefined) return bad;
    }
    return { format: "ids", chosen, rejected };
  }
  if (Array.isArray(r.chosen) || (r.chosen === undefined && Array.isArray(r.rejected))) {
    const chosen = messages(r.chosen, "chosen", source);
    if (!Array.isArray(chosen)) return chosen;
    const rejected = messages(r.rejected, "rejected", source);
    if (!Array.isArray(rejected)) return rejected;
    if (r.prompt === undefined) return { format: "chat", chosen, rejected };
    // HuggingFaceH4/ultrafeedback_binarized: a string prompt that the conversations already open with (TRL's
    // prompt + chosen would add a string to a list and fail); the prompt is already there, so it is not added again
    if (typeof r.prompt === "string" && [chosen, rejected].every((c) => c[0]?.role === "user" && c[0].content === r.prompt)) {
      return { format: "chat", chosen, rejected };
    }
    // conversational explicit: the prompt's messages come first on both sides, rendered together (TRL)
    const prompt = messages(r.prompt, "prompt", source);
    if (!Array.isArray(prompt)) return prompt;
    return { format: "chat", chosen: [...prompt, ...chosen], rejected: [...prompt, ...rejected] };
  }
  const chosen = text(r, "chosen", source);
  if (typeof chosen !== "string") return chosen;
  const rejected = text(r, "rejected", source);
  if (typeof rejected !== "string") return rejected;
  if (r.prompt === undefined) return { format: "text", chosen, rejected };
  if (typeof r.prompt !== "string") {
    return invalid(source, "prompt", `expected string, got ${describe(r.prompt)}`, `with non-string "prompt"`);
  }
  return { format: "text", chosen: r.prompt + chosen, rejected: r.prompt + rejected };
}

/**
 * Validates a parsed record in any of TRL's formats: standard {"chosen", "rejected"} strings, with an optional
 * "prompt" put in front of both; conversational, the same keys holding message lists; pre-tokenized
 * {"chosen_ids", "rejected_ids"} or the study's {"input_ids_chosen", "input_ids_rejected", attention masks}. An
 * optional numeric "margin" goes with any of them.
 */
export function pairFromRecord(rec: unknown, source: PairSource): RawPair | Invalid {
  if (typeof rec !== "object" || rec === null || Array.isArray(rec)) {
    return invalid(source, undefined, `expected a JSON object with "chosen" and "rejected", got ${describe(rec)}`, "not an object");
  }
  const r = rec as Record<string, unknown>;
  const sides = sidesFromRecord(r, source);
  if (isInvalid(sides)) return sides;
  const m = r.margin;
  let margin: number | undefined;
  if (typeof m === "number" && Number.isFinite(m)) margin = m;
  else if (typeof m === "bigint") margin = Number(m);
  else if (m !== undefined && m !== null) {
    return invalid(source, "margin", `expected a finite number, got ${describe(m)}`, `with non-numeric "margin"`);
  }
  return margin === undefined ? { ...sides, source } : { ...sides, margin, source };
}

export function isInvalid<T extends object>(x: T | Invalid): x is Invalid {
  return "error" in x;
}

/** Throws the record's error, or counts it when the caller asked to skip invalid records. */
export function reject(bad: Invalid, opts: ReadOptions): void {
  if (!opts.skipInvalid) {
    throw new InputError(bad.error.message, bad.error.where, "fix the record, or pass --skip-invalid to skip and count bad records");
  }
  opts.skipped.add(bad.reason);
}
