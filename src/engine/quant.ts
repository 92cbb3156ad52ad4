// Blockwise weight quantization in the layout of onnxruntime's com.microsoft.MatMulNBits, the packed weight of the
// matmulNBits op. A weight used as y = x·W (W [K, N]) is stored per output column n as ceil(K / blockSize) blocks of
// blockSize codes along K: codes [N, kBlocks, blockSize·bits/8] (uint8, low bits first), scales [N, kBlocks] (fp32).
// Symmetric: no zero-point input, so onnxruntime's default zero point 2^(bits−1) applies and
// w = (code − 2^(bits−1))·scale, with scale = max|w| / (2^(bits−1) − 1) over the block. A K that is not a multiple
// of blockSize gets a last block padded with zero codes (they meet no input column).
// Legend: K reduction dim, N output columns, kBlocks blocks per column.

export const NBITS = [4, 8] as const;
export type NBits = (typeof NBITS)[number];
/** Block sizes onnxruntime's CPU kernel takes: powers of two from 16. */
export const NBITS_BLOCK_SIZES = [16, 32, 64, 128, 256] as const;

export interface QuantizedMatrix {
  readonly K: number;
  readonly N: number;
  readonly bits: NBits;
  readonly blockSize: number;
  /** [N, kBlocks, blockSize·bits/8] */
  readonly codes: Uint8Array;
  /** [N, kBlocks] */
  readonly scales: Float32Array;
}

export function kBlocks(K: number, blockSize: number): number {
  return Math.ceil(K / blockSize);
}

/** Dims of the packed codes of a [K, N] weight. */
export function nbitsCodeDims(K: number, N: number, bits: number, blockSize: number): [number, number, number] {
  return [N, kBlocks(K, blockSize), (blockSize * bits) / 8];
}

export function checkNBits(bits: number, blockSize: number): void {
  if (!(NBITS as readonly number[]).includes(bits)) throw new RangeError(`bits must be one of ${NBITS.join(", ")}, got ${bits}`);
  if (!(NBITS_BLOCK_SIZES as readonly number[]).includes(blockSize)) {
    throw new RangeError(`block size must be one of ${NBITS_BLOCK_SIZES.join(", ")}, got ${blockSize}`);
  }
}

/**
 * Quantizes W [K, N] read through `at(k, n)`, so a caller can pass a stored matrix or its transpose without a copy:
 * GPT-2's Conv1D weight [in, out] is W itself, a Linear weight [out, in] is Wᵀ.
 */
export function quantizeNBits(at: (k: number, n: number) => number, K: number, N: number, bits: NBits, blockSize: number): QuantizedMatrix {
  checkNBits(bits, blockSize);
  const nb = kBlocks(K, blockSize), blob = (blockSize * bits) / 8, zero = 2 ** (bits - 1), qmax = zero - 1;
  const codes = new Uint8Array(N * nb * blob), scales = new Float32Array(N * nb);
  const block = new Float64Array(blockSize);
  for (let n = 0; n < N; n++) {
    for (let b = 0; b < nb; b++) {
      let absMax = 0;
      for (let i = 0; i < blockSize; i++) {
        const k = b * blockSize + i;
        const v = k < K ? at(k, n) : 0;
        block[i] = v;
        absMax = Math.max(absMax, Math.abs(v));
      }
      const scale = Math.fround(absMax / qmax);
      scales[n * nb + b] = scale;
      const o = (n * nb + b) * blob;
      for (let i = 0; i < blockSize; i++) {
        const q = scale === 0 ? 0 : Math.max(-qmax, Math.min(qmax, Math.round((block[i] as number) / scale)));
        const code = q + zero;
        if (bits === 8) codes[o + i] = code;
        else codes[o + (i >> 1)] = (codes[o + (i >> 1)] as number) | (code << ((i & 1) * 4));
      }
    }
  }
  return { K, N, bits, blockSize, codes, scales };
}

/** W [K, N] (row-major, float64) as MatMulNBits reads it back: the definition the f64 kernel multiplies by. */
export function dequantizeNBits(codes: ArrayLike<number>, scales: ArrayLike<number>, K: number, N: number, bits: number, blockSize: number): Float64Array {
  const nb = kBlocks(K, blockSize), blob = (blockSize * bits) / 8, zero = 2 ** (bits - 1);
  const w = new Float64Array(K * N);
  for (let n = 0; n < N; n++) {
    for (let k = 0; k < K; k++) {
      const b = Math.floor(k / blockSize), i = k % blockSize, byte = codes[(n * nb + b) * blob + (bits === 8 ? i : i >> 1)] as number;
      const code = bits === 8 ? byte : (byte >> ((i & 1) * 4)) & 15;
      w[k * N + n] = (code - zero) * (scales[n * nb + b] as number);
    }
  }
  return w;
}
