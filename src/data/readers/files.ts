// Data files inside folders and hub repos: which ones a split takes, and opening each with its format's reader.
import type { PairStream, ReadOptions, RawPair } from "../types.js";
import { isJsonlFile, openJsonlFile } from "./jsonl.js";
import { isParquetFile, openParquetFile } from "./parquet.js";

/** Formats a folder or hub repo may hold, by file name. */
const FILE_FORMATS = [
  { test: isJsonlFile, open: openJsonlFile },
  { test: isParquetFile, open: openParquetFile },
] as const;

export function isDataFile(p: string): boolean {
  return FILE_FORMATS.some((f) => f.test(p));
}

export function openDataFile(file: string, opts: ReadOptions): PairStream {
  const fmt = FILE_FORMATS.find((f) => f.test(file));
  if (!fmt) throw new RangeError(`no reader for ${file}`);
  return fmt.open(file, opts);
}

// The split keywords of the HF datasets loader (datasets/data_files.py): a split's files have the keyword as a
// file-name word ("train.jsonl.gz", "train-00000-of-00002.parquet") or as a folder name ("train/0000.parquet").
const SPLIT_KEYWORDS: Record<string, readonly string[]> = {
  train: ["train", "training"],
  validation: ["validation", "valid", "dev", "val"],
  test: ["test", "testing", "eval", "evaluation"],
};

function matchesKeyword(relPath: string, keyword: string): boolean {
  const kw = keyword.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`(^|[-._ 0-9/])${kw}([-._ 0-9]|/)`, "i").test(relPath);
}

function keywordsOf(split: string): readonly string[] {
  return SPLIT_KEYWORDS[split] ?? [split];
}

/**
 * The files of `split` among `relPaths` (sorted), as the HF loader picks them. When no file names any known split,
 * every file belongs to "train" (the loader's rule too).
 */
export function filesOfSplit(relPaths: readonly string[], split: string): string[] {
  const sorted = [...relPaths].sort();
  const named = sorted.filter((p) => Object.values(SPLIT_KEYWORDS).flat().some((k) => matchesKeyword(p, k)));
  if (named.length === 0) return split === "train" ? sorted : [];
  return sorted.filter((p) => keywordsOf(split).some((k) => matchesKeyword(p, k)));
}

/** Concatenates the files' streams in order; progress counts whole files plus the current one's fraction. */
export function concatFiles(files: readonly string[], opts: ReadOptions): PairStream {
  let current: PairStream | undefined;
  let index = 0;
  async function* all(): AsyncGenerator<RawPair> {
    for (const [i, f] of files.entries()) {
      index = i;
      current = openDataFile(f, opts);
      yield* current.pairs();
    }
  }
  return {
    files,
    pairs: all,
    progress: () => (files.length === 0 ? 1 : (index + (current?.progress?.() ?? 0)) / files.length),
  };
}
