// Minimal zip reader for torch.save archives: stored (uncompressed) entries, zip64 sizes and offsets.
// torch writes a data descriptor (flag bit 3) and pads local headers with an extra field for alignment, so sizes come
// from the central directory and the data start from each local header's own name and extra lengths.
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { CheckpointError } from "../errors.js";

export interface ZipEntry {
  readonly name: string;
  readonly method: number;
  readonly size: number;
  /** absolute offset of the entry's first data byte */
  readonly dataStart: number;
}

const EOCD = 0x06054b50, ZIP64_LOCATOR = 0x07064b50, ZIP64_EOCD = 0x06064b50, CENTRAL = 0x02014b50, LOCAL = 0x04034b50;

function readAt(fd: number, pos: number, len: number, file: string): Buffer {
  const b = Buffer.alloc(len);
  let off = 0;
  while (off < len) {
    const n = readSync(fd, b, off, len - off, pos + off);
    if (n === 0) throw new CheckpointError(`zip: unexpected end of file at byte ${pos + off}`, { file });
    off += n;
  }
  return b;
}

/** Lists the entries of a zip file (reads the central directory and each local header). */
export function readZipDirectory(file: string): Map<string, ZipEntry> {
  const fd = openSync(file, "r");
  try {
    const size = fstatSync(fd).size;
    const tailLen = Math.min(size, 22 + 65535);
    const tail = readAt(fd, size - tailLen, tailLen, file);
    let eocd = -1;
    for (let i = tailLen - 22; i >= 0; i--) if (tail.readUInt32LE(i) === EOCD) { eocd = i; break; }
    if (eocd < 0) throw new CheckpointError("not a zip archive (no end-of-central-directory record)", { file });
    let count = tail.readUInt16LE(eocd + 10);
    let cdSize = tail.readUInt32LE(eocd + 12);
    let cdOffset = tail.readUInt32LE(eocd + 16);
    if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
      const locPos = size - tailLen + eocd - 20;
      const loc = readAt(fd, locPos, 20, file);
      if (loc.readUInt32LE(0) !== ZIP64_LOCATOR) throw new CheckpointError("zip64: missing locator", { file });
      const rec = readAt(fd, Number(loc.readBigUInt64LE(8)), 56, file);
      if (rec.readUInt32LE(0) !== ZIP64_EOCD) throw new CheckpointError("zip64: bad end-of-central-directory record", { file });
      count = Number(rec.readBigUInt64LE(32));
      cdSize = Number(rec.readBigUInt64LE(40));
      cdOffset = Number(rec.readBigUInt64LE(48));
    }
    const cd = readAt(fd, cdOffset, cdSize, file);
    const entries = new Map<string, ZipEntry>();
    let p = 0;
    for (let k = 0; k < count; k++) {
      if (cd.readUInt32LE(p) !== CENTRAL) throw new CheckpointError(`zip: bad central directory entry ${k}`, { file });
      const method = cd.readUInt16LE(p + 10);
      let compSize = cd.readUInt32LE(p + 20);
      let uncompSize = cd.readUInt32LE(p + 24);
      const nameLen = cd.readUInt16LE(p + 28), extraLen = cd.readUInt16LE(p + 30), commentLen = cd.readUInt16LE(p + 32);
      let localOffset = cd.readUInt32LE(p + 42);
      const name = cd.toString("utf8", p + 46, p + 46 + nameLen);
      // zip64 extended information (id 1): the 0xffffffff fields, in the order uncompressed, compressed, offset.
      let e = p + 46 + nameLen;
      const eEnd = e + extraLen;
      while (e + 4 <= eEnd) {
        const id = cd.readUInt16LE(e), len = cd.readUInt16LE(e + 2);
        if (id === 1) {
          let q = e + 4;
          if (uncompSize === 0xffffffff) { uncompSize = Number(cd.readBigUInt64LE(q)); q += 8; }
          if (compSize === 0xffffffff) { compSize = Number(cd.readBigUInt64LE(q)); q += 8; }
          if (localOffset === 0xffffffff) { localOffset = Number(cd.readBigUInt64LE(q)); }
        }
        e += 4 + len;
      }
      const local = readAt(fd, localOffset, 30, file);
      if (local.readUInt32LE(0) !== LOCAL) throw new CheckpointError(`zip: bad local header for ${name}`, { file });
      const dataStart = localOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
      entries.set(name, { name, method, size: method === 0 ? uncompSize : compSize, dataStart });
      p += 46 + nameLen + extraLen + commentLen;
    }
    return entries;
  } finally {
    closeSync(fd);
  }
}

/** Reads a stored entry's bytes (or a byte range of it) into `dst`. */
export function readZipEntry(file: string, entry: ZipEntry, dst: Uint8Array, offset = 0): void {
  if (entry.method !== 0) {
    throw new CheckpointError(`zip entry ${entry.name} is compressed (method ${entry.method}); torch.save writes stored entries`,
      { file }, "re-save the checkpoint with torch.save, or convert it to safetensors");
  }
  if (offset + dst.length > entry.size) throw new CheckpointError(`zip entry ${entry.name}: read past its ${entry.size} bytes`, { file });
  const fd = openSync(file, "r");
  try {
    let off = 0;
    while (off < dst.length) {
      const n = readSync(fd, dst, off, Math.min(dst.length - off, 1 << 30), entry.dataStart + offset + off);
      if (n === 0) throw new CheckpointError(`zip entry ${entry.name}: unexpected end of file`, { file });
      off += n;
    }
  } finally {
    closeSync(fd);
  }
}
