// Tokenized pairs as the Parquet TRL's RewardTrainer takes pre-tokenized: chosen_ids, rejected_ids (list<int32>),
// plus margin (double) when the data has margins. One row group per 10,000 pairs keeps memory flat.
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
      { name: "root", num_children: withMargin ? 3 : 2 },
      ...listOfInt32("chosen_ids"),
      ...listOfInt32("rejected_ids"),
      ...(withMargin ? [{ name: "margin", type: "DOUBLE", repetition_type: "OPTIONAL" } satisfies SchemaElement] : []),
    ],
  });
  for (let lo = 0; lo < pairs.length; lo += ROW_GROUP) {
    const chosen: number[][] = [], rejected: number[][] = [], margin: number[] = [];
    for (let i = lo; i < Math.min(pairs.length, lo + ROW_GROUP); i++) {
      const p = pairs.pair(i);
      chosen.push(Array.from(p.input_ids_chosen));
      rejected.push(Array.from(p.input_ids_rejected));
      margin.push(p.margin ?? 0);
    }
    const columnData: ColumnSource[] = [{ name: "chosen_ids", data: chosen }, { name: "rejected_ids", data: rejected }];
    if (withMargin) columnData.push({ name: "margin", data: margin });
    await writer.write({ columnData, rowGroupSize: chosen.length });
  }
  await writer.finish();
  return pairs.length;
}
