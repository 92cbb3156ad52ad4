// Checks one parsed record at the reader boundary: {"chosen","rejected"}, or {"prompt","chosen","rejected"}
// (the prompt is prepended to both), with an optional numeric "margin". Everything downstream trusts the result.
import { InputError, type Where } from "../../errors.js";
import type { PairSource, RawPair, ReadOptions } from "../types.js";

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

/** Validates a parsed record. `prompt` (when present) is prepended: text = prompt + chosen. */
export function pairFromRecord(rec: unknown, source: PairSource): RawPair | Invalid {
  if (typeof rec !== "object" || rec === null || Array.isArray(rec)) {
    return invalid(source, undefined, `expected a JSON object with "chosen" and "rejected", got ${describe(rec)}`, "not an object");
  }
  const r = rec as Record<string, unknown>;
  const chosen = text(r, "chosen", source);
  if (typeof chosen !== "string") return chosen;
  const rejected = text(r, "rejected", source);
  if (typeof rejected !== "string") return rejected;
  let prompt = "";
  if (r.prompt !== undefined) {
    if (typeof r.prompt !== "string") {
      return invalid(source, "prompt", `expected string, got ${describe(r.prompt)}`, `with non-string "prompt"`);
    }
    prompt = r.prompt;
  }
  const m = r.margin;
  let margin: number | undefined;
  if (typeof m === "number" && Number.isFinite(m)) margin = m;
  else if (typeof m === "bigint") margin = Number(m);
  else if (m !== undefined && m !== null) {
    return invalid(source, "margin", `expected a finite number, got ${describe(m)}`, `with non-numeric "margin"`);
  }
  return margin === undefined
    ? { chosen: prompt + chosen, rejected: prompt + rejected, source }
    : { chosen: prompt + chosen, rejected: prompt + rejected, margin, source };
}

export function isInvalid(x: RawPair | Invalid): x is Invalid {
  return "error" in x;
}

/** Throws the record's error, or counts it when the caller asked to skip invalid records. */
export function reject(bad: Invalid, opts: ReadOptions): void {
  if (!opts.skipInvalid) {
    throw new InputError(bad.error.message, bad.error.where, "fix the record, or pass --skip-invalid to skip and count bad records");
  }
  opts.skipped.add(bad.reason);
}
