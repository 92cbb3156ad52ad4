// The reader registry: one row per data format or source kind, checked in order. To add a format, write
// readers/<format>.ts implementing PairReader and add its row here.
import { InputError } from "../../errors.js";
import { FORMAT_NAMES, type PairReader, type PairStream, type RawPair, type ReadOptions } from "../types.js";
import { invalid, reject, where } from "./record.js";
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
  return oneFormat(await reader.open(spec, opts), opts);
}

/**
 * Refuses a second format in one data source: TRL decides from the first record whether EOS tokens are added and
 * whether the chat template renders the rows, so a later record of another format would be read wrongly.
 */
function oneFormat(stream: PairStream, opts: ReadOptions): PairStream {
  async function* checked(): AsyncGenerator<RawPair> {
    let first: RawPair | undefined;
    for await (const p of stream.pairs()) {
      first ??= p;
      if (p.format === first.format) {
        yield p;
        continue;
      }
      const at = where(first.source);
      const firstAt = `${at.file}${at.line !== undefined ? `:${at.line}` : ` row ${at.row}`}`;
      reject(invalid(p.source, "chosen", `${FORMAT_NAMES[p.format]} record in ${FORMAT_NAMES[first.format]} data (first record at ${firstAt})`,
        `in a second format (${p.format})`), opts);
    }
  }
  return { ...stream, pairs: checked };
}

export { filesOfSplit } from "./files.js";
