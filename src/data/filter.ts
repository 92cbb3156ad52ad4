// What happens to pairs longer than maxLength tokens. The study's filter (the default) drops a pair when either
// side is longer; "truncate" keeps it with both sides cut on the right, as TRL's truncation does.
import type { SkipCounts } from "./types.js";

export type LengthPolicy = "filter" | "truncate";

export interface LengthLimit {
  /** Maximum tokens per side; TRL's max_length. Default 512. */
  readonly maxLength: number;
  readonly policy: LengthPolicy;
}

export const DEFAULT_LENGTH_LIMIT: LengthLimit = { maxLength: 512, policy: "filter" };

/** The skip reason for pairs the filter drops: "longer than 512 tokens". */
export function tooLongReason(maxLength: number): string {
  return `longer than ${maxLength} tokens`;
}

export type LengthDecision =
  | { readonly keep: false }
  | { readonly keep: true; readonly chosenLength: number; readonly rejectedLength: number; readonly sharedPrefix: number; readonly truncated: boolean };

/** Decides one pair; a dropped pair is counted in `skipped`. */
export function applyLengthLimit(chosenLength: number, rejectedLength: number, sharedPrefix: number, limit: LengthLimit,
  skipped: SkipCounts): LengthDecision {
  const max = limit.maxLength;
  if (chosenLength <= max && rejectedLength <= max) return { keep: true, chosenLength, rejectedLength, sharedPrefix, truncated: false };
  if (limit.policy === "filter") {
    skipped.add(tooLongReason(max));
    return { keep: false };
  }
  return {
    keep: true,
    chosenLength: Math.min(chosenLength, max),
    rejectedLength: Math.min(rejectedLength, max),
    sharedPrefix: Math.min(sharedPrefix, max),
    truncated: true,
  };
}

export function checkLengthLimit(limit: LengthLimit): void {
  if (!Number.isInteger(limit.maxLength) || limit.maxLength < 1) {
    throw new RangeError(`maxLength must be a positive integer, got ${limit.maxLength}`);
  }
}
