// safetensors: read (any float/int dtype → float32) and write byte-identically to Hugging Face's save_pretrained.
// Layout: u64 LE header length | JSON header | data. The header is compact JSON, "__metadata__" first, then the
// tensors sorted by name (the Rust writer sorts by dtype alignment, then name; a file we write holds one dtype,
// F32 or BF16, so by name), each
// {"dtype","shape","data_offsets":[begin,end]} relative to the data start; padded with spaces to a multiple of 8.
// Sharded checkpoints: model-0000N-of-0000M.safetensors + model.safetensors.index.json ({metadata, weight_map}).
import { closeSync, openSync, readSync, writeSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { CheckpointError } from "../errors.js";

export type SafetensorsDtype = "F64" | "F32" | "F16" | "BF16" | "I64" | "I32" | "I16" | "I8" | "U8" | "BOOL";
const DTYPE_BYTES: Record<SafetensorsDtype, number> = {
  F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1,
};

export interface TensorEntry {
  readonly name: string;
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  /** absolute byte offsets in the file */
  readonly begin: number;
  readonly end: number;
}

export interface SafetensorsFile {
  readonly file: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly tensors: ReadonlyMap<string, TensorEntry>;
}

/** Parses the header of a safetensors file (reads only the header bytes). */
export function openSafetensors(file: string): SafetensorsFile {
  const fd = openSync(file, "r");
  try {
    const lenBuf = Buffer.alloc(8);
    if (readSync(fd, lenBuf, 0, 8, 0) !== 8) throw new CheckpointError("file is shorter than 8 bytes", { file });
    const n = lenBuf.readBigUInt64LE(0);
    if (n > 100_000_000n) throw new CheckpointError(`header length ${n} is implausible (not a safetensors file?)`, { file });
    const headerLen = Number(n);
    const header = Buffer.alloc(headerLen);
    if (readSync(fd, header, 0, headerLen, 8) !== headerLen) {
      throw new CheckpointError(`header of ${headerLen} bytes is truncated`, { file });
    }
    return parseHeader(file, header.toString("utf8"), 8 + headerLen);
  } finally {
    closeSync(fd);
  }
}

function parseHeader(file: string, json: string, dataStart: number): SafetensorsFile {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (e) {
    throw new CheckpointError(`header is not JSON: ${(e as Error).message}`, { file });
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new CheckpointError("header is not a JSON object", { file });
  const metadata: Record<string, string> = {};
  const tensors = new Map<string, TensorEntry>();
  for (const [name, v] of Object.entries(raw as Record<string, unknown>)) {
    if (name === "__metadata__") {
      for (const [k, s] of Object.entries((v ?? {}) as Record<string, unknown>)) metadata[k] = String(s);
      continue;
    }
    const t = v as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const dtype = t.dtype as SafetensorsDtype;
    if (typeof t.dtype !== "string" || !(dtype in DTYPE_BYTES)) {
      throw new CheckpointError(`tensor "${name}": unsupported dtype ${JSON.stringify(t.dtype)}`, { file, field: name });
    }
    const shape = t.shape, offs = t.data_offsets;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0) ||
      !Array.isArray(offs) || offs.length !== 2 || !offs.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new CheckpointError(`tensor "${name}": bad shape or data_offsets`, { file, field: name });
    }
    const numel = (shape as number[]).reduce((a, b) => a * b, 1);
    const [b, e] = offs as [number, number];
    if (e - b !== numel * DTYPE_BYTES[dtype]) {
      throw new CheckpointError(`tensor "${name}": data_offsets span ${e - b} bytes, expected ${numel * DTYPE_BYTES[dtype]} for ${dtype} ${JSON.stringify(shape)}`, { file, field: name });
    }
    tensors.set(name, { name, dtype, shape: shape as number[], begin: dataStart + b, end: dataStart + e });
  }
  return { file, metadata, tensors };
}

