// The shared JSON-lines discipline: the whole-file reader (score inputs, metrics.jsonl) and the streaming pair
// reader (prepare, train, stats) see the same lines with the same numbers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { InputError } from "../../src/errors.js";
import { openPairs, readJsonLines, textLines, SkipCounts } from "../../src/data/index.js";

const dir = mkdtempSync(path.join(os.tmpdir(), "rewardlab-json-lines-"));

test("textLines: drops a leading BOM and CRLF's \\r, skips blank lines but counts them, reads a last line without \\n", () => {
  assert.deepEqual([...textLines('\uFEFF{"a":1}\r\n\r\n  \n{"b":2}\r\n{"c":3}')], [[1, '{"a":1}'], [4, '{"b":2}'], [5, '{"c":3}']]);
  assert.deepEqual([...textLines("")], []);
  assert.deepEqual([...textLines("\n\n")], []);
  // a BOM is only a BOM before line 1
  assert.deepEqual([...textLines('{"a":1}\n\uFEFF{"b":2}')], [[1, '{"a":1}'], [2, '\uFEFF{"b":2}']]);
});

test("readJsonLines and the streaming pair reader agree on records and line numbers", async () => {
  const file = path.join(dir, "pairs.jsonl");
  const rows = [{ chosen: "a", rejected: "b" }, { chosen: "c\r\n", rejected: "d" }, { chosen: "e", rejected: "f" }];
  writeFileSync(file, `\uFEFF${JSON.stringify(rows[0])}\r\n\r\n${JSON.stringify(rows[1])}\n\n${JSON.stringify(rows[2])}`);
  const whole = readJsonLines(file);
  assert.deepEqual(whole.map((l) => l.line), [1, 3, 5]);
  assert.deepEqual(whole.map((l) => l.value), rows);
  const stream = await openPairs(file, { skipInvalid: false, skipped: new SkipCounts() });
  const streamed = [];
  for await (const p of stream.pairs()) streamed.push(p);
  assert.deepEqual(streamed.map((p) => [p.chosen, p.rejected]), rows.map((r) => [r.chosen, r.rejected]));
  assert.deepEqual(streamed.map((p) => ("line" in p.source ? p.source.line : -1)), [1, 3, 5]);
});

test("readJsonLines: malformed JSON is an InputError at file:line; a missing file names the file", () => {
  const file = path.join(dir, "bad.jsonl");
  writeFileSync(file, '{"a": 1}\r\n{"a": \r\n');
  assert.throws(() => readJsonLines(file, "one object per line"), (e: unknown) =>
    e instanceof InputError && /bad\.jsonl:2: not valid JSON/.test(e.format()) && e.hint === "one object per line");
  assert.throws(() => readJsonLines(path.join(dir, "missing.jsonl")), (e: unknown) => e instanceof InputError && /missing\.jsonl: file not found/.test(e.format()));
});
