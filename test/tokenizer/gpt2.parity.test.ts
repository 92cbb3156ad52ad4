// GPT-2 tokenizer: text → ids → decoded tables, every text and pair of the reference expected.json (HF
// tokenizers' ids), special tokens inside text, and the folder / tokenizer.json loaders giving the same ids.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { loadTokenizer, type Tokenizer } from "../../src/tokenizer/index.js";
import { builtinGpt2Files } from "../../src/tokenizer/load.js";
import { EXPECTED, SHARED_TOKENIZERS } from "./fixture.js";

// text → tokens (vocab.json spelling: Ġ = space, Ċ = \n, ĉ = \t); ids come from tokenToId.
const TABLE: readonly [string, readonly string[]][] = [
  ["hello world", ["hello", "Ġworld"]],
  ["  hello", ["Ġ", "Ġhello"]],
  ["hello  ", ["hello", "Ġ", "Ġ"]],
  ["a   b", ["a", "Ġ", "Ġ", "Ġb"]],
  ["\n\n\nHuman:", ["ĊĊ", "Ċ", "Human", ":"]],
  ["\n\nHuman:", ["Ċ", "Ċ", "Human", ":"]],
  ["\tindented\t\ttabs", ["ĉ", "ind", "ented", "ĉ", "ĉ", "tab", "s"]],
  ["I'm don't it's you're", ["I", "'m", "Ġdon", "'t", "Ġit", "'s", "Ġyou", "'re"]],
  ["IT'S HE'LL 'S", ["IT", "'", "S", "ĠHE", "'", "LL", "Ġ'", "S"]],
  ["12345 3.14 1,000", ["123", "45", "Ġ3", ".", "14", "Ġ1", ",", "000"]],
  ["naïve café", ["na", "Ã¯ve", "ĠcafÃ©"]],
  ["🤔", ["ðŁ", "¤", "Ķ"]],
  ["end<|endoftext|>start", ["end", "<|endoftext|>", "start"]],
  ["<|endoftext|><|endoftext|>", ["<|endoftext|>", "<|endoftext|>"]],
  ["<|endoftext|", ["<", "|", "end", "of", "text", "|"]], // not the whole special token: plain BPE
  ["trailing newline\n", ["tra", "iling", "Ġnew", "line", "Ċ"]],
  ["\r\n", ["č", "Ċ"]],
];

const gpt2 = await loadTokenizer("builtin:gpt2");

function checkTable(tok: Tokenizer): void {
  for (const [text, tokens] of TABLE) {
    const ids = tokens.map((t) => tok.tokenToId(t));
    assert.ok(ids.every((id) => id !== undefined), `table tokens exist: ${tokens.join(" ")}`);
    assert.deepEqual(tok.encode(text), ids, JSON.stringify(text));
    assert.equal(tok.decode(ids as number[]), text);
  }
}

test("gpt2 builtin: metadata", () => {
  assert.equal(gpt2.vocabSize, 50257);
  assert.equal(gpt2.eosTokenId, 50256);
  assert.equal(gpt2.bosTokenId, 50256);
  assert.equal(gpt2.padTokenId, null); // HF gpt2 has no pad token
  assert.equal(gpt2.addsBos, false);
  assert.deepEqual([gpt2.bosToken, gpt2.eosToken, gpt2.unkToken, gpt2.padToken], ["<|endoftext|>", "<|endoftext|>", "<|endoftext|>", null]);
  assert.equal(gpt2.unkTokenId, 50256);
  assert.equal(gpt2.modelMaxLength, 1024);
  assert.equal(gpt2.tokenToId("<|endoftext|>"), 50256);
  assert.equal(gpt2.tokenToId("Ġthe"), 262);
  assert.equal(gpt2.tokenToId("not a token"), undefined);
});

test("gpt2 builtin: text → ids → decoded table", () => checkTable(gpt2));

test("gpt2 builtin: every text and pair of gpt2-tiny/expected.json", () => {
  for (const { text, ids } of EXPECTED.models["gpt2-tiny"]) {
    assert.deepEqual(gpt2.encode(text), ids, JSON.stringify(text));
    assert.equal(gpt2.decode(ids), text);
  }
});

