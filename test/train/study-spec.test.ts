// The study spec: JSON / YAML parsing, defaults, errors that name the file, line and field; the presets.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { InputError } from "../../src/errors.js";
import { parseGPT2Config, parseOPTConfig } from "../../src/models/index.js";
import { DEFAULT_REWARD_CONFIG, loadStudySpec, modelTraining, parseStudySpec, studyPreset, STUDY_PRESETS } from "../../src/train/index.js";

function inputError(fn: () => unknown): InputError {
  try {
    fn();
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  assert.fail("expected an InputError");
}

function write(name: string, text: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "rewardlab-spec-")), name);
  writeFileSync(file, text);
  return file;
}

test("a YAML spec: models, data defaults, shared training config on top of RewardConfig's defaults", () => {
  const file = write("study.yaml", [
    "name: two models",
    "models:",
    "  - {name: gpt2, model: gpt2}",
    "  - name: opt-small",
    "    config: {model_type: opt, hidden_size: 32}",
    "    tokenizer: builtin:gpt2",
    "training:",
    "  max_steps: 20",
    "  learning_rate: 0.001",
  ].join("\n"));
  const s = loadStudySpec(file);
  assert.equal(s.name, "two models");
  assert.deepEqual(s.models.map((m) => [m.name, m.model, m.config?.["model_type"] ?? null, m.tokenizer]),
    [["gpt2", "gpt2", null, null], ["opt-small", null, "opt", "builtin:gpt2"]]);
  assert.equal(s.data, "builtin");
  assert.equal(s.eval_data, "builtin"); // builtin data brings its test split
  assert.equal(s.eval_split, "test");
  assert.equal(s.profile_steps, 3);
  assert.equal(s.training.max_steps, 20);
  assert.equal(s.training.learning_rate, 0.001);
  assert.equal(s.training.per_device_train_batch_size, DEFAULT_REWARD_CONFIG.per_device_train_batch_size);
});

test("a JSON spec with other data has no eval split unless it names one", () => {
  const s = parseStudySpec({ models: [{ name: "a", model: "x/y" }], data: "pairs.jsonl", max_train_pairs: 100, profile_steps: 0 }, "s.json");
  assert.equal(s.eval_data, null);
  assert.equal(s.max_train_pairs, 100);
  assert.equal(s.profile_steps, 0);
});

test("errors name the file, the line and the field", () => {
  const file = write("bad.yaml", ["models:", "  - name: a", "    model: gpt2", "training:", "  learning_rate: fast"].join("\n"));
  const e = inputError(() => loadStudySpec(file));
  assert.equal(e.format(), `${file}:5: field "training.learning_rate": expected a number, got the string "fast"`);

  const typo = inputError(() => parseStudySpec({ modelz: [] }, "s.json"));
  assert.match(typo.format(), /^s\.json: field "modelz": unknown study field "modelz"/);
  assert.equal(typo.hint, 'did you mean "models"?');

  assert.match(inputError(() => parseStudySpec({ models: [] }, "s.json")).format(), /field "models": expected a non-empty list of models/);
  assert.match(inputError(() => parseStudySpec({ models: [{ name: "a" }] }, "s.json")).format(),
    /field "models\[0\]": expected exactly one of "model" \(folder or hub id\) and "config" \(random init\), got neither/);
  assert.match(inputError(() => parseStudySpec({ models: [{ name: "a/b", model: "gpt2" }] }, "s.json")).format(), /field "models\[0\]\.name": expected a name of letters/);
  assert.match(inputError(() => parseStudySpec({ models: [{ name: "a", model: "gpt2" }, { name: "a", model: "x" }] }, "s.json")).format(),
    /field "models\[1\]\.name": model name "a" is used twice/);
  assert.match(inputError(() => parseStudySpec({ models: [{ name: "a", config: { hidden_size: 8 } }] }, "s.json")).format(),
    /field "models\[0\]\.config": expected an HF config object with "model_type"/);
  assert.match(inputError(() => parseStudySpec({ models: [{ name: "a", model: "gpt2", tokenzier: "x" }] }, "s.json")).hint ?? "", /did you mean "tokenizer"/);
  assert.match(inputError(() => parseStudySpec({ models: [{ name: "a", model: "gpt2" }], profile_steps: -1 }, "s.json")).format(), /field "profile_steps": expected an integer >= 0, got number -1/);
  assert.match(inputError(() => parseStudySpec([], "s.json")).format(), /^s\.json: expected an object with "models", got a list/);
  assert.match(inputError(() => loadStudySpec(write("x.json", "{"))).format(), /x\.json: not valid JSON/);
});

test("the default preset: offline, built-in data, a GPT-2 and a post-LN OPT-350m-layout model on the GPT-2 vocabulary", () => {
  const s = studyPreset("default");
  assert.equal(s.data, "builtin");
  assert.equal(s.eval_data, "builtin");
  const [g, o] = s.models;
  assert.ok(g?.config && o?.config);
  const gpt2 = parseGPT2Config(g.config as Record<string, unknown>, "gpt2");
  const opt = parseOPTConfig(o.config as Record<string, unknown>, "opt");
  assert.equal(opt.do_layer_norm_before, false);
  assert.ok(opt.word_embed_proj_dim < opt.hidden_size, "project_in/out present");
  assert.equal(gpt2.vocab_size, opt.vocab_size);
  assert.deepEqual(s.models.map((m) => m.tokenizer), ["builtin:gpt2", "builtin:gpt2"]);
  assert.equal(s.training.use_lora, false);
});

