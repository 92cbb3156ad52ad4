// data convert --to conversational against TRL's hh-rlhf dataset script: hh-rlhf-sample-40.trl-conversational.jsonl.gz
// holds what extract_dialogue of huggingface/trl examples/datasets/hh-rlhf-helpful-base.py (commit 0ad367a) returns
// for each row of hh-rlhf-sample-40.jsonl.gz, mapped over the rows by hand in the reference venv. (By hand also: the
// same agreement on all 1,200 rows of ../shared/data/hh-rlhf/harmless-base-test.sample.jsonl.gz.)
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { convertToConversational, hhToConversational } from "../../src/data/index.js";
import { InputError } from "../../src/errors.js";
import { FIXTURE, readAll, tempDir, writeJsonl } from "./helpers.js";

const EXPECTED = path.resolve("test/fixtures/data/hh-rlhf-sample-40.trl-conversational.jsonl.gz");

test("data convert: the 40 hh-rlhf pairs come out as TRL's script writes them, and read back as conversational", async () => {
  const out = path.join(tempDir(), "conv.jsonl.gz");
  const s = await convertToConversational(FIXTURE, out);
  assert.deepEqual([s.read, s.written, s.skipped.total], [40, 40, 0]);
  const lines = (file: string): unknown[] => gunzipSync(readFileSync(file)).toString("utf8").trim().split("\n").map((l) => JSON.parse(l) as unknown);
  assert.deepEqual(lines(out), lines(EXPECTED));
  const { pairs } = await readAll(out);
  assert.ok(pairs.every((p) => p.format === "chat" && p.chosen.length === p.rejected.length && p.chosen.length >= 2));
});

test("hhToConversational: answers that share a start keep it; a transcript without turns is refused, and counted", async () => {
  const c = hhToConversational("\n\nHuman: hi\n\nAssistant: Sure, yes", "\n\nHuman: hi\n\nAssistant: Sure, no");
  assert.deepEqual(c, { prompt: [{ role: "user", content: "hi" }], chosen: [{ role: "assistant", content: "Sure, yes" }],
    rejected: [{ role: "assistant", content: "Sure, no" }] });
  assert.match(hhToConversational("plain text a", "plain text b") as string, /share no "\\n\\nAssistant: " turn/);
  assert.match(hhToConversational("intro\n\nHuman: q\n\nAssistant: a", "intro\n\nHuman: q\n\nAssistant: b") as string, /text before the first/);
  const dir = tempDir();
  const data = writeJsonl(path.join(dir, "d.jsonl"), ['{"chosen":"\\n\\nHuman: q\\n\\nAssistant: a","rejected":"\\n\\nHuman: q\\n\\nAssistant: b","margin":2}', '{"chosen":"x","rejected":"y"}']);
  await assert.rejects(convertToConversational(data, path.join(dir, "o.jsonl")), (e: unknown) => e instanceof InputError && e.format().startsWith(`${data}:2: field "chosen"`));
  const s = await convertToConversational(data, path.join(dir, "o.jsonl"), { skipInvalid: true });
  assert.deepEqual(s.skipped.toJSON(), { "not an hh-rlhf transcript": 1 });
  assert.deepEqual(JSON.parse(readFileSync(path.join(dir, "o.jsonl"), "utf8")), { prompt: [{ role: "user", content: "q" }],
    chosen: [{ role: "assistant", content: "a" }], rejected: [{ role: "assistant", content: "b" }], margin: 2 });
});
