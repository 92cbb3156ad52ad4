// The batcher (bounded queue, requests merged into forward passes, prefix-shared rows), the pass planner and the
// request parsers, without HTTP. Rewards are checked against each row scored alone (model.score, batch 1).
import { test } from "node:test";
import assert from "node:assert/strict";
import type { RewardModel } from "../../src/models/index.js";
import {
  Batcher, bundleRows, largePassFactor, packRows, parseGetRewardRequest, parseScoreRequest, planPasses, planWave, RequestError, type BatcherOptions, type PassStats,
} from "../../src/serve/index.js";
import { TINY_OPT, tinyModel } from "../train/helpers.js";
import { assertRewardsClose } from "./helpers.js";

const OPTS: BatcherOptions = {
  maxBatch: 32, maxBatchTokens: 16384, maxWaitMs: 20, maxQueue: 64, padTokenId: 0, crossRequest: true,
  prefixSharing: true, maxRowTokens: 1024,
};

/** Deterministic token rows in [lo, lo + span). */
function rows(n: number, seed: number, minLen: number, maxLen: number, lo = 1, span = 40): number[][] {
  let s = seed >>> 0;
  const rand = (k: number) => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) % k);
  return Array.from({ length: n }, () => Array.from({ length: minLen + rand(maxLen - minLen + 1) }, () => lo + rand(span)));
}

async function alone(model: RewardModel, r: readonly (readonly number[])[], pad: number): Promise<Float32Array> {
  return model.score(r, { batchSize: 1, padTokenId: pad });
}

test("Batcher: concurrent requests share forward passes and each gets the rewards of its rows scored alone", async () => {
  const model = tinyModel();
  try {
    const asks = [0, 1, 2, 3, 4, 5, 6, 7].map((k) => rows(1 + k, 10 + k, 1, 30));
    const passes: PassStats[] = [];
    const b = new Batcher(model, { ...OPTS, prefixSharing: false, onPass: (p) => passes.push(p) });
    const answers = await Promise.all(asks.map((r) => b.score(r)));
    for (const [k, r] of asks.entries()) assertRewardsClose(answers[k] as Float32Array, await alone(model, r, 0), `request ${k}`);
    const texts = asks.reduce((n, r) => n + r.length, 0);
    assert.equal(passes.reduce((n, p) => n + p.texts, 0), texts);
    assert.ok(passes.length < asks.length, `${passes.length} passes for ${asks.length} requests: not merged`);
    // without cross-request batching every pass holds texts of one request only
    const solo: PassStats[] = [];
    const s = new Batcher(model, { ...OPTS, crossRequest: false, prefixSharing: false, onPass: (p) => solo.push(p) });
    const soloAnswers = await Promise.all(asks.map((r) => s.score(r)));
    soloAnswers.forEach((a, k) => assertRewardsClose(a, answers[k] as Float32Array, `solo request ${k}`));
    assert.ok(solo.length >= asks.length);
  } finally {
    await model.release();
  }
});

test("Batcher: a pass keeps to max-batch texts and max-batch-tokens padded tokens; rows of like length go together", async () => {
  const model = tinyModel();
  try {
    const passes: PassStats[] = [];
    const b = new Batcher(model, { ...OPTS, maxBatch: 4, maxBatchTokens: 64, prefixSharing: false, onPass: (p) => passes.push(p) });
    const short = rows(6, 3, 2, 3), long = rows(6, 4, 28, 30);
    const [rs, rl] = await Promise.all([b.score(short), b.score(long)]);
    assertRewardsClose(rs as Float32Array, await alone(model, short, 0), "short");
    assertRewardsClose(rl as Float32Array, await alone(model, long, 0), "long");
    for (const p of passes) {
      assert.ok(p.texts <= 4, `${p.texts} texts in a pass`);
      assert.ok(p.paddedTokens <= 64 || p.rows === 1, `${p.paddedTokens} padded tokens in a pass of ${p.rows}`);
    }
    // short and long rows never share a pass: padding stays below a tenth of what the passes computed
    const padded = passes.reduce((n, p) => n + p.paddedTokens, 0), real = passes.reduce((n, p) => n + p.textTokens, 0);
    assert.ok(padded - real < 0.1 * padded, `padding ${padded - real} of ${padded}`);
  } finally {
    await model.release();
  }
});

