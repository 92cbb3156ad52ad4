// Training Llama-family models: the named fresh configs train, LoRA adapters in PEFT format (default targets
// q_proj/v_proj, any of q/k/v/o/gate/up/down) round-trip through save → load → merge with the same rewards, final/
// can be stored in bf16, and a config without pad_token_id takes the tokenizer's pad as TRL does.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { LORA_DEFAULT_TARGETS, openSafetensors, RewardModel } from "../../src/models/index.js";
import { pairList } from "../../src/train/batches.js";
import { NAMED_CONFIGS, resolveModelSource } from "../../src/train/setup.js";
import { train } from "../../src/train/trainer.js";
import { readMetricsJsonl } from "../../src/train/index.js";
import { LLAMA_FIXTURES, readLlamaExpected } from "../models/llama-fixtures.js";
import { quiet, syntheticPairs, testConfig, tmpDir } from "./helpers.js";

const readJson = (f: string) => JSON.parse(readFileSync(f, "utf8")) as Record<string, unknown>;

for (const name of ["llama-mini", "qwen2-mini"]) {
  test(`config:${name} trains: loss logged and finite, every tensor changed`, async () => {
    assert.ok(NAMED_CONFIGS[name]);
    const model = (await resolveModelSource(`config:${name}`, { seed: 1, what: "test" })).load();
    const before = Float32Array.from(model.weights.data);
    const out = tmpDir(`${name}-train`);
    await train({ model, modelSource: `config:${name}`, train: pairList(syntheticPairs(8)), console: quiet,
      config: testConfig(out, { max_steps: 2, learning_rate: 1e-3, report_to: ["jsonl"], layout: "prefix-shared" }) });
    const losses = readMetricsJsonl(path.join(out, "metrics.jsonl")).filter((r) => "loss" in r).map((r) => r.loss as number);
    assert.ok(losses.length === 2 && losses.every(Number.isFinite), `losses ${losses.join(", ")}`);
    for (const s of model.weights.specs) {
      const o = model.weights.offset(s.name), now = model.weights.get(s.name);
      assert.ok(now.some((x, i) => x !== before[o + i]), `${s.name} changed`);
    }
    assert.equal(readJson(path.join(out, "final", "config.json"))["architectures"]?.toString(), name === "llama-mini" ? "LlamaForSequenceClassification" : "Qwen2ForSequenceClassification");
  });
}

test("LoRA on qwen2: PEFT default targets, adapter → merged rewards equal; final/ in bf16 when asked", async () => {
  const dir = path.join(LLAMA_FIXTURES, "qwen2-sharded");
  const e = readLlamaExpected("qwen2-sharded");
  const model = RewardModel.load(dir);
  const out = tmpDir("qwen2-lora");
  await train({ model, modelSource: dir, baseModelDir: dir, train: pairList(syntheticPairs(8)), console: quiet,
    config: testConfig(out, { max_steps: 2, learning_rate: 1e-2, use_lora: true, lora_r: 4, lora_alpha: 8, report_to: ["jsonl"], save_dtype: "bf16" }) });
  const adapter = readJson(path.join(out, "final", "adapter_config.json"));
  assert.deepEqual(adapter["target_modules"], [...(LORA_DEFAULT_TARGETS["qwen2"] ?? [])]);
  assert.deepEqual(LORA_DEFAULT_TARGETS["qwen2"], ["q_proj", "v_proj"]);
  assert.equal(adapter["fan_in_fan_out"], false);
  const keys = [...openSafetensors(path.join(out, "final", "adapter_model.safetensors")).tensors.keys()];
  assert.ok(keys.includes("base_model.model.model.layers.1.self_attn.v_proj.lora_B.weight") && keys.includes("base_model.model.score.weight"));
  assert.ok(!keys.some((k) => k.includes("k_proj")));
  // final-merged is bf16: score it against the adapter folded into the fp32 base, to bf16 rounding
  const merged = openSafetensors(path.join(out, "final-merged", "model.safetensors"));
  assert.deepEqual(new Set([...merged.tensors.values()].map((t) => t.dtype)), new Set(["BF16"]));
  const viaAdapter = (await RewardModel.fromPretrained(path.join(out, "final"))).model;
  const viaMerged = RewardModel.load(path.join(out, "final-merged"));
  try {
    const rows = e.texts.map((t) => t.input_ids);
    const a = await viaAdapter.score(rows), b = await viaMerged.score(rows);
    const base = readLlamaExpected("qwen2-sharded").texts.map((t) => t.reward);
    let moved = 0, worst = 0;
    a.forEach((x, i) => { moved = Math.max(moved, Math.abs(x - (base[i] as number))); worst = Math.max(worst, Math.abs(x - (b[i] as number))); });
    assert.ok(moved > 1e-3, `training moved the rewards (${moved})`);
    assert.ok(worst < 2e-2 * Math.max(...[...a].map(Math.abs)), `adapter vs bf16 merged: ${worst}`);
  } finally {
    await viaAdapter.release();
    await viaMerged.release();
  }
});

test("LoRA targets: every Llama linear can be wrapped; a name that matches no layer is an error naming it", async () => {
  const model = RewardModel.load(path.join(LLAMA_FIXTURES, "llama-gqa-llama3"));
  const all = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"];
  const out = tmpDir("llama-lora-all");
  await train({ model, modelSource: "x", baseModelDir: path.join(LLAMA_FIXTURES, "llama-gqa-llama3"), train: pairList(syntheticPairs(4)), console: quiet,
    config: testConfig(out, { max_steps: 1, use_lora: true, lora_r: 2, lora_alpha: 4, lora_target_modules: all, report_to: ["jsonl"] }) });
  const keys = [...openSafetensors(path.join(out, "final", "adapter_model.safetensors")).tensors.keys()];
  for (const t of all) assert.equal(keys.filter((k) => k.includes(`.${t}.lora_`)).length, 2 * 2, `${t}: A and B in both layers`);
  await assert.rejects(train({ model, modelSource: "x", baseModelDir: "x", train: pairList(syntheticPairs(4)), console: quiet,
    config: testConfig(tmpDir("llama-lora-bad"), { max_steps: 1, use_lora: true, lora_target_modules: ["q_proj", "c_attn"] }) }),
  (err: Error) => err.name === "InputError" && /lora_target_modules: "c_attn" matches no layer of this llama model/.test(err.message));
});

test("pad: a config without pad_token_id takes the tokenizer's pad, else eos, with a note; save() records it", () => {
  const dir = path.join(LLAMA_FIXTURES, "qwen3-qknorm");
  const m = RewardModel.load(dir);
  assert.equal(m.config.pad_token_id, null);
  assert.equal(m.padTokenId, 2, "eos_token_id until a tokenizer says otherwise");
  assert.match(m.padFromTokenizer({ padTokenId: 7, eosTokenId: 2 }) ?? "", /no pad_token_id: padding with the tokenizer's pad token 7/);
  assert.equal(m.padTokenId, 7);
  const out = tmpDir("qwen3-pad");
  m.save(out);
  assert.equal(readJson(path.join(out, "config.json"))["pad_token_id"], 7);
  const eosOnly = RewardModel.load(dir);
  assert.match(eosOnly.padFromTokenizer({ padTokenId: null, eosTokenId: 5 }) ?? "", /tokenizer's eos token 5/);
  assert.equal(RewardModel.load(path.join(LLAMA_FIXTURES, "mistral-window")).padFromTokenizer({ padTokenId: 9, eosTokenId: 2 }), null, "config's own pad wins");
});
