// The OnnxWriter that emitters write through: value names, NodeProtos, initializers, int64 constants and
// runtime values of symbolic dims (read with Shape(start, end) from the first node that carries the symbol).
import type { Node, SymbolSource } from "../ir.js";
import { dimSymbols, type Dim, type Shape } from "../shape.js";
import type { DType, Tensor } from "../tensor.js";
import { Msg } from "./proto.js";

export const OPSET = 20;
const IR_VERSION = 9;
const ONNX_DTYPE: Record<DType, number> = { float32: 1, int32: 6, int64: 7, bool: 9, uint8: 2 };

export type OnnxAttr =
  | { readonly int: number } | { readonly float: number } | { readonly str: string }
  | { readonly ints: readonly number[] } | { readonly tensor: Msg };

export interface ToOnnxOptions {
  /** Graph output names to compute; default all. */
  readonly outputs?: readonly string[];
  /** Params stored in the model as initializers instead of fed per run. */
  readonly initializers?: Readonly<Record<string, Tensor>>;
  /**
   * Where those initializers' bytes go: "memory" (default), one in-memory external "file" each, handed to ORT
   * without a copy; "inline", inside the model; {file}, one external data file (what a saved model ships beside
   * model.onnx), each tensor at an offset aligned to 4 KiB as onnx's own external-data writer can align them.
   */
  readonly initializerStorage?: "memory" | "inline" | { readonly file: string };
}

/** Encodes a tensor as a TensorProto with raw little-endian data. */
export function tensorProto(name: string, dtype: DType, dims: readonly number[], data: Tensor["data"] | Float64Array): Msg {
  const m = new Msg();
  for (const d of dims) m.int(1, d);
  m.int(2, ONNX_DTYPE[dtype]);
  m.str(8, name);
  let raw: Uint8Array;
  if (data instanceof Float64Array) {
    const typed = dtype === "float32" ? Float32Array.from(data) : dtype === "int32" ? Int32Array.from(data)
      : dtype === "int64" ? BigInt64Array.from(Array.from(data, (v) => BigInt(v))) : dtype === "uint8" ? Uint8Array.from(data) : Uint8Array.from(data, (v) => (v ? 1 : 0));
    raw = new Uint8Array(typed.buffer);
  } else raw = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return m.bytes(9, raw);
}

export function valueInfo(name: string, dtype: DType, shape: Shape): Msg {
  const dims = new Msg();
  for (const d of shape) dims.msg(1, typeof d === "number" ? new Msg().int(1, d) : new Msg().str(2, d));
  const tensorType = new Msg().int(1, ONNX_DTYPE[dtype]).msg(2, dims);
  return new Msg().str(1, name).msg(2, new Msg().msg(1, tensorType));
}

/** A TensorProto whose bytes stay outside the model, in an in-memory "file" handed to ORT (no copy, no 2 GB cap). */
function externalTensorProto(name: string, dtype: DType, dims: readonly number[], path: string, offset: number, bytes: number): Msg {
  const m = new Msg();
  for (const d of dims) m.int(1, d);
  m.int(2, ONNX_DTYPE[dtype]).str(8, name);
  for (const [key, value] of [["location", path], ["offset", String(offset)], ["length", String(bytes)]]) {
    m.msg(13, new Msg().str(1, key as string).str(2, value as string));
  }
  return m.int(14, 1); // data_location = EXTERNAL
}

export interface ExternalFile {
  readonly path: string;
  /** where `data` starts in the file (0 for in-memory files: one tensor each) */
  readonly offset: number;
  readonly data: Uint8Array;
}

const EXTERNAL_ALIGN = 4096;

export class OnnxWriter {
  private readonly nodeMsgs: Msg[] = [];
  readonly externals: ExternalFile[] = [];
  private readonly inits: Msg[] = [];
  private readonly memo = new Map<string, string>();
  private readonly names = new Map<number, string>();
  private fresh_ = 0;
  /** every value name some node reads */
  readonly consumed = new Set<string>();
  /** operator domains other than the default one that nodes use (each needs an opset import) */
  private readonly domains = new Set<string>();

  private externalEnd = 0;

  /** symbols: where each symbolic dim's value is read at run time (see neededNodes). */
  constructor(private readonly symbols: ReadonlyMap<string, SymbolSource>,
    private readonly storage: NonNullable<ToOnnxOptions["initializerStorage"]> = "memory") {}

  /** The value name a node's output has in the ONNX graph. */
  name(node: Node): string {
    return this.names.get(node.id) ?? `n${node.id}`;
  }
  setName(node: Node, name: string): void {
    this.names.set(node.id, name);
  }
  fresh(hint: string): string {
    return `${hint}_${this.fresh_++}`;
  }

