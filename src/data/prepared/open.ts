// Reading a prepared directory back (binary layout): meta.json checked, ids and index loaded once, pairs by index.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { InputError } from "../../errors.js";
import { onesMask, type TokenizedPair } from "../pairs.js";
import { PREPARED_FORMAT, PREPARED_FORMAT_VERSION, type PreparedMeta } from "./format.js";

export interface PreparedPairs {
  readonly meta: PreparedMeta;
  readonly length: number;
  /** Pair i in TRL's columns; the id arrays are fresh copies. */
  pair(i: number): TokenizedPair;
  chosenLength(i: number): number;
  rejectedLength(i: number): number;
}

export function isPreparedDir(dir: string): boolean {
  const file = path.join(dir, "meta.json");
  if (!existsSync(file)) return false;
  try {
    return (JSON.parse(readFileSync(file, "utf8")) as { format?: unknown }).format === PREPARED_FORMAT;
  } catch {
    return false;
  }
}

export function readPreparedMeta(dir: string): PreparedMeta {
  const file = path.join(dir, "meta.json");
  let meta: unknown;
  try {
    meta = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new InputError(`cannot read prepared-data metadata: ${(e as Error).message}`, { file }, "run `rewardlab prepare` to create the directory");
  }
  const m = meta as Partial<PreparedMeta>;
  if (m.format !== PREPARED_FORMAT) throw new InputError(`expected "format": "${PREPARED_FORMAT}", got ${JSON.stringify(m.format)}`, { file, field: "format" });
  if (m.formatVersion !== PREPARED_FORMAT_VERSION) {
    throw new InputError(`expected format version ${PREPARED_FORMAT_VERSION}, got ${JSON.stringify(m.formatVersion)}`, { file, field: "formatVersion" },
      "prepare the data again with this version of rewardlab");
  }
  return m as PreparedMeta;
}

// A typed view of a whole file, copied when Node's buffer is not aligned for the element size.
function load<T>(file: string, bytesPer: number, make: (b: ArrayBuffer, off: number, n: number) => T): T {
  const buf = readFileSync(file);
  if (buf.byteLength % bytesPer !== 0) throw new InputError(`size ${buf.byteLength} is not a multiple of ${bytesPer} bytes (truncated?)`, { file });
  const aligned = buf.byteOffset % bytesPer === 0 ? buf : Buffer.from(buf);
  const ab = aligned.buffer instanceof ArrayBuffer ? aligned.buffer : new Uint8Array(aligned).buffer;
  return make(ab, aligned.buffer instanceof ArrayBuffer ? aligned.byteOffset : 0, buf.byteLength / bytesPer);
}

export function openPrepared(dir: string): PreparedPairs {
  const meta = readPreparedMeta(dir);
  const f = meta.files;
  if (meta.layout !== "binary" || f.ids === undefined || f.index === undefined || f.margin === undefined) {
    throw new InputError(`openPrepared reads the binary layout; this directory has the ${meta.layout} layout`, { file: path.join(dir, "meta.json"), field: "layout" },
      "prepare with --format binary (the default)");
  }
  const idsFile = path.join(dir, f.ids);
  const ids = meta.idsDtype === "uint32"
    ? load(idsFile, 4, (b, o, n) => new Uint32Array(b, o, n))
    : load(idsFile, 2, (b, o, n) => new Uint16Array(b, o, n));
  const indexFile = path.join(dir, f.index);
  const index = load(indexFile, 4, (b, o, n) => new Uint32Array(b, o, n));
  const margin = load(path.join(dir, f.margin), 8, (b, o, n) => new Float64Array(b, o, n));
  const length = meta.counts.written;
  if (index.length !== 5 * length || margin.length !== length) {
    throw new InputError(`expected ${length} pairs (meta.json), found ${index.length / 5} in the index and ${margin.length} margins`, { file: indexFile });
  }
  const last = length > 0 ? (index[5 * length - 3] as number) + (index[5 * length - 2] as number) : 0;
  if (ids.length !== last) throw new InputError(`expected ${last} token ids, found ${ids.length}`, { file: idsFile });

  const at = (i: number, k: number): number => {
    if (!Number.isInteger(i) || i < 0 || i >= length) throw new RangeError(`pair index ${i} out of range [0, ${length})`);
    return index[5 * i + k] as number;
  };
  return {
    meta,
    length,
    chosenLength: (i) => at(i, 1),
    rejectedLength: (i) => at(i, 3),
    pair(i) {
      const cs = at(i, 0), cl = at(i, 1), rs = at(i, 2), rl = at(i, 3);
      const m = margin[i] as number;
      const p: TokenizedPair = {
        input_ids_chosen: Int32Array.from(ids.subarray(cs, cs + cl)),
        attention_mask_chosen: onesMask(cl),
        input_ids_rejected: Int32Array.from(ids.subarray(rs, rs + rl)),
        attention_mask_rejected: onesMask(rl),
        sharedPrefix: at(i, 4),
      };
      if (!Number.isNaN(m)) p.margin = m;
      return p;
    },
  };
}
