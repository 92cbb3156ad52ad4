// pytorch_model.bin in torch's zip format: <prefix>/data.pkl (a pickled state dict whose tensors are
// torch._utils._rebuild_tensor_v2 over persistent-id storages) and <prefix>/data/<key> (raw little-endian bytes).
// The pickle runs on our own VM with an allow-list of globals, so loading a checkpoint never executes its code.
import { closeSync, openSync, readSync } from "node:fs";
import { CheckpointError } from "../errors.js";
import { PyDict, PyGlobal, unpickle, type PickleHooks } from "./pickle.js";
import { convertToF32, type SafetensorsDtype } from "./safetensors.js";
import { readZipDirectory, readZipEntry, type ZipEntry } from "./zip.js";

const STORAGE_DTYPES: Record<string, SafetensorsDtype> = {
  FloatStorage: "F32", HalfStorage: "F16", BFloat16Storage: "BF16", DoubleStorage: "F64", LongStorage: "I64",
  IntStorage: "I32", ShortStorage: "I16", CharStorage: "I8", ByteStorage: "U8", BoolStorage: "BOOL",
};
const DTYPE_BYTES: Record<SafetensorsDtype, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };

const ALLOWED = new Set([
  "collections.OrderedDict", "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_parameter",
  ...Object.keys(STORAGE_DTYPES).map((s) => `torch.${s}`),
]);

interface StorageRef { readonly key: string; readonly dtype: SafetensorsDtype; readonly numel: number }

export interface TorchTensorRef {
  readonly name: string;
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  readonly stride: readonly number[];
  readonly storage: StorageRef;
  readonly storageOffset: number;
}

export interface TorchCheckpoint {
  readonly file: string;
  readonly tensors: ReadonlyMap<string, TorchTensorRef>;
  readonly entries: ReadonlyMap<string, ZipEntry>;
  readonly prefix: string;
}

class RebuiltTensor {
  constructor(readonly storage: StorageRef, readonly storageOffset: number, readonly shape: number[], readonly stride: number[]) {}
}

function hooksFor(file: string): PickleHooks {
  const bad = (msg: string): never => { throw new CheckpointError(msg, { file }); };
  const ints = (v: unknown, what: string): number[] =>
    Array.isArray(v) && v.every((x) => Number.isInteger(x)) ? (v as number[]) : bad(`${what}: expected a tuple of ints`);
  return {
    allowedGlobals: ALLOWED,
    reduce(fn: PyGlobal, args: readonly unknown[]): unknown {
      switch (fn.qualified) {
        case "collections.OrderedDict": return new PyDict();
        case "torch._utils._rebuild_tensor_v2": {
          const [storage, offset, size, stride] = args;
          if (typeof storage !== "object" || storage === null || !("key" in storage)) bad("_rebuild_tensor_v2: expected a storage");
          return new RebuiltTensor(storage as StorageRef, Number(offset), ints(size, "size"), ints(stride, "stride"));
        }
        case "torch._utils._rebuild_parameter": return args[0];
        default: return bad(`cannot call ${fn.qualified}`);
      }
    },
    persistentLoad(pid: unknown): unknown {
      // ("storage", torch.FloatStorage, key, location, numel)
      if (!Array.isArray(pid) || pid[0] !== "storage" || !(pid[1] instanceof PyGlobal)) bad(`unsupported persistent id ${JSON.stringify(pid)}`);
      const arr = pid as unknown[];
      const dtype = STORAGE_DTYPES[(arr[1] as PyGlobal).name] ?? bad(`unsupported storage ${(arr[1] as PyGlobal).qualified}`);
      return { key: String(arr[2]), dtype, numel: Number(arr[4]) } satisfies StorageRef;
    },
  };
}

