// Tensors as they cross the engine's API: a dtype, readonly dims and a flat typed array (row-major).
// The float64 interpreter uses F64Tensor internally; every dtype is held as float64 there (ids are exact below 2^53).

// uint8 holds packed quantized weights (matmulNBits); no arithmetic op takes it.
export type DType = "float32" | "int32" | "int64" | "bool" | "uint8";
export const DTYPES: readonly DType[] = ["float32", "int32", "int64", "bool", "uint8"];

/** The typed array each dtype uses (bool is one byte per element, as onnxruntime holds it). */
export interface TensorDataMap {
  float32: Float32Array;
  int32: Int32Array;
  int64: BigInt64Array;
  bool: Uint8Array;
  uint8: Uint8Array;
}
export type TensorData = TensorDataMap[DType];

/** A dense tensor. `data.length` equals the product of `dims`. */
export interface Tensor<D extends DType = DType> {
  readonly dtype: D;
  readonly dims: readonly number[];
  readonly data: TensorDataMap[D];
}

/** Float64 tensor of the reference interpreter, any dtype stored as numbers. */
export interface F64Tensor {
  readonly dims: readonly number[];
  readonly data: Float64Array;
}

export function sizeOf(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

/** Builds a tensor, checking that the data length matches the dims. */
export function tensor<D extends DType>(dtype: D, dims: readonly number[], data: TensorDataMap[D]): Tensor<D> {
  if (data.length !== sizeOf(dims)) {
    throw new RangeError(`tensor: dims [${dims.join(",")}] need ${sizeOf(dims)} elements, data has ${data.length}`);
  }
  return { dtype, dims: [...dims], data };
}

export function float32(dims: readonly number[], values?: ArrayLike<number>): Tensor<"float32"> {
  return tensor("float32", dims, values ? Float32Array.from(values) : new Float32Array(sizeOf(dims)));
}
export function int32(dims: readonly number[], values: ArrayLike<number>): Tensor<"int32"> {
  return tensor("int32", dims, Int32Array.from(values));
}
export function int64(dims: readonly number[], values: ArrayLike<number>): Tensor<"int64"> {
  return tensor("int64", dims, BigInt64Array.from(Array.from(values, (v) => BigInt(v))));
}
export function bool(dims: readonly number[], values: ArrayLike<number | boolean>): Tensor<"bool"> {
  return tensor("bool", dims, Uint8Array.from(Array.from(values, (v) => (v ? 1 : 0))));
}

/** An empty typed array of the dtype's kind. */
export function allocData(dtype: DType, n: number): TensorData {
  switch (dtype) {
    case "float32": return new Float32Array(n);
    case "int32": return new Int32Array(n);
    case "int64": return new BigInt64Array(n);
    case "bool": return new Uint8Array(n);
    case "uint8": return new Uint8Array(n);
  }
}

export function toF64(t: Tensor): F64Tensor {
  const out = new Float64Array(t.data.length);
  if (t.data instanceof BigInt64Array) for (let i = 0; i < out.length; i++) out[i] = Number(t.data[i]);
  else out.set(t.data);
  return { dims: [...t.dims], data: out };
}

export function fromF64(dtype: DType, t: F64Tensor): Tensor {
  const n = t.data.length;
  const data = allocData(dtype, n);
  if (data instanceof BigInt64Array) for (let i = 0; i < n; i++) data[i] = BigInt(Math.trunc(t.data[i] as number));
  else if (dtype === "bool") for (let i = 0; i < n; i++) data[i] = t.data[i] !== 0 ? 1 : 0;
  else data.set(t.data);
  return { dtype, dims: [...t.dims], data } as Tensor;
}

/** Reads element i of any tensor as a number. */
export function at(t: Tensor, i: number): number {
  const v = t.data[i];
  if (v === undefined) throw new RangeError(`index ${i} out of range for ${t.data.length} elements`);
  return typeof v === "bigint" ? Number(v) : v;
}
