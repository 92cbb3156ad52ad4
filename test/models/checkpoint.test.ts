// Model folders: config.json parsing and writing, loading with key normalisation, one error listing every problem,
// and save → load → save round trips that are bit-exact.
import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pythonFloatRepr, pythonJson } from "../../src/models/config.js";
import { formulaWeights, checksumF32 } from "../../src/models/formula.js";
import { readConfigFile } from "../../src/models/hf-config.js";
import { RewardModel } from "../../src/models/reward-model.js";
import { writeSafetensors } from "../../src/models/safetensors.js";
import { fixtureDir, MODELS, readExpected, sharedFile } from "./fixtures.js";

const tmp = () => mkdtempSync(path.join(os.tmpdir(), "rewardlab-ck-"));
const readJson = (f: string) => JSON.parse(readFileSync(f, "utf8")) as Record<string, unknown>;

/** A folder holding the fixture's config.json and its formula weights as model.safetensors. */
function formulaFolder(model: string): string {
  const m = RewardModel.create(readJson(path.join(fixtureDir(model), "config.json")));
  m.weights.data.set(formulaWeights(m.weights.specs).data);
  const dir = tmp();
  m.save(dir);
  copyFileSync(path.join(fixtureDir(model), "config.json"), path.join(dir, "config.json"));
  return dir;
}

test("Python float repr and json.dumps(indent=2, sort_keys=True)", () => {
  const cases: [number, string][] = [[1e-5, "1e-05"], [0.02, "0.02"], [0.1, "0.1"], [0, "0.0"], [1e16, "1e+16"], [1.5e-7, "1.5e-07"],
    [0.0001, "0.0001"], [123.25, "123.25"], [-2.5e20, "-2.5e+20"], [1e15, "1000000000000000.0"]];
  for (const [x, s] of cases) assert.equal(pythonFloatRepr(x), s, String(x));
  assert.equal(pythonJson({ b: [1, 2], a: { y: null, x: "é\n" }, e: [], f: {} }),
    '{\n  "a": {\n    "x": "\\u00e9\\n",\n    "y": null\n  },\n  "b": [\n    1,\n    2\n  ],\n  "e": [],\n  "f": {}\n}');
});

for (const model of [...MODELS, "fake-gpt2-lmhead"]) {
  test(`${model}: config.json is rewritten byte-identically`, () => {
    const cf = readConfigFile(fixtureDir(model));
    assert.equal(pythonJson(cf.raw, cf.floatKeys) + "\n", readFileSync(cf.file, "utf8"));
  });
}

test("config errors name config.json and the field", () => {
  const dir = tmp();
  const raw = readJson(path.join(fixtureDir("gpt2-tiny"), "config.json"));
  writeFileSync(path.join(dir, "config.json"), JSON.stringify({ ...raw, n_embd: undefined }));
  assert.throws(() => RewardModel.load(dir), (e: Error & { format(): string }) =>
    e.name === "InputError" && /config\.json: field "n_embd": expected a positive integer, got nothing/.test(e.format()));
  writeFileSync(path.join(dir, "config.json"), JSON.stringify({ ...raw, model_type: "falcon" }));
  assert.throws(() => RewardModel.load(dir), (e: Error & { format(): string }) =>
    /field "model_type": expected one of "gpt2", "opt", "llama", "mistral", "qwen2", "qwen3", got "falcon"/.test(e.format()));
  writeFileSync(path.join(dir, "config.json"), JSON.stringify({ ...raw, n_inner: "big" }));
  assert.throws(() => RewardModel.load(dir), /expected an integer or null, got "big"/);
});

for (const model of MODELS) {
  test(`${model}: save → load → save is bit-exact (config.json and model.safetensors)`, () => {
    const dir = formulaFolder(model);
    const m = RewardModel.load(dir);
    assert.deepEqual(m.notes, []);
    for (const [name, e] of Object.entries(readExpected(model).params)) assert.equal(checksumF32(m.weights.get(name)), e.checksum_fnv1a32, name);
    const out = tmp();
    assert.deepEqual(m.save(out), ["config.json", "model.safetensors"]);
    for (const f of ["config.json", "model.safetensors"]) assert.deepEqual(readFileSync(path.join(out, f)), readFileSync(path.join(dir, f)), f);
    assert.deepEqual(readFileSync(path.join(out, "config.json")), readFileSync(path.join(fixtureDir(model), "config.json")));
  });
}

