// The attention bias, position rows and pooled indices are graph inputs: one row can hold a shared prompt and two
// continuations that do not see each other, and score both exactly as two separate rows would.
import { test } from "node:test";
import assert from "node:assert/strict";
import { OrtExecutor, tensor, int64 } from "../../src/engine/index.js";
import { INPUT_NAMES, MASKED } from "../../src/models/layers.js";
import { batchFeeds, buildRewardGraph, weightFeeds } from "../../src/models/reward-graph.js";
import { assertClose, formulaModel } from "./parity.js";

for (const model of ["gpt2-tiny", "opt-tiny-postln"]) {
  test(`${model}: prompt + two continuations in one row score like two separate rows`, async () => {
    const { m, e } = formulaModel(model);
    const pair = e.pairs[0];
    assert.ok(pair);
    // the shared prefix of the two token rows
    let n = 0;
    while (pair.chosen_ids[n] === pair.rejected_ids[n]) n++;
    const a = pair.chosen_ids.slice(n), b = pair.rejected_ids.slice(n);
    const row = [...pair.chosen_ids.slice(0, n), ...a, ...b];
    const T = row.length, segB = n + a.length;
    const offset = model.startsWith("opt") ? 2 : 0;
    const pos = row.map((_, t) => (t < segB ? t : t - a.length) + offset);
    const bias = new Float32Array(T * T).fill(MASKED);
    for (let i = 0; i < T; i++) for (let j = 0; j <= i; j++) {
      const sees = i < segB ? true : j < n || j >= segB;   // continuation b sees the prompt and itself, not a
      if (sees) bias[i * T + j] = 0;
    }
    const { graph } = buildRewardGraph(m.def, m.config, m.weights);
    const ex = await OrtExecutor.create(graph);
    try {
      const shared = await ex.run({
        ...weightFeeds(m.weights),
        [INPUT_NAMES.inputIds]: int64([1, T], row),
        [INPUT_NAMES.positionRows]: int64([1, T], pos),
        [INPUT_NAMES.attentionBias]: tensor("float32", [1, 1, T, T], bias),
        [INPUT_NAMES.poolIndex]: int64([1, 2], [segB - 1, T - 1]),
      });
      const separate = await ex.run({ ...weightFeeds(m.weights), ...batchFeeds(m.def, m.config, [pair.chosen_ids, pair.rejected_ids], m.padTokenId).feeds });
      const r = shared["rewards"]?.data as Float32Array;
      assert.deepEqual(shared["rewards"]?.dims, [1, 2]);
      assertClose(`${model} shared-prefix rewards`, r, separate["rewards"]?.data as Float32Array, 5e-6 * Math.max(...[...r].map(Math.abs)));
      assertClose(`${model} shared-prefix rewards vs transformers`, r, [pair.reward_chosen, pair.reward_rejected], 5e-6 * Math.max(...[...r].map(Math.abs)));
    } finally {
      await ex.release();
    }
  });
}
