// TensorBoard event files, written by hand: a TFRecord stream of tensorflow.Event protobufs that
// `tensorboard --logdir <out>` reads. Record = u64 length | masked crc32c(length) | data | masked crc32c(data).
// The first event carries file_version "brain.Event:2"; each later one a Summary of scalar values, tagged the way
// HF's TensorBoardCallback rewrites log keys ("loss" → "train/loss", "eval_accuracy" → "eval/accuracy").
//   Event   { double wall_time = 1; int64 step = 2; string file_version = 3; Summary summary = 5; }
//   Summary { repeated Value value = 1; }   Value { string tag = 1; float simple_value = 2; }
import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import path from "node:path";
import { maskedCrc32c } from "./crc32c.js";
import type { MetricsSink } from "./sink.js";
import type { MetricsMode } from "../metrics.js";

/** HF TensorBoardCallback's tag for a log key. */
export function tensorboardTag(key: string): string {
  if (key.startsWith("eval_")) return `eval/${key.slice(5)}`;
  if (key.startsWith("test_")) return `test/${key.slice(5)}`;
  return `train/${key}`;
}

export class TensorboardSink implements MetricsSink {
  readonly file: string;
  private fd: number | null;

  /** Creates `<logDir>/events.out.tfevents.<unix seconds>.<host>` and writes the file_version event. */
  constructor(logDir: string, private readonly now: () => number = () => Date.now() / 1000) {
    mkdirSync(logDir, { recursive: true });
    const t = this.now();
    this.file = path.join(logDir, `events.out.tfevents.${Math.floor(t)}.${hostname()}`);
    this.fd = openSync(this.file, "a");
    this.append(encodeEvent({ wallTime: t, step: 0, fileVersion: "brain.Event:2" }));
  }

  write(step: number, record: Readonly<Record<string, number>>, _mode: MetricsMode): void {
    const values = Object.entries(record).map(([k, v]) => ({ tag: tensorboardTag(k), simpleValue: v }));
    if (values.length > 0) this.append(encodeEvent({ wallTime: this.now(), step, values }));
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  private append(data: Uint8Array): void {
    if (this.fd === null) throw new Error(`TensorboardSink: ${this.file} is closed`);
    writeSync(this.fd, tfRecord(data));
  }
}

export interface TfEvent {
  wallTime: number;
  step: number;
  fileVersion?: string;
  values?: { tag: string; simpleValue: number }[];
}

/** Frame one record: u64 LE length, masked CRC of those 8 bytes, the data, masked CRC of the data. */
export function tfRecord(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + 4 + data.length + 4);
  const dv = new DataView(out.buffer);
  dv.setBigUint64(0, BigInt(data.length), true);
  dv.setUint32(8, maskedCrc32c(out.subarray(0, 8)), true);
  out.set(data, 12);
  dv.setUint32(12 + data.length, maskedCrc32c(data), true);
  return out;
}

export function encodeEvent(e: TfEvent): Uint8Array {
  const w = new ProtoWriter();
  w.fixed64Double(1, e.wallTime);
  w.varintField(2, e.step);
  if (e.fileVersion !== undefined) w.bytesField(3, utf8(e.fileVersion));
  if (e.values !== undefined) {
    const summary = new ProtoWriter();
    for (const v of e.values) {
      const value = new ProtoWriter();
      value.bytesField(1, utf8(v.tag));
      value.fixed32Float(2, v.simpleValue);
      summary.bytesField(1, value.finish());
    }
    w.bytesField(5, summary.finish());
  }
  return w.finish();
}

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

class ProtoWriter {
  private readonly bytes: number[] = [];

  varint(v: number): void {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`protobuf varint: expected a non-negative safe integer, got ${v}`);
    let x = BigInt(v);
    while (x >= 0x80n) {
      this.bytes.push(Number(x & 0x7fn) | 0x80);
      x >>= 7n;
    }
    this.bytes.push(Number(x));
  }
  varintField(field: number, v: number): void {
    this.varint(field << 3); // wire type 0
    this.varint(v);
  }
  fixed64Double(field: number, v: number): void {
    this.varint((field << 3) | 1);
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, v, true);
    this.bytes.push(...b);
  }
  fixed32Float(field: number, v: number): void {
    this.varint((field << 3) | 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.bytes.push(...b);
  }
  bytesField(field: number, data: Uint8Array): void {
    this.varint((field << 3) | 2);
    this.varint(data.length);
    for (const x of data) this.bytes.push(x);
  }
  finish(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}