const CHUNK_BYTES = 1 << 24;

/** Reads one tensor into `dst` (float32, numel elements), converting from its stored dtype. */
export function readTensorF32(f: SafetensorsFile, name: string, dst: Float32Array): void {
  const t = f.tensors.get(name);
  if (!t) throw new CheckpointError(`no tensor "${name}"`, { file: f.file });
  const numel = t.shape.reduce((a, b) => a * b, 1);
  if (dst.length !== numel) throw new RangeError(`readTensorF32: dst has ${dst.length} elements, tensor ${name} has ${numel}`);
  const fd = openSync(f.file, "r");
  try {
    if (t.dtype === "F32") {
      // Read straight into the destination's bytes: no intermediate copy of big embedding tables.
      readFully(fd, new Uint8Array(dst.buffer, dst.byteOffset, dst.byteLength), t.begin, f.file);
      return;
    }
    const size = DTYPE_BYTES[t.dtype];
    const chunkElems = Math.max(1, Math.floor(CHUNK_BYTES / size));
    const buf = Buffer.alloc(Math.min(numel, chunkElems) * size);
    for (let i0 = 0; i0 < numel; i0 += chunkElems) {
      const n = Math.min(chunkElems, numel - i0);
      const view = buf.subarray(0, n * size);
      readFully(fd, view, t.begin + i0 * size, f.file);
      convertToF32(t.dtype, view, dst.subarray(i0, i0 + n));
    }
  } finally {
    closeSync(fd);
  }
}

/** A tensor's stored bytes as they are (packed quantized weights: U8; F32 without conversion), in a fresh buffer. */
export function readTensorBytes(f: SafetensorsFile, name: string, dtype: SafetensorsDtype): Uint8Array {
  const t = f.tensors.get(name);
  if (!t) throw new CheckpointError(`no tensor "${name}"`, { file: f.file });
  if (t.dtype !== dtype) throw new CheckpointError(`tensor "${name}": expected ${dtype}, got ${t.dtype}`, { file: f.file, field: name });
  const out = new Uint8Array(t.end - t.begin);
  const fd = openSync(f.file, "r");
  try {
    readFully(fd, out, t.begin, f.file);
  } finally {
    closeSync(fd);
  }
  return out;
}

function readFully(fd: number, dst: Uint8Array, pos: number, file: string): void {
  let off = 0;
  while (off < dst.length) {
    const n = readSync(fd, dst, off, Math.min(dst.length - off, 1 << 30), pos + off);
    if (n === 0) throw new CheckpointError(`unexpected end of file at byte ${pos + off}`, { file });
    off += n;
  }
}

/** Converts little-endian values of `dtype` to float32. */
export function convertToF32(dtype: SafetensorsDtype, src: Buffer, dst: Float32Array): void {
  const n = dst.length;
  switch (dtype) {
    case "F64": for (let i = 0; i < n; i++) dst[i] = src.readDoubleLE(i * 8); break;
    case "F16": for (let i = 0; i < n; i++) dst[i] = halfToFloat(src.readUInt16LE(i * 2)); break;
    case "BF16": {
      const u = new Uint32Array(1), f = new Float32Array(u.buffer);
      for (let i = 0; i < n; i++) { u[0] = src.readUInt16LE(i * 2) << 16; dst[i] = f[0] as number; }
      break;
    }
    case "I64": for (let i = 0; i < n; i++) dst[i] = Number(src.readBigInt64LE(i * 8)); break;
    case "I32": for (let i = 0; i < n; i++) dst[i] = src.readInt32LE(i * 4); break;
    case "I16": for (let i = 0; i < n; i++) dst[i] = src.readInt16LE(i * 2); break;
    case "I8": for (let i = 0; i < n; i++) dst[i] = src.readInt8(i); break;
    case "U8": case "BOOL": for (let i = 0; i < n; i++) dst[i] = src[i] as number; break;
    case "F32": for (let i = 0; i < n; i++) dst[i] = src.readFloatLE(i * 4); break;
  }
}

