// The pairwise figures: strict accuracy (r_chosen > r_rejected; a tie is counted apart and as wrong) with its
// bootstrap interval, mean margin, reward mean/std over every text, length bias and calibration.
import { bootstrapMeanInterval, type Interval } from "./bootstrap.js";
import { calibration, type Calibration } from "./calibration.js";
import { lengthBias, type LengthBias } from "./length-bias.js";
import { marginOf, type ScoredRow } from "./types.js";

export interface PairMetrics {
  readonly pairs: number;
  readonly correct: number;
  /** pairs with r_chosen == r_rejected (counted as wrong in accuracy) */
  readonly ties: number;
  readonly accuracy: number;
  readonly accuracy_ci: Interval;
  readonly mean_margin: number;
  readonly reward_mean: number;
  /** population standard deviation (ddof 0), as the trainer's eval_reward_std */
  readonly reward_std: number;
  readonly reward_min: number;
  readonly reward_max: number;
  readonly length_bias: LengthBias;
  readonly calibration: Calibration;
}

export function pairMetrics(rows: readonly ScoredRow[], seed = 0): PairMetrics {
  const n = rows.length;
  const outcomes = new Float64Array(n);
  let correct = 0, ties = 0, marginSum = 0;
  const margins = rows.map(marginOf);
  margins.forEach((m, i) => {
    if (m > 0) { correct++; outcomes[i] = 1; } else if (m === 0) ties++;
    marginSum += m;
  });
  const rewards = rewardStats(rows);
  return {
    pairs: n, correct, ties,
    accuracy: n > 0 ? correct / n : NaN,
    accuracy_ci: bootstrapMeanInterval(outcomes, { seed }),
    mean_margin: n > 0 ? marginSum / n : NaN,
    reward_mean: rewards.mean, reward_std: rewards.std, reward_min: rewards.min, reward_max: rewards.max,
    length_bias: lengthBias(rows.map((r, i) => ({ chosenTokens: r.tokens[0] as number, rejectedTokens: r.tokens[1] as number, margin: margins[i] as number }))),
    calibration: calibration(margins),
  };
}

/** Mean, population std, min and max of every reward of every row (two-pass, so a large mean loses no precision). */
export function rewardStats(rows: readonly ScoredRow[]): { mean: number; std: number; min: number; max: number } {
  let n = 0, sum = 0, min = Infinity, max = -Infinity;
  for (const r of rows) for (const x of r.rewards) { n++; sum += x; min = Math.min(min, x); max = Math.max(max, x); }
  if (n === 0) return { mean: NaN, std: NaN, min: NaN, max: NaN };
  const mean = sum / n;
  let ss = 0;
  for (const r of rows) for (const x of r.rewards) ss += (x - mean) ** 2;
  return { mean, std: Math.sqrt(ss / n), min, max };
}
