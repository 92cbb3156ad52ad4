// A minimal protobuf encoder for the ONNX messages we write. A message is a list of byte chunks, so nesting a
// large tensor costs no copy until the final join. Field numbers are those of onnx/onnx.proto (proto2); repeated
// scalars are written unpacked, which every protobuf reader accepts.

export class Msg {
  private readonly parts: Uint8Array[] = [];
  size = 0;

  private push(b: Uint8Array): void {
    this.parts.push(b);
    this.size += b.length;
  }

  private tag(field: number, wire: number): void {
    this.push(varint(BigInt(field * 8 + wire)));
  }

  /** int32/int64/enum/bool field; negative numbers take 10 bytes (two's complement), as protobuf says. */
  int(field: number, v: number | bigint): this {
    this.tag(field, 0);
    this.push(varint(BigInt.asUintN(64, BigInt(v))));
    return this;
  }

  float(field: number, v: number): this {
    this.tag(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.push(b);
    return this;
  }

  bytes(field: number, b: Uint8Array): this {
    this.tag(field, 2);
    this.push(varint(BigInt(b.length)));
    this.push(b);
    return this;
  }

  str(field: number, s: string): this {
    return this.bytes(field, new TextEncoder().encode(s));
  }

  msg(field: number, m: Msg): this {
    this.tag(field, 2);
    this.push(varint(BigInt(m.size)));
    for (const p of m.parts) this.push(p);
    return this;
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let o = 0;
    for (const p of this.parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }
}

function varint(v: bigint): Uint8Array {
  const out: number[] = [];
  let x = v;
  do {
    let byte = Number(x & 0x7fn);
    x >>= 7n;
    if (x !== 0n) byte |= 0x80;
    out.push(byte);
  } while (x !== 0n);
  return Uint8Array.from(out);
}
