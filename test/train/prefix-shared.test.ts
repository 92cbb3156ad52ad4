// Prefix-shared packing is the same computation as TRL's two-row batch: on the tiny reference models (formula
// weights) the rewards, the loss and every parameter gradient of one training step agree with the standard layout,
// on the reference pairs plus the edge cases (one side a prefix of the other, identical sides, no shared prefix,
// a side ending in the pad token, OPT's leading </s>).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { formulaValues, INPUT_NAMES, RewardModel } from "../../src/models/index.js";
import type { TokenizedPair } from "../../src/data/index.js";
import { createPairBatcher, StandardBatcher, type PairBatch } from "../../src/train/batches.js";
import { PrefixSharedBatcher, rowsCost } from "../../src/train/prefix-shared-batcher.js";
import { TrainingGraph, type StepResult } from "../../src/train/train-graph.js";
import { train } from "../../src/train/trainer.js";
import { pairList } from "../../src/train/batches.js";
import { readMetricsJsonl } from "../../src/train/index.js";
import { quiet, syntheticPairs, testConfig, tinyModel, tmpDir, TINY_OPT } from "./helpers.js";

const FIXTURES = "test/fixtures/reference";

function pairOf(c: readonly number[], r: readonly number[], margin?: number): TokenizedPair {
  let s = 0;
  while (s < Math.min(c.length, r.length) && c[s] === r[s]) s++;
  const p: TokenizedPair = { input_ids_chosen: Int32Array.from(c), attention_mask_chosen: new Int32Array(c.length).fill(1),
    input_ids_rejected: Int32Array.from(r), attention_mask_rejected: new Int32Array(r.length).fill(1), sharedPrefix: s };
  if (margin !== undefined) p.margin = margin;
  return p;
}

/** The reference pairs of a fixture plus the edge cases, built from its first pair's ids. */
function edgePairs(model: string, pad: number): TokenizedPair[][] {
  const exp = JSON.parse(readFileSync(path.join(FIXTURES, model, "expected.json"), "utf8")) as { pairs: { chosen_ids: number[]; rejected_ids: number[] }[] };
  const ref = exp.pairs.map((p) => pairOf(p.chosen_ids, p.rejected_ids));
  const a = exp.pairs[0]?.chosen_ids as number[], b = exp.pairs[0]?.rejected_ids as number[];
  const head = a.slice(0, 12);
  const edges = [
    pairOf(head, [...head, 300, 301, 302]),               // chosen is a prefix of rejected: empty chosen suffix
    pairOf([...head, 500, 501], head.slice(0, 7)),         // rejected is a prefix of chosen
    pairOf(head, head),                                    // identical sides: both suffixes empty
    pairOf([...head, pad], [...head, 77, 78]),             // chosen ends in the pad id: pooled at the prefix's end
    pairOf([900, ...b.slice(1, 9)], [901, ...a.slice(1, 5)]), // no shared prefix at all (not even OPT's </s>)
    pairOf(a, [...a.slice(0, a.length - 1), pad, pad]),    // rejected ends in pad ids after a shared body
  ];
  return [ref, edges, [...ref.slice(0, 2), ...edges.slice(0, 2)]];
}

function formulaModel(model: string): RewardModel {
  const m = RewardModel.create(JSON.parse(readFileSync(path.join(FIXTURES, model, "config.json"), "utf8")) as Record<string, unknown>);
  for (const n of m.weights.names) formulaValues(n, m.weights.get(n));
  return m;
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] as number));
  return m;
}

/** max|got − want| ≤ rel · max(max|want|, floor): the floor covers gradients that are zero up to rounding. */
function assertRel(what: string, got: ArrayLike<number>, want: ArrayLike<number>, rel: number, floor = 1e-12): void {
  assert.equal(got.length, want.length, `${what}: length`);
  const scale = Math.max(maxAbs(want), floor);
  let worst = 0, at = 0;
  for (let i = 0; i < want.length; i++) {
    const d = Math.abs((got[i] as number) - (want[i] as number));
    if (d > worst) [worst, at] = [d, i];
  }
  assert.ok(worst <= rel * scale, `${what}: largest abs diff ${worst.toExponential(3)} at [${at}] (got ${got[at]}, want ${want[at]}), ` +
    `tolerance ${rel} × max|want| ${scale.toExponential(3)}`);
}

async function stepWith(g: TrainingGraph, batch: PairBatch): Promise<{ r: StepResult; grads: Float32Array }> {
  g.grads.fill(0);
  const r = await g.step(batch);
  return { r, grads: Float32Array.from(g.grads) };
}

