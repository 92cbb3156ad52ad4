// gpt2-tiny: rewards, loss and gradients against transformers (test/fixtures/reference/gpt2-tiny/expected.json).
import { test } from "node:test";
import assert from "node:assert/strict";
import { checkLossAndGradients, checkRewards } from "./parity.js";

test("gpt2-tiny: padded batches and rewards (single, batched) match transformers", () => checkRewards("gpt2-tiny"));
test("gpt2-tiny: pairwise loss and every parameter's gradient match transformers", () => checkLossAndGradients("gpt2-tiny"));

test("gpt2-tiny: builtin:gpt2 tokenizer gives transformers' ids for every text", async () => {
  const { loadTokenizer } = await import("../../src/tokenizer/index.js");
  const { readExpected } = await import("./fixtures.js");
  const tok = await loadTokenizer("builtin:gpt2");
  for (const t of readExpected("gpt2-tiny").texts) assert.deepEqual(tok.encode(t.text), t.input_ids);
});
