// Reads TensorBoard event files back (the format tensorboard.ts writes): checks both CRCs of every record and decodes
// the Event / Summary / Value fields we use, skipping any other field by wire type. Used by tests and by report.
import { readFileSync } from "node:fs";
import { InputError } from "../../errors.js";
import { maskedCrc32c } from "./crc32c.js";
import type { TfEvent } from "./tensorboard.js";

export function readTensorboardEvents(file: string): TfEvent[] {
  const buf = readFileSync(file);
  const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const events: TfEvent[] = [];
  let pos = 0;
  for (let row = 0; pos < bytes.length; row++) {
    const bad = (msg: string): InputError => new InputError(`TensorBoard record ${row} at byte ${pos}: ${msg}`, { file, row });
    if (pos + 12 > bytes.length) throw bad(`truncated header (${bytes.length - pos} bytes left)`);
    const len = Number(dv.getBigUint64(pos, true));
    const lenCrc = dv.getUint32(pos + 8, true);
    if (maskedCrc32c(bytes.subarray(pos, pos + 8)) !== lenCrc) throw bad("length CRC mismatch");
    if (pos + 12 + len + 4 > bytes.length) throw bad(`truncated data (length ${len})`);
    const data = bytes.subarray(pos + 12, pos + 12 + len);
    if (maskedCrc32c(data) !== dv.getUint32(pos + 12 + len, true)) throw bad("data CRC mismatch");
    try {
      events.push(decodeEvent(data));
    } catch (e) {
      throw bad(`bad Event protobuf: ${(e as Error).message}`);
    }
    pos += 12 + len + 4;
  }
  return events;
}

export function decodeEvent(data: Uint8Array): TfEvent {
  const e: TfEvent = { wallTime: 0, step: 0 };
  for (const f of fields(data)) {
    if (f.no === 1 && f.fixed64) e.wallTime = f.fixed64.getFloat64(0, true);
    else if (f.no === 2 && f.varint !== undefined) e.step = Number(BigInt.asIntN(64, f.varint));
    else if (f.no === 3 && f.bytes) e.fileVersion = new TextDecoder().decode(f.bytes);
    else if (f.no === 5 && f.bytes) e.values = decodeSummary(f.bytes);
  }
  return e;
}

function decodeSummary(data: Uint8Array): { tag: string; simpleValue: number }[] {
  const out: { tag: string; simpleValue: number }[] = [];
  for (const f of fields(data)) {
    if (f.no !== 1 || !f.bytes) continue;
    let tag = "";
    let simpleValue = NaN;
    for (const g of fields(f.bytes)) {
      if (g.no === 1 && g.bytes) tag = new TextDecoder().decode(g.bytes);
      else if (g.no === 2 && g.fixed32) simpleValue = g.fixed32.getFloat32(0, true);
    }
    out.push({ tag, simpleValue });
  }
  return out;
}

interface Field {
  no: number;
  varint?: bigint;
  fixed64?: DataView;
  fixed32?: DataView;
  bytes?: Uint8Array;
}

function* fields(data: Uint8Array): Generator<Field> {
  let pos = 0;
  const varint = (): bigint => {
    let x = 0n;
    for (let shift = 0n; ; shift += 7n) {
      if (pos >= data.length) throw new RangeError("protobuf: truncated varint");
      const b = data[pos++] as number;
      x |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return x;
    }
  };
  const take = (n: number): Uint8Array => {
    if (pos + n > data.length) throw new RangeError("protobuf: truncated field");
    const s = data.subarray(pos, pos + n);
    pos += n;
    return s;
  };
  const view = (s: Uint8Array): DataView => new DataView(s.buffer, s.byteOffset, s.byteLength);
  while (pos < data.length) {
    const key = Number(varint());
    const no = key >>> 3;
    switch (key & 7) {
      case 0: yield { no, varint: varint() }; break;
      case 1: yield { no, fixed64: view(take(8)) }; break;
      case 2: yield { no, bytes: take(Number(varint())) }; break;
      case 5: yield { no, fixed32: view(take(4)) }; break;
      default: throw new RangeError(`protobuf: unsupported wire type ${key & 7} for field ${no}`);
    }
  }
}