test("the seed preset is the study's setup", () => {
  const s = STUDY_PRESETS["seed"];
  assert.ok(s);
  assert.deepEqual(s.models.map((m) => m.model), ["gpt2", "facebook/opt-350m"]);
  assert.equal(s.data, "Anthropic/hh-rlhf");
  assert.equal(s.eval_split, "test");
  const t = s.training;
  assert.deepEqual([t.use_lora, t.lora_r, t.lora_alpha, t.learning_rate, t.per_device_train_batch_size, t.max_steps, t.max_length, t.logging_steps],
    [true, 16, 16, 1.41e-5, 4, 10_000, 512, 1000]);
  assert.match(inputError(() => studyPreset("sed")).hint ?? "", /did you mean "seed"/);
});

test("per-model training fields override the shared block; a published reference time is kept for the report", () => {
  const s = parseStudySpec({
    models: [
      { name: "a", model: "gpt2", training: { use_lora: true, lora_r: 8 }, reference: { wall_seconds: 1998, source: "the study" } },
      { name: "b", model: "gpt2" },
    ],
    training: { max_steps: 7, learning_rate: 0.01 },
  }, "s.json");
  const [a, b] = s.models;
  assert.ok(a && b);
  assert.deepEqual(a.training, { use_lora: true, lora_r: 8 });
  assert.deepEqual(a.reference, { wall_seconds: 1998, source: "the study" });
  assert.deepEqual([b.training, b.reference], [{}, null]);
  const ca = modelTraining(s.training, a), cb = modelTraining(s.training, b);
  assert.deepEqual([ca.use_lora, ca.lora_r, ca.max_steps, ca.learning_rate], [true, 8, 7, 0.01]);
  assert.deepEqual([cb.use_lora, cb.max_steps], [false, 7]);

  assert.match(inputError(() => parseStudySpec({ models: [{ name: "a", model: "gpt2" }, { name: "b", model: "x", training: { learning_rate: "fast" } }] }, "s.json")).format(),
    /field "models\[1\]\.training\.learning_rate": expected a number, got the string "fast"/);
  assert.match(inputError(() => parseStudySpec({ models: [{ name: "a", model: "gpt2", training: { lora_rr: 4 } }] }, "s.json")).format(),
    /field "models\[0\]\.training\.lora_rr": unknown RewardConfig field/);
  assert.match(inputError(() => parseStudySpec({ models: [{ name: "a", model: "gpt2", reference: { wall_seconds: -1, source: "x" } }] }, "s.json")).format(),
    /field "models\[0\]\.reference": expected \{wall_seconds: a number > 0, source: a string\}/);
});

test("the seed-shapes preset: gpt2 and opt-350m at full size, random init, the shipped hh-rlhf sample, LoRA r=16 and full", () => {
  const s = studyPreset("seed-shapes");
  assert.ok(existsSync(s.data), s.data);
  assert.equal(s.eval_data, null);
  assert.deepEqual(s.models.map((m) => m.name), ["gpt2-lora", "opt-350m-lora", "gpt2-full", "opt-350m-full"]);
  const [gl, ol] = s.models;
  assert.ok(gl?.config && ol?.config);
  const gpt2 = parseGPT2Config(gl.config as Record<string, unknown>, "gpt2");
  const opt = parseOPTConfig(ol.config as Record<string, unknown>, "opt");
  assert.deepEqual([gpt2.n_embd, gpt2.n_layer, gpt2.n_head, gpt2.n_positions], [768, 12, 12, 1024]);
  assert.deepEqual([opt.hidden_size, opt.num_hidden_layers, opt.ffn_dim, opt.word_embed_proj_dim, opt.do_layer_norm_before], [1024, 24, 4096, 512, false]);
  const c = s.models.map((m) => modelTraining(s.training, m));
  assert.deepEqual(c.map((x) => x.use_lora), [true, true, false, false]);
  assert.deepEqual([c[0]?.lora_r, c[0]?.lora_alpha, c[0]?.per_device_train_batch_size, c[0]?.max_length], [16, 16, 4, 512]);
  // the study's own times ride along on the LoRA runs: 33:18 and 1:23:54
  assert.deepEqual(s.models.map((m) => m.reference?.wall_seconds ?? null), [1998, 5034, null, null]);
});

test("append_eos_token: TRL's default (true) for runs, the founding study's (false, text as given) in every preset", () => {
  assert.equal(DEFAULT_REWARD_CONFIG.append_eos_token, true);
  for (const [name, p] of Object.entries(STUDY_PRESETS)) assert.equal(p.training.append_eos_token, false, name);
  const s = parseStudySpec({ models: [{ name: "a", model: "gpt2" }], data: "builtin", training: { append_eos_token: true } }, "study.json");
  assert.equal(s.training.append_eos_token, true);
});
