// pytorch_model.bin (torch zip format): a tiny archive built here byte by byte, and the reference gpt2-tiny file.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { crc32 } from "node:zlib";
import { openCheckpointTensors } from "../../src/models/checkpoint.js";
import { checksumF32 } from "../../src/models/formula.js";
import { openTorchBin, readTorchTensorF32 } from "../../src/models/torch-bin.js";
import { readExpected, sharedFile } from "./fixtures.js";

/** A stored-entry zip with torch's layout (data descriptor flag, 64-byte-aligned data via an extra field). */
function zip(entries: [string, Buffer][]): Buffer {
  const parts: Buffer[] = [], central: Buffer[] = [];
  let off = 0;
  for (const [name, data] of entries) {
    const nameBuf = Buffer.from(name);
    const padLen = (64 - ((off + 30 + nameBuf.length + 4) % 64)) % 64;
    const extra = Buffer.alloc(4 + padLen); extra.writeUInt16LE(0x4246, 0); extra.writeUInt16LE(padLen, 2);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(20, 4); local.writeUInt16LE(0x808, 6);
    local.writeUInt32LE(crc32(data), 14); local.writeUInt32LE(data.length, 18); local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBuf.length, 26); local.writeUInt16LE(extra.length, 28);
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0); c.writeUInt16LE(20, 6); c.writeUInt16LE(0x808, 8);
    c.writeUInt32LE(crc32(data), 16); c.writeUInt32LE(data.length, 20); c.writeUInt32LE(data.length, 24);
    c.writeUInt16LE(nameBuf.length, 28); c.writeUInt32LE(off, 42);
    central.push(c, nameBuf);
    parts.push(local, nameBuf, extra, data);
    off += 30 + nameBuf.length + extra.length + data.length;
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(entries.length, 8); end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12); end.writeUInt32LE(off, 16);
  return Buffer.concat([...parts, cd, end]);
}

/** Pickle protocol 2 opcodes, as torch.save emits them. */
class Pickler {
  private bytes: number[] = [0x80, 2];
  op(...b: number[]): this { this.bytes.push(...b); return this; }
  global(mod: string, name: string): this { return this.op(0x63, ...Buffer.from(`${mod}\n${name}\n`, "latin1")); }
  str(s: string): this { const b = Buffer.from(s); const n = Buffer.alloc(4); n.writeUInt32LE(b.length); return this.op(0x58, ...n, ...b); }
  int(v: number): this { const b = Buffer.alloc(4); b.writeInt32LE(v); return this.op(0x4a, ...b); }
  tuple(vals: number[]): this { this.op(0x28); vals.forEach((v) => this.int(v)); return this.op(0x74); }
  tensor(storageType: string, key: string, numel: number, offset: number, shape: number[], stride: number[]): this {
    this.global("torch._utils", "_rebuild_tensor_v2").op(0x28)
      .op(0x28).str("storage").global("torch", storageType).str(key).str("cpu").int(numel).op(0x74, 0x51)
      .int(offset).tuple(shape).tuple(stride).op(0x89).global("collections", "OrderedDict").op(0x29, 0x52).op(0x74, 0x52);
    return this;
  }
  done(): Buffer { return Buffer.from([...this.bytes, 0x2e]); }
}

function f32(values: number[]): Buffer { return Buffer.from(new Float32Array(values).buffer); }

test("a torch zip built here: contiguous, storage offset, transposed strides, half storage", () => {
  const pkl = new Pickler().global("collections", "OrderedDict").op(0x29, 0x52, 0x71, 1).op(0x28)
    .str("a").tensor("FloatStorage", "0", 6, 0, [2, 3], [3, 1])
    .str("b").tensor("FloatStorage", "0", 6, 2, [2], [1])
    .str("t").tensor("FloatStorage", "0", 6, 0, [3, 2], [1, 3])
    .str("h").tensor("HalfStorage", "1", 2, 0, [2], [1])
    .op(0x75).done();
  const half = Buffer.alloc(4); half.writeUInt16LE(0x3c00, 0); half.writeUInt16LE(0xb800, 2);
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), "rewardlab-bin-")), "pytorch_model.bin");
  writeFileSync(file, zip([["archive/data.pkl", pkl], ["archive/data/0", f32([1, 2, 3, 4, 5, 6])], ["archive/data/1", half], ["archive/version", Buffer.from("3\n")]]));
  const ck = openTorchBin(file);
  assert.deepEqual([...ck.tensors.keys()], ["a", "b", "t", "h"]);
  const read = (name: string, n: number) => { const d = new Float32Array(n); readTorchTensorF32(ck, name, d); return [...d]; };
  assert.deepEqual(read("a", 6), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(read("b", 2), [3, 4]);
  assert.deepEqual(read("t", 6), [1, 4, 2, 5, 3, 6]);
  assert.deepEqual(read("h", 2), [1, -0.5]);
  assert.deepEqual(ck.tensors.get("t")?.shape, [3, 2]);
});

test("the pickle VM refuses globals outside its allow-list", () => {
  const pkl = new Pickler().global("os", "system").str("echo hi").op(0x85, 0x52).done();
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), "rewardlab-bin-")), "evil.bin");
  writeFileSync(file, zip([["archive/data.pkl", pkl]]));
  assert.throws(() => openTorchBin(file), (e: Error) => e.name === "CheckpointError" && /refusing global os\.system/.test(e.message));
});

test("a file that is not a zip is a CheckpointError with a hint", () => {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), "rewardlab-bin-")), "legacy.bin");
  writeFileSync(file, Buffer.from([0x80, 0x02, 0x8a, 0x0a]));
  assert.throws(() => openTorchBin(file), /not a zip-format torch checkpoint/);
});

test("sharded pytorch_model-0000N-of-0000M.bin + index: every shard's tensors are found", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "rewardlab-bin-"));
  const shard = (name: string, values: number[]) => {
    const pkl = new Pickler().global("collections", "OrderedDict").op(0x29, 0x52).op(0x28)
      .str(name).tensor("FloatStorage", "0", values.length, 0, [values.length], [1]).op(0x75).done();
    return zip([["pytorch_model/data.pkl", pkl], ["pytorch_model/data/0", f32(values)]]);
  };
  writeFileSync(path.join(dir, "pytorch_model-00001-of-00002.bin"), shard("x", [1, 2]));
  writeFileSync(path.join(dir, "pytorch_model-00002-of-00002.bin"), shard("y", [3]));
  writeFileSync(path.join(dir, "pytorch_model.bin.index.json"), JSON.stringify({ metadata: {}, weight_map: {
    x: "pytorch_model-00001-of-00002.bin", y: "pytorch_model-00002-of-00002.bin" } }));
  const src = openCheckpointTensors(dir);
  assert.deepEqual([...src.keys()], ["x", "y"]);
  const y = new Float32Array(1);
  src.get("y")?.read(y);
  assert.deepEqual([...y], [3]);
});

const bin = sharedFile("reference/formula/gpt2-tiny/pytorch_model.bin");
test("reference gpt2-tiny pytorch_model.bin: every tensor matches the formula checksum", { skip: bin.skip }, () => {
  const ck = openTorchBin(bin.path);
  const params = readExpected("gpt2-tiny").params;
  assert.deepEqual([...ck.tensors.keys()], Object.keys(params));
  for (const [name, e] of Object.entries(params)) {
    assert.deepEqual(ck.tensors.get(name)?.shape, e.shape, name);
    const d = new Float32Array(e.shape.reduce((a, b) => a * b, 1));
    readTorchTensorF32(ck, name, d);
    assert.equal(checksumF32(d), e.checksum_fnv1a32, name);
  }
});
