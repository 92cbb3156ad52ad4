// OPT tokenizer. OPT uses GPT-2's merges with a vocab.json in fairseq id order, and prepends </s> (id 2):
// OPT ids = [2] + GPT-2 ids mapped through the token strings of the two vocab.json files. OPT's vocab.json is
// ~900 KB, so on a fresh clone we check the expected OPT ids through that mapping (using the id → token strings
// saved in the fixture) and exercise the loader on a tiny OPT-style folder built from the builtin GPT-2 files;
// the real folder ../shared/tokenizers/opt is tested when present.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { loadTokenizer } from "../../src/tokenizer/index.js";
import { builtinGpt2Files } from "../../src/tokenizer/load.js";
import { EXPECTED, SHARED_TOKENIZERS } from "./fixture.js";

const OPT_MODELS = ["opt-tiny-postln", "opt-tiny-preln"] as const;
const gpt2 = await loadTokenizer("builtin:gpt2");

test("opt expected ids = [2] + GPT-2 ids mapped through token strings", () => {
  for (const model of OPT_MODELS) {
    for (const { text, ids } of EXPECTED.models[model]) {
      assert.equal(ids[0], 2, `${model} starts with </s>`);
      const viaGpt2 = ids.slice(1).map((id) => gpt2.tokenToId(EXPECTED.opt_id_to_token[String(id)] as string));
      assert.deepEqual(viaGpt2, gpt2.encode(text), `${model} ${JSON.stringify(text)}`);
    }
  }
});

test("opt from ../shared/tokenizers/opt: every text and pair of both OPT expected.json", async (t) => {
  const dir = path.join(SHARED_TOKENIZERS, "opt");
  if (!existsSync(dir)) return t.skip(`missing ${dir}`);
  const opt = await loadTokenizer(dir);
  assert.equal(opt.vocabSize, 50265);
  assert.deepEqual([opt.bosTokenId, opt.eosTokenId, opt.padTokenId, opt.addsBos], [2, 2, 1, true]);
  for (const model of OPT_MODELS) {
    for (const { text, ids } of EXPECTED.models[model]) {
      assert.deepEqual(opt.encode(text), ids, `${model} ${JSON.stringify(text)}`);
      assert.equal(opt.decode(ids.slice(1)), text);
    }
  }
  assert.deepEqual(opt.encode("a</s>b<pad>"), [2, opt.tokenToId("a"), 2, opt.tokenToId("b"), 1]);
  assert.deepEqual(opt.encode("<s>").length, 4); // "<s>" is not special for OPT: "<", "s", ">"
});

test("OPT-style folder (permuted ids, add_bos_token, dict-form specials) from the builtin GPT-2 files", async () => {
  const files = builtinGpt2Files();
  const gptVocab = JSON.parse(readFileSync(files.vocabFile, "utf8")) as Record<string, number>;
  // fairseq-like order: 4 specials first, then the GPT-2 tokens reversed.
  const vocab: Record<string, number> = { "<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3 };
  const tokens = Object.keys(gptVocab).filter((t) => t !== "<|endoftext|>").reverse();
  tokens.forEach((tok, i) => (vocab[tok] = i + 4));
  const dir = mkdtempSync(path.join(tmpdir(), "rl-tok-opt-"));
  try {
    writeFileSync(path.join(dir, "vocab.json"), JSON.stringify(vocab));
    writeFileSync(path.join(dir, "merges.txt"), readFileSync(files.mergesFile));
    writeFileSync(path.join(dir, "tokenizer_config.json"), JSON.stringify({ add_bos_token: true, bos_token: "</s>", eos_token: "</s>", tokenizer_class: "GPT2Tokenizer" }));
    const dict = (content: string): object => ({ content, lstrip: false, normalized: true, rstrip: false, single_word: false });
    writeFileSync(path.join(dir, "special_tokens_map.json"), JSON.stringify({ bos_token: dict("</s>"), eos_token: dict("</s>"), pad_token: dict("<pad>"), unk_token: dict("</s>") }));
    const opt = await loadTokenizer(dir);
    assert.deepEqual([opt.bosTokenId, opt.eosTokenId, opt.padTokenId, opt.addsBos, opt.vocabSize], [2, 2, 1, true, 50260]);
    const gptToken = new Map(Object.entries(gptVocab).map(([tok, id]) => [id, tok]));
    const permute = (gptId: number): number => vocab[gptToken.get(gptId) as string] as number;
    for (const { text, ids } of EXPECTED.models["gpt2-tiny"]) {
      assert.deepEqual(opt.encode(text), [2, ...ids.map(permute)], JSON.stringify(text));
      assert.equal(opt.decode(opt.encode(text).slice(1)), text);
    }
    assert.deepEqual(opt.encode("x</s>"), [2, vocab["x"], 2]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
