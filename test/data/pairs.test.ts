import { test } from "node:test";
import assert from "node:assert/strict";
import { applyLengthLimit, cachedTokenizer, createChunkTokenizer, PairEncoder, sharedPrefixLength, SkipCounts, tokenizeChunk,
  tokenizeStream, type RawPair } from "../../src/data/index.js";
import { fixtureRecords } from "./helpers.js";

test("sharedPrefixLength counts leading equal tokens", () => {
  assert.equal(sharedPrefixLength([1, 2, 3, 4], [1, 2, 9]), 2);
  assert.equal(sharedPrefixLength([1, 2], [1, 2, 3]), 2);
  assert.equal(sharedPrefixLength([5], [6]), 0);
  assert.equal(sharedPrefixLength([], [1]), 0);
  assert.equal(sharedPrefixLength(new Int32Array([7, 7]), new Int32Array([7, 7])), 2);
});

test("tokenizeChunk: ids exactly as encode gives them, lengths and shared prefix per pair", async () => {
  const tok = await cachedTokenizer("builtin:gpt2");
  const recs = fixtureRecords().slice(0, 5);
  const chunk = tokenizeChunk(PairEncoder.create(tok, "builtin:gpt2", { appendEosToken: false }), recs.map((r) => ({ format: "text", ...r })));
  assert.equal(chunk.count, 5);
  let off = 0;
  for (const [i, r] of recs.entries()) {
    const c = tok.encode(r.chosen), j = tok.encode(r.rejected);
    assert.deepEqual(Array.from(chunk.ids.subarray(off, off + c.length)), c);
    assert.deepEqual(Array.from(chunk.ids.subarray(off + c.length, off + c.length + j.length)), j);
    assert.equal(chunk.lengths[2 * i], c.length);
    assert.equal(chunk.lengths[2 * i + 1], j.length);
    assert.equal(chunk.sharedPrefix[i], sharedPrefixLength(c, j));
    off += c.length + j.length;
  }
  assert.equal(chunk.ids.length, off);
  // hh-rlhf pairs share the conversation up to the last answer
  assert.ok((chunk.sharedPrefix[0] as number) > 10);
});

test("worker pool: same chunks as the main thread, in input order", async () => {
  const tok = await cachedTokenizer("builtin:gpt2");
  const pairs: RawPair[] = fixtureRecords().map((r, i) => ({ format: "text", ...r, source: { file: "f", line: i + 1 } }));
  const encoder = PairEncoder.create(tok, "builtin:gpt2", {});
  async function* gen(): AsyncGenerator<RawPair> { yield* pairs; }
  const pool = await createChunkTokenizer("builtin:gpt2", 2);
  try {
    assert.equal(pool.threads, 2);
    assert.equal(pool.info.vocabSize, tok.vocabSize);
    const seen: RawPair[] = [];
    for await (const { pairs: ps, tokens } of tokenizeStream(gen(), pool, 3, 4)) {
      const inline = tokenizeChunk(encoder, ps);
      assert.deepEqual(tokens.ids, inline.ids);
      assert.deepEqual(tokens.lengths, inline.lengths);
      assert.deepEqual(tokens.sharedPrefix, inline.sharedPrefix);
      seen.push(...ps);
    }
    assert.deepEqual(seen, pairs);
  } finally {
    await pool.close();
  }
});

test("length limit: filter drops and counts, truncate cuts both sides and the prefix", () => {
  const skipped = new SkipCounts();
  const filter = { maxLength: 10, policy: "filter" as const };
  assert.deepEqual(applyLengthLimit(10, 4, 3, filter, skipped), { keep: true, chosenLength: 10, rejectedLength: 4, sharedPrefix: 3, truncated: false });
  assert.deepEqual(applyLengthLimit(11, 4, 3, filter, skipped), { keep: false });
  assert.deepEqual(applyLengthLimit(2, 40, 1, filter, skipped), { keep: false });
  assert.deepEqual(skipped.toJSON(), { "longer than 10 tokens": 2 });
  const trunc = { maxLength: 10, policy: "truncate" as const };
  assert.deepEqual(applyLengthLimit(30, 12, 11, trunc, skipped), { keep: true, chosenLength: 10, rejectedLength: 10, sharedPrefix: 10, truncated: true });
  assert.deepEqual(applyLengthLimit(30, 5, 4, trunc, skipped), { keep: true, chosenLength: 10, rejectedLength: 5, sharedPrefix: 4, truncated: true });
  assert.equal(skipped.total, 2);
});

test("SkipCounts.summary reads like the CLI line", () => {
  const s = new SkipCounts();
  assert.equal(s.summary(10), "skipped 0 of 10 pairs");
  s.add("longer than 512 tokens", 39);
  s.add('with empty "rejected"', 2);
  assert.equal(s.summary(1200), 'skipped 41 of 1200 pairs: 39 longer than 512 tokens, 2 with empty "rejected"');
});
