// Writes pairs.parquet: TRL's four columns as list<int32> (+ "margin" as double), one row group per 10,000 pairs.
import path from "node:path";
import { fileWriter, ParquetWriter, type ColumnSource, type SchemaElement, type Writer } from "hyparquet-writer";
import type { PairWriter, PreparedMeta } from "./format.js";

const ROW_GROUP = 10_000;
const LIST_COLUMNS = ["input_ids_chosen", "attention_mask_chosen", "input_ids_rejected", "attention_mask_rejected"] as const;

/** A list<int32> column as pyarrow writes it (datasets reads it as a sequence of int32). */
export function listOfInt32(name: string): SchemaElement[] {
  return [
    { name, repetition_type: "OPTIONAL", converted_type: "LIST", num_children: 1 },
    { name: "list", repetition_type: "REPEATED", num_children: 1 },
    { name: "element", type: "INT32", repetition_type: "OPTIONAL" },
  ];
}

export class ParquetPairWriter implements PairWriter {
  private readonly out: Writer;
  private writer: ParquetWriter | undefined;
  private rows: number[][][] = LIST_COLUMNS.map(() => []);
  private margins: (number | null)[] = [];
  private hasMargin: boolean | undefined;

  constructor(dir: string) {
    this.out = fileWriter(path.join(dir, "pairs.parquet"));
  }

  async write(chosen: Int32Array, rejected: Int32Array, _sharedPrefix: number, margin: number | undefined): Promise<void> {
    // The schema is fixed by the first pair: the margin column exists when it has a margin (prepare checks the rest agree).
    this.hasMargin ??= margin !== undefined;
    const [ic, mc, ir, mr] = this.rows as [number[][], number[][], number[][], number[][]];
    ic.push(Array.from(chosen));
    mc.push(new Array<number>(chosen.length).fill(1));
    ir.push(Array.from(rejected));
    mr.push(new Array<number>(rejected.length).fill(1));
    this.margins.push(margin ?? null);
    if (ic.length >= ROW_GROUP) await this.flush();
  }

  private async flush(): Promise<void> {
    const n = this.margins.length;
    if (n === 0 && this.writer !== undefined) return;
    const withMargin = this.hasMargin === true;
    this.writer ??= new ParquetWriter({
      writer: this.out,
      schema: [
        { name: "root", num_children: LIST_COLUMNS.length + (withMargin ? 1 : 0) },
        ...LIST_COLUMNS.flatMap(listOfInt32),
        ...(withMargin ? [{ name: "margin", type: "DOUBLE", repetition_type: "OPTIONAL" } satisfies SchemaElement] : []),
      ],
    });
    if (n === 0) return;
    const columnData: ColumnSource[] = LIST_COLUMNS.map((name, k) => ({ name, data: this.rows[k] as number[][] }));
    if (withMargin) columnData.push({ name: "margin", data: this.margins });
    await this.writer.write({ columnData, rowGroupSize: n });
    this.rows = LIST_COLUMNS.map(() => []);
    this.margins = [];
  }

  async finish(): Promise<PreparedMeta["files"]> {
    await this.flush();
    await this.writer?.finish();
    return { pairs: "pairs.parquet" };
  }

  abort(): void {
    // fileWriter buffers in memory until finish(); nothing to close.
  }
}
