import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { asyncBufferFromFile, parquetReadObjects } from "hyparquet";
import { cachedTokenizer, openPrepared, preparePairs, readPreparedMeta, sharedPrefixLength } from "../../src/data/index.js";
import { InputError } from "../../src/errors.js";
import type { Tokenizer } from "../../src/tokenizer/index.js";
import { FIXTURE, fixtureRecords, tempDir, writeJsonl } from "./helpers.js";

const TOK = "builtin:gpt2";

// prepare's default is TRL's rule for standard text: the eos token after every text (GPT-2: <|endoftext|> = 50256,
// which the fixture's texts never end with)
function trlIds(tok: Tokenizer, text: string): number[] {
  return [...tok.encode(text), 50256];
}

test("binary round trip: openPrepared gives the tokenizer's ids, ones masks, prefix; meta counts", async () => {
  const tok = await cachedTokenizer(TOK);
  const out = path.join(tempDir(), "prep");
  const s = await preparePairs({ tokenizer: TOK, data: FIXTURE, out, threads: 0, maxLength: 200 });
  const recs = fixtureRecords();
  const kept = recs.filter((r) => trlIds(tok, r.chosen).length <= 200 && trlIds(tok, r.rejected).length <= 200);
  assert.equal(s.read, 40);
  assert.equal(s.written, kept.length);
  assert.ok(kept.length < 40 && kept.length > 20);
  assert.deepEqual(s.skipped.toJSON(), { "longer than 200 tokens": 40 - kept.length });
  const prep = openPrepared(out);
  assert.equal(prep.length, kept.length);
  for (const [i, r] of kept.entries()) {
    const p = prep.pair(i);
    const c = trlIds(tok, r.chosen), j = trlIds(tok, r.rejected);
    assert.deepEqual(Array.from(p.input_ids_chosen), c);
    assert.deepEqual(Array.from(p.input_ids_rejected), j);
    assert.deepEqual(Array.from(p.attention_mask_chosen), c.map(() => 1));
    assert.deepEqual(Array.from(p.attention_mask_rejected), j.map(() => 1));
    assert.equal(p.sharedPrefix, sharedPrefixLength(c, j));
    assert.equal(p.margin, undefined);
  }
  const meta = readPreparedMeta(out);
  assert.equal(meta.idsDtype, "uint16");
  assert.deepEqual(meta.tokenizer, { source: TOK, vocabSize: 50257, padTokenId: null, eosTokenId: 50256, bosTokenId: 50256, addsBos: false });
  assert.deepEqual(meta.sourceFiles, [FIXTURE]);
  assert.equal(meta.counts.tokensChosen + meta.counts.tokensRejected, s.tokens);
  assert.deepEqual(readdirSync(path.dirname(out)), ["prep"]);
  assert.throws(() => prep.pair(prep.length), RangeError);
});

test("truncate keeps every pair, cut to maxLength, prefix capped", async () => {
  const tok = await cachedTokenizer(TOK);
  const out = path.join(tempDir(), "t");
  const s = await preparePairs({ tokenizer: TOK, data: FIXTURE, out, threads: 0, maxLength: 64, policy: "truncate" });
  assert.equal(s.written, 40);
  assert.equal(s.skipped.total, 0);
  const prep = openPrepared(out);
  const r = fixtureRecords()[2] as { chosen: string; rejected: string };
  const p = prep.pair(2);
  assert.deepEqual(Array.from(p.input_ids_chosen), trlIds(tok, r.chosen).slice(0, 64));
  assert.deepEqual(Array.from(p.input_ids_rejected), trlIds(tok, r.rejected).slice(0, 64));
  assert.equal(p.sharedPrefix, Math.min(64, sharedPrefixLength(trlIds(tok, r.chosen), trlIds(tok, r.rejected))));
  const long = fixtureRecords().filter((x) => trlIds(tok, x.chosen).length > 64 || trlIds(tok, x.rejected).length > 64).length;
  assert.ok(long > 10);
  assert.equal(s.truncated, long);
  for (let i = 0; i < prep.length; i++) assert.ok(prep.chosenLength(i) <= 64 && prep.rejectedLength(i) <= 64);
});

