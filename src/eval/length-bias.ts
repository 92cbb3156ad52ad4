// Does the model just prefer longer answers? Accuracy by bucket of length difference (chosen − rejected tokens),
// beside the length baselines ("the longer side is chosen", "the shorter side is chosen") and the share of
// unequal-length pairs where the model rewards the longer side more.

/** One pair as the length analysis needs it: token counts of each side (before truncation) and the margin. */
export interface LengthPair {
  readonly chosenTokens: number;
  readonly rejectedTokens: number;
  readonly margin: number;
}

export interface LengthBucket {
  readonly label: string;
  /** inclusive bounds of chosen − rejected tokens; null = unbounded */
  readonly min: number | null;
  readonly max: number | null;
  readonly pairs: number;
  /** strict accuracy (chosen reward > rejected reward) in the bucket; null when empty */
  readonly accuracy: number | null;
  /** share of the bucket's unequal-length pairs where the longer side got the higher reward; null when none */
  readonly prefers_longer: number | null;
}

export interface LengthBias {
  /** accuracy of always choosing the longer / shorter side (equal lengths count as wrong) */
  readonly longer_wins: number;
  readonly shorter_wins: number;
  readonly equal_length: number;
  /** share of unequal-length pairs where the model rewards the longer side strictly more */
  readonly model_prefers_longer: number | null;
  /** Pearson correlation of (chosen − rejected tokens) with the margin; null when either is constant */
  readonly length_margin_correlation: number | null;
  readonly buckets: readonly LengthBucket[];
}

/** Bucket edges in tokens: wide enough apart that short-answer and long-answer data both spread over them. */
const EDGES: readonly [min: number | null, max: number | null][] = [
  [null, -64], [-63, -16], [-15, -1], [0, 0], [1, 15], [16, 63], [64, null],
];

function label(min: number | null, max: number | null): string {
  if (min === null) return `≤ ${max}`;
  if (max === null) return `≥ +${min}`;
  if (min === max) return String(min);
  const sign = (v: number): string => (v > 0 ? `+${v}` : String(v));
  return `${sign(min)} … ${sign(max)}`;
}

export function lengthBias(pairs: readonly LengthPair[]): LengthBias {
  let longer = 0, shorter = 0, equal = 0, unequal = 0, modelLonger = 0;
  const n = pairs.length;
  const acc = EDGES.map(() => ({ pairs: 0, correct: 0, unequal: 0, longer: 0 }));
  for (const p of pairs) {
    const d = p.chosenTokens - p.rejectedTokens;
    if (d > 0) longer++;
    else if (d < 0) shorter++;
    else equal++;
    // the model "prefers longer" when the longer side's reward is strictly higher
    const picksLonger = d !== 0 && (d > 0 ? p.margin > 0 : p.margin < 0);
    if (d !== 0) {
      unequal++;
      if (picksLonger) modelLonger++;
    }
    const b = acc[EDGES.findIndex(([lo, hi]) => (lo === null || d >= lo) && (hi === null || d <= hi))];
    if (b === undefined) continue;
    b.pairs++;
    if (p.margin > 0) b.correct++;
    if (d !== 0) {
      b.unequal++;
      if (picksLonger) b.longer++;
    }
  }
  return {
    longer_wins: n > 0 ? longer / n : NaN,
    shorter_wins: n > 0 ? shorter / n : NaN,
    equal_length: n > 0 ? equal / n : NaN,
    model_prefers_longer: unequal > 0 ? modelLonger / unequal : null,
    length_margin_correlation: pearson(pairs.map((p) => p.chosenTokens - p.rejectedTokens), pairs.map((p) => p.margin)),
    buckets: EDGES.map(([min, max], i) => {
      const b = acc[i] as (typeof acc)[number];
      return {
        label: label(min, max), min, max, pairs: b.pairs,
        accuracy: b.pairs > 0 ? b.correct / b.pairs : null,
        prefers_longer: b.unequal > 0 ? b.longer / b.unequal : null,
      };
    }),
  };
}

function pearson(x: readonly number[], y: readonly number[]): number | null {
  const n = x.length;
  if (n < 2) return null;
  let mx = 0, my = 0;
  for (let i = 0; i < n; i++) { mx += x[i] as number; my += y[i] as number; }
  mx /= n;
  my /= n;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = (x[i] as number) - mx, dy = (y[i] as number) - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : null;
}
