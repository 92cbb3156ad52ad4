import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { InputError } from "../../src/errors.js";
import {
  applyRewardConfigFlags, DEFAULT_REWARD_CONFIG, loadRewardConfig, parseRewardConfig, rewardConfigFlags,
} from "../../src/train/index.js";

function inputError(fn: () => unknown): InputError {
  try {
    fn();
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  assert.fail("expected an InputError");
}

test("defaults: HF/TRL values where rewardlab keeps them", () => {
  const d = DEFAULT_REWARD_CONFIG;
  assert.equal(d.max_steps, -1);
  assert.equal(d.num_train_epochs, 3);
  assert.equal(d.gradient_accumulation_steps, 1);
  assert.equal(d.max_grad_norm, 1);
  assert.equal(d.seed, 42);
  assert.equal(d.center_rewards_coefficient, null);
  assert.equal(d.disable_dropout, true);
  assert.equal(d.lr_scheduler_type, "linear");
  assert.deepEqual([d.adam_beta1, d.adam_beta2, d.adam_epsilon, d.weight_decay], [0.9, 0.999, 1e-8, 0]);
  assert.deepEqual([d.lora_r, d.lora_alpha, d.lora_dropout, d.lora_target_modules], [16, 16, 0, null]);
  assert.ok(Object.isFrozen(d));
});

test("parse overrides fields and leaves the rest at their defaults", () => {
  const c = parseRewardConfig({ max_steps: 100, learning_rate: 2e-5, lora_target_modules: ["c_attn"], eval_steps: null }, "run.json");
  assert.equal(c.max_steps, 100);
  assert.equal(c.learning_rate, 2e-5);
  assert.deepEqual(c.lora_target_modules, ["c_attn"]);
  assert.equal(c.per_device_train_batch_size, DEFAULT_REWARD_CONFIG.per_device_train_batch_size);
});

test("unknown keys get a did-you-mean hint naming source and field", () => {
  let e = inputError(() => parseRewardConfig({ learning_rat: 1e-4 }, "run.json"));
  assert.equal(e.where?.file, "run.json");
  assert.equal(e.where?.field, "learning_rat");
  assert.match(e.message, /unknown RewardConfig field "learning_rat"/);
  assert.equal(e.hint, 'did you mean "learning_rate"?');
  e = inputError(() => parseRewardConfig({ maxSteps: 3 }, "run.json"));
  assert.equal(e.hint, 'did you mean "max_steps"?');
  e = inputError(() => parseRewardConfig({ zzz: 3 }, "run.json"));
  assert.match(e.hint ?? "", /^known fields: /);
});

test("wrong types and ranges say what was expected and what was found", () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ max_steps: "100" }, /max_steps|expected an integer, got the string "100"/],
    [{ max_steps: 1.5 }, /expected an integer, got 1.5/],
    [{ learning_rate: -1 }, /expected a number >= 0, got -1/],
    [{ use_lora: "yes" }, /expected true or false, got the string "yes"/],
    [{ lr_scheduler_type: "cosin" }, /expected one of "linear", "cosine"/],
    [{ adam_beta2: 1 }, /expected a number < 1, got 1/],
    [{ warmup_ratio: 1.5 }, /expected a number <= 1, got 1.5/],
    [{ report_to: ["wandb"] }, /expected entries from jsonl, tensorboard, got "wandb"/],
    [{ center_rewards_coefficient: "0.01" }, /expected a number or null/],
    [{ max_steps: 0 }, /nothing would be trained/],
  ];
  for (const [raw, re] of cases) {
    const e = inputError(() => parseRewardConfig(raw, "run.json"));
    assert.match(e.message, re, JSON.stringify(raw));
    assert.equal(e.where?.file, "run.json");
  }
  assert.equal(inputError(() => parseRewardConfig({ lr_scheduler_type: "cosin" }, "x")).hint, 'did you mean "cosine"?');
  assert.match(inputError(() => parseRewardConfig([1], "x")).message, /expected an object/);
});

test("run.json and run.yaml load, with line numbers in errors", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "rl-config-"));
  const json = path.join(dir, "run.json");
  writeFileSync(json, JSON.stringify({ max_steps: 20, layout: "standard" }, null, 2));
  assert.equal(loadRewardConfig(json).layout, "standard");
  const yaml = path.join(dir, "run.yaml");
  writeFileSync(yaml, "max_steps: 20\nlearning_rate: 3.0e-5\nlora_target_modules: [c_attn, c_proj]\n");
  const c = loadRewardConfig(yaml);
  assert.deepEqual([c.max_steps, c.learning_rate, c.lora_target_modules], [20, 3e-5, ["c_attn", "c_proj"]]);
  writeFileSync(yaml, "max_steps: 20\n\nper_device_train_batch_sise: 8\n");
  const e = inputError(() => loadRewardConfig(yaml));
  assert.equal(e.where?.line, 3);
  assert.equal(e.format().startsWith(`${yaml}:3: field "per_device_train_batch_sise":`), true);
  writeFileSync(json, "{ not json");
  assert.match(inputError(() => loadRewardConfig(json)).message, /not valid JSON/);
  assert.match(inputError(() => loadRewardConfig(path.join(dir, "missing.json"))).message, /cannot read config/);
});

test("flags: --max-steps ↔ max_steps, no defaults, overrides applied on top of the file", () => {
  const specs = rewardConfigFlags();
  assert.deepEqual(specs["max-steps"]?.kind, "number");
  assert.deepEqual(specs["use-lora"]?.kind, "boolean");
  assert.deepEqual(specs["lora-target-modules"]?.kind, "list");
  assert.deepEqual(specs["lr-scheduler-type"]?.kind, "string");
  assert.deepEqual(specs["threads"]?.kind, "string"); // nullable: "--threads null" must get past the CLI parser
  assert.ok(Object.values(specs).every((s) => !("default" in s)), "a flag default would override the run file");
  const file = parseRewardConfig({ max_steps: 50, learning_rate: 1e-5, center_rewards_coefficient: 0.01 }, "run.json");
  const flags = new Map<string, string | number | boolean | string[] | undefined>([
    ["max-steps", 10], ["use-lora", true], ["center-rewards-coefficient", "null"], ["threads", "2"], ["unrelated", "x"]]);
  const c = applyRewardConfigFlags(file, flags);
  assert.deepEqual([c.max_steps, c.use_lora, c.learning_rate, c.center_rewards_coefficient, c.threads], [10, true, 1e-5, null, 2]);
  assert.match(inputError(() => applyRewardConfigFlags(file, new Map([["threads", "many"]]))).message,
    /--threads: expected an integer or null, got the string "many"|expected an integer or null/);
  const e = inputError(() => applyRewardConfigFlags(file, new Map([["lr-scheduler-type", "cosin"]])));
  assert.equal(e.where?.field, "--lr-scheduler-type");
  assert.equal(e.where?.file, "command line");
});

test("--no-append-eos-token turns off TRL's EOS rule", () => {
  assert.equal(applyRewardConfigFlags(DEFAULT_REWARD_CONFIG, new Map([["append-eos-token", false]])).append_eos_token, false);
  assert.equal(parseRewardConfig({ append_eos_token: false }, "run.json").append_eos_token, false);
  assert.ok("append-eos-token" in rewardConfigFlags());
});
