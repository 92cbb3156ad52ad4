// The reference models' weight formula (shared/reference/FORMULA.md): every element is a pure function of the
// parameter's HF name and its flat row-major index, so parity tests rebuild a model from config.json alone.
import { Weights, type ParamSpec } from "./weights.js";

export function fnv1a32(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h;
}

export function fmix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

export type FormulaKind = "matrix" | "embedding" | "bias" | "ln_weight" | "ln_bias";

/** The kind from the name: module = second-to-last dotted component. */
export function formulaKind(name: string): FormulaKind {
  const parts = name.split(".");
  const mod = parts[parts.length - 2] ?? "", leaf = parts[parts.length - 1];
  if (mod.startsWith("ln_") || mod.endsWith("layer_norm")) return leaf === "weight" ? "ln_weight" : "ln_bias";
  if (["wte", "wpe", "embed_tokens", "embed_positions"].includes(mod)) return "embedding";
  return leaf === "weight" ? "matrix" : "bias";
}

const SCALE = { matrix: 0.12, embedding: 0.06, bias: 0.04, ln_bias: 0.05 } as const;

/** The element hash x of (name, i). */
export function formulaHash(nameHash: number, i: number): number {
  return fmix32((nameHash ^ Math.imul(i, 0x9e3779b9)) >>> 0);
}

/** Fills `out` with the formula values of parameter `name` (float64 math, one rounding to float32 on store). */
export function formulaValues(name: string, out: Float32Array): Float32Array {
  const h = fnv1a32(new TextEncoder().encode(name)), kind = formulaKind(name);
  for (let i = 0; i < out.length; i++) {
    const s = formulaHash(h, i) / 2147483648 - 1;
    out[i] = kind === "ln_weight" ? 1 + 0.1 * s : SCALE[kind] * s;
  }
  return out;
}

/** A Weights whose every parameter follows the formula. */
export function formulaWeights(specs: readonly ParamSpec[]): Weights {
  const w = new Weights(specs);
  for (const s of specs) formulaValues(s.name, w.get(s.name));
  return w;
}

/** checksum_fnv1a32 of expected.json: FNV-1a over the little-endian float32 bytes. */
export function checksumF32(values: Float32Array): string {
  const h = fnv1a32(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  return `0x${h.toString(16).padStart(8, "0")}`;
}