  /** Appends a NodeProto. */
  emit(opType: string, inputs: readonly string[], outputs: readonly string[], attrs: Record<string, OnnxAttr> = {}, domain = ""): void {
    const m = new Msg();
    for (const i of inputs) { m.str(1, i); this.consumed.add(i); }
    for (const o of outputs) m.str(2, o);
    m.str(3, `${opType}_${this.nodeMsgs.length}`).str(4, opType);
    for (const [key, a] of Object.entries(attrs)) {
      const am = new Msg().str(1, key);
      if ("int" in a) am.int(3, a.int).int(20, 2);
      else if ("float" in a) am.float(2, a.float).int(20, 1);
      else if ("str" in a) am.str(4, a.str).int(20, 3);
      else if ("ints" in a) { for (const v of a.ints) am.int(8, v); am.int(20, 7); }
      else am.msg(5, a.tensor).int(20, 4);
      m.msg(5, am);
    }
    if (domain) { m.str(7, domain); this.domains.add(domain); }
    this.nodeMsgs.push(m);
  }

  /** Emits node's single output from one ONNX op over its inputs. */
  simple(node: Node, opType: string, attrs: Record<string, OnnxAttr> = {}): void {
    this.emit(opType, node.inputs.map((n) => this.name(n)), [this.name(node)], attrs);
  }

  initializer(name: string, dtype: DType, dims: readonly number[], data: Tensor["data"] | Float64Array): string {
    this.inits.push(tensorProto(name, dtype, dims, data));
    return name;
  }

  /** A baked param's initializer, stored as the writer's initializerStorage says. */
  externalInitializer(name: string, t: Tensor): string {
    if (this.storage === "inline") return this.initializer(name, t.dtype, t.dims, t.data);
    const data = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    const memory = this.storage === "memory";
    const path = memory ? `initializer_${this.externals.length}.bin` : this.storage.file;
    const offset = memory ? 0 : Math.ceil(this.externalEnd / EXTERNAL_ALIGN) * EXTERNAL_ALIGN;
    this.externalEnd = offset + data.byteLength;
    this.externals.push({ path, offset, data });
    this.inits.push(externalTensorProto(name, t.dtype, t.dims, path, offset, data.byteLength));
    return name;
  }

  /** A shared int64 constant (1-D unless dims say otherwise). */
  int64s(values: readonly number[], dims: readonly number[] = [values.length]): string {
    const key = `i64:${dims.join(",")}:${values.join(",")}`;
    let name = this.memo.get(key);
    if (name === undefined) {
      name = this.initializer(this.fresh("const"), "int64", dims, Float64Array.from(values));
      this.memo.set(key, name);
    }
    return name;
  }

  /** A 1-D int64 tensor holding the shape's values, computed at run time where dims are symbolic. */
  shapeTensor(shape: Shape): string {
    if (shape.every((d) => typeof d === "number")) return this.int64s(shape as number[]);
    const key = `shape:${shape.join(",")}`;
    const hit = this.memo.get(key);
    if (hit !== undefined) return hit;
    const out = this.fresh("shape");
    this.emit("Concat", shape.map((d) => this.dimValue(d)), [out], { axis: { int: 0 } });
    this.memo.set(key, out);
    return out;
  }

  /** A [1] int64 tensor holding one dim's value. */
  dimValue(d: Dim): string {
    if (typeof d === "number") return this.int64s([d]);
    const key = `dim:${d}`;
    const hit = this.memo.get(key);
    if (hit !== undefined) return hit;
    const factor = d.split("*").filter((p) => /^\d+$/.test(p)).reduce((a, p) => a * Number(p), 1);
    let acc: string | undefined = factor === 1 ? undefined : this.int64s([factor]);
    for (const s of dimSymbols(d)) {
      const src = this.symbols.get(s);
      if (src === undefined) throw new Error(`symbol ${s} has no source node`);
      const v = this.memo.get(`dim:${s}`) ?? this.fresh(`dim_${s}`);
      if (!this.memo.has(`dim:${s}`)) {
        this.emit("Shape", [this.name(src.node)], [v], { start: { int: src.axis }, end: { int: src.axis + 1 } });
        this.memo.set(`dim:${s}`, v);
      }
      if (acc === undefined) acc = v;
      else {
        const p = this.fresh("dim");
        this.emit("Mul", [acc, v], [p]);
        acc = p;
      }
    }
    this.memo.set(key, acc as string);
    return acc as string;
  }

  /** Serializes the model. */
  finish(inputs: readonly Msg[], outputs: readonly Msg[]): Uint8Array {
    const g = new Msg();
    for (const n of this.nodeMsgs) g.msg(1, n);
    g.str(2, "rewardlab");
    for (const t of this.inits) g.msg(5, t);
    for (const i of inputs) g.msg(11, i);
    for (const o of outputs) g.msg(12, o);
    const model = new Msg().int(1, IR_VERSION).str(2, "rewardlab").msg(7, g);
    model.msg(8, new Msg().str(1, "").int(2, OPSET));
    for (const d of this.domains) model.msg(8, new Msg().str(1, d).int(2, 1)); // contrib ops are at version 1
    return model.finish();
  }
}

