// Gradient clipping with torch.nn.utils.clip_grad_norm_ semantics (norm_type 2): one global L2 norm over all
// gradient buffers (summed in float64), then every gradient is scaled by min(1, max_norm / (norm + 1e-6)).
// The return value is the pre-clip norm, which the HF Trainer logs as `grad_norm`.

/** sqrt(Σ g²) over every buffer, accumulated in float64. */
export function globalGradNorm(grads: readonly Float32Array[]): number {
  let sumSq = 0;
  for (const g of grads) {
    for (let i = 0; i < g.length; i++) {
      const x = g[i] as number;
      sumSq += x * x;
    }
  }
  return Math.sqrt(sumSq);
}

/**
 * Scale `grads` in place so their global L2 norm is at most maxNorm; returns the norm before clipping.
 * maxNorm <= 0 disables clipping (HF: max_grad_norm 0). A non-finite norm leaves the gradients untouched (torch
 * would multiply them by NaN or 0); the caller decides whether to skip the step (RewardConfig.skip_nonfinite).
 */
export function clipGradNorm(grads: readonly Float32Array[], maxNorm: number): number {
  const norm = globalGradNorm(grads);
  if (maxNorm <= 0 || !Number.isFinite(norm)) return norm;
  const coef = maxNorm / (norm + 1e-6);
  if (coef < 1) {
    for (const g of grads) {
      for (let i = 0; i < g.length; i++) g[i] = (g[i] as number) * coef;
    }
  }
  return norm;
}
