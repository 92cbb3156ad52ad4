// safetensors: byte-identical to transformers' save_pretrained, dtype conversion on read, sharding.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { formulaWeights } from "../../src/models/formula.js";
import { RewardModel } from "../../src/models/reward-model.js";
import {
  openSafetensors, openSafetensorsCheckpoint, planShards, readTensorF32, saveSafetensorsCheckpoint, writeSafetensors,
} from "../../src/models/safetensors.js";
import { fixtureDir, sharedFile } from "./fixtures.js";

const tmp = () => mkdtempSync(path.join(os.tmpdir(), "rewardlab-st-"));
const sha256 = (f: string) => createHash("sha256").update(readFileSync(f)).digest("hex");
// sha256 of shared/reference/formula/opt-tiny-postln/model.safetensors (written by save_pretrained)
const OPT_POSTLN_SHA256 = "31b4123dc86592404020524ae9dcf2e145e708ae639485c710f001b8fd6ba35e";

function formulaModelSaved(model: string): { dir: string; m: RewardModel } {
  const src = RewardModel.create(JSON.parse(readFileSync(path.join(fixtureDir(model), "config.json"), "utf8")) as Record<string, unknown>);
  const w = formulaWeights(src.weights.specs);
  src.weights.data.set(w.data);
  const dir = tmp();
  src.save(dir);
  return { dir, m: src };
}

test("opt-tiny-postln formula weights save byte-identically to HF's model.safetensors", () => {
  const { dir } = formulaModelSaved("opt-tiny-postln");
  assert.equal(sha256(path.join(dir, "model.safetensors")), OPT_POSTLN_SHA256);
  const shared = sharedFile("reference/formula/opt-tiny-postln/model.safetensors");
  if (!shared.skip) assert.deepEqual(readFileSync(path.join(dir, "model.safetensors")), readFileSync(shared.path));
});

test("header: __metadata__ first, names sorted, data_offsets, padded with spaces to a multiple of 8", () => {
  const file = path.join(tmp(), "x.safetensors");
  writeSafetensors(file, [
    { name: "b", shape: [2], data: new Float32Array([1, 2]) },
    { name: "a.weight", shape: [1, 3], data: new Float32Array([3, 4, 5]) },
  ]);
  const bytes = readFileSync(file);
  const n = Number(bytes.readBigUInt64LE(0));
  assert.equal(n % 8, 0);
  const header = bytes.toString("utf8", 8, 8 + n);
  assert.equal(header.trimEnd(), '{"__metadata__":{"format":"pt"},"a.weight":{"dtype":"F32","shape":[1,3],"data_offsets":[0,12]},"b":{"dtype":"F32","shape":[2],"data_offsets":[12,20]}}');
  assert.equal(bytes.length, 8 + n + 20);
  const data = Uint8Array.prototype.slice.call(bytes, 8 + n);
  assert.deepEqual([...new Float32Array(data.buffer)], [3, 4, 5, 1, 2]);
  const f = openSafetensors(file);
  const dst = new Float32Array(2);
  readTensorF32(f, "b", dst);
  assert.deepEqual([...dst], [1, 2]);
});

test("reads F16, BF16, F64 and I64 tensors as float32", () => {
  const f16 = Buffer.alloc(8); [0x3c00, 0xc000, 0x0001, 0x7bff].forEach((h, i) => f16.writeUInt16LE(h, i * 2));
  const bf16 = Buffer.alloc(4); [0x3f80, 0xc0a0].forEach((h, i) => bf16.writeUInt16LE(h, i * 2));
  const f64 = Buffer.alloc(16); f64.writeDoubleLE(0.1, 0); f64.writeDoubleLE(-2.5, 8);
  const i64 = Buffer.alloc(16); i64.writeBigInt64LE(-7n, 0); i64.writeBigInt64LE(50256n, 8);
  const header = JSON.stringify({
    h: { dtype: "F16", shape: [4], data_offsets: [0, 8] }, bf: { dtype: "BF16", shape: [2], data_offsets: [8, 12] },
    d: { dtype: "F64", shape: [2], data_offsets: [12, 28] }, l: { dtype: "I64", shape: [2], data_offsets: [28, 44] },
  });
  const len = Buffer.alloc(8); len.writeBigUInt64LE(BigInt(header.length));
  const file = path.join(tmp(), "mixed.safetensors");
  writeFileSync(file, Buffer.concat([len, Buffer.from(header), f16, bf16, f64, i64]));
  const st = openSafetensors(file);
  const read = (name: string, n: number) => { const d = new Float32Array(n); readTensorF32(st, name, d); return [...d]; };
  assert.deepEqual(read("h", 4), [1, -2, 2 ** -24, 65504]);
  assert.deepEqual(read("bf", 2), [1, -5]);
  assert.deepEqual(read("d", 2), [Math.fround(0.1), -2.5]);
  assert.deepEqual(read("l", 2), [-7, 50256]);
});

