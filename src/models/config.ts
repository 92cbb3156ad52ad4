// config.json: typed field readers that fail with the file and field named, and the writer that reproduces
// transformers' `json.dumps(config, indent=2, sort_keys=True) + "\n"` byte for byte (Python float repr, ASCII escapes).
import { InputError } from "../errors.js";

export type RawConfig = Record<string, unknown>;

/** Reads config fields with errors that name config.json and the field. */
export class ConfigReader {
  constructor(readonly raw: RawConfig, readonly file: string) {}

  private fail(field: string, expected: string): never {
    const v = this.raw[field];
    const found = v === undefined ? "nothing (field missing)" : JSON.stringify(v);
    throw new InputError(`expected ${expected}, got ${found}`, { file: this.file, field });
  }
  int(field: string, def?: number): number {
    const v = this.raw[field] ?? def;
    return typeof v === "number" && Number.isInteger(v) && v >= 0 ? v : this.fail(field, "a non-negative integer");
  }
  positiveInt(field: string, def?: number): number {
    const v = this.raw[field] ?? def;
    return typeof v === "number" && Number.isInteger(v) && v > 0 ? v : this.fail(field, "a positive integer");
  }
  intOrNull(field: string): number | null {
    const v = this.raw[field];
    if (v === undefined || v === null) return null;
    return typeof v === "number" && Number.isInteger(v) ? v : this.fail(field, "an integer or null");
  }
  num(field: string, def?: number): number {
    const v = this.raw[field] ?? def;
    return typeof v === "number" && Number.isFinite(v) ? v : this.fail(field, "a number");
  }
  bool(field: string, def?: boolean): boolean {
    const v = this.raw[field] ?? def;
    return typeof v === "boolean" ? v : this.fail(field, "true or false");
  }
  oneOf<T extends string>(field: string, allowed: readonly T[], def?: T): T {
    const v = this.raw[field] ?? def;
    return allowed.includes(v as T) ? (v as T) : this.fail(field, `one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}`);
  }
  /** "dtype" (transformers 5) or "torch_dtype" (4.x); weights are computed in float32 whatever it says. */
  dtype(): string {
    const v = this.raw["dtype"] ?? this.raw["torch_dtype"] ?? "float32";
    return typeof v === "string" ? v : this.fail("dtype", "a dtype name such as \"float32\"");
  }
}

/** The number of labels the config declares (num_labels, else the size of id2label, else 2 as transformers defaults). */
export function numLabels(raw: RawConfig): number {
  if (typeof raw["num_labels"] === "number") return raw["num_labels"];
  const id2label = raw["id2label"];
  if (typeof id2label === "object" && id2label !== null) return Object.keys(id2label).length;
  return 2;
}

/** Keys that were written as float literals in the source text, so `0.0` is saved back as `0.0`, not `0`. */
export function floatLiteralKeys(text: string): Set<string> {
  const keys = new Set<string>();
  for (const m of text.matchAll(/"([^"\\]+)"\s*:\s*-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?/g)) {
    if (/[.eE]/.test(m[0].slice(m[0].indexOf(":")))) keys.add(m[1] as string);
  }
  return keys;
}

/** Python's repr of a float (shortest round-trip digits; exponent form below 1e-4 and from 1e16). */
export function pythonFloatRepr(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (!Number.isFinite(x)) return x > 0 ? "Infinity" : "-Infinity";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const [mant, expStr] = x.toExponential().split("e") as [string, string];
  const exp = Number(expStr);
  const neg = mant.startsWith("-");
  const digits = mant.replace("-", "").replace(".", "");
  const sign = neg ? "-" : "";
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  }
  if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
  const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, "0");
  const frac = digits.slice(exp + 1);
  return `${sign}${intPart}.${frac === "" ? "0" : frac}`;
}

function pyString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) as number;
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\b") out += "\\b";
    else if (ch === "\f") out += "\\f";
    else if (c < 0x20 || c > 0x7e) {
      for (let i = 0; i < ch.length; i++) out += `\\u${ch.charCodeAt(i).toString(16).padStart(4, "0")}`;
    } else out += ch;
  }
  return out + '"';
}

/** Says whether the number under `key` prints as a Python float (JSON does not tell 1 from 1.0; Python does). */
export type FloatRule = (key: string, value: number) => boolean;

/**
 * `json.dumps(value, indent=2, sort_keys=True)`. Which numbers print as floats: those under a key of the set (and
 * non-integers), or those the rule picks.
 */
export function pythonJson(value: unknown, floats: ReadonlySet<string> | FloatRule = new Set(), indent = "", key = ""): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") {
    const isFloat = typeof floats === "function" ? floats(key, value)
      : !Number.isInteger(value) || floats.has(key) || Math.abs(value) >= 1e16;
    return isFloat ? pythonFloatRepr(value) : String(value);
  }
  if (typeof value === "string") return pyString(value);
  const inner = indent + "  ";
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    return `[\n${value.map((v) => inner + pythonJson(v, floats, inner, key)).join(",\n")}\n${indent}]`;
  }
  const entries = Object.keys(value as object).sort().map((k) =>
    `${inner}${pyString(k)}: ${pythonJson((value as Record<string, unknown>)[k], floats, inner, k)}`);
  if (entries.length === 0) return "{}";
  return `{\n${entries.join(",\n")}\n${indent}}`;
}
