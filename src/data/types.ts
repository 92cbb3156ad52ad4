// The records every reader yields and the options every reader takes.
import type { ChatMessage } from "../tokenizer/index.js";

/** Where a record came from: a line of a JSON-lines file or a row of a Parquet file (0-based). */
export type PairSource = { readonly file: string; readonly line: number } | { readonly file: string; readonly row: number };

/**
 * The sides of a pair in one of TRL's data formats, with any "prompt" already put in front of both sides:
 * "text" (standard: strings), "chat" (conversational: message lists, rendered through the chat template) or "ids"
 * (pre-tokenized: TRL's chosen_ids / rejected_ids, or the study's input_ids_chosen / input_ids_rejected).
 */
export type PairSides =
  | { readonly format: "text"; readonly chosen: string; readonly rejected: string }
  | { readonly format: "chat"; readonly chosen: readonly ChatMessage[]; readonly rejected: readonly ChatMessage[] }
  | { readonly format: "ids"; readonly chosen: readonly number[]; readonly rejected: readonly number[] };

export type PairFormat = PairSides["format"];

/** What each format is called in messages and in a prepared directory's meta.json. */
export const FORMAT_NAMES: Readonly<Record<PairFormat, string>> = {
  text: "standard (text)",
  chat: "conversational (message lists)",
  ids: "pre-tokenized (token ids)",
};

/** One preference pair as read, before tokenization. */
export type RawPair = PairSides & {
  readonly margin?: number;
  readonly source: PairSource;
};

/** Counts by reason for everything that did not make it into the output. Nothing is dropped without a count. */
export class SkipCounts {
  private readonly byReason = new Map<string, number>();

  /** `reason` reads after a number: "longer than 512 tokens", `with empty "rejected"`, `missing "chosen"`. */
  add(reason: string, n = 1): void {
    this.byReason.set(reason, (this.byReason.get(reason) ?? 0) + n);
  }
  get total(): number {
    let t = 0;
    for (const n of this.byReason.values()) t += n;
    return t;
  }
  entries(): [string, number][] {
    return [...this.byReason.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  }
  toJSON(): Record<string, number> {
    return Object.fromEntries(this.entries());
  }
  /** `skipped 41 of 1200 pairs: 39 longer than 512 tokens, 2 with empty "rejected"` (or "skipped 0 of 1200 pairs"). */
  summary(read: number): string {
    const head = `skipped ${this.total} of ${read} pairs`;
    const parts = this.entries().map(([reason, n]) => `${n} ${reason}`);
    return parts.length > 0 ? `${head}: ${parts.join(", ")}` : head;
  }
}

export interface ReadOptions {
  /** Which split of a folder or hub dataset to read ("train", "test", ...). Ignored for single files. */
  readonly split?: string;
  /** Skip (and count in `skipped`) records that fail validation, instead of stopping at the first one. */
  readonly skipInvalid?: boolean;
  /** Receives the count of every skipped record, by reason. */
  readonly skipped: SkipCounts;
}

/** An opened data source: the files it will read and the pairs, in file order. */
export interface PairStream {
  readonly files: readonly string[];
  pairs(): AsyncIterable<RawPair>;
  /** Fraction of the input consumed so far, 0..1, when the reader can tell. */
  progress?(): number;
}

/** One data format or source kind. Adding a format = one file implementing this + one row in readers/index.ts. */
export interface PairReader {
  readonly name: string;
  /** Whether this reader handles `spec` (a local path, a hub id or "builtin"). Checked in registry order. */
  accepts(spec: string): boolean;
  open(spec: string, opts: ReadOptions): Promise<PairStream>;
}
