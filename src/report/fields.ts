// Field readers for run-folder JSON: each takes an `unknown` object and a field name, returns a typed value or
// throws an InputError that names the file, line and field, and says what was expected and what was found.
// `null` counts as "not recorded" (a trainer writes null for a value it could not measure); unknown fields are ignored.
import { InputError, type Where } from "../errors.js";

export type Obj = Record<string, unknown>;

/** Where a JSON value came from, for error messages: the file, the line (JSONL) and a path prefix inside it. */
export interface Origin {
  readonly file: string;
  readonly line?: number;
  readonly path?: string;
}

function where(o: Origin, field: string): Where {
  const full = o.path ? `${o.path}.${field}` : field;
  return o.line !== undefined ? { file: o.file, line: o.line, field: full } : { file: o.file, field: full };
}

export function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "string") return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (typeof v === "object") return "an object";
  return `${typeof v} ${String(v)}`;
}

export function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function expectObj(v: unknown, o: Origin, what: string): Obj {
  if (!isObj(v)) throw new InputError(`expected ${what} to be a JSON object, got ${describe(v)}`, o.line !== undefined ? { file: o.file, line: o.line } : { file: o.file });
  return v;
}

/** true or false, or undefined when absent or null. */
export function optBool(obj: Obj, field: string, o: Origin): boolean | undefined {
  const v = obj[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "boolean") throw new InputError(`expected true or false, got ${describe(v)}`, where(o, field));
  return v;
}

/** A finite number, or undefined when absent or null. */
export function optNum(obj: Obj, field: string, o: Origin): number | undefined {
  const v = obj[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isFinite(v)) {
    throw new InputError(`expected a finite number, got ${describe(v)}`, where(o, field));
  }
  return v;
}

export function reqNum(obj: Obj, field: string, o: Origin): number {
  const v = optNum(obj, field, o);
  if (v === undefined) throw new InputError(`missing required number`, where(o, field));
  return v;
}

/** A non-negative integer such as a step or a count. */
export function optCount(obj: Obj, field: string, o: Origin): number | undefined {
  const v = optNum(obj, field, o);
  if (v !== undefined && (!Number.isInteger(v) || v < 0)) {
    throw new InputError(`expected a non-negative integer, got ${v}`, where(o, field));
  }
  return v;
}

export function reqCount(obj: Obj, field: string, o: Origin): number {
  const v = optCount(obj, field, o);
  if (v === undefined) throw new InputError(`missing required non-negative integer`, where(o, field));
  return v;
}

export function optStr(obj: Obj, field: string, o: Origin): string | undefined {
  const v = obj[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw new InputError(`expected a string, got ${describe(v)}`, where(o, field));
  return v;
}

/** An object whose values are all finite numbers (null values are dropped as "not recorded"). */
export function optNumMap(obj: Obj, field: string, o: Origin): Record<string, number> | undefined {
  const v = obj[field];
  if (v === undefined || v === null) return undefined;
  if (!isObj(v)) throw new InputError(`expected an object of numbers, got ${describe(v)}`, where(o, field));
  const out: Record<string, number> = {};
  const inner: Origin = { ...o, path: o.path ? `${o.path}.${field}` : field };
  for (const k of Object.keys(v)) {
    const n = optNum(v, k, inner);
    if (n !== undefined) out[k] = n;
  }
  return out;
}

/** A flat object of scalars (a model config summary); nested values are shown as JSON text. */
export function optScalarMap(obj: Obj, field: string, o: Origin): Record<string, string | number | boolean | null> | undefined {
  const v = obj[field];
  if (v === undefined || v === null) return undefined;
  if (!isObj(v)) throw new InputError(`expected an object, got ${describe(v)}`, where(o, field));
  const out: Record<string, string | number | boolean | null> = {};
  for (const [k, x] of Object.entries(v)) {
    out[k] = x === null || typeof x === "string" || typeof x === "number" || typeof x === "boolean" ? x : JSON.stringify(x);
  }
  return out;
}
