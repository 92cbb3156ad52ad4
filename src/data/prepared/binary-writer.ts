// Writes the binary layout (format.ts) with fixed buffers flushed as they fill: no per-pair allocation.
import { closeSync, openSync, writeSync } from "node:fs";
import path from "node:path";
import type { PairWriter, PreparedMeta } from "./format.js";

class Sink<T extends Uint16Array | Uint32Array | Float64Array> {
  private readonly fd: number;
  private n = 0;
  constructor(file: string, private readonly buf: T) {
    this.fd = openSync(file, "w");
  }
  push(v: number): void {
    if (this.n === this.buf.length) this.flush();
    this.buf[this.n++] = v;
  }
  pushAll(src: Int32Array): void {
    let i = 0;
    while (i < src.length) {
      if (this.n === this.buf.length) this.flush();
      const k = Math.min(src.length - i, this.buf.length - this.n);
      this.buf.set(src.subarray(i, i + k), this.n);
      this.n += k;
      i += k;
    }
  }
  flush(): void {
    const bytes = new Uint8Array(this.buf.buffer, this.buf.byteOffset, this.n * this.buf.BYTES_PER_ELEMENT);
    let off = 0;
    while (off < bytes.length) off += writeSync(this.fd, bytes, off);
    this.n = 0;
  }
  close(): void {
    this.flush();
    closeSync(this.fd);
  }
  abort(): void {
    closeSync(this.fd);
  }
}

// Typed arrays use the platform's byte order; the format is little-endian.
if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new Error("the binary layout needs a little-endian machine");

export class BinaryPairWriter implements PairWriter {
  private readonly ids: Sink<Uint16Array | Uint32Array>;
  private readonly index: Sink<Uint32Array>;
  private readonly margin: Sink<Float64Array>;
  private offset = 0;
  private readonly idsFile: string;

  constructor(dir: string, vocabSize: number) {
    const u16 = vocabSize <= 0x10000;
    this.idsFile = u16 ? "ids.u16" : "ids.u32";
    this.ids = new Sink(path.join(dir, this.idsFile), u16 ? new Uint16Array(1 << 20) : new Uint32Array(1 << 20));
    this.index = new Sink(path.join(dir, "index.u32"), new Uint32Array(5 << 13));
    this.margin = new Sink(path.join(dir, "margin.f64"), new Float64Array(1 << 13));
  }

  write(chosen: Int32Array, rejected: Int32Array, sharedPrefix: number, margin: number | undefined): void {
    if (this.offset + chosen.length + rejected.length > 0xffffffff) {
      throw new RangeError("prepared binary layout v1 holds at most 2^32 - 1 tokens; split the data");
    }
    this.ids.pushAll(chosen);
    this.ids.pushAll(rejected);
    this.index.push(this.offset);
    this.index.push(chosen.length);
    this.index.push(this.offset + chosen.length);
    this.index.push(rejected.length);
    this.index.push(sharedPrefix);
    this.margin.push(margin ?? NaN);
    this.offset += chosen.length + rejected.length;
  }

  async finish(): Promise<PreparedMeta["files"]> {
    this.ids.close();
    this.index.close();
    this.margin.close();
    return { ids: this.idsFile, index: "index.u32", margin: "margin.f64" };
  }

  abort(): void {
    this.ids.abort();
    this.index.abort();
    this.margin.abort();
  }
}
