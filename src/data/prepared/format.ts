// The prepared-pairs directory. Every layout has meta.json; the binary layout (what training reads) adds
//   ids.u16 | ids.u32   every token id, little-endian: chosen of pair 0, rejected of pair 0, chosen of pair 1, ...
//   index.u32           [N, 5] little-endian: chosen start, chosen length, rejected start, rejected length, shared prefix
//                       (starts count tokens from the beginning of the ids file)
//   margin.f64          [N] little-endian; NaN where a pair has no margin
// The jsonl layout writes pairs.jsonl and the parquet layout pairs.parquet, with TRL's four columns (+ "margin").

import type { PairFormat } from "../types.js";

export const PREPARED_FORMAT = "rewardlab-prepared-pairs";
export const PREPARED_FORMAT_VERSION = 1;
export const INDEX_FIELDS = ["chosen_start", "chosen_length", "rejected_start", "rejected_length", "shared_prefix"] as const;

export type OutputLayout = "binary" | "jsonl" | "parquet";
export const OUTPUT_LAYOUTS: readonly OutputLayout[] = ["binary", "jsonl", "parquet"];

export interface PreparedMeta {
  format: typeof PREPARED_FORMAT;
  formatVersion: number;
  layout: OutputLayout;
  /** Data files of the layout, relative to the directory. */
  files: { ids?: string; index?: string; margin?: string; pairs?: string };
  idsDtype?: "uint16" | "uint32";
  tokenizer: { source: string; vocabSize: number; padTokenId: number | null; eosTokenId: number | null; bosTokenId: number | null; addsBos: boolean };
  maxLength: number;
  lengthPolicy: "filter" | "truncate";
  data: string;
  split: string | null;
  sourceFiles: string[];
  counts: { read: number; written: number; skipped: number; truncated: number; tokensChosen: number; tokensRejected: number };
  skippedByReason: Record<string, number>;
  hasMargin: boolean;
  /** How the texts became ids (absent in folders written before it was recorded: text as given, no template). */
  encoding?: PreparedEncoding;
  createdAt: string;
}

export interface PreparedEncoding {
  /** The data's format: "text" (standard), "chat" (conversational) or "ids" (pre-tokenized); null when empty. */
  dataFormat: PairFormat | null;
  /** Whether the tokenizer's eos token was appended to the texts (TRL's rule; standard data only). */
  appendEosToken: boolean;
  /** The chat template that rendered conversational data (file and field), else null. */
  chatTemplate: string | null;
}

/** Receives the kept pairs in order. The id arrays are views, valid only during the call. */
export interface PairWriter {
  write(chosen: Int32Array, rejected: Int32Array, sharedPrefix: number, margin: number | undefined): void | Promise<void>;
  /** Flushes and closes; returns the `files` entry for meta.json. */
  finish(): Promise<PreparedMeta["files"]>;
  /** Closes without finishing (the caller removes the directory). */
  abort(): void;
}
