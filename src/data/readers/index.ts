// The reader registry: one row per data format or source kind, checked in order. To add a format, write
// readers/<format>.ts implementing PairReader and add its row here.
import { InputError } from "../../errors.js";
import type { PairReader, PairStream, ReadOptions } from "../types.js";
import { BUILTIN_READER } from "./builtin.js";
import { FOLDER_READER } from "./folder.js";
import { HUB_READER } from "./hub.js";
import { JSONL_READER } from "./jsonl.js";
import { PARQUET_READER } from "./parquet.js";

export const READERS: readonly PairReader[] = [BUILTIN_READER, FOLDER_READER, JSONL_READER, PARQUET_READER, HUB_READER];

/** Opens a data source: "builtin", a folder, a .jsonl / .jsonl.gz / .parquet file, or a hub dataset id. */
export async function openPairs(spec: string, opts: ReadOptions): Promise<PairStream> {
  const reader = READERS.find((r) => r.accepts(spec));
  if (!reader) {
    throw new InputError(`no such file, folder or hub dataset: ${spec}`, { file: spec },
      'pass a .jsonl, .jsonl.gz or .parquet file, a folder of them, a hub dataset id ("Anthropic/hh-rlhf") or "builtin"');
  }
  return reader.open(spec, opts);
}

export { filesOfSplit } from "./files.js";
