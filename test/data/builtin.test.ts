// The built-in preference pairs: sizes, determinism, hh-rlhf format, split hygiene and length balance.
import { test } from "node:test";
import assert from "node:assert/strict";
import { encode } from "gpt-3-encoder";
import { builtinPairs, type BuiltinPair } from "../../src/data/builtin.js";

const SPLITS = ["train", "test"] as const;
const MIN_SIZE = { train: 5000, test: 500 };
const words = (s: string): number => s.split(/\s+/).filter((w) => w !== "").length;
const ASSISTANT = "\n\nAssistant:";

/** The conversation up to and including the last "\n\nAssistant:", which both sides must share. */
function prompt(s: string): string {
  return s.slice(0, s.lastIndexOf(ASSISTANT) + ASSISTANT.length);
}

test("sizes and determinism", () => {
  for (const split of SPLITS) {
    const a = builtinPairs(split);
    assert.ok(a.length >= MIN_SIZE[split], `${split}: ${a.length} pairs`);
    assert.deepEqual(builtinPairs(split), a);
    a[0] = { chosen: "mutated", rejected: "mutated" };
    assert.notEqual(builtinPairs(split)[0]?.chosen, "mutated", "callers get their own copy");
  }
});

test("hh-rlhf format: Human first, Assistant last, shared conversation, different answers, ASCII", () => {
  for (const split of SPLITS) {
    builtinPairs(split).forEach((p: BuiltinPair, i) => {
      const at = `${split}[${i}]`;
      assert.notEqual(p.chosen, p.rejected, at);
      for (const s of [p.chosen, p.rejected]) {
        assert.ok(s.startsWith("\n\nHuman: "), at);
        assert.ok(s.lastIndexOf(ASSISTANT) > s.lastIndexOf("\n\nHuman:"), `${at}: ends with an Assistant turn`);
        assert.match(s, /^[\x20-\x7e\n]+$/, `${at}: plain ASCII`);
        assert.ok(s.slice(prompt(s).length).trim().length > 0, `${at}: empty answer`);
      }
      assert.equal(prompt(p.chosen), prompt(p.rejected), `${at}: chosen and rejected share the conversation`);
    });
  }
});

test("each side has 40 to 250 tokens (whitespace and GPT-2 BPE)", () => {
  for (const split of SPLITS) {
    builtinPairs(split).forEach((p, i) => {
      for (const s of [p.chosen, p.rejected]) {
        assert.ok(words(s) >= 40, `${split}[${i}]: ${words(s)} words`);
        // BPE is slow in JS: check every 7th pair, which still covers every template many times.
        if (i % 7 === 0) assert.ok(encode(s).length <= 250, `${split}[${i}]: ${encode(s).length} GPT-2 tokens`);
      }
    });
  }
});

test("train and test share no conversation", () => {
  const train = new Set(builtinPairs("train").map((p) => prompt(p.chosen)));
  const shared = builtinPairs("test").filter((p) => train.has(prompt(p.chosen)));
  assert.deepEqual(shared.slice(0, 3), [], `${shared.length} test conversations also in train`);
});

test("length predicts nothing: longer-wins and shorter-wins baselines both in [0.45, 0.55]", () => {
  for (const split of SPLITS) {
    const ps = builtinPairs(split);
    let longer = 0;
    let shorter = 0;
    for (const { chosen: c, rejected: r } of ps) {
      if (c.length > r.length && words(c) > words(r)) longer++;
      if (c.length < r.length && words(c) < words(r)) shorter++;
    }
    for (const [name, n] of [["longer", longer], ["shorter", shorter]] as const) {
      const rate = n / ps.length;
      assert.ok(rate >= 0.45 && rate <= 0.55, `${split}: "${name} answer wins" is ${rate.toFixed(3)}`);
    }
  }
});

test("the preferred side differs in content, not only in padding", () => {
  // Strip the neutral closing lines the balancer may add to either side: the answers must still differ.
  const closers = /\s*(I hope this is useful to you\.|Let me know if you have any other questions\.|Feel free to ask me anything else\.|Thanks for asking\.|Is there anything else I can do for you today\?|Have a nice day\.)/g;
  for (const split of SPLITS) {
    const same = builtinPairs(split).filter((p) => p.chosen.replace(closers, "") === p.rejected.replace(closers, ""));
    assert.equal(same.length, 0, `${split}: ${same.length} pairs differ only in closing lines`);
  }
});