/** Opens a torch zip checkpoint and lists its tensors (reads only data.pkl). */
export function openTorchBin(file: string): TorchCheckpoint {
  const head = Buffer.alloc(4);
  const fd = openSync(file, "r");
  try { readSync(fd, head, 0, 4, 0); } finally { closeSync(fd); }
  if (head.readUInt32LE(0) !== 0x04034b50) {
    throw new CheckpointError("not a zip-format torch checkpoint (legacy torch.save format is not supported)", { file },
      "re-save it with a torch >= 1.6 torch.save, or convert it to safetensors");
  }
  const entries = readZipDirectory(file);
  const pkl = [...entries.keys()].find((n) => n.endsWith("/data.pkl") && n.split("/").length === 2);
  if (pkl === undefined) throw new CheckpointError("zip has no <prefix>/data.pkl entry", { file });
  const prefix = pkl.slice(0, -"/data.pkl".length);
  const pklEntry = entries.get(pkl) as ZipEntry;
  const bytes = new Uint8Array(pklEntry.size);
  readZipEntry(file, pklEntry, bytes);
  const root = unpickle(bytes, hooksFor(file), file);
  if (!(root instanceof PyDict)) throw new CheckpointError("data.pkl does not hold a state dict", { file });
  const tensors = new Map<string, TorchTensorRef>();
  for (const [k, v] of root) {
    if (!(v instanceof RebuiltTensor)) continue;
    const name = String(k);
    tensors.set(name, { name, dtype: v.storage.dtype, shape: v.shape, stride: v.stride, storage: v.storage, storageOffset: v.storageOffset });
  }
  return { file, tensors, entries, prefix };
}

/** Reads one tensor into `dst` as float32, honouring storage offset and strides. */
export function readTorchTensorF32(ck: TorchCheckpoint, name: string, dst: Float32Array): void {
  const t = ck.tensors.get(name);
  if (!t) throw new CheckpointError(`no tensor "${name}"`, { file: ck.file });
  const numel = t.shape.reduce((a, b) => a * b, 1);
  if (dst.length !== numel) throw new RangeError(`readTorchTensorF32: dst has ${dst.length} elements, ${name} has ${numel}`);
  if (numel === 0) return;
  const entry = ck.entries.get(`${ck.prefix}/data/${t.storage.key}`);
  if (!entry) throw new CheckpointError(`tensor "${name}": storage ${t.storage.key} missing from the archive`, { file: ck.file });
  // Span of storage elements the tensor touches (strides may be anything non-negative).
  let span = 1;
  for (let d = 0; d < t.shape.length; d++) span += ((t.shape[d] as number) - 1) * (t.stride[d] as number);
  const size = DTYPE_BYTES[t.dtype];
  if ((t.storageOffset + span) * size > entry.size) {
    throw new CheckpointError(`tensor "${name}": reads past the end of storage ${t.storage.key}`, { file: ck.file });
  }
  const contiguous = span === numel && isRowMajor(t.shape, t.stride);
  if (contiguous && t.dtype === "F32") {
    readZipEntry(ck.file, entry, new Uint8Array(dst.buffer, dst.byteOffset, dst.byteLength), t.storageOffset * 4);
    return;
  }
  const raw = Buffer.alloc(span * size);
  readZipEntry(ck.file, entry, raw, t.storageOffset * size);
  const flat = new Float32Array(span);
  convertToF32(t.dtype, raw, flat);
  if (contiguous) { dst.set(flat); return; }
  const idx = new Array<number>(t.shape.length).fill(0);
  for (let i = 0; i < numel; i++) {
    let off = 0;
    for (let d = 0; d < idx.length; d++) off += (idx[d] as number) * (t.stride[d] as number);
    dst[i] = flat[off] as number;
    for (let d = idx.length - 1; d >= 0; d--) {
      idx[d] = (idx[d] as number) + 1;
      if ((idx[d] as number) < (t.shape[d] as number)) break;
      idx[d] = 0;
    }
  }
}

function isRowMajor(shape: readonly number[], stride: readonly number[]): boolean {
  let expect = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    if ((shape[d] as number) !== 1 && stride[d] !== expect) return false;
    expect *= shape[d] as number;
  }
  return true;
}
