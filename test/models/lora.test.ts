// LoRA: PEFT key names and adapter_config.json, save → load round trip, and merge == the un-merged LoRA graph.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { Graph, InterpExecutor, tensor, type Tensor } from "../../src/engine/index.js";
import { openSafetensors, paramLookup, rewardInputs, Weights, type RewardModel } from "../../src/models/index.js";
import {
  initLoraParams, loadPeftAdapter, LoraGraph, loraParamSpecs, loraTargets, mergeLoraInto, peftAdapterConfig, savePeftAdapter,
} from "../../src/models/lora.js";
import { StandardBatcher } from "../../src/train/batches.js";
import { syntheticPairs, tinyModel, tmpDir, TINY_OPT } from "../train/helpers.js";

const SETTINGS = (targets: string[]) => ({ r: 4, alpha: 8, dropout: 0, targetModules: targets });

function loraWeightsFor(model: RewardModel, targets: string[], seed: number): { w: Weights; t: ReturnType<typeof loraTargets> } {
  const t = loraTargets(model.weights.specs, model.modelType, SETTINGS(targets));
  const w = new Weights([...loraParamSpecs(t, 4), ...model.weights.specs.filter((s) => s.name === "score.weight")]);
  let s = seed;
  const uniform = (): number => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
  initLoraParams(w, t, uniform);
  for (const x of t) for (const [i] of w.get(x.b).entries()) w.get(x.b)[i] = uniform() - 0.5; // B ≠ 0 so LoRA matters
  w.get("score.weight").set(model.weights.get("score.weight").map((v) => v * 1.5));
  return { w, t };
}

async function rewards(model: RewardModel, lora: { w: Weights; t: ReturnType<typeof loraTargets> } | null): Promise<Float32Array> {
  const g = lora ? new LoraGraph(lora.t, 4, 2) : new Graph();
  g.output("r", model.def.forward(g, model.config, rewardInputs(g), paramLookup(g, model.weights.specs)));
  const feeds: Record<string, Tensor> = { ...new StandardBatcher(model.def, model.config, model.padTokenId, false).build(syntheticPairs(3)).feeds };
  for (const s of model.weights.specs) feeds[s.name] = tensor("float32", s.shape, model.weights.get(s.name));
  if (lora) for (const s of lora.w.specs) feeds[s.name] = tensor("float32", s.shape, lora.w.get(s.name));
  const out = await (await InterpExecutor.create(g)).run(feeds);
  return out.r?.data as Float32Array;
}

test("adapter files use PEFT's names and config; they load back bit-identically", () => {
  const model = tinyModel();
  const { w } = loraWeightsFor(model, ["c_attn"], 7);
  const dir = tmpDir("peft");
  savePeftAdapter(dir, peftAdapterConfig("gpt2", SETTINGS(["c_attn"]), "/models/base"), w.specs.map((s) => ({ name: s.name, shape: s.shape, data: w.get(s.name) })));
  const cfg = JSON.parse(readFileSync(path.join(dir, "adapter_config.json"), "utf8")) as Record<string, unknown>;
  assert.equal(cfg.peft_type, "LORA");
  assert.equal(cfg.task_type, "SEQ_CLS");
  assert.equal(cfg.r, 4);
  assert.equal(cfg.lora_alpha, 8);
  assert.equal(cfg.fan_in_fan_out, true);
  assert.deepEqual(cfg.target_modules, ["c_attn"]);
  assert.deepEqual(cfg.modules_to_save, ["classifier", "score"]);
  assert.equal(cfg.base_model_name_or_path, "/models/base");
  const st = openSafetensors(path.join(dir, "adapter_model.safetensors"));
  assert.deepEqual([...st.tensors.keys()].sort(), [
    "base_model.model.score.weight",
    "base_model.model.transformer.h.0.attn.c_attn.lora_A.weight", "base_model.model.transformer.h.0.attn.c_attn.lora_B.weight",
    "base_model.model.transformer.h.1.attn.c_attn.lora_A.weight", "base_model.model.transformer.h.1.attn.c_attn.lora_B.weight",
  ]);
  assert.deepEqual(st.tensors.get("base_model.model.transformer.h.0.attn.c_attn.lora_A.weight")?.shape, [4, 16]); // [r, in]
  assert.deepEqual(st.tensors.get("base_model.model.transformer.h.0.attn.c_attn.lora_B.weight")?.shape, [48, 4]); // [out, r]
  const back = loadPeftAdapter(dir);
  for (const s of w.specs) assert.deepEqual(back.tensors.get(s.name)?.data, w.get(s.name), s.name);
});

test("PEFT init: A in U(−1/√in, 1/√in) and not constant, B = 0", () => {
  const model = tinyModel();
  const t = loraTargets(model.weights.specs, "gpt2", SETTINGS(["c_attn"]));
  const w = new Weights(loraParamSpecs(t, 4));
  initLoraParams(w, t, Math.random);
  const a = w.get(t[0]?.a as string);
  assert.ok(a.every((v) => Math.abs(v) <= 1 / Math.sqrt(16)) && new Set(a).size > 1);
  assert.ok(w.get(t[0]?.b as string).every((v) => v === 0));
});

test("merged weights give the LoRA graph's rewards (GPT-2 Conv1D and OPT Linear)", async () => {
  for (const [raw, targets] of [[undefined, ["c_attn"]], [TINY_OPT, ["q_proj", "v_proj"]]] as const) {
    const model = tinyModel(raw);
    const lora = loraWeightsFor(model, [...targets], 11);
    const viaLora = await rewards(model, lora);
    const plain = await rewards(model, null);
    const dir = tmpDir("merge");
    savePeftAdapter(dir, peftAdapterConfig(model.modelType, SETTINGS([...targets]), null), lora.w.specs.map((s) => ({ name: s.name, shape: s.shape, data: lora.w.get(s.name) })));
    mergeLoraInto(model.weights, loadPeftAdapter(dir), model.modelType);
    const merged = await rewards(model, null);
    let diff = 0, moved = 0;
    for (let i = 0; i < merged.length; i++) {
      diff = Math.max(diff, Math.abs((merged[i] as number) - (viaLora[i] as number)));
      moved = Math.max(moved, Math.abs((plain[i] as number) - (viaLora[i] as number)));
    }
    assert.ok(moved > 1e-3, `${model.modelType}: LoRA should change the rewards (moved ${moved})`);
    assert.ok(diff < 1e-5, `${model.modelType}: merged vs LoRA rewards differ by ${diff}`);
  }
});
