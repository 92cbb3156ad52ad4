import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { parquetWriteFile } from "hyparquet-writer";
import { builtinPairs, filesOfSplit, READERS } from "../../src/data/index.js";
import { InputError } from "../../src/errors.js";
import { FIXTURE, fixtureRecords, readAll, tempDir, writeJsonl } from "./helpers.js";

test("jsonl.gz: every record of the fixture, in order, with its line", async () => {
  const recs = fixtureRecords();
  const { pairs, skipped, files } = await readAll(FIXTURE);
  assert.equal(pairs.length, 40);
  assert.deepEqual(files, [FIXTURE]);
  assert.equal(pairs[7]?.chosen, recs[7]?.chosen);
  assert.equal(pairs[7]?.rejected, recs[7]?.rejected);
  assert.deepEqual(pairs[7]?.source, { file: FIXTURE, line: 8 });
  assert.equal(pairs[7]?.margin, undefined);
  assert.equal(skipped.total, 0);
});

test("jsonl: prompt is prepended, margin kept, blank lines and CRLF tolerated", async () => {
  const f = writeJsonl(path.join(tempDir(), "p.jsonl"), [
    '{"prompt":"Q: hi\\n","chosen":"A: hello","rejected":"A: go away","margin":1.5}\r',
    "",
    '{"chosen":"x","rejected":"y","margin":-2}',
  ]);
  const { pairs } = await readAll(f);
  assert.equal(pairs.length, 2);
  assert.equal(pairs[0]?.chosen, "Q: hi\nA: hello");
  assert.equal(pairs[0]?.rejected, "Q: hi\nA: go away");
  assert.equal(pairs[0]?.margin, 1.5);
  assert.deepEqual(pairs[1]?.source, { file: f, line: 3 });
  assert.equal(pairs[1]?.margin, -2);
});

// Each bad record: the message (compiler style, with file:line and field) and the reason counted with skipInvalid.
const BAD: [string, string, string][] = [
  ['{"chosen": "a", "rejected": null}', 'field "rejected": expected string, got null', 'with non-string "rejected"'],
  ['{"chosen": "a"}', 'field "rejected": missing', 'missing "rejected"'],
  ['{"chosen": "", "rejected": "b"}', 'field "chosen": expected non-empty text', 'with empty "chosen"'],
  ['{"chosen": "a", "rejected": "b", "margin": "big"}', 'field "margin": expected a finite number, got string "big"', 'with non-numeric "margin"'],
  ['{"chosen": "a", "rejected": ', "malformed JSON", "with malformed JSON"],
  ['["a", "b"]', "expected a JSON object", "not an object"],
  ['{"prompt": 3, "chosen": "a", "rejected": "b"}', 'field "prompt": expected string, got number 3', 'with non-string "prompt"'],
];

for (const [line, message, reason] of BAD) {
  test(`bad record → InputError at file:line (${reason})`, async () => {
    const f = writeJsonl(path.join(tempDir(), "bad.jsonl"), ['{"chosen":"ok","rejected":"fine"}', line, '{"chosen":"c","rejected":"d"}']);
    await assert.rejects(readAll(f), (e: unknown) => {
      assert.ok(e instanceof InputError);
      const text = e.format();
      assert.ok(text.startsWith(`${f}:2:`), text);
      assert.ok(text.includes(message), text);
      return true;
    });
    const { pairs, skipped } = await readAll(f, { skipInvalid: true });
    assert.equal(pairs.length, 2);
    assert.deepEqual(skipped.toJSON(), { [reason]: 1 });
  });
}

test("truncated .gz: InputError naming the file and where it broke, even with skipInvalid", async () => {
  const whole = gzipSync(fixtureRecords().map((r) => JSON.stringify(r)).join("\n"));
  const f = path.join(tempDir(), "cut.jsonl.gz");
  writeFileSync(f, whole.subarray(0, Math.floor(whole.length / 2)));
  for (const skipInvalid of [false, true]) {
    await assert.rejects(readAll(f, { skipInvalid }), (e: unknown) => {
      assert.ok(e instanceof InputError);
      assert.match(e.format(), new RegExp(`^${f.replace(/[.]/g, "\\.")}:\\d+: the gzip stream ends early`));
      return true;
    });
  }
});

function writeParquet(file: string, rows: { prompt?: string; chosen: string | null; rejected: string; margin?: number }[]): string {
  const cols = [
    { name: "chosen", data: rows.map((r) => r.chosen), type: "STRING" as const },
    { name: "rejected", data: rows.map((r) => r.rejected), type: "STRING" as const },
  ];
  if (rows.some((r) => r.prompt !== undefined)) cols.unshift({ name: "prompt", data: rows.map((r) => r.prompt ?? ""), type: "STRING" as const });
  parquetWriteFile({
    filename: file,
    columnData: [...cols, ...(rows.some((r) => r.margin !== undefined) ? [{ name: "margin", data: rows.map((r) => r.margin ?? null), type: "DOUBLE" as const }] : [])],
    rowGroupSize: 3,
  });
  return file;
}

