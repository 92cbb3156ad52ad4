// Evaluation on a held-out split: every pair once, in order, metrics weighted by pairs (not by batches).
// accuracy = share of pairs with r_chosen > r_rejected; ties count as wrong and are reported as their own share.
import { RunningStats } from "./metrics.js";
import type { PairBatcher, PairSet } from "./batches.js";
import type { TrainingGraph } from "./train-graph.js";
import type { TokenizedPair } from "../data/index.js";

export interface EvalMetrics {
  eval_loss: number;
  eval_accuracy: number;
  /** share of pairs with r_chosen == r_rejected */
  eval_ties: number;
  eval_margin: number;
  eval_reward_mean: number;
  eval_reward_std: number;
  eval_reward_min: number;
  eval_reward_max: number;
  eval_pairs: number;
}

export async function evaluatePairs(graph: TrainingGraph, batcher: PairBatcher, set: PairSet, batchSize: number): Promise<EvalMetrics> {
  let lossSum = 0, correct = 0, ties = 0, marginSum = 0, min = Infinity, max = -Infinity;
  const rewards = new RunningStats();
  for (let start = 0; start < set.length; start += batchSize) {
    const pairs: TokenizedPair[] = [];
    for (let i = start; i < Math.min(set.length, start + batchSize); i++) pairs.push(set.pair(i));
    const r = await graph.evaluate(batcher.build(pairs));
    lossSum += r.loss * pairs.length;
    for (let i = 0; i < pairs.length; i++) {
      const c = r.chosen[i] as number, j = r.rejected[i] as number;
      if (c > j) correct++;
      else if (c === j) ties++;
      marginSum += c - j;
      min = Math.min(min, c, j);
      max = Math.max(max, c, j);
      rewards.push(c);
      rewards.push(j);
    }
  }
  const n = set.length;
  return {
    eval_loss: lossSum / n, eval_accuracy: correct / n, eval_ties: ties / n, eval_margin: marginSum / n,
    eval_reward_mean: rewards.mean, eval_reward_std: rewards.std, eval_reward_min: min, eval_reward_max: max, eval_pairs: n,
  };
}

/** Accuracy of "the longer side is chosen" and "the shorter side is chosen" (token counts; equal lengths count as wrong). */
export function lengthBaselines(set: PairSet): { longer: number; shorter: number } {
  let longer = 0, shorter = 0;
  for (let i = 0; i < set.length; i++) {
    const p = set.pair(i);
    const c = p.input_ids_chosen.length, r = p.input_ids_rejected.length;
    if (c > r) longer++;
    else if (c < r) shorter++;
  }
  return { longer: longer / Math.max(1, set.length), shorter: shorter / Math.max(1, set.length) };
}
