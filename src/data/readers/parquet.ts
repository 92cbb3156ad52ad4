// Parquet files (the layout HF datasets converts to): read one row group at a time through hyparquet.
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, type AsyncBuffer, type FileMetaData } from "hyparquet";
import { InputError } from "../../errors.js";
import type { PairReader, PairStream, RawPair, ReadOptions } from "../types.js";
import { isFile } from "./jsonl.js";
import { isInvalid, pairFromRecord, reject } from "./record.js";

export function isParquetFile(file: string): boolean {
  return /\.parquet$/i.test(file);
}

const WANTED = ["prompt", "chosen", "rejected", "margin", "chosen_ids", "rejected_ids",
  "input_ids_chosen", "input_ids_rejected", "attention_mask_chosen", "attention_mask_rejected"];
/** The column pairs of TRL's formats: text or messages, TRL's token ids, the study's token ids. */
const PAIR_COLUMNS = [["chosen", "rejected"], ["chosen_ids", "rejected_ids"], ["input_ids_chosen", "input_ids_rejected"]] as const;

async function openMetadata(file: string): Promise<{ buf: AsyncBuffer; meta: FileMetaData; columns: string[] }> {
  let buf: AsyncBuffer;
  let meta: FileMetaData;
  try {
    buf = await asyncBufferFromFile(file);
    meta = await parquetMetadataAsync(buf);
  } catch (e) {
    throw new InputError(`not a readable Parquet file: ${(e as Error).message}`, { file },
      "check that the file is complete (a truncated download loses the footer)");
  }
  // Top-level column names: schema[0] is the root; its children follow, each with its own subtree.
  const names: string[] = [];
  const root = meta.schema[0];
  let i = 1;
  for (let c = 0; c < (root?.num_children ?? 0); c++) {
    const el = meta.schema[i];
    if (el === undefined) break;
    names.push(el.name);
    i = skipSubtree(meta, i);
  }
  const pair = PAIR_COLUMNS.find((p) => p.some((c) => names.includes(c))) ?? PAIR_COLUMNS[0];
  for (const need of pair) {
    if (!names.includes(need)) {
      throw new InputError(`expected a column "${need}", found columns [${names.join(", ")}]`, { file, field: need },
        'preference data has "chosen" and "rejected" (text or messages), or "chosen_ids" and "rejected_ids"');
    }
  }
  return { buf, meta, columns: WANTED.filter((n) => names.includes(n)) };
}

function skipSubtree(meta: FileMetaData, i: number): number {
  const n = meta.schema[i]?.num_children ?? 0;
  let j = i + 1;
  for (let c = 0; c < n; c++) j = skipSubtree(meta, j);
  return j;
}

async function* readParquet(file: string, opts: ReadOptions, onRows: (done: number, total: number) => void): AsyncGenerator<RawPair> {
  const { buf, meta, columns } = await openMetadata(file);
  const total = Number(meta.num_rows);
  let rowStart = 0;
  for (const [g, group] of meta.row_groups.entries()) {
    const rowEnd = rowStart + Number(group.num_rows);
    let rows: Record<string, unknown>[];
    try {
      rows = await parquetReadObjects({ file: buf, metadata: meta, columns, rowStart, rowEnd });
    } catch (e) {
      throw new InputError(`cannot decode row group ${g} (rows ${rowStart}..${rowEnd - 1}): ${(e as Error).message}`,
        { file, row: rowStart }, "the file is corrupt; re-download or re-export it");
    }
    for (const [k, rec] of rows.entries()) {
      const p = pairFromRecord(withoutNulls(rec), { file, row: rowStart + k });
      if (isInvalid(p)) reject(p, opts);
      else yield p;
    }
    rowStart = rowEnd;
    onRows(rowStart, total);
  }
}

// A nullable column holds null where a record has none (a file of several formats); null chosen/rejected of the
// record's own format stay errors.
function withoutNulls(rec: Record<string, unknown>): Record<string, unknown> {
  for (const k of Object.keys(rec)) if (rec[k] === null && k !== "chosen" && k !== "rejected") delete rec[k];
  return rec;
}

export function openParquetFile(file: string, opts: ReadOptions): PairStream {
  let fraction = 0;
  return {
    files: [file],
    pairs: () => readParquet(file, opts, (done, total) => { fraction = total > 0 ? done / total : 1; }),
    progress: () => fraction,
  };
}

export const PARQUET_READER: PairReader = {
  name: "parquet",
  accepts: (spec) => isParquetFile(spec) && isFile(spec),
  open: async (spec, opts) => openParquetFile(spec, opts),
};
