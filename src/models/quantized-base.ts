// A frozen base model with its linear weights quantized to 8 or 4 bits (QLoRA's base; transformers' load_in_8bit /
// load_in_4bit): `QuantGraph` is a Graph whose matmul recognises a frozen linear weight as the model uses it —
// GPT-2's Conv1D as x·W (W stored [in, out]), a Linear (OPT, Llama) as x·Wᵀ (W stored [out, in]) — and runs it
// through matmulNBits on packed params instead. The model files are not forked. The score head (a module PEFT
// saves), embeddings (gathers), norms and biases stay fp32. For training, each weight is also packed transposed,
// for the gradient of its input (dX = dY·Wᵀ). The packed base is cached beside the run (quantizedBaseTensors).
// Legend: K input features, N output features.
import { existsSync, mkdirSync, renameSync } from "node:fs";
import path from "node:path";
import { Graph, leafName, isTrainable, nbitsCodeDims, quantizeNBits, tensor, type NBits, type Node, type Tensor } from "../engine/index.js";
import { openSafetensors, readTensorBytes, writeSafetensors } from "./safetensors.js";
import type { Weights } from "./weights.js";

export interface QuantSettings {
  readonly bits: NBits;
  readonly blockSize: number;
  /** also pack Wᵀ, for the gradient of each layer's input (training) */
  readonly backward: boolean;
}

/** onnxruntime's accuracy_level 4: int8 dot products, the fast path measured by bench/quant.ts. */
const ACCURACY_LEVEL = 4;

/** One quantized linear weight. */
export interface QuantizedLinear {
  /** HF name of the fp32 weight, e.g. "transformer.h.0.mlp.c_fc.weight" */
  readonly weight: string;
  /** "in_out": stored [K, N] and used as x·W (Conv1D); "out_in": stored [N, K] and used as x·Wᵀ (Linear) */
  readonly layout: "in_out" | "out_in";
  readonly K: number;
  readonly N: number;
}

/** Graph names of a weight's packed params. */
export function packedNames(weight: string): { codes: string; scales: string; codesT: string; scalesT: string } {
  return { codes: `${weight}.nbits`, scales: `${weight}.nbits_scales`, codesT: `${weight}.nbits_t`, scalesT: `${weight}.nbits_t_scales` };
}

/** A Graph that quantizes frozen linear weights while `wrapping` is true (set it false before autodiff). */
export class QuantGraph extends Graph {
  wrapping = true;
  /** the weights quantized so far, by fp32 weight name */
  readonly quantized = new Map<string, QuantizedLinear>();

  /** keepModules: module names (last dotted component) whose weights stay fp32, e.g. the score head */
  constructor(readonly quant: QuantSettings | null, private readonly keepModules: readonly string[]) {
    super();
  }

  override matmul(x: Node, w: Node): Node {
    const lin = this.quant !== null && this.wrapping ? frozenLinear(w, this.keepModules) : undefined;
    if (lin === undefined || this.quant === null) return super.matmul(x, w);
    const { bits, blockSize, backward } = this.quant;
    this.quantized.set(lin.weight, lin);
    const names = packedNames(lin.weight);
    const leaf = (name: string, dims: readonly number[], dtype: "uint8" | "float32"): Node =>
      this.leafByName(name) ?? this.param(name, dims, { dtype, trainable: false });
    const packed = (K: number, N: number, codes: string, scales: string): [Node, Node] => {
      const dims = nbitsCodeDims(K, N, bits, blockSize);
      return [leaf(codes, dims, "uint8"), leaf(scales, dims.slice(0, 2), "float32")];
    };
    const [codes, scales] = packed(lin.K, lin.N, names.codes, names.scales);
    const transposed = backward ? packed(lin.N, lin.K, names.codesT, names.scalesT) : undefined;
    return this.matmulNBits(x, codes, scales, { K: lin.K, bits, blockSize, accuracyLevel: ACCURACY_LEVEL }, transposed); // [..., N]
  }
}

function frozenWeight(n: Node | undefined, keep: readonly string[]): boolean {
  if (n?.op !== "param" || n.shape.length !== 2 || isTrainable(n) || n.dtype !== "float32") return false;
  const name = leafName(n);
  const module = name.slice(0, -".weight".length);
  return name.endsWith(".weight") && !keep.includes(module.slice(module.lastIndexOf(".") + 1));
}

/** The linear layer a matmul's right operand is: a frozen weight, or the transpose of one. */
function frozenLinear(w: Node, keep: readonly string[]): QuantizedLinear | undefined {
  if (frozenWeight(w, keep)) {
    const [K, N] = w.shape as [number, number];
    return { weight: leafName(w), layout: "in_out", K, N };
  }
  const src = w.inputs[0];
  if (src !== undefined && w.op === "transpose" && String(w.attrs["perm"]) === "1,0" && frozenWeight(src, keep)) {
    const [N, K] = src.shape as [number, number];
    return { weight: leafName(src), layout: "out_in", K, N };
  }
  return undefined;
}

