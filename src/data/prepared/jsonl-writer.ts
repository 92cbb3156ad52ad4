// Writes pairs.jsonl: one pair per line with exactly TRL's four columns (+ "margin"), readable by
// datasets.load_dataset("json", data_files=...).
import { closeSync, openSync, writeSync } from "node:fs";
import path from "node:path";
import type { PairWriter, PreparedMeta } from "./format.js";

const FLUSH_CHARS = 1 << 22;

export class JsonlPairWriter implements PairWriter {
  private readonly fd: number;
  private parts: string[] = [];
  private chars = 0;
  private ones = "1";

  constructor(dir: string) {
    this.fd = openSync(path.join(dir, "pairs.jsonl"), "w");
  }

  // "1,1,...,1" with n ones, cut from one cached string.
  private mask(n: number): string {
    if (n === 0) return "";
    while (this.ones.length < 2 * n - 1) this.ones = `${this.ones},${this.ones}`;
    return this.ones.slice(0, 2 * n - 1);
  }

  write(chosen: Int32Array, rejected: Int32Array, _sharedPrefix: number, margin: number | undefined): void {
    const line = `{"input_ids_chosen":[${chosen.join(",")}],"attention_mask_chosen":[${this.mask(chosen.length)}],` +
      `"input_ids_rejected":[${rejected.join(",")}],"attention_mask_rejected":[${this.mask(rejected.length)}]` +
      `${margin === undefined ? "" : `,"margin":${JSON.stringify(margin)}`}}\n`;
    this.parts.push(line);
    this.chars += line.length;
    if (this.chars >= FLUSH_CHARS) this.flush();
  }

  private flush(): void {
    if (this.parts.length === 0) return;
    const buf = Buffer.from(this.parts.join(""), "utf8");
    let off = 0;
    while (off < buf.length) off += writeSync(this.fd, buf, off);
    this.parts = [];
    this.chars = 0;
  }

  async finish(): Promise<PreparedMeta["files"]> {
    this.flush();
    closeSync(this.fd);
    return { pairs: "pairs.jsonl" };
  }

  abort(): void {
    closeSync(this.fd);
  }
}
