// TRL's loss variants against hand-computed values (python: math.log1p(math.exp(-x)) per pair), through the graph
// and the interpreter, plus the gradient sign: the loss pushes chosen up and rejected down.
import { test } from "node:test";
import assert from "node:assert/strict";
import { float32, gradients, Graph, int64, InterpExecutor } from "../../src/engine/index.js";
import { marginInput, pairwiseLoss, pairwiseLossF64, splitRewards } from "../../src/train/pairwise-loss.js";

const chosen = [1, 0.5, -2], rejected = [0, 0.5, 1], margin = [0, 1, 0.5];
const HAND = { plain: 1.3516654065506366, margin: 1.718757931103022, marginCentered: 1.7287579311030221 };

async function graphLoss(opts: { margin?: boolean; coef?: number }): Promise<{ loss: number; dRewards: Float32Array }> {
  const g = new Graph();
  const rewards = g.input("rewards", ["N", 1], "float32"); // [2P, 1]: chosen rows then rejected rows
  const loss = pairwiseLoss(g, splitRewards(g, rewards), { margin: opts.margin ? marginInput(g) : undefined, centerRewardsCoefficient: opts.coef });
  g.output("loss", loss);
  const dRewards = gradients(g, loss, [rewards])[0];
  if (!dRewards) throw new Error("no gradient");
  g.output("d", dRewards);
  const ex = await InterpExecutor.create(g);
  const feeds = { rewards: float32([6, 1], [...chosen, ...rejected]), chosen_index: int64([3], [0, 1, 2]),
    rejected_index: int64([3], [3, 4, 5]), margin: float32([3], margin) };
  const out = await ex.run(feeds);
  return { loss: (out.loss?.data as Float32Array)[0] as number, dRewards: out.d?.data as Float32Array };
}

test("loss without margin, with margin, with margin and centering equals the hand-computed values", async () => {
  assert.ok(Math.abs((await graphLoss({})).loss - HAND.plain) < 1e-6);
  assert.ok(Math.abs((await graphLoss({ margin: true })).loss - HAND.margin) < 1e-6);
  assert.ok(Math.abs((await graphLoss({ margin: true, coef: 0.01 })).loss - HAND.marginCentered) < 1e-6);
  assert.ok(Math.abs(pairwiseLossF64(chosen, rejected) - HAND.plain) < 1e-12);
  assert.ok(Math.abs(pairwiseLossF64(chosen, rejected, { margin }) - HAND.margin) < 1e-12);
  assert.ok(Math.abs(pairwiseLossF64(chosen, rejected, { margin, centerRewardsCoefficient: 0.01 }) - HAND.marginCentered) < 1e-12);
});

test("gradient: d loss / d r_chosen = −σ(−x)/P, d loss / d r_rejected = +σ(−x)/P", async () => {
  const { dRewards } = await graphLoss({ margin: true });
  const sig = (x: number): number => 1 / (1 + Math.exp(-x));
  for (let i = 0; i < 3; i++) {
    const x = (chosen[i] as number) - (rejected[i] as number) - (margin[i] as number);
    assert.ok(Math.abs((dRewards[i] as number) + sig(-x) / 3) < 1e-6, `chosen ${i}`);
    assert.ok(Math.abs((dRewards[3 + i] as number) - sig(-x) / 3) < 1e-6, `rejected ${i}`);
  }
});

test("a very large margin stays finite (softplus, not log of a sigmoid)", () => {
  assert.ok(Math.abs(pairwiseLossF64([0], [0], { margin: [1000] }) - 1000) < 1e-9);
  assert.ok(pairwiseLossF64([1000], [0]) < 1e-300 + 1e-12);
});
