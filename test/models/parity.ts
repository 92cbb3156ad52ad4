// Parity with what transformers computes for the reference models (shared/reference/README.md): the padded batches,
// rewards one at a time and batched, the pairwise loss and every parameter's gradient samples. On a mismatch the
// message names the tensor, the largest absolute difference and where it is (llm.c's test_gpt2.c).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { gradients, isTrainable, leafName, OrtExecutor, type Tensor } from "../../src/engine/index.js";
import { formulaWeights } from "../../src/models/formula.js";
import { ordinaryBatch } from "../../src/models/layers.js";
import { batchFeeds, buildRewardGraph, weightFeeds } from "../../src/models/reward-graph.js";
import { RewardModel } from "../../src/models/reward-model.js";
import { fixtureDir, readExpected, type BatchExpect, type Expected } from "./fixtures.js";

export function formulaModel(model: string): { m: RewardModel; e: Expected } {
  const m = RewardModel.create(JSON.parse(readFileSync(path.join(fixtureDir(model), "config.json"), "utf8")) as Record<string, unknown>);
  m.weights.data.set(formulaWeights(m.weights.specs).data);
  return { m, e: readExpected(model) };
}

/** Largest |a - b| and where; fails naming `what` when it exceeds tol. */
export function assertClose(what: string, actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, where = (i: number) => `[${i}]`): void {
  assert.equal(actual.length, expected.length, `${what}: ${actual.length} values, expected ${expected.length}`);
  let worst = -1, diff = 0;
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs((actual[i] as number) - (expected[i] as number));
    if (!(d <= diff)) { diff = d; worst = i; }
  }
  if (worst >= 0 && !(diff <= tol)) {
    assert.fail(`${what}: largest abs diff ${diff.toExponential(3)} at ${where(worst)} (got ${actual[worst]}, expected ${expected[worst]}), tolerance ${tol.toExponential(3)}`);
  }
}

/** Our batch (right padding, pooled index, positions) equals transformers' padded batch. */
export function checkBatch(m: RewardModel, rows: number[][], exp: BatchExpect, what: string): void {
  const b = ordinaryBatch(rows, m.padTokenId);
  assert.deepEqual([...b.inputIds].map(Number), exp.input_ids.flat(), `${what}: input_ids`);
  assert.deepEqual([...b.attentionMask], exp.attention_mask.flat(), `${what}: attention_mask`);
  assert.deepEqual([...b.poolIndex].map(Number), exp.pool_index, `${what}: pool_index`);
  const rowsRead = [...m.def.positionIds(m.config, b.attentionMask, b.B, b.T)];
  if (exp.position_ids) assert.deepEqual(rowsRead, exp.position_ids.flat().map((p) => p + 2), `${what}: OPT position_ids + 2`);
  else assert.deepEqual(rowsRead, exp.input_ids.flatMap((r) => r.map((_, t) => t)), `${what}: GPT-2 positions arange(T)`);
}

export async function checkRewards(model: string): Promise<void> {
  const { m, e } = formulaModel(model);
  try {
    const maxR = Math.max(...e.texts.map((t) => Math.abs(t.reward)));
    const tol = 5e-6 * maxR;
    checkBatch(m, e.texts.map((t) => t.input_ids), e.texts_batch, "texts_batch");
    const single = new Float32Array(e.texts.length);
    for (let i = 0; i < e.texts.length; i++) single[i] = (await m.score([(e.texts[i] as Expected["texts"][0]).input_ids]))[0] as number;
    assertClose(`${model} rewards one text at a time`, single, e.texts.map((t) => t.reward), tol, (i) => `text ${i}`);
    const batched = await m.score(e.texts.map((t) => t.input_ids), { batchSize: e.texts.length });
    assertClose(`${model} rewards of texts_batch`, batched, e.texts_batch.rewards, tol, (i) => `text ${i}`);
    const small = await m.score(e.texts.map((t) => t.input_ids), { batchSize: 5 });
    assertClose(`${model} rewards batched by 5 vs one at a time`, small, single, tol, (i) => `text ${i}`);
  } finally {
    await m.release();
  }
}