test("jsonl output: exactly the four columns (+ margin), one pair per line", async () => {
  const tok = await cachedTokenizer(TOK);
  const dir = tempDir();
  const data = writeJsonl(path.join(dir, "m.jsonl"), [
    JSON.stringify({ chosen: "Hello there, friend.", rejected: "Go away.", margin: 0.25 }),
    JSON.stringify({ chosen: "Yes.", rejected: "No.", margin: 3 }),
  ]);
  const out = path.join(dir, "j");
  await preparePairs({ tokenizer: TOK, data, out, threads: 0, format: "jsonl" });
  const lines = readFileSync(path.join(out, "pairs.jsonl"), "utf8").trimEnd().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(lines.length, 2);
  const c = trlIds(tok, "Hello there, friend."), r = trlIds(tok, "Go away.");
  assert.deepEqual(lines[0], { input_ids_chosen: c, attention_mask_chosen: c.map(() => 1), input_ids_rejected: r, attention_mask_rejected: r.map(() => 1), margin: 0.25 });
  assert.deepEqual(Object.keys(lines[1] ?? {}), ["input_ids_chosen", "attention_mask_chosen", "input_ids_rejected", "attention_mask_rejected", "margin"]);
  assert.equal(readPreparedMeta(out).hasMargin, true);
});

test("parquet output reads back as list<int32> columns", async () => {
  const tok = await cachedTokenizer(TOK);
  const out = path.join(tempDir(), "pq");
  await preparePairs({ tokenizer: TOK, data: FIXTURE, out, threads: 0, format: "parquet", maxLength: 100000 });
  const rows = await parquetReadObjects({ file: await asyncBufferFromFile(path.join(out, "pairs.parquet")) });
  assert.equal(rows.length, 40);
  const r = fixtureRecords()[5] as { chosen: string; rejected: string };
  const row = rows[5] as Record<string, unknown>;
  assert.deepEqual(Object.keys(row), ["input_ids_chosen", "attention_mask_chosen", "input_ids_rejected", "attention_mask_rejected"]);
  assert.deepEqual(row.input_ids_chosen, trlIds(tok, r.chosen));
  assert.deepEqual(row.input_ids_rejected, trlIds(tok, r.rejected));
  assert.deepEqual(row.attention_mask_rejected, trlIds(tok, r.rejected).map(() => 1));
});

test("a bad record stops prepare and leaves no output folder; --skip-invalid counts it", async () => {
  const dir = tempDir();
  const data = writeJsonl(path.join(dir, "bad.jsonl"), ['{"chosen":"a","rejected":"b"}', '{"chosen":"a","rejected":null}', '{"chosen":"c","rejected":""}']);
  const out = path.join(dir, "out");
  await assert.rejects(preparePairs({ tokenizer: TOK, data, out, threads: 0 }),
    (e: unknown) => e instanceof InputError && e.format() === `${data}:2: field "rejected": expected string, got null`);
  assert.equal(existsSync(out), false);
  assert.deepEqual(readdirSync(dir), ["bad.jsonl"]);
  const s = await preparePairs({ tokenizer: TOK, data, out, threads: 0, skipInvalid: true });
  assert.equal(s.written, 1);
  assert.equal(s.skipped.summary(s.read), 'skipped 2 of 3 pairs: 1 with empty "rejected", 1 with non-string "rejected"');
});

test("margins must be on every record or none; an existing --out needs overwrite", async () => {
  const dir = tempDir();
  const data = writeJsonl(path.join(dir, "m.jsonl"), ['{"chosen":"a","rejected":"b","margin":1}', '{"chosen":"c","rejected":"d"}']);
  await assert.rejects(preparePairs({ tokenizer: TOK, data, out: path.join(dir, "o"), threads: 0 }),
    (e: unknown) => e instanceof InputError && e.format().startsWith(`${data}:2: field "margin": missing, but earlier records have one (first at ${data}:1)`));
  const ok = await preparePairs({ tokenizer: TOK, data: FIXTURE, out: path.join(dir, "o"), threads: 0 });
  assert.equal(ok.written, 40);
  await assert.rejects(preparePairs({ tokenizer: TOK, data: FIXTURE, out: path.join(dir, "o"), threads: 0 }), /already exists/);
  const again = await preparePairs({ tokenizer: TOK, data: FIXTURE, out: path.join(dir, "o"), threads: 0, maxLength: 100, overwrite: true });
  assert.equal(openPrepared(path.join(dir, "o")).length, again.written);
  assert.deepEqual(readdirSync(dir).sort(), ["m.jsonl", "o"]);
});

test("worker threads and the main thread write identical files", async () => {
  const a = path.join(tempDir(), "a"), b = path.join(tempDir(), "b");
  await preparePairs({ tokenizer: TOK, data: FIXTURE, out: a, threads: 0, chunkSize: 7 });
  await preparePairs({ tokenizer: TOK, data: FIXTURE, out: b, threads: 2, chunkSize: 7 });
  for (const f of ["ids.u16", "index.u32", "margin.f64"]) assert.deepEqual(readFileSync(path.join(a, f)), readFileSync(path.join(b, f)), f);
});