test("parquet: row groups read in order, prompt and margin, source rows", async () => {
  const rows = Array.from({ length: 8 }, (_, i) => ({ prompt: `P${i} `, chosen: `good ${i}`, rejected: `bad ${i}`, margin: i / 2 }));
  const f = writeParquet(path.join(tempDir(), "train.parquet"), rows);
  const { pairs } = await readAll(f);
  assert.equal(pairs.length, 8);
  assert.equal(pairs[5]?.chosen, "P5 good 5");
  assert.equal(pairs[5]?.rejected, "P5 bad 5");
  assert.equal(pairs[5]?.margin, 2.5);
  assert.deepEqual(pairs[5]?.source, { file: f, row: 5 });
});

test("parquet: a null chosen is named by row and field; skipInvalid counts it", async () => {
  const f = writeParquet(path.join(tempDir(), "n.parquet"), [{ chosen: "a", rejected: "b" }, { chosen: null, rejected: "b" }, { chosen: "c", rejected: "d" }, { chosen: "e", rejected: "f" }]);
  await assert.rejects(readAll(f), (e: unknown) => e instanceof InputError && e.format() === `${f}: row 1: field "chosen": expected string, got null`);
  const { pairs, skipped } = await readAll(f, { skipInvalid: true });
  assert.equal(pairs.length, 3);
  assert.deepEqual(skipped.toJSON(), { 'with non-string "chosen"': 1 });
});

test("parquet: a corrupt file is an InputError naming it", async () => {
  const good = writeParquet(path.join(tempDir(), "g.parquet"), [{ chosen: "a", rejected: "b" }]);
  const bytes = readFileSync(good);
  const f = path.join(tempDir(), "corrupt.parquet");
  writeFileSync(f, bytes.subarray(0, bytes.length - 20));
  await assert.rejects(readAll(f, { skipInvalid: true }), (e: unknown) => e instanceof InputError && e.format().startsWith(`${f}: not a readable Parquet file`));
  const g = path.join(tempDir(), "nocols.parquet");
  parquetWriteFile({ filename: g, columnData: [{ name: "text", data: ["x"], type: "STRING" }] });
  await assert.rejects(readAll(g), (e: unknown) => e instanceof InputError && /expected a column "chosen", found columns \[text\]/.test(e.message));
});

test("folder: hh-rlhf layout, --split picks train*/test* files recursively in sorted order", async () => {
  const dir = tempDir();
  const recs = fixtureRecords();
  for (const sub of ["helpful-base", "harmless-base"]) {
    mkdirSync(path.join(dir, sub));
    writeJsonl(path.join(dir, sub, "train.jsonl.gz"), recs.slice(0, 3).map((r) => JSON.stringify({ ...r, chosen: `${sub} ${r.chosen}` })));
    writeJsonl(path.join(dir, sub, "test.jsonl.gz"), recs.slice(3, 4).map((r) => JSON.stringify(r)));
  }
  writeFileSync(path.join(dir, "README.md"), "not data");
  const train = await readAll(dir, { split: "train" });
  assert.deepEqual(train.files, [path.join(dir, "harmless-base/train.jsonl.gz"), path.join(dir, "helpful-base/train.jsonl.gz")]);
  assert.equal(train.pairs.length, 6);
  assert.ok(String(train.pairs[0]?.chosen).startsWith("harmless-base "));
  assert.ok(String(train.pairs[3]?.chosen).startsWith("helpful-base "));
  const testSplit = await readAll(dir, { split: "test" });
  assert.equal(testSplit.pairs.length, 2);
  await assert.rejects(readAll(dir, { split: "validation" }), (e: unknown) => e instanceof InputError && /no .* files of split "validation"/.test(e.message));
});

test("filesOfSplit follows the HF loader's keywords; unnamed files are all train", () => {
  const files = ["data/train-00000-of-00002.parquet", "data/test-00000.parquet", "b/training.jsonl", "valid/x.jsonl", "pretrain.jsonl", "dev.jsonl"];
  assert.deepEqual(filesOfSplit(files, "train"), ["b/training.jsonl", "data/train-00000-of-00002.parquet"]);
  assert.deepEqual(filesOfSplit(files, "test"), ["data/test-00000.parquet"]);
  assert.deepEqual(filesOfSplit(files, "validation"), ["dev.jsonl", "valid/x.jsonl"]);
  assert.deepEqual(filesOfSplit(["a.jsonl", "b.jsonl"], "train"), ["a.jsonl", "b.jsonl"]);
  assert.deepEqual(filesOfSplit(["a.jsonl"], "test"), []);
});

test("builtin: the generated pairs of the split, lines numbered from 1", async () => {
  const { pairs, files } = await readAll("builtin", { split: "test" });
  const expected = builtinPairs("test");
  assert.equal(pairs.length, expected.length);
  assert.deepEqual(files, ["builtin:test"]);
  assert.equal(pairs[2]?.chosen, expected[2]?.chosen);
  assert.deepEqual(pairs[2]?.source, { file: "builtin:test", line: 3 });
  await assert.rejects(readAll("builtin", { split: "dev" }), InputError);
});

test("registry: one row per reader; an unknown spec names itself", async () => {
  assert.deepEqual(READERS.map((r) => r.name), ["builtin", "folder", "jsonl", "parquet", "hub"]);
  await assert.rejects(readAll("./no/such/file.jsonl"), (e: unknown) => e instanceof InputError && e.message.includes("./no/such/file.jsonl"));
});