/** The pairs batch: rewards, loss = mean(-logσ(r_chosen - r_rejected)) and the gradient of every parameter. */
export async function checkLossAndGradients(model: string): Promise<void> {
  const { m, e } = formulaModel(model);
  const P = e.pairs.length;
  const rows = [...e.pairs.map((p) => p.chosen_ids), ...e.pairs.map((p) => p.rejected_ids)];
  checkBatch(m, rows, e.pairs_batch, "pairs_batch");
  const { graph: g, rewards } = buildRewardGraph(m.def, m.config, m.weights);
  // rows 0..P-1 chosen, P..2P-1 rejected; gather (not slice) picks rows of the symbolic batch dim with a gradient
  const rowsOf = (from: number) => g.constant(Array.from({ length: P }, (_, i) => from + i), [P], "int64");
  const diff = g.sub(g.gather(rewards, rowsOf(0)), g.gather(rewards, rowsOf(P)));          // [P, 1]
  const loss = g.output("loss", g.reduceMean(g.softplus(g.neg(diff)), [0, 1]));           // []: mean -logσ(diff)
  const params = g.params().filter(isTrainable);
  gradients(g, loss, params).forEach((d, i) => g.output(`grad:${leafName(params[i] as typeof loss)}`, d));
  const ex = await OrtExecutor.create(g);
  let out: Record<string, Tensor>;
  try {
    out = await ex.run({ ...weightFeeds(m.weights), ...batchFeeds(m.def, m.config, rows, m.padTokenId).feeds });
  } finally {
    await ex.release();
  }
  const maxR = Math.max(...e.pairs_batch.rewards.map(Math.abs));
  assertClose(`${model} pairs_batch rewards`, out["rewards"]?.data as Float32Array, e.pairs_batch.rewards, 5e-6 * maxR);
  // "~2e-7": the float32 reference is itself up to 1.3e-7 from float64, so hold ours to 2e-7 of the float64 loss
  // and to 4e-7 of the float32 one (4 ulp at 0.86; bugs move it by > 1e-4)
  assertClose(`${model} loss vs float64`, out["loss"]?.data as Float32Array, [e.loss_fp64], 2e-7);
  assertClose(`${model} loss vs float32`, out["loss"]?.data as Float32Array, [e.loss], 4e-7);
  const maxGrad = Math.max(...Object.values(e.params).map((p) => p.grad_max_abs));
  let sq = 0;
  const problems: string[] = [];
  for (const [name, p] of Object.entries(e.params)) {
    const grad = out[`grad:${name}`]?.data as Float32Array;
    assert.ok(grad, `no gradient output for ${name}`);
    let s = 0;
    for (const x of grad) s += x * x;
    sq += s;
    const tolFor = (i: number) => {
      const z = p.analytically_zero_grad;
      const zero = z === true || (Array.isArray(z) && i >= z[0] && i < z[1]);
      return zero ? 1e-7 * maxGrad : 2e-5 * p.grad_max_abs;
    };
    for (const list of [p.samples, p.top_grad]) {
      list.index.forEach((i, k) => {
        const d = Math.abs((grad[i] as number) - (list.grad[k] as number));
        if (!(d <= tolFor(i))) problems.push(`${name}[${i}]: grad ${grad[i]}, expected ${list.grad[k]} (abs diff ${d.toExponential(3)}, tolerance ${tolFor(i).toExponential(3)})`);
      });
    }
    if (p.analytically_zero_grad === false && !(Math.abs(Math.sqrt(s) - p.grad_norm) <= 2e-5 * p.grad_norm)) {
      problems.push(`${name}: grad_norm ${Math.sqrt(s)}, expected ${p.grad_norm}`);
    }
  }
  assert.deepEqual(problems, [], `${model}: gradient mismatches`);
  assertClose(`${model} global grad norm`, [Math.sqrt(sq)], [e.grad_global_norm], 2e-5 * e.grad_global_norm);
}