for (const [name, raw, pad] of [["gpt2", undefined, 0], ["opt", TINY_OPT, 1]] as const) {
  test(`Batcher (${name}): texts sharing a prefix are scored in one row with the rewards they get apart`, async () => {
    const model = tinyModel(raw);
    try {
      // best-of-4 groups: a 12-token prompt and 4 continuations; one continuation empty, one text a prefix of another
      const prompts = rows(3, 7, 12, 12, 2);
      const groups = prompts.map((p, g) => [...rows(3, 20 + g, 1, 6, 2).map((c) => [...p, ...c]), p.slice(0, 12)]);
      groups[0]?.push([...(groups[0][0] as number[]), 5, 6]);
      const passes: PassStats[] = [];
      const b = new Batcher(model, { ...OPTS, padTokenId: pad, onPass: (p) => passes.push(p) });
      const answers = await Promise.all(groups.map((r) => b.score(r)));
      for (const [g, r] of groups.entries()) assertRewardsClose(answers[g] as Float32Array, await alone(model, r, pad), `group ${g}`);
      const texts = groups.reduce((n, r) => n + r.length, 0), rowsUsed = passes.reduce((n, p) => n + p.rows, 0);
      assert.ok(rowsUsed <= groups.length, `${rowsUsed} rows for ${texts} texts in ${groups.length} prefix groups`);
      const computed = passes.reduce((n, p) => n + p.paddedTokens, 0), tokens = passes.reduce((n, p) => n + p.textTokens, 0);
      assert.ok(computed < 0.6 * tokens, `shared rows computed ${computed} tokens for ${tokens}`);
    } finally {
      await model.release();
    }
  });
}

test("Batcher: a full queue answers 503 at once; a bad request rejects alone; drain waits for all", async () => {
  const model = tinyModel();
  try {
    const r = [[1, 2, 3], [4, 5]];
    const b = new Batcher(model, { ...OPTS, maxQueue: 2, maxWaitMs: 50 });
    const first = b.score(r), bad = b.score([[1, 999]]), second = b.score(r);
    assert.equal(b.pending, 2);
    assert.throws(() => b.score(r), (e: unknown) => e instanceof RequestError && e.status === 503 && /2 requests queued/.test(e.message));
    await assert.rejects(bad, /token id 999 is outside the vocabulary/);
    const drained = b.drain();
    assertRewardsClose(await first, await alone(model, r, 0), "first");
    assertRewardsClose(await second, await alone(model, r, 0), "second");
    await drained;
    assert.equal(b.pending, 0);
    assert.deepEqual([...(await b.score([]))], []);
  } finally {
    await model.release();
  }
});

test("Batcher: a request waits max-wait-ms for company only after the model last served several requests at once", async () => {
  const model = tinyModel();
  try {
    const waits: number[] = [];
    const b = new Batcher(model, { ...OPTS, maxWaitMs: 400, onDequeue: (ms) => waits.push(ms) });
    const r = [[1, 2, 3], [4, 5]];
    const lone = async () => {
      await b.score(r);
      return waits[waits.length - 1] as number;
    };
    assert.ok(await lone() >= 360, "the first request waits: nothing is known about the load yet");
    // a lone client sends its next request after each answer: it never has company, so it never waits
    for (let k = 0; k < 2; k++) assert.ok(await lone() < 200, `lone request ${k} waited ${waits.at(-1)} ms`);
    await Promise.all([b.score(r), b.score(r)]);
    assert.ok(await lone() >= 360, "after two requests shared a busy spell, the next waits for company");
    assert.ok(await lone() < 200, "and once alone again, the next does not");
  } finally {
    await model.release();
  }
});

