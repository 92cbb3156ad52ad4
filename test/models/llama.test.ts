// Llama-family configs and checkpoints: 4.x and 5.x rope fields, sliding-window layer types, the causal-LM layout
// (lm_head dropped, fresh score head with a note), and one-line errors that name the file and field.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { buildRewardGraph, openSafetensors, parseLlamaConfig, RewardModel, ropeInverseFrequencies, writeSafetensors, type RawConfig } from "../../src/models/index.js";
import { LLAMA_FIXTURES, readLlamaExpected } from "./llama-fixtures.js";
import { assertClose } from "./parity.js";

const BASE: RawConfig = {
  model_type: "llama", vocab_size: 128, hidden_size: 32, intermediate_size: 64, num_hidden_layers: 2, num_attention_heads: 4,
};
const fixture = (name: string) => path.join(LLAMA_FIXTURES, name);
const copyFixture = (name: string): string => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "rewardlab-llama-"));
  cpSync(fixture(name), dir, { recursive: true });
  return dir;
};
const formatted = (re: RegExp) => (e: Error & { format?: () => string }) => typeof e.format === "function" && re.test(e.format());

test("rope: transformers 5 rope_parameters and 4.x rope_scaling + rope_theta give the same frequencies", () => {
  const v5 = parseLlamaConfig({ ...BASE, rope_parameters: { rope_type: "linear", rope_theta: 500, factor: 2 } }, "config.json");
  const v4 = parseLlamaConfig({ ...BASE, rope_theta: 500, rope_scaling: { type: "linear", factor: 2 } }, "config.json");
  assert.deepEqual(v4.rope_parameters, v5.rope_parameters);
  assert.deepEqual(ropeInverseFrequencies(v4), ropeInverseFrequencies(v5));
  // default: 1 / θ^(2i/D), D = 8; linear divides by the factor
  const plain = parseLlamaConfig({ ...BASE, rope_theta: 500 }, "config.json");
  assert.deepEqual([...ropeInverseFrequencies(plain)].map((x) => Number(x.toPrecision(6))), [1, 0.211474, 0.0447214, 0.00945742]);
  assertClose("linear", ropeInverseFrequencies(v5), [...ropeInverseFrequencies(plain)].map((x) => x / 2), 1e-9);
});

test("config: GQA, explicit head_dim, sliding-window layers as each model_type decides", () => {
  const c = parseLlamaConfig({ ...BASE, num_key_value_heads: 1, head_dim: 16 }, "config.json");
  assert.equal(c.num_key_value_heads, 1);
  assert.equal(c.head_dim, 16);
  assert.deepEqual(c.layer_types, ["full_attention", "full_attention"]);
  const mistral = parseLlamaConfig({ ...BASE, model_type: "mistral", sliding_window: 4096 }, "config.json");
  assert.deepEqual(mistral.layer_types, ["sliding_attention", "sliding_attention"]);
  assert.equal(parseLlamaConfig({ ...BASE, model_type: "mistral", sliding_window: null }, "config.json").sliding_window, null);
  // Qwen2 ignores sliding_window unless use_sliding_window; then the layers from max_window_layers on slide
  assert.equal(parseLlamaConfig({ ...BASE, model_type: "qwen2", sliding_window: 4096 }, "config.json").sliding_window, null);
  const q = parseLlamaConfig({ ...BASE, model_type: "qwen2", use_sliding_window: true, sliding_window: 8, max_window_layers: 1 }, "config.json");
  assert.deepEqual(q.layer_types, ["full_attention", "sliding_attention"]);
});

