// Gradient clipping with torch.nn.utils.clip_grad_norm_ semantics (norm_type 2): one global L2 norm over all
// gradient buffers (summed in float64), then every gradient is scaled by min(1, max_norm / (norm + 1e-6)).
// The return value is the pre-clip norm, which the HF Trainer logs as `grad_norm`.
// Sums of squares are taken per fixed chunk of NORM_CHUNK elements and the chunk sums added in order, so the norm
// has the same bits whichever threads computed the chunks (optimizer-threads.ts).

export const NORM_CHUNK = 1 << 20;

/** Σ g² over [lo, hi), in float64; four accumulators so the adds do not wait on each other. */
export function sumSquares(g: Float32Array, lo: number, hi: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  const end4 = lo + ((hi - lo) & ~3);
  for (let i = lo; i < end4; i += 4) {
    const x0 = g[i] as number, x1 = g[i + 1] as number, x2 = g[i + 2] as number, x3 = g[i + 3] as number;
    s0 += x0 * x0;
    s1 += x1 * x1;
    s2 += x2 * x2;
    s3 += x3 * x3;
  }
  for (let i = end4; i < hi; i++) {
    const x = g[i] as number;
    s0 += x * x;
  }
  return (s0 + s1) + (s2 + s3);
}

/** The chunk sums of squares of chunks [c0, c1) of g, written to out[c0..c1). */
export function chunkSumSquares(g: Float32Array, c0: number, c1: number, out: Float64Array): void {
  for (let c = c0; c < c1; c++) out[c] = sumSquares(g, c * NORM_CHUNK, Math.min(g.length, (c + 1) * NORM_CHUNK));
}

export function numNormChunks(n: number): number {
  return Math.ceil(n / NORM_CHUNK);
}

/** sqrt(Σ g²) over every buffer, accumulated in float64 chunk by chunk. */
export function globalGradNorm(grads: readonly Float32Array[]): number {
  let sumSq = 0;
  for (const g of grads) {
    const sums = new Float64Array(numNormChunks(g.length));
    chunkSumSquares(g, 0, sums.length, sums);
    for (const s of sums) sumSq += s;
  }
  return Math.sqrt(sumSq);
}

/** The factor clipping multiplies gradients by: min(1, maxNorm / (norm + 1e-6)); 1 when off or the norm is not finite. */
export function clipScale(norm: number, maxNorm: number): number {
  if (maxNorm <= 0 || !Number.isFinite(norm)) return 1;
  return Math.min(1, maxNorm / (norm + 1e-6));
}

/**
 * Scale `grads` in place so their global L2 norm is at most maxNorm; returns the norm before clipping.
 * maxNorm <= 0 disables clipping (HF: max_grad_norm 0). A non-finite norm leaves the gradients untouched (torch
 * would multiply them by NaN or 0); the caller decides whether to skip the step (RewardConfig.skip_nonfinite).
 */
export function clipGradNorm(grads: readonly Float32Array[], maxNorm: number): number {
  const norm = globalGradNorm(grads);
  const coef = clipScale(norm, maxNorm);
  if (coef < 1) {
    for (const g of grads) {
      for (let i = 0; i < g.length; i++) g[i] = (g[i] as number) * coef;
    }
  }
  return norm;
}
