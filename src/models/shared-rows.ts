// Shared rows: one batch row holds a prefix and k continuations that do not see each other, so texts that start
// with the same tokens (the answers of one prompt) compute the prefix once. With causal attention a prefix token's
// activations do not depend on what follows it, so each text's reward is the one it gets in a row of its own (up to
// float32 rounding). An ordinary text is a shared row with one empty continuation.
//   attention: prefix tokens are causal; a continuation token sees the prefix and its own continuation, causally;
//              padding queries see only themselves (their outputs are never pooled).
//   positions: every continuation restarts at the prefix end, as in its own row (the model's position-table rule,
//              so OPT's +2 offset comes from the model definition, not from here).
//   rewards:   each text is pooled where its own right-padded row pools it (the rightmost token that is not the
//              pad id, as transformers does), mapped into the packed row.
// Legend: B rows, T tokens (longest row of the batch), K texts per row (most of any row; shorter rows repeat a pool).
import { int64, tensor, type Tensor } from "../engine/index.js";
import { INPUT_NAMES, MASKED } from "./layers.js";
import type { ModelConfig, ModelDef } from "./registry.js";

/** A prefix and the continuations of the texts that start with it (a text equal to the prefix has an empty one). */
export interface SharedRow {
  readonly prefix: readonly number[];
  readonly continuations: readonly (readonly number[])[];
}

/** Tokens a shared row takes: the prefix once, plus every continuation. */
export function sharedRowLength(r: SharedRow): number {
  return r.continuations.reduce((n, c) => n + c.length, r.prefix.length);
}

/** The four reward-graph feeds of shared rows; rewards [B, K] hold text k of row b at b·K + k. */
export function sharedRowFeeds(def: ModelDef, config: ModelConfig, rows: readonly SharedRow[], padId: number):
  { feeds: Record<string, Tensor>; B: number; T: number; K: number } {
  const B = rows.length;
  const T = Math.max(1, ...rows.map(sharedRowLength)), K = Math.max(1, ...rows.map((r) => r.continuations.length));
  const ids = new BigInt64Array(B * T).fill(BigInt(padId)), bias = new Float32Array(B * T * T).fill(MASKED);
  const pool = new BigInt64Array(B * K);
  const positionRow = def.positionIds(config, new Uint8Array(T).fill(1), 1, T);
  const positions = new Int32Array(B * T).fill(positionRow[0] as number);
  for (let b = 0; b < B; b++) {
    const { prefix, continuations } = rows[b] as SharedRow;
    const P = prefix.length, o = b * T, rb = bias.subarray(o * T, (o + T) * T);
    for (let t = 0; t < P; t++) {
      ids[o + t] = BigInt(prefix[t] as number);
      positions[o + t] = positionRow[t] as number;
      rb.fill(0, t * T, t * T + t + 1);                                            // prefix: causal
    }
    let start = P;
    continuations.forEach((c, k) => {
      for (let u = 0; u < c.length; u++) {
        const i = start + u;
        ids[o + i] = BigInt(c[u] as number);
        positions[o + i] = positionRow[P + u] as number;
        rb.fill(0, i * T, i * T + P);                                              // the prefix …
        rb.fill(0, i * T + start, i * T + i + 1);                                  // … and its own tokens, causally
      }
      const last = lastNonPad(prefix, c, padId);
      pool[b * K + k] = BigInt(last < P ? last : start + last - P);
      start += c.length;
    });
    for (let i = start; i < T; i++) rb[i * T + i] = 0;                             // padding: itself
    for (let k = continuations.length; k < K; k++) pool[b * K + k] = pool[b * K] as bigint;
  }
  const feeds: Record<string, Tensor> = {
    [INPUT_NAMES.inputIds]: tensor("int64", [B, T], ids),
    [INPUT_NAMES.positionRows]: int64([B, T], positions),
    [INPUT_NAMES.attentionBias]: tensor("float32", [B, 1, T, T], bias),
    [INPUT_NAMES.poolIndex]: tensor("int64", [B, K], pool),
  };
  return { feeds, B, T, K };
}

/** Index in prefix + continuation of its rightmost token that is not padId (0 when every token is). */
function lastNonPad(prefix: readonly number[], continuation: readonly number[], padId: number): number {
  for (let u = continuation.length - 1; u >= 0; u--) if (continuation[u] !== padId) return prefix.length + u;
  for (let t = prefix.length - 1; t > 0; t--) if (prefix[t] !== padId) return t;
  return 0;
}