/** IEEE half → float (exact). */
export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

export interface TensorToWrite {
  readonly name: string;
  readonly shape: readonly number[];
  /** F32 (model weights), or U8 (packed quantized weights, rewardlab's cache only) */
  readonly data: Float32Array | Uint8Array;
}

/** What a file is written in: float32 as is, or bfloat16 (round to nearest even, as torch's .to(torch.bfloat16)). */
export type SaveDtype = "F32" | "BF16";

/** The bfloat16 bits of a float32 (round to nearest, ties to even; NaN stays a quiet NaN). */
export function floatToBf16(bits: number): number {
  if ((bits & 0x7fffffff) > 0x7f800000) return ((bits >>> 16) | 0x40) & 0xffff;
  return ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff;
}

function encodeData(t: TensorToWrite, dtype: SaveDtype): Uint8Array {
  const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  if (dtype === "F32" || t.data instanceof Uint8Array) return bytes;
  const bits = new Uint32Array(t.data.buffer, t.data.byteOffset, t.data.length), out = Buffer.alloc(2 * t.data.length);
  for (let i = 0; i < bits.length; i++) out.writeUInt16LE(floatToBf16(bits[i] as number), 2 * i);
  return out;
}

/** The header bytes (length prefix included) HF writes for these tensors, and the tensors in data order. */
export function encodeHeader(tensors: readonly TensorToWrite[], metadata: Record<string, string> = { format: "pt" }, dtype: SaveDtype = "F32"):
  { header: Buffer; order: TensorToWrite[] } {
  const order = [...tensors].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const obj: Record<string, unknown> = { __metadata__: metadata };
  let off = 0;
  for (const t of order) {
    const numel = t.shape.reduce((a, b) => a * b, 1);
    if (numel !== t.data.length) throw new RangeError(`tensor ${t.name}: shape ${JSON.stringify(t.shape)} but ${t.data.length} values`);
    // packed quantized weights (rewardlab's cache) are U8 whatever the model weights are saved in
    const tensorDtype = t.data instanceof Uint8Array ? "U8" : dtype, size = t.data instanceof Uint8Array ? 1 : DTYPE_BYTES[dtype];
    obj[t.name] = { dtype: tensorDtype, shape: t.shape, data_offsets: [off, off + size * numel] };
    off += size * numel;
  }
  let json = JSON.stringify(obj);
  json += " ".repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const body = Buffer.from(json, "utf8");
  const header = Buffer.alloc(8 + body.length);
  header.writeBigUInt64LE(BigInt(body.length), 0);
  body.copy(header, 8);
  return { header, order };
}

/** Writes one safetensors file, streaming each tensor's bytes (no copy of the whole model). */
export function writeSafetensors(file: string, tensors: readonly TensorToWrite[], metadata?: Record<string, string>, dtype: SaveDtype = "F32"): void {
  const { header, order } = encodeHeader(tensors, metadata, dtype);
  const fd = openSync(file, "w");
  try {
    writeAll(fd, header);
    for (const t of order) writeAll(fd, encodeData(t, dtype));
  } finally {
    closeSync(fd);
  }
}

function writeAll(fd: number, bytes: Uint8Array): void {
  let off = 0;
  while (off < bytes.length) off += writeSync(fd, bytes, off, Math.min(bytes.length - off, 1 << 30));
}

/** transformers 5 default max_shard_size ("50GB", decimal units as huggingface_hub parses them; 4.x used "5GB"). */
export const DEFAULT_MAX_SHARD_BYTES = 50e9;
export const SAFE_WEIGHTS_NAME = "model.safetensors";
export const SAFE_WEIGHTS_INDEX_NAME = "model.safetensors.index.json";

