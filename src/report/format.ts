// Number formatting shared by the report's text, tables and chart axes. One place, so the summary sentence, the
// tables and the markdown all print a value the same way.

export const NOT_RECORDED = "not recorded";

/** 0.934 → "93.4%". */
export function fmtPct(fraction: number, digits = 1): string {
  return `${(fraction * 100).toFixed(digits)}%`;
}

/** 2.437 → "2.4×", 1.043 → "1.04×", 0.527 → "0.53×"; large ratios lose their decimal. */
export function fmtRatio(r: number): string {
  if (r < 1) return `${Number(r.toPrecision(2))}×`;
  return `${r >= 10 ? r.toFixed(0) : r < 1.1 ? r.toFixed(2) : r.toFixed(1)}×`;
}

/** 1234567 → "1,234,567". */
export function fmtInt(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

/** Four significant digits with a unit prefix: 124439808 → "124.4M", 1084394496 → "1.084G". For counts and FLOPs. */
export function fmtCompact(n: number): string {
  const a = Math.abs(n);
  const units: [number, string][] = [[1e15, "P"], [1e12, "T"], [1e9, "G"], [1e6, "M"], [1e3, "k"]];
  for (const [scale, suffix] of units) if (a >= scale) return `${fmtNum(n / scale, 4)}${suffix}`;
  return fmtNum(n, 4);
}

/** Significant digits, trailing zeros dropped: 0.69314 → "0.693", 0.9 → "0.9", 1234.5 → "1,235". */
export function fmtNum(n: number, sig = 3): string {
  if (n === 0) return "0";
  const a = Math.abs(n);
  if (a >= 10 ** sig) return fmtInt(n);
  const digits = Math.max(0, sig - 1 - Math.floor(Math.log10(a)));
  return trim(n, Math.min(digits, 8));
}

/** Bytes as binary units: "1.52 GiB". */
export function fmtBytes(b: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = b;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v.toFixed(0) : v.toFixed(2)} ${units[i]}`;
}

/** Seconds as "4.2s", "3m12s", "1h23m54s". */
export function fmtDuration(seconds: number): string {
  if (seconds < 10) return `${trim(seconds, 1)}s`;
  const total = Math.round(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h}h${String(m).padStart(2, "0")}m${String(s).padStart(2, "0")}s`;
  if (m > 0) return `${m}m${String(s).padStart(2, "0")}s`;
  return `${s}s`;
}

/** Axis tick label for a duration in seconds: "0", "30s", "2m", "1h30m". */
export function fmtDurationTick(seconds: number): string {
  if (seconds === 0) return "0";
  if (seconds < 60) return `${trim(seconds, 1)}s`;
  if (seconds < 3600) {
    const m = Math.floor(seconds / 60);
    const s = Math.round(seconds - m * 60);
    return s === 0 ? `${m}m` : `${m}m${s}s`;
  }
  const h = Math.floor(seconds / 3600);
  const m = Math.round((seconds - h * 3600) / 60);
  return m === 0 ? `${h}h` : `${h}h${m}m`;
}

function trim(n: number, digits: number): string {
  return String(Number(n.toFixed(digits)));
}

/** Formats a value or says it is missing. */
export function orMissing<T>(v: T | null | undefined, f: (x: T) => string): string {
  return v === null || v === undefined ? NOT_RECORDED : f(v);
}

/** Joins names as "a", "a and b", "a, b and c". */
export function joinNames(names: readonly string[]): string {
  if (names.length <= 1) return names[0] ?? "";
  return `${names.slice(0, -1).join(", ")} and ${names[names.length - 1] ?? ""}`;
}
