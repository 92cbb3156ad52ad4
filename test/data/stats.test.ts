import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { cachedTokenizer, dataStats, percentile, preparePairs, sharedPrefixLength, StatsAccumulator } from "../../src/data/index.js";
import { FIXTURE, fixtureRecords, tempDir, writeJsonl } from "./helpers.js";

test("percentile interpolates linearly like numpy", () => {
  const s = Float64Array.from([1, 2, 3, 4, 5]);
  assert.equal(percentile(s, 50), 3);
  assert.equal(percentile(s, 90), 4.6);
  assert.equal(percentile(s, 100), 5);
  assert.ok(Number.isNaN(percentile([], 50)));
});

test("accumulator: baselines count ties for neither; identical and within-limit counts", () => {
  const acc = new StatsAccumulator(10);
  acc.add(5, 3, 2, false); // longer wins
  acc.add(3, 5, 2, false); // shorter wins
  acc.add(4, 4, 4, true); // tie, identical
  acc.add(12, 2, 0, false); // longer wins, over the limit
  const s = acc.finish({ source: "x", kind: "text", tokenizer: "t", rows: 5, dropped: { "with malformed JSON": 1 } });
  assert.equal(s.pairs, 4);
  assert.equal(s.longerWins, 0.5);
  assert.equal(s.shorterWins, 0.25);
  assert.equal(s.ties, 0.25);
  assert.equal(s.identical, 1);
  assert.equal(s.withinMaxLength, 3);
  assert.equal(s.chosen.max, 12);
  assert.equal(s.chosen.mean, 6);
  assert.equal(s.meanSharedPrefix, 2);
});

test("dataStats of a file equals stats of its prepared directory when nothing is filtered", async () => {
  const tok = await cachedTokenizer("builtin:gpt2");
  const text = await dataStats(FIXTURE, { threads: 0, maxLength: 100000 });
  const recs = fixtureRecords();
  // + 1: the eos token TRL appends to standard text (the default)
  const lc = recs.map((r) => tok.encode(r.chosen).length + 1), lr = recs.map((r) => tok.encode(r.rejected).length + 1);
  assert.equal(text.rows, 40);
  assert.equal(text.chosen.max, Math.max(...lc));
  assert.equal(text.longerWins, lc.filter((c, i) => c > (lr[i] as number)).length / 40);
  assert.equal(text.shorterWins, lc.filter((c, i) => c < (lr[i] as number)).length / 40);
  const out = path.join(tempDir(), "p");
  await preparePairs({ tokenizer: "builtin:gpt2", data: FIXTURE, out, threads: 0, maxLength: 100000 });
  const prepared = await dataStats(out);
  assert.equal(prepared.kind, "prepared");
  for (const k of ["pairs", "identical", "chosen", "rejected", "meanSharedPrefix", "longerWins", "shorterWins", "ties"] as const) {
    assert.deepEqual(prepared[k], text[k], k);
  }
});

test("identical pairs and invalid rows are counted", async () => {
  const f = writeJsonl(path.join(tempDir(), "i.jsonl"), ['{"chosen":"same","rejected":"same"}', "{oops", '{"chosen":"a b","rejected":"a"}']);
  const s = await dataStats(f, { threads: 0, skipInvalid: true });
  assert.equal(s.rows, 3);
  assert.equal(s.pairs, 2);
  assert.equal(s.identical, 1);
  assert.deepEqual(s.dropped, { "with malformed JSON": 1 });
});

test("dataStats of conversational data: messages per conversation, template tokens, token-level shared prefix", async () => {
  const tok = await cachedTokenizer("builtin:gpt2");
  const msg = (role: string, content: string): { role: string; content: string } => ({ role, content });
  const data = writeJsonl(path.join(tempDir(), "c.jsonl"), [
    JSON.stringify({ prompt: [msg("user", "hi")], chosen: [msg("assistant", "hello")], rejected: [msg("assistant", "go away")] }),
    JSON.stringify({ chosen: [msg("system", "be kind"), msg("user", "q"), msg("assistant", "a")], rejected: [msg("system", "be kind"), msg("user", "q"), msg("assistant", "b")] }),
  ]);
  const s = await dataStats(data, { threads: 0, maxLength: 100000, encoding: { chatTemplate: path.resolve("test/fixtures/data/trl-formats/chatml.jinja") } });
  // what chatml.jinja renders, tokenized whole (the template's markers are plain text to GPT-2)
  const render = (ms: { role: string; content: string }[]): number[] =>
    tok.encode(`${ms.map((m) => `<|im_start|>${m.role}\n${m.content}<|im_end|>\n`).join("")}<|endoftext|>`);
  const sides = [[msg("user", "hi"), msg("assistant", "hello")], [msg("user", "hi"), msg("assistant", "go away")],
    [msg("system", "be kind"), msg("user", "q"), msg("assistant", "a")], [msg("system", "be kind"), msg("user", "q"), msg("assistant", "b")]];
  const ids = sides.map(render);
  const added = sides.map((ms, k) => (ids[k] as number[]).length - ms.reduce((n, m) => n + tok.encode(m.content).length, 0));
  assert.equal(s.encoding?.dataFormat, "chat");
  assert.deepEqual([s.turns?.chosen.mean, s.turns?.chosen.max, s.turns?.rejected.max], [2.5, 3, 3]);
  assert.deepEqual([s.templateTokens?.mean, s.templateTokens?.max], [added.reduce((a, b) => a + b) / 4, Math.max(...added)]);
  assert.deepEqual([s.chosen.max, s.rejected.max], [Math.max(ids[0]!.length, ids[2]!.length), Math.max(ids[1]!.length, ids[3]!.length)]);
  const shared = [0, 2].map((k) => sharedPrefixLength(ids[k] as number[], ids[k + 1] as number[]));
  assert.equal(s.meanSharedPrefix, (shared[0]! + shared[1]!) / 2);
  assert.ok(shared[0]! > 5, "the prompt's tokens are shared");
});