test("planPasses: cuts sorted rows where the estimated cost is least, within the budgets", () => {
  const opts = { maxBatch: 8, maxBatchTokens: 4096, prefixSharing: false, width: 768, mlpWidth: 3072, maxRowTokens: 1024 };
  const texts = [...rows(8, 1, 20, 24), ...rows(8, 2, 400, 410)].map((ids, i) => ({ ids, ref: i }));
  const passes = planPasses(packRows(texts, opts), opts);
  // the 8 short rows make one pass; the 8 long ones (~3,300 tokens together) two, since past 2,048 GPT-2 tokens a
  // pass computes more slowly per token (largePassFactor)
  assert.deepEqual(passes.map((p) => p.length), [8, 5, 3]);
  assert.deepEqual(passes[0]?.map((r) => r.refs[0]).sort((a, b) => (a as number) - (b as number)), [0, 1, 2, 3, 4, 5, 6, 7]);
  assert.deepEqual(planPasses(packRows(texts, opts), { ...opts, mlpWidth: 768 }).map((p) => p.length), [8, 8], "a narrow MLP: one pass");
  assert.equal(largePassFactor(2048, 3072), 1);
  assert.ok(Math.abs(largePassFactor(8192, 3072) - 1.375) < 1e-12);
  // 4096 padded tokens hold 9 rows of 400+ tokens at most: 8 long rows take at least 1 pass; 20 rows of 400 take 3
  const many = planPasses(packRows(rows(20, 5, 400, 400).map((ids, i) => ({ ids, ref: i })), opts), opts);
  assert.ok(many.every((p) => p.length * 400 <= 4096 && p.length <= 8));
  assert.equal(many.reduce((n, p) => n + p.length, 0), 20);
  // a row longer than the token budget still gets a pass of its own
  assert.deepEqual(planPasses(packRows([{ ids: rows(1, 9, 5000, 5000)[0] as number[], ref: 0 }], opts), opts).map((p) => p.length), [1]);
});

test("packRows: groups texts by shared prefix only when one row costs less than separate rows", () => {
  const opts = { maxBatch: 8, maxBatchTokens: 16384, prefixSharing: true, width: 768, mlpWidth: 3072, maxRowTokens: 1024 };
  const prompt = rows(1, 1, 100, 100)[0] as number[];
  const group = rows(4, 2, 10, 20, 100).map((c) => [...prompt, ...c]);
  const unrelated = rows(2, 3, 30, 30, 200);
  const packed = packRows([...group, ...unrelated].map((ids, i) => ({ ids, ref: i })), opts);
  assert.equal(packed.length, 3);
  const shared = packed.find((r) => r.refs.length === 4);
  assert.ok(shared !== undefined);
  assert.equal(shared.row.prefix.length, 100);
  assert.equal(shared.length, 100 + group.reduce((n, g) => n + g.length - 100, 0));
  // a group never passes maxBatch texts or maxRowTokens tokens
  const capped = packRows(group.map((ids, i) => ({ ids, ref: i })), { ...opts, maxRowTokens: 125 });
  assert.ok(capped.every((r) => r.length <= 125) && capped.length > 1);
});

test("bundleRows / planWave: texts alone are bundled side by side up to the longest row; the cheaper plan wins", () => {
  const opts = { maxBatch: 8, maxBatchTokens: 16384, prefixSharing: true, width: 768, mlpWidth: 3072, maxRowTokens: 1024 };
  const prompt = rows(1, 1, 50, 50)[0] as number[];
  const group = rows(3, 2, 10, 20, 100).map((c) => [...prompt, ...c]);
  const short = rows(12, 4, 5, 40, 200);
  const packed = packRows([...group, ...short].map((ids, i) => ({ ids, ref: i })), opts);
  const bundled = bundleRows(packed, opts);
  const longest = Math.max(...packed.map((r) => r.length));
  assert.ok(bundled.every((r) => r.length <= longest && r.refs.length <= 8), "no bundle longer than the longest row or above maxBatch");
  assert.deepEqual(bundled.flatMap((r) => r.refs).sort((a, b) => a - b), [...Array(15).keys()], "every text once");
  assert.ok(bundled.length < packed.length, `${bundled.length} rows from ${packed.length}`);
  assert.ok(bundled.some((r) => r.refs.length === 3 && r.row.prefix.length === 50), "the shared-prefix row is kept");
  for (const r of bundled.filter((x) => x.row.prefix.length === 0)) {
    assert.deepEqual(r.row.continuations, r.refs.map((k) => [...group, ...short][k]), "a bundle holds its texts whole, in ref order");
  }
  // 24 short texts of 5-40 tokens: one bundled pass beats passes of like-length rows; two texts of 400 are not bundled
  const many = packRows(rows(24, 7, 5, 40).map((ids, i) => ({ ids, ref: i })), { ...opts, maxBatch: 32 });
  const plan = planWave(many, { ...opts, maxBatch: 32 });
  assert.ok(plan.length < planPasses(many, { ...opts, maxBatch: 32 }).length, "fewer passes when bundled");
  const two = packRows(rows(2, 8, 400, 400).map((ids, i) => ({ ids, ref: i })), opts);
  assert.deepEqual(planWave(two, opts).map((p) => p.length), [2]);
});

