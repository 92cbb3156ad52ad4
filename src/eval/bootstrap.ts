// Percentile bootstrap confidence interval of a mean (accuracy is the mean of 0/1 outcomes). Resampling is seeded,
// so the same scores give the same interval on every run and machine.
import { mulberry32 } from "../data/index.js";

export interface Interval {
  readonly low: number;
  readonly high: number;
  /** e.g. 0.95 */
  readonly confidence: number;
  readonly resamples: number;
}

export interface BootstrapOptions {
  /** default 1000 */
  readonly resamples?: number;
  /** default 0.95 */
  readonly confidence?: number;
  /** default 0 */
  readonly seed?: number;
}

/** The q-quantile of sorted values with linear interpolation between order statistics (numpy's default). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (n - 1) * q, lo = Math.floor(h), hi = Math.min(n - 1, lo + 1);
  return (sorted[lo] as number) + (h - lo) * ((sorted[hi] as number) - (sorted[lo] as number));
}

/** Interval for the mean of `values`: resample n values with replacement `resamples` times, take the percentiles. */
export function bootstrapMeanInterval(values: ArrayLike<number>, opts: BootstrapOptions = {}): Interval {
  const resamples = opts.resamples ?? 1000, confidence = opts.confidence ?? 0.95;
  if (!(Number.isInteger(resamples) && resamples >= 1)) throw new RangeError(`resamples must be an integer >= 1, got ${resamples}`);
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  const n = values.length;
  if (n === 0) return { low: NaN, high: NaN, confidence, resamples };
  const rand = mulberry32(opts.seed ?? 0);
  const means = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += values[Math.floor(rand() * n)] as number;
    means[b] = sum / n;
  }
  means.sort();
  const tail = (1 - confidence) / 2;
  return { low: quantileSorted(means, tail), high: quantileSorted(means, 1 - tail), confidence, resamples };
}