test("a bad header is a CheckpointError naming the file and tensor", () => {
  const header = JSON.stringify({ w: { dtype: "F32", shape: [3], data_offsets: [0, 8] } });
  const len = Buffer.alloc(8); len.writeBigUInt64LE(BigInt(header.length));
  const file = path.join(tmp(), "bad.safetensors");
  writeFileSync(file, Buffer.concat([len, Buffer.from(header), Buffer.alloc(8)]));
  assert.throws(() => openSafetensors(file), (e: Error) => e.name === "CheckpointError" && /tensor "w".*8 bytes, expected 12/.test(e.message));
});

test("sharding: HF's split rule, model-0000N-of-0000M names, sorted index with total_size", () => {
  const t = (name: string, n: number) => ({ name, shape: [n], data: new Float32Array(n).fill(n) });
  const tensors = [t("z", 10), t("a", 10), t("big", 100), t("m", 5), t("n", 20)];
  // huggingface_hub's rule: an oversized tensor becomes its own shard at once; a tensor that tips over starts a new one
  assert.deepEqual(planShards(tensors, 100).map((s) => s.map((x) => x.name)), [["big"], ["z", "a", "m"], ["n"]]);
  const dir = tmp();
  const files = saveSafetensorsCheckpoint(dir, tensors, 100);
  assert.deepEqual(files, ["model-00001-of-00003.safetensors", "model-00002-of-00003.safetensors", "model-00003-of-00003.safetensors", "model.safetensors.index.json"]);
  const index = readFileSync(path.join(dir, "model.safetensors.index.json"), "utf8");
  const parsed = JSON.parse(index) as { metadata: { total_size: number }; weight_map: Record<string, string> };
  assert.equal(parsed.metadata.total_size, 4 * 145);
  assert.equal(parsed.weight_map["n"], "model-00003-of-00003.safetensors");
  assert.deepEqual(Object.keys(parsed.weight_map), ["a", "big", "m", "n", "z"]);
  assert.ok(index.endsWith("}\n") && index.includes('\n  "weight_map": {\n    "a": "model-00002-of-00003.safetensors",'));
  const shards = openSafetensorsCheckpoint(dir);
  assert.equal(shards?.length, 3);
  const all = new Map(shards?.flatMap((f) => [...f.tensors.keys()].map((k) => [k, f] as const)));
  const d = new Float32Array(20);
  readTensorF32(all.get("n") as ReturnType<typeof openSafetensors>, "n", d);
  assert.deepEqual([...d], new Array(20).fill(20));
  assert.ok(!readdirSync(dir).includes("model.safetensors"));
});

test("floatToBf16 rounds to nearest even as torch does, keeps infinities and NaN", async () => {
  const { floatToBf16 } = await import("../../src/models/safetensors.js");
  const bits = (x: number) => new Uint32Array(Float32Array.of(x).buffer)[0] as number;
  assert.equal(floatToBf16(bits(1)), 0x3f80);
  assert.equal(floatToBf16(0x3f808000), 0x3f80, "tie, even stays");
  assert.equal(floatToBf16(0x3f818000), 0x3f82, "tie, odd rounds up");
  assert.equal(floatToBf16(0x3f808001), 0x3f81, "above half rounds up");
  assert.equal(floatToBf16(bits(-Infinity)), 0xff80);
  assert.equal(floatToBf16(0x7f7fffff), 0x7f80, "float32 max rounds to infinity");
  assert.ok((floatToBf16(bits(NaN)) & 0x7f) !== 0 && (floatToBf16(bits(NaN)) & 0x7f80) === 0x7f80, "NaN stays NaN");
});