test("Batcher: short texts of concurrent requests bundled in one row get the rewards they get alone", async () => {
  const llama = { model_type: "llama", vocab_size: 50, hidden_size: 16, intermediate_size: 32, num_hidden_layers: 2, num_attention_heads: 2, pad_token_id: 0 };
  for (const raw of [undefined, TINY_OPT, llama]) {
    const model = tinyModel(raw);
    try {
      const passes: PassStats[] = [];
      const b = new Batcher(model, { ...OPTS, prefixSharing: false, onPass: (p) => passes.push(p) });
      const asks = rows(16, 21, 2, 12).map((r) => [r]);
      const answers = await Promise.all(asks.map((r) => b.score(r)));
      for (const [k, r] of asks.entries()) assertRewardsClose(answers[k] as Float32Array, await alone(model, r, model.padTokenId), `${model.modelType} request ${k}`);
      assert.ok(passes.some((p) => p.rows < p.texts), `${model.modelType}: some pass bundles texts (${passes.map((p) => `${p.texts}/${p.rows}`).join(" ")})`);
    } finally {
      await model.release();
    }
  }
});

test("parseScoreRequest and parseGetRewardRequest: each bad field is a 400 naming its JSON path", () => {
  assert.deepEqual(parseScoreRequest('{"texts": ["a", "b"]}'), { kind: "texts", texts: ["a", "b"] });
  assert.deepEqual(parseScoreRequest('{"pairs": [{"rejected": "r", "chosen": "c"}]}'), { kind: "pairs", pairs: [{ chosen: "c", rejected: "r" }] });
  assert.deepEqual(parseGetRewardRequest('{"query": ["a", "b"], "prompts": ["p", "q"], "labels": [null, "x"]}'), { query: ["a", "b"] });
  const cases: [(raw: string) => unknown, string, string | null, RegExp][] = [
    [parseScoreRequest, "", null, /^body is not JSON/],
    [parseScoreRequest, "null", null, /expected a JSON object, got null/],
    [parseScoreRequest, '{"texts": [null]}', "texts[0]", /^texts\[0\]: expected a string, got null$/],
    [parseScoreRequest, '{"texts": {"0": "a"}}', "texts", /got an object/],
    [parseScoreRequest, '{"pairs": ["a"]}', "pairs[0]", /expected an object \{"chosen", "rejected"\}, got "a"/],
    [parseScoreRequest, '{"pairs": [{"chosen": "a", "rejected": ["b"]}]}', "pairs[0].rejected", /got an array/],
    [parseScoreRequest, '{"pairs": {}}', "pairs", /expected an array/],
    [parseScoreRequest, `{"texts": [${JSON.stringify("x".repeat(100))}, 1]}`, "texts[1]", /got 1$/],
    [parseGetRewardRequest, "[]", null, /expected a JSON object, got an array/],
    [parseGetRewardRequest, '{"prompts": []}', null, /expected a "query" field/],
    [parseGetRewardRequest, '{"query": "a"}', "query", /expected an array of strings, got "a"/],
    [parseGetRewardRequest, '{"query": ["a", 2]}', "query[1]", /expected a string, got 2/],
    [parseGetRewardRequest, '{"query": ["a"], "prompts": ["p", "q"]}', "prompts", /has 2 entries for 1 queries/],
    [parseGetRewardRequest, '{"query": ["a"], "labels": "x"}', "labels", /expected an array/],
    [parseGetRewardRequest, '{"query": ["a"], "texts": ["x"]}', "texts", /unknown field \(known: "query", "prompts", "labels"\)/],
  ];
  for (const [parse, body, field, msg] of cases) {
    assert.throws(() => parse(body), (e: unknown) => {
      assert.ok(e instanceof RequestError, String(e));
      assert.equal(e.status, 400);
      assert.equal(e.field, field, body);
      assert.match(e.message, msg);
      assert.deepEqual(Object.keys(e.body()).slice(0, 2), ["error", "field"]);
      return true;
    }, body);
  }
});