test("gpt2: decode skips nothing, replaces broken UTF-8, rejects unknown ids", () => {
  assert.equal(gpt2.decode([]), "");
  assert.equal(gpt2.decode([50256, 31373]), "<|endoftext|>hello");
  assert.equal(gpt2.decode([8582]), "\ufffd"); // "ðŁ": the first two bytes of a 4-byte emoji
  assert.throws(() => gpt2.decode([50257]), RangeError);
  assert.deepEqual(gpt2.encode(""), []);
  assert.equal(gpt2.decode(gpt2.encode("\ufeffBOM")), "\ufeffBOM"); // a leading U+FEFF is kept
});

test("gpt2 from ../shared/tokenizers/gpt2 (tokenizer.json) equals builtin", async (t) => {
  const dir = path.join(SHARED_TOKENIZERS, "gpt2");
  if (!existsSync(dir)) return t.skip(`missing ${dir}`);
  const tok = await loadTokenizer(dir);
  assert.equal(tok.vocabSize, 50257);
  assert.equal(tok.padTokenId, null);
  checkTable(tok);
  for (const { text, ids } of EXPECTED.models["gpt2-tiny"]) assert.deepEqual(tok.encode(text), ids);
});

test("tokenizer.json written from the builtin files: both merges spellings, template BOS, pad from config", async () => {
  const files = builtinGpt2Files();
  const vocab = JSON.parse(readFileSync(files.vocabFile, "utf8")) as Record<string, number>;
  const merges = readFileSync(files.mergesFile, "utf8").split("\n").slice(1).filter((l) => l !== "");
  const dir = mkdtempSync(path.join(tmpdir(), "rl-tok-json-"));
  try {
    for (const [name, mergeList] of [["strings", merges], ["arrays", merges.map((m) => m.split(" "))]] as const) {
      writeFileSync(path.join(dir, "tokenizer.json"), JSON.stringify({
        version: "1.0",
        added_tokens: [{ id: 50256, content: "<|endoftext|>", single_word: false, lstrip: false, rstrip: false, normalized: true, special: true }],
        normalizer: null,
        pre_tokenizer: { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: true },
        post_processor: {
          type: "TemplateProcessing", single: [{ SpecialToken: { id: "<|endoftext|>", type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }],
          special_tokens: { "<|endoftext|>": { id: "<|endoftext|>", ids: [50256], tokens: ["<|endoftext|>"] } },
        },
        decoder: { type: "ByteLevel" },
        model: { type: "BPE", dropout: null, vocab, merges: mergeList },
      }));
      writeFileSync(path.join(dir, "special_tokens_map.json"), JSON.stringify({ eos_token: "<|endoftext|>", bos_token: { content: "<|endoftext|>" }, pad_token: "<|endoftext|>" }));
      const tok = await loadTokenizer(dir);
      assert.equal(tok.padTokenId, 50256, name);
      assert.equal(tok.addsBos, true, name);
      assert.deepEqual([tok.padToken, tok.bosToken, tok.modelMaxLength], ["<|endoftext|>", "<|endoftext|>", null], name);
      for (const { text, ids } of EXPECTED.models["gpt2-tiny"].slice(0, 4)) {
        assert.deepEqual(tok.encode(text), [50256, ...ids], name);
        assert.deepEqual(tok.encode(text, { addSpecialTokens: false }), ids, name);
        assert.deepEqual(tok.encode(text, { addSpecialTokens: true }), [50256, ...ids], name);
      }
      // add_special_tokens=False drops the template ids only: a special token written in the text still matches.
      assert.deepEqual(tok.encode("<|endoftext|>hello", { addSpecialTokens: false }), [50256, 31373]);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("gpt2 on the hh-rlhf sample: same ids as the gpt-3-encoder package, exact decode", async (t) => {
  const sample = "../shared/data/hh-rlhf/harmless-base-test.sample.jsonl.gz";
  if (!existsSync(sample)) return t.skip(`missing ${sample}`);
  // gpt-3-encoder is an independent JS implementation (the JS regex; it differs from HF only on U+0085 and
  // U+FEFF, which this data does not contain). Slow, so only the first 150 pairs.
  const { encode } = createRequire(import.meta.url)("gpt-3-encoder") as { encode(text: string): number[] };
  const lines = gunzipSync(readFileSync(sample)).toString("utf8").split("\n").filter((l) => l !== "").slice(0, 150);
  for (const line of lines) {
    const pair = JSON.parse(line) as { chosen: string; rejected: string };
    for (const text of [pair.chosen, pair.rejected]) {
      const ids = gpt2.encode(text);
      assert.deepEqual(ids, encode(text), JSON.stringify(text.slice(0, 80)));
      assert.equal(gpt2.decode(ids), text);
    }
  }
});