for (const name of ["gpt2-tiny", "opt-tiny-postln", "opt-tiny-preln"]) {
  for (const lora of [false, true]) {
    test(`${name}${lora ? " LoRA" : ""}: prefix-shared rewards, loss and gradients equal the standard layout`, async () => {
      const m = formulaModel(name);
      const g = await TrainingGraph.create(m, { hasMargin: true, centerRewardsCoefficient: 0.01, threads: 1,
        lora: lora ? { r: 4, alpha: 8, dropout: 0, targetModules: name.startsWith("gpt2") ? ["c_attn", "c_proj"] : ["q_proj", "v_proj", "fc1"] } : undefined,
        uniform: (() => { let k = 0; return () => ((k++ * 0.618034) % 1); })() });
      try {
        const std = new StandardBatcher(m.def, m.config, m.padTokenId, true);
        const shared = new PrefixSharedBatcher(m.def, m.config, m.padTokenId, true);
        let set = 0;
        for (const pairs of edgePairs(name, m.padTokenId)) {
          pairs.forEach((p, i) => { p.margin = (i % 3) * 0.25; });
          const a = await stepWith(g, std.build(pairs));
          const bb = shared.build(pairs);
          assert.deepEqual(bb.feeds[INPUT_NAMES.poolIndex]?.dims, [pairs.length, 2]);
          assert.ok(bb.computedTokens < bb.tokens || pairs.every((p) => p.sharedPrefix === 0), "the prefix is computed once");
          const b = await stepWith(g, bb);
          const what = `${name} set ${set++}`;
          assertRel(`${what} chosen rewards`, b.r.chosen, a.r.chosen, 1e-5);
          assertRel(`${what} rejected rewards`, b.r.rejected, a.r.rejected, 1e-5);
          assertRel(`${what} loss`, [b.r.loss], [a.r.loss], 1e-5);
          // k_proj's bias has an analytically zero gradient (softmax ignores a per-query shift): compare it against
          // the scale of the whole gradient, 1e-3 of its largest entry, not against its own rounding noise
          const floor = 1e-3 * maxAbs(a.grads);
          for (const t of g.tensors) {
            const sl = (x: Float32Array) => x.subarray(t.offset, t.offset + t.length);
            assertRel(`${what} grad ${t.name}`, sl(b.grads), sl(a.grads), 1e-4, floor);
          }
          assert.ok(maxAbs(a.grads) > 0, "gradients are not all zero");
        }
      } finally {
        await g.release();
      }
    });
  }
}

test("packed row: tokens, positions, bias and pooled indices of a small GPT-2 and OPT pair", () => {
  for (const raw of [undefined, TINY_OPT]) {
    const m = tinyModel(raw);
    const off = raw ? 2 : 0, pad = m.padTokenId;
    const b = new PrefixSharedBatcher(m.def, m.config, pad, false);
    // prefix [11 12], chosen suffix [13], rejected suffix [14 15]; second pair: chosen is a prefix of rejected
    const batch = b.build([pairOf([11, 12, 13], [11, 12, 14, 15]), pairOf([11, 12], [11, 12, 16])]);
    const T = 5;
    assert.deepEqual(batch.feeds[INPUT_NAMES.inputIds]?.dims, [2, T]);
    assert.deepEqual([...(batch.feeds[INPUT_NAMES.inputIds]?.data as BigInt64Array)].map(Number), [11, 12, 13, 14, 15, 11, 12, 16, pad, pad]);
    assert.deepEqual([...(batch.feeds[INPUT_NAMES.positionRows]?.data as BigInt64Array)].map(Number),
      [0, 1, 2, 2, 3, 0, 1, 2, 0, 0].map((p) => p + off));
    assert.deepEqual([...(batch.feeds[INPUT_NAMES.poolIndex]?.data as BigInt64Array)].map(Number), [2, 4, 1, 2]);
    const bias = batch.feeds[INPUT_NAMES.attentionBias]?.data as Float32Array;
    const sees = (row: number, i: number, j: number): boolean => bias[(row * T + i) * T + j] === 0;
    const seen = (row: number, i: number) => Array.from({ length: T }, (_, j) => (sees(row, i, j) ? 1 : 0)).join("");
    assert.deepEqual([0, 1, 2, 3, 4].map((i) => seen(0, i)), ["10000", "11000", "11100", "11010", "11011"]);
    assert.deepEqual([0, 1, 2, 3, 4].map((i) => seen(1, i)), ["10000", "11000", "11100", "00010", "00001"]);
    assert.equal(batch.tokens, 7 + 5);
    assert.equal(batch.computedTokens, 5 + 3);
    assert.equal(batch.paddedTokens, 10);
  }
});

test("createPairBatcher picks the layout; prefix-shared hands a batch that shares little to the standard layout", () => {
  const m = tinyModel(); // n_embd 16: attention's T² weighs a lot
  const shared = createPairBatcher("prefix-shared", m.def, m.config, 0, false);
  assert.equal(shared.layout, "prefix-shared");
  assert.equal(createPairBatcher("standard", m.def, m.config, 0, false).layout, "standard");
  const long = (k: number) => Array.from({ length: 30 }, (_, t) => 1 + ((t * 7 + k) % 40));
  const prompt = long(0);
  assert.equal(shared.build([pairOf(prompt, [...prompt.slice(0, 28), 3, 4])]).layout, "prefix-shared", "a long common prompt: packed");
  const apart = shared.build([pairOf([5, ...long(1)], [6, ...long(2)])]);
  assert.equal(apart.layout, "standard", "nothing shared: two rows");
  assert.deepEqual(apart.feeds[INPUT_NAMES.inputIds]?.dims, [2, 31]);
  assert.ok(rowsCost(1, 62, 16) > rowsCost(2, 31, 16) && rowsCost(1, 32, 16) < rowsCost(2, 30, 16));
});

test("trainer: prefix-shared and standard layouts give the same loss curve (GPT-2 and OPT)", async () => {
  for (const raw of [undefined, TINY_OPT]) {
    const curves: number[][] = [];
    for (const layout of ["standard", "prefix-shared"] as const) {
      const out = tmpDir(`layout-${layout}`);
      await train({ model: tinyModel(raw), modelSource: "config:test", train: pairList(syntheticPairs(12)), console: quiet,
        config: testConfig(out, { layout, group_by_length: false, report_to: ["jsonl"] }) });
      curves.push(readMetricsJsonl(path.join(out, "metrics.jsonl")).filter((r) => "loss" in r).map((r) => r.loss as number));
      const run = JSON.parse(readFileSync(path.join(out, "run.json"), "utf8")) as { layout: string };
      assert.equal(run.layout, layout);
    }
    assert.equal(curves[0]?.length, 4);
    assertRel(`${raw ? "opt" : "gpt2"} loss curve`, curves[1] as number[], curves[0] as number[], 1e-5);
  }
});
