// The part of training that is specific to reward models: TRL RewardTrainer.compute_loss.
//   loss = mean_i(−logσ(r_chosen_i − r_rejected_i − margin_i))  +  coef · mean_i((r_chosen_i + r_rejected_i)²)
// with −logσ(x) = softplus(−x). The centering term is TRL's `center_rewards_coefficient` (Eisenstein et al. 2023).
// Legend: P pairs, N rewards of the batch (2P for the standard layout, chosen rows then rejected rows).
//
// The reward graph's batch dim is a free symbol, so "first half / second half" cannot be sliced symbolically;
// the batch builder feeds where each pair's two rewards sit instead (`chosen_index`, `rejected_index`), which
// also serves layouts that pool several rewards per row (prefix sharing).
import type { Graph, Node } from "../engine/index.js";

export const PAIR_INPUT_NAMES = { chosenIndex: "chosen_index", rejectedIndex: "rejected_index", margin: "margin" } as const;

export interface LossOptions {
  /** per-pair margin [P] subtracted inside the sigmoid (TRL: the dataset's "margin" column) */
  readonly margin?: Node;
  /** weight of mean((r_chosen + r_rejected)²); null/undefined/0 = off */
  readonly centerRewardsCoefficient?: number | null;
}

export interface PairRewards {
  /** [P] */
  readonly chosen: Node;
  /** [P] */
  readonly rejected: Node;
}

/** Declares chosen_index / rejected_index [P] (int64) and picks both rewards of each pair out of rewards [B, K]. */
export function splitRewards(g: Graph, rewards: Node): PairRewards {
  const flat = g.reshape(rewards, [-1]);                                           // [N]
  const chosenIndex = g.input(PAIR_INPUT_NAMES.chosenIndex, ["P"], "int64");
  const rejectedIndex = g.input(PAIR_INPUT_NAMES.rejectedIndex, ["P"], "int64");
  return { chosen: g.gather(flat, chosenIndex), rejected: g.gather(flat, rejectedIndex) }; // [P], [P]
}

/** Declares the optional margin input [P] (float32). */
export function marginInput(g: Graph): Node {
  return g.input(PAIR_INPUT_NAMES.margin, ["P"], "float32");
}

/** TRL's reward-model loss (a scalar) from both rewards of every pair. */
export function pairwiseLoss(g: Graph, r: PairRewards, opts: LossOptions = {}): Node {
  let diff = g.sub(r.chosen, r.rejected);                                          // [P]
  if (opts.margin) diff = g.sub(diff, opts.margin);
  let loss = g.reduceMean(g.softplus(g.neg(diff)), [0]);                           // []
  const coef = opts.centerRewardsCoefficient;
  if (coef !== undefined && coef !== null && coef !== 0) {
    const sum = g.add(r.chosen, r.rejected);                                       // [P]
    loss = g.add(loss, g.mul(g.scalar(coef), g.reduceMean(g.mul(sum, sum), [0])));
  }
  return loss;
}

/** The same loss in float64 over plain arrays: the hand check for tests and a reference for reports. */
export function pairwiseLossF64(chosen: ArrayLike<number>, rejected: ArrayLike<number>,
  opts: { margin?: ArrayLike<number>; centerRewardsCoefficient?: number | null } = {}): number {
  const n = chosen.length;
  let sum = 0, center = 0;
  for (let i = 0; i < n; i++) {
    const c = chosen[i] as number, r = rejected[i] as number;
    const x = c - r - (opts.margin ? (opts.margin[i] as number) : 0);
    sum += x > 0 ? Math.log1p(Math.exp(-x)) : -x + Math.log1p(Math.exp(x));       // softplus(−x), stable
    center += (c + r) * (c + r);
  }
  const coef = opts.centerRewardsCoefficient ?? 0;
  return sum / n + coef * (center / n);
}
