// Tokenized pairs as the Parquet TRL's RewardTrainer takes pre-tokenized: chosen_ids, rejected_ids (list<int32>),
// plus margin (double) when the data has margins, and length (int32, the longer side: what HF's
// LengthGroupedSampler groups by for train_sampling_strategy: group_by_length). One row group per 10,000 pairs.
import { fileWriter, ParquetWriter, type ColumnSource, type SchemaElement } from "hyparquet-writer";
import { listOfInt32 } from "../../data/index.js";
import { hasMargins, type PairSet } from "../batches.js";

const ROW_GROUP = 10_000;

/** Writes `pairs` to `file`; returns the number of rows written. */
export async function writeTrlParquet(file: string, pairs: PairSet): Promise<number> {
  const withMargin = hasMargins(pairs);
  const writer = new ParquetWriter({
    writer: fileWriter(file),
    schema: [
      { name: "root", num_children: withMargin ? 4 : 3 },
      ...listOfInt32("chosen_ids"),
      ...listOfInt32("rejected_ids"),
      { name: "length", type: "INT32", repetition_type: "OPTIONAL" },
      ...(withMargin ? [{ name: "margin", type: "DOUBLE", repetition_type: "OPTIONAL" } satisfies SchemaElement] : []),
    ],
  });
  for (let lo = 0; lo < pairs.length; lo += ROW_GROUP) {
    const chosen: number[][] = [], rejected: number[][] = [], length: number[] = [], margin: number[] = [];
    for (let i = lo; i < Math.min(pairs.length, lo + ROW_GROUP); i++) {
      const p = pairs.pair(i);
      chosen.push(Array.from(p.input_ids_chosen));
      rejected.push(Array.from(p.input_ids_rejected));
      length.push(Math.max(p.input_ids_chosen.length, p.input_ids_rejected.length));
      margin.push(p.margin ?? 0);
    }
    const columnData: ColumnSource[] = [{ name: "chosen_ids", data: chosen }, { name: "rejected_ids", data: rejected },
      { name: "length", data: length }];
    if (withMargin) columnData.push({ name: "margin", data: margin });
    await writer.write({ columnData, rowGroupSize: chosen.length });
  }
  await writer.finish();
  return pairs.length;
}
