// TrainingGraph's gradient buffer: zeroGrads() clears it (dense gradients are stored by the next step rather than
// added to zeros, the embedding table is written with zeros), and further steps add to it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createPairBatcher, TrainingGraph } from "../../src/train/index.js";
import { syntheticPairs, tinyModel } from "./helpers.js";

test("zeroGrads, then steps accumulate: stale values are gone, two micro-batches give the sum of their gradients", async () => {
  const m = tinyModel();
  const g = await TrainingGraph.create(m, { hasMargin: false, centerRewardsCoefficient: null, threads: 1 });
  try {
    const batcher = createPairBatcher("prefix-shared", m.def, m.config, m.padTokenId, false);
    const pairs = syntheticPairs(6);
    const a = batcher.build(pairs.slice(0, 3)), b = batcher.build(pairs.slice(3, 6));
    const gradsOf = async (...batches: (typeof a)[]): Promise<Float32Array> => {
      g.grads.fill(7); // stale values from an earlier step
      g.zeroGrads();
      for (const batch of batches) await g.step(batch);
      return Float32Array.from(g.grads);
    };
    const ga = await gradsOf(a), gb = await gradsOf(b), gab = await gradsOf(a, b);
    assert.ok(ga.some((x) => x !== 0) && gb.some((x) => x !== 0));
    assert.ok(!ga.includes(7), "no stale value survives zeroGrads");
    // float32 sums: the embedding rows of repeated tokens are added one by one, so allow rounding
    const scale = Math.max(...gab.map(Math.abs));
    const i = gab.findIndex((x, k) => Math.abs(x - ((ga[k] as number) + (gb[k] as number))) > 1e-6 * scale);
    assert.equal(i, -1, `accumulated gradient differs at ${i}: ${gab[i]} vs ${ga[i]} + ${gb[i]}`);
    assert.ok(g.grads.buffer instanceof SharedArrayBuffer, "the optimizer's worker threads read the gradients");
  } finally {
    await g.release();
  }
});
