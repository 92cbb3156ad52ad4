// JSON text as Python's json.dumps(obj, indent=2, sort_keys=True) writes it (ensure_ascii on), so trainer_state.json
// matches what the HF Trainer writes byte for byte: floats keep a ".0" (epoch 1.0), small and large ones use
// Python's repr exponent form (5e-05, 1.2e+16), ints stay ints. Which numbers are ints is said by `intKeys`.

export type PyJson = null | boolean | number | string | PyJson[] | { [k: string]: PyJson };

export function pythonJsonDumps(value: PyJson, intKeys: ReadonlySet<string>): string {
  return dump(value, "", intKeys, undefined);
}

function dump(v: PyJson, indent: string, intKeys: ReadonlySet<string>, key: string | undefined): string {
  if (v === null) return "null";
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "number") return key !== undefined && intKeys.has(key) && Number.isInteger(v) ? String(v) : pythonFloatRepr(v);
  if (typeof v === "string") return pythonString(v);
  const inner = `${indent}  `;
  if (Array.isArray(v)) {
    if (v.length === 0) return "[]";
    return `[\n${v.map((x) => inner + dump(x, inner, intKeys, undefined)).join(",\n")}\n${indent}]`;
  }
  const keys = Object.keys(v).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (keys.length === 0) return "{}";
  return `{\n${keys.map((k) => `${inner}${pythonString(k)}: ${dump(v[k] as PyJson, inner, intKeys, k)}`).join(",\n")}\n${indent}}`;
}

/** Python's repr(float): shortest round-trip digits; scientific when the exponent is < -4 or >= 16. */
export function pythonFloatRepr(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (!Number.isFinite(x)) return x > 0 ? "Infinity" : "-Infinity";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const [mant, expStr] = x.toExponential().split("e") as [string, string];
  const exp = Number(expStr);
  const sign = mant.startsWith("-") ? "-" : "";
  const digits = mant.replace("-", "").replace(".", "");
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  }
  if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
  const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, "0");
  const frac = digits.slice(exp + 1);
  return `${sign}${intPart}.${frac === "" ? "0" : frac}`;
}

function pythonString(s: string): string {
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
      // ensure_ascii: \uXXXX, astral characters as a surrogate pair
      for (let i = 0; i < ch.length; i++) out += `\\u${ch.charCodeAt(i).toString(16).padStart(4, "0")}`;
    } else out += ch;
  }
  return `${out}"`;
}