/** A GPT2LMHeadModel-style checkpoint as on the Hub: keys without "transformer.", attn.bias buffers, lm_head. */
function lmHeadFolder(): { dir: string; values: Map<string, Float32Array> } {
  const dir = tmp();
  copyFileSync(path.join(fixtureDir("fake-gpt2-lmhead"), "config.json"), path.join(dir, "config.json"));
  const specs = RewardModel.create(readJson(path.join(dir, "config.json"))).weights.specs.filter((s) => s.name !== "score.weight");
  const w = formulaWeights(specs);
  const values = new Map(specs.map((s) => [s.name, w.get(s.name)]));
  writeSafetensors(path.join(dir, "model.safetensors"), [
    ...specs.map((s) => ({ name: s.name.replace(/^transformer\./, ""), shape: s.shape, data: w.get(s.name) })),
    { name: "h.0.attn.bias", shape: [1, 1, 2, 2], data: new Float32Array([1, 0, 1, 1]) },
    { name: "lm_head.weight", shape: [50257, 2], data: w.get("transformer.wte.weight") },
  ]);
  return { dir, values };
}

test("a causal-LM checkpoint loads: prefixes normalised, buffers and lm_head ignored, score initialised fresh with a note", () => {
  const { dir, values } = lmHeadFolder();
  const m = RewardModel.load(dir, { seed: 7 });
  for (const [name, v] of values) assert.deepEqual(m.weights.get(name), v, name);
  assert.equal(m.notes.length, 2);
  assert.match(m.notes[0] as string, /score\.weight not in the checkpoint: newly initialized \(seed 7\)/);
  assert.match(m.notes[1] as string, /ignored checkpoint keys.*h\.0\.attn\.bias, lm_head\.weight/);
  const score = m.weights.get("score.weight");
  assert.ok(score.every((x) => x !== 0 && Math.abs(x) < 0.1));
  assert.deepEqual(RewardModel.load(dir, { seed: 7 }).weights.get("score.weight"), score);
  const out = tmp();
  m.save(out);
  const cfg = readJson(path.join(out, "config.json"));
  assert.deepEqual(cfg["architectures"], ["GPT2ForSequenceClassification"]);
  assert.deepEqual(cfg["id2label"], { "0": "LABEL_0" });
  assert.equal(cfg["dtype"], "float32");
  assert.equal(cfg["torch_dtype"], undefined);
  assert.equal(cfg["pad_token_id"], 50256);
  const again = RewardModel.load(out);
  assert.deepEqual(again.notes, []);
  assert.deepEqual(again.weights.data, m.weights.data);
});

test("one error lists every missing key, unexpected key and shape mismatch", () => {
  const { dir } = lmHeadFolder();
  const cfg = readJson(path.join(dir, "config.json"));
  writeFileSync(path.join(dir, "config.json"), JSON.stringify({ ...cfg, vocab_size: 50304, n_layer: 2 }));
  writeSafetensors(path.join(dir, "model.safetensors"), [
    { name: "wte.weight", shape: [50257, 2], data: new Float32Array(50257 * 2) },
    { name: "h.0.foo", shape: [1], data: new Float32Array(1) },
  ]);
  assert.throws(() => RewardModel.load(dir), (e: Error) => {
    assert.equal(e.name, "CheckpointError");
    assert.match(e.message, /missing keys \(27\): transformer\.wpe\.weight, transformer\.h\.0\.ln_1\.weight, /);
    assert.match(e.message, /unexpected keys \(1\): h\.0\.foo/);
    assert.match(e.message, /config\.json: vocab_size is 50304 but transformer\.wte\.weight has 50257 rows/);
    return true;
  });
});

const binDir = sharedFile("reference/formula/gpt2-tiny/pytorch_model.bin");
test("the reference gpt2-tiny folder (pytorch_model.bin) loads with formula values", { skip: binDir.skip }, () => {
  const m = RewardModel.load(path.dirname(binDir.path));
  assert.deepEqual(m.notes, []);
  for (const [name, e] of Object.entries(readExpected("gpt2-tiny").params)) assert.equal(checksumF32(m.weights.get(name)), e.checksum_fnv1a32, name);
});

const lm = sharedFile("reference/hf-written/fake-gpt2-lmhead/model.safetensors");
test("transformers 4.36's GPT2LMHeadModel folder loads as a reward model with a fresh head", { skip: lm.skip }, () => {
  const m = RewardModel.load(path.dirname(lm.path));
  assert.equal(m.notes.length, 1);
  assert.match(m.notes[0] as string, /^score\.weight not in the checkpoint/);
  assert.equal(m.weights.get("transformer.wte.weight").length, 50257 * 2);
});

test("a sharded save (model-0000N-of-0000M + index) loads back bit-exactly", () => {
  const dir = formulaFolder("opt-tiny-preln");
  const m = RewardModel.load(dir);
  const out = tmp();
  // embed_tokens (12.9 MB) exceeds the limit and gets a shard of its own; the other 0.47 MB fill three more
  const files = m.save(out, { maxShardBytes: 200_000 });
  assert.deepEqual(files, ["config.json", ...[1, 2, 3, 4].map((i) => `model-0000${i}-of-00004.safetensors`), "model.safetensors.index.json"]);
  assert.deepEqual(RewardModel.load(out).weights.data, m.weights.data);
});