/**
 * Splits tensors (in the given order, as HF does with the state dict) into shards of at most maxShardBytes:
 * a tensor that does not fit starts a new shard; a tensor bigger than the limit gets a shard of its own.
 */
export function planShards(tensors: readonly TensorToWrite[], maxShardBytes: number, dtype: SaveDtype = "F32"): TensorToWrite[][] {
  const shards: TensorToWrite[][] = [];
  let cur: TensorToWrite[] = [], curBytes = 0;
  for (const t of tensors) {
    const bytes = t.data.length * DTYPE_BYTES[dtype];
    if (bytes > maxShardBytes) { shards.push([t]); continue; }
    if (cur.length > 0 && curBytes + bytes > maxShardBytes) { shards.push(cur); cur = []; curBytes = 0; }
    cur.push(t);
    curBytes += bytes;
  }
  if (cur.length > 0) shards.push(cur);
  return shards;
}

/**
 * Writes `model.safetensors`, or shards + `model.safetensors.index.json` when the total exceeds maxShardBytes
 * (index: json.dumps(indent=2, sort_keys=True) + "\n" as transformers writes it). Returns the files written.
 */
export function saveSafetensorsCheckpoint(dir: string, tensors: readonly TensorToWrite[],
  maxShardBytes = DEFAULT_MAX_SHARD_BYTES, dtype: SaveDtype = "F32"): string[] {
  const shards = planShards(tensors, maxShardBytes, dtype);
  if (shards.length <= 1) {
    writeSafetensors(path.join(dir, SAFE_WEIGHTS_NAME), tensors, undefined, dtype);
    return [SAFE_WEIGHTS_NAME];
  }
  const n = shards.length, pad = (i: number) => String(i).padStart(5, "0");
  const weightMap: Record<string, string> = {};
  const files: string[] = [];
  let totalSize = 0, totalParameters = 0;
  shards.forEach((shard, i) => {
    const name = `model-${pad(i + 1)}-of-${pad(n)}.safetensors`;
    writeSafetensors(path.join(dir, name), shard, undefined, dtype);
    files.push(name);
    for (const t of shard) { weightMap[t.name] = name; totalSize += t.data.length * DTYPE_BYTES[dtype]; totalParameters += t.data.length; }
  });
  const sortedMap = Object.fromEntries(Object.keys(weightMap).sort().map((k) => [k, weightMap[k]]));
  const index = { metadata: { total_parameters: totalParameters, total_size: totalSize }, weight_map: sortedMap };
  writeFileSync(path.join(dir, SAFE_WEIGHTS_INDEX_NAME), JSON.stringify(index, null, 2) + "\n");
  return [...files, SAFE_WEIGHTS_INDEX_NAME];
}

/** Opens model.safetensors or every shard of model.safetensors.index.json; null when the folder has neither. */
export function openSafetensorsCheckpoint(dir: string): SafetensorsFile[] | null {
  const single = path.join(dir, SAFE_WEIGHTS_NAME);
  if (existsSync(single)) return [openSafetensors(single)];
  const indexFile = path.join(dir, SAFE_WEIGHTS_INDEX_NAME);
  if (!existsSync(indexFile)) return null;
  let index: unknown;
  try {
    index = JSON.parse(readFileSync(indexFile, "utf8"));
  } catch (e) {
    throw new CheckpointError(`not JSON: ${(e as Error).message}`, { file: indexFile });
  }
  const map = (index as { weight_map?: unknown }).weight_map;
  if (typeof map !== "object" || map === null) throw new CheckpointError("missing \"weight_map\"", { file: indexFile, field: "weight_map" });
  const shardNames = [...new Set(Object.values(map as Record<string, unknown>).map(String))].sort();
  return shardNames.map((s) => {
    const f = path.join(dir, s);
    if (!existsSync(f)) throw new CheckpointError(`shard ${s} listed in weight_map is missing`, { file: indexFile });
    return openSafetensors(f);
  });
}