/** The packed tensors of every quantized weight, from fp32 weights (W read in place, no transposed copy made). */
export function quantizeBase(weights: Weights, linears: Iterable<QuantizedLinear>, q: QuantSettings): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const lin of linears) {
    const w = weights.get(lin.weight), { K, N } = lin;
    // W[k][n] as y = x·W reads it
    const at = lin.layout === "in_out" ? (k: number, n: number) => w[k * N + n] as number : (k: number, n: number) => w[n * K + k] as number;
    const names = packedNames(lin.weight);
    const put = (codes: string, scales: string, p: ReturnType<typeof quantizeNBits>): void => {
      const dims = nbitsCodeDims(p.K, p.N, q.bits, q.blockSize);
      out[codes] = tensor("uint8", dims, p.codes);
      out[scales] = tensor("float32", dims.slice(0, 2), p.scales);
    };
    put(names.codes, names.scales, quantizeNBits(at, K, N, q.bits, q.blockSize));
    if (q.backward) put(names.codesT, names.scalesT, quantizeNBits((k, n) => at(n, k), N, K, q.bits, q.blockSize));
  }
  return out;
}

/** File name of the cached packed base beside a run. */
export function quantizedBaseFile(dir: string, q: QuantSettings): string {
  return path.join(dir, `quantized-base-${q.bits}bit-block${q.blockSize}${q.backward ? "-train" : ""}.safetensors`);
}

/**
 * A cheap fingerprint of the fp32 base (size and a strided FNV-1a hash of its bytes), so a cache made from other
 * weights is not reused. Strided: hashing all of a 1.3 GB base would cost as much as quantizing it.
 */
export function baseFingerprint(weights: Weights): string {
  const bytes = new Uint8Array(weights.data.buffer, weights.data.byteOffset, weights.data.byteLength);
  let h = 0x811c9dc5;
  const step = Math.max(1, Math.floor(bytes.length / 4_000_000));
  for (let i = 0; i < bytes.length; i += step) h = Math.imul(h ^ (bytes[i] as number), 0x01000193) >>> 0;
  return `${weights.numel}:${h.toString(16)}`;
}

/**
 * The packed base: read from `cacheDir`'s file when it was made from the same weights with the same settings, else
 * quantized and written there (cacheDir undefined: not cached). Returns the tensors and whether the cache served.
 */
export function quantizedBaseTensors(weights: Weights, linears: readonly QuantizedLinear[], q: QuantSettings, cacheDir?: string):
  { tensors: Record<string, Tensor>; cached: boolean } {
  const fingerprint = baseFingerprint(weights);
  const file = cacheDir === undefined ? undefined : quantizedBaseFile(cacheDir, q);
  if (file !== undefined && existsSync(file)) {
    const st = openSafetensors(file);
    if (st.metadata?.["base"] === fingerprint) {
      const want = quantizeShapes(linears, q);
      if ([...want].every(([name, t]) => st.tensors.get(name)?.shape.join(",") === t.dims.join(","))) {
        const tensors: Record<string, Tensor> = {};
        for (const [name, t] of want) tensors[name] = t.dtype === "uint8" ? tensor("uint8", t.dims, readTensorBytes(st, name, "U8"))
          : tensor("float32", t.dims, new Float32Array(readTensorBytes(st, name, "F32").buffer));
        return { tensors, cached: true };
      }
    }
  }
  const tensors = quantizeBase(weights, linears, q);
  if (file !== undefined) {
    mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.tmp`;
    writeSafetensors(tmp, Object.entries(tensors).map(([name, t]) => ({ name, shape: t.dims, data: t.data as Float32Array | Uint8Array })),
      { format: "rewardlab-nbits", base: fingerprint });
    renameSync(tmp, file);
  }
  return { tensors, cached: false };
}

function quantizeShapes(linears: readonly QuantizedLinear[], q: QuantSettings): Map<string, { dims: number[]; dtype: "uint8" | "float32" }> {
  const out = new Map<string, { dims: number[]; dtype: "uint8" | "float32" }>();
  for (const lin of linears) {
    const names = packedNames(lin.weight);
    const add = (codes: string, scales: string, K: number, N: number): void => {
      const dims = nbitsCodeDims(K, N, q.bits, q.blockSize);
      out.set(codes, { dims, dtype: "uint8" });
      out.set(scales, { dims: dims.slice(0, 2), dtype: "float32" });
    };
    add(names.codes, names.scales, lin.K, lin.N);
    if (q.backward) add(names.codesT, names.scalesT, lin.N, lin.K);
  }
  return out;
}
