// The pipeline keeps the tokenizer's ids intact (OPT's leading </s> = 2 included): the reference texts and pairs
// of ../shared/reference, appended to the real hh-rlhf sample, come out of prepare with transformers' ids.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { openPrepared, preparePairs } from "../../src/data/index.js";
import { tempDir } from "./helpers.js";

const SHARED = path.resolve("../shared");
const SAMPLE = path.join(SHARED, "data/hh-rlhf/harmless-base-test.sample.jsonl.gz");

interface Expected {
  texts: { text: string; input_ids: number[] }[];
  pairs: { chosen: string; rejected: string; chosen_ids: number[]; rejected_ids: number[] }[];
}

for (const [tokenizer, model] of [["gpt2", "gpt2-tiny"], ["opt", "opt-tiny-postln"]] as const) {
  const tokDir = path.join(SHARED, "tokenizers", tokenizer);
  const expectedFile = path.join(SHARED, "reference/formula", model, "expected.json");
  const missing = [tokDir, expectedFile, SAMPLE].find((p) => !existsSync(p));
  test(`prepare with the ${tokenizer} tokenizer keeps transformers' ids`, { skip: missing && `missing ${missing}` }, async () => {
    const exp = JSON.parse(readFileSync(expectedFile, "utf8")) as Expected;
    const sample = gunzipSync(readFileSync(SAMPLE)).toString("utf8").trim().split("\n");
    const refs = [
      ...exp.pairs.map((p) => ({ chosen: p.chosen, rejected: p.rejected, ids: [p.chosen_ids, p.rejected_ids] })),
      ...exp.texts.map((t, i) => {
        const other = exp.texts[(i + 1) % exp.texts.length] as Expected["texts"][number];
        return { chosen: t.text, rejected: other.text, ids: [t.input_ids, other.input_ids] };
      }),
    ];
    const dir = tempDir();
    const data = path.join(dir, "mixed.jsonl");
    writeFileSync(data, [...sample, ...refs.map((r) => JSON.stringify({ chosen: r.chosen, rejected: r.rejected }))].join("\n") + "\n");
    const out = path.join(dir, "out");
    // the text as given (transformers' tokenizer(text)); TRL's EOS rule is tested against TRL's own ids in trl-formats
    const s = await preparePairs({ tokenizer: tokDir, data, out, maxLength: 1_000_000, threads: 2, encoding: { appendEosToken: false } });
    assert.equal(s.written, sample.length + refs.length);
    const prep = openPrepared(out);
    for (const [k, r] of refs.entries()) {
      const p = prep.pair(sample.length + k);
      assert.deepEqual(Array.from(p.input_ids_chosen), r.ids[0], `chosen of reference record ${k}`);
      assert.deepEqual(Array.from(p.input_ids_rejected), r.ids[1], `rejected of reference record ${k}`);
    }
    if (tokenizer === "opt") assert.equal(prep.pair(0).input_ids_chosen[0], 2);
    assert.equal(prep.meta.tokenizer.addsBos, tokenizer === "opt");
  });
}