test("config errors name config.json and the field: rope type, activation, head counts", () => {
  const bad: [RawConfig, RegExp][] = [
    [{ rope_parameters: { rope_type: "yarn", rope_theta: 1e4, factor: 4 } }, /config\.json: field "rope_parameters\.rope_type": rope type "yarn" is not supported/],
    [{ rope_theta: 1e4, rope_scaling: { type: "dynamic", factor: 2 } }, /field "rope_scaling\.rope_type": rope type "dynamic"/],
    [{ rope_parameters: { rope_type: "llama3", rope_theta: 1e4, factor: 8 } }, /field "rope_parameters\.low_freq_factor": expected a number/],
    [{ hidden_act: "gelu" }, /field "hidden_act": expected one of "silu", "swish", got "gelu"/],
    [{ num_key_value_heads: 3 }, /field "num_key_value_heads": num_attention_heads 4 is not a multiple of num_key_value_heads 3/],
    [{ hidden_size: 30 }, /field "head_dim": hidden_size 30 is not a multiple of num_attention_heads 4/],
    [{ head_dim: 7 }, /field "head_dim": expected an even head_dim/],
    [{ partial_rotary_factor: 0.5 }, /partial_rotary_factor": expected 1/],
  ];
  for (const [over, re] of bad) {
    assert.throws(() => RewardModel.create({ ...BASE, ...over }), formatted(re), JSON.stringify(over));
  }
});

test("causal-LM layout: lm_head dropped and a fresh score head, each with a note; the body is the same", async () => {
  const lm = RewardModel.load(fixture("qwen2-causal-lm"));
  const seq = RewardModel.load(fixture("qwen2-sharded"));
  try {
    assert.equal(lm.notes.length, 2);
    assert.match(lm.notes[0] as string, /^score\.weight not in the checkpoint: newly initialized \(seed 42\)/);
    assert.match(lm.notes[1] as string, /ignored checkpoint keys not used by a reward model: lm_head\.weight/);
    for (const n of seq.weights.names) if (n !== "score.weight") assert.deepEqual(lm.weights.get(n), seq.weights.get(n), n);
    lm.weights.get("score.weight").set(seq.weights.get("score.weight"));
    const e = readLlamaExpected("qwen2-sharded");
    const r = await lm.score(e.texts.map((t) => t.input_ids));
    assertClose("causal-LM body + the reference score head", r, e.texts.map((t) => t.reward), 1e-5 * Math.max(...r.map(Math.abs)));
  } finally {
    await lm.release();
    await seq.release();
  }
});

test("checkpoint errors: a missing tensor and a wrong shape are named with the folder and the config field", () => {
  const dir = copyFixture("mistral-window");
  const m = RewardModel.load(dir);
  const keep = m.weights.specs.filter((s) => s.name !== "model.layers.1.mlp.up_proj.weight");
  writeSafetensors(path.join(dir, "model.safetensors"), keep.map((s) => ({ name: s.name, shape: s.shape, data: m.weights.get(s.name) })));
  assert.throws(() => RewardModel.load(dir), formatted(new RegExp(`^${dir}: checkpoint does not match config\\.json: missing keys \\(1\\): model\\.layers\\.1\\.mlp\\.up_proj\\.weight`)));
  const cfg = JSON.parse(readFileSync(path.join(fixture("mistral-window"), "config.json"), "utf8")) as RawConfig;
  writeFileSync(path.join(dir, "config.json"), JSON.stringify({ ...cfg, num_key_value_heads: 4 }));
  assert.throws(() => RewardModel.load(dir), formatted(/config\.json: num_key_value_heads × head_dim is 64 but model\.layers\.0\.self_attn\.k_proj\.weight has 32 rows/));
});

test("save dtype bfloat16: a BF16 checkpoint saved back is byte-identical to torch's; fp32 (default) says float32", () => {
  const m = RewardModel.load(fixture("llama-mqa-bias-bf16"));
  const out = mkdtempSync(path.join(os.tmpdir(), "rewardlab-bf16-"));
  m.save(out, { dtype: "bfloat16" });
  assert.ok(readFileSync(path.join(out, "model.safetensors")).equals(readFileSync(fixture("llama-mqa-bias-bf16/model.safetensors"))));
  assert.equal((JSON.parse(readFileSync(path.join(out, "config.json"), "utf8")) as RawConfig)["dtype"], "bfloat16");
  const back = RewardModel.load(out);
  assert.deepEqual(back.weights.data, m.weights.data);
  const full = mkdtempSync(path.join(os.tmpdir(), "rewardlab-fp32-"));
  m.save(full);
  assert.equal((JSON.parse(readFileSync(path.join(full, "config.json"), "utf8")) as RawConfig)["dtype"], "float32");
  const stored = openSafetensors(path.join(full, "model.safetensors"));
  assert.deepEqual(new Set([...stored.tensors.values()].map((t) => t.dtype)), new Set(["F32"]));
});

test("the last layer runs its queries, MLP and final norm on the pooled tokens only; every earlier layer on all T", () => {
  const m = RewardModel.create({ ...BASE, num_key_value_heads: 2, pad_token_id: 0 }, 0);
  const { graph } = buildRewardGraph(m.def, m.config, m.weights);
  // the rows each linear layer's matmul runs on: the leading dims of its input
  const rows = (name: string): string => {
    const w = graph.leafByName(name);
    const mm = graph.nodes.find((n) => n.op === "matmul" && n.inputs[1]?.op === "transpose" && n.inputs[1].inputs[0] === w);
    assert.ok(mm, name);
    return JSON.stringify(mm.inputs[0]?.shape.slice(0, -1));
  };
  for (const proj of ["self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj", "mlp.gate_proj", "mlp.down_proj"]) {
    assert.equal(rows(`model.layers.0.${proj}.weight`), '["B","T"]', proj);
  }
  for (const proj of ["self_attn.q_proj", "self_attn.o_proj", "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj"]) {
    assert.equal(rows(`model.layers.1.${proj}.weight`), '["B","K"]', proj);
  }
  assert.equal(rows("model.layers.1.self_attn.k_proj.weight"), '["B","T"]');
  assert.equal(rows("score.weight"), '["B","K"]');
});
