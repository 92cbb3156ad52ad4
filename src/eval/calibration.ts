// Calibration of a reward model read as a Bradley-Terry model: P(chosen preferred) = σ(r_chosen − r_rejected).
// A pair's order carries no information, so each pair counts twice: predicted σ(m) with outcome 1 (chosen won),
// and predicted σ(−m) with outcome 0. The bins then cover [0, 1] symmetrically, and a perfectly calibrated model
// has observed = predicted in every bin. ECE = Σ_bins (n_bin / N) · |mean predicted − observed|.

export interface CalibrationBin {
  /** [lo, hi) in predicted probability; the last bin includes 1 */
  readonly lo: number;
  readonly hi: number;
  /** predictions in the bin (two per pair: one per order) */
  readonly count: number;
  /** mean σ(margin) of the bin; null when empty */
  readonly predicted: number | null;
  /** share of the bin's predictions whose outcome was "preferred"; null when empty */
  readonly observed: number | null;
}

export interface Calibration {
  readonly bins: readonly CalibrationBin[];
  /** expected calibration error, in [0, 1] */
  readonly ece: number;
}

export function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

/** Calibration bins of the margins r_chosen − r_rejected. */
export function calibration(margins: ArrayLike<number>, numBins = 10): Calibration {
  if (!(Number.isInteger(numBins) && numBins >= 1)) throw new RangeError(`numBins must be an integer >= 1, got ${numBins}`);
  const count = new Float64Array(numBins), sumP = new Float64Array(numBins), sumY = new Float64Array(numBins);
  const put = (p: number, y: number): void => {
    const b = Math.min(numBins - 1, Math.floor(p * numBins));
    count[b] = (count[b] as number) + 1;
    sumP[b] = (sumP[b] as number) + p;
    sumY[b] = (sumY[b] as number) + y;
  };
  for (let i = 0; i < margins.length; i++) {
    const m = margins[i] as number;
    put(sigmoid(m), 1);
    put(sigmoid(-m), 0);
  }
  const total = 2 * margins.length;
  let ece = 0;
  const bins: CalibrationBin[] = [];
  for (let b = 0; b < numBins; b++) {
    const n = count[b] as number;
    const predicted = n > 0 ? (sumP[b] as number) / n : null, observed = n > 0 ? (sumY[b] as number) / n : null;
    if (predicted !== null && observed !== null) ece += (n / total) * Math.abs(predicted - observed);
    bins.push({ lo: b / numBins, hi: (b + 1) / numBins, count: n, predicted, observed });
  }
  return { bins, ece: total > 0 ? ece : NaN };
}
