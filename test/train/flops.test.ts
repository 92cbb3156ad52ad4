// FLOPs per token against hand-computed figures for the study's two models (gpt2 124M, opt-350m) and a tiny one.
import { test } from "node:test";
import assert from "node:assert/strict";
import { LORA_DEFAULT_TARGETS, parseGPT2Config, parseLlamaConfig, parseOPTConfig } from "../../src/models/index.js";
import {
  forwardFlopsPerToken, loraParamCount, trainingFlopsPerToken, GELU_FLOPS, NORM_FLOPS, SOFTMAX_FLOPS, RMS_NORM_FLOPS, ROTARY_FLOPS,
  SWIGLU_FLOPS,
} from "../../src/train/index.js";

const GPT2 = parseGPT2Config({ model_type: "gpt2", vocab_size: 50257, n_positions: 1024, n_embd: 768, n_layer: 12, n_head: 12 }, "gpt2");
const OPT350 = parseOPTConfig({
  model_type: "opt", vocab_size: 50272, hidden_size: 1024, word_embed_proj_dim: 512, num_hidden_layers: 24, num_attention_heads: 16,
  ffn_dim: 4096, max_position_embeddings: 2048, do_layer_norm_before: false,
}, "opt-350m");

test("gpt2 124M forward: 2 × 85M weight FLOPs + attention 4·T·C·L + head", () => {
  const f = forwardFlopsPerToken(GPT2, 512);
  // per layer: c_attn 768·2304 + c_proj 768² + c_fc 768·3072 + c_proj 3072·768 = 7,077,888 weights; × 12 = 84,934,656
  assert.equal((f.by_kind["attention_proj"] ?? 0) + (f.by_kind["mlp"] ?? 0), 2 * 84_934_656);
  assert.equal(f.by_kind["attention_proj"], 2 * 12 * (768 * 2304 + 768 * 768));
  assert.equal(f.by_kind["attention_scores"], 2 * 2 * 512 * 768 * 12); // 18,874,368
  assert.equal(f.by_kind["head"], 2 * 768);
  assert.equal(f.by_kind["embeddings"], 0);
  assert.equal(f.by_kind["projections"], 0); // GPT-2 has no project_in/out
  assert.equal(f.by_kind["norms"], NORM_FLOPS * 768 * 25);
  // biases 5C + F, residuals 2C, GELU 8F per layer; softmax 5 + scale 1 per score; wte + wpe once
  assert.equal(f.by_kind["elementwise"], (5 * 768 + 3072 + 2 * 768 + GELU_FLOPS * 3072 + (SOFTMAX_FLOPS + 1) * 12 * 512) * 12 + 768);
  assert.ok(f.total > 188e6 && f.total < 190e6, `total ${f.total}`);
  assert.equal(f.total, Object.values(f.by_kind).reduce((a, b) => a + b, 0));
});

test("attention scores grow linearly with the mean sequence length; weight matmuls do not", () => {
  const a = forwardFlopsPerToken(GPT2, 100), b = forwardFlopsPerToken(GPT2, 200);
  assert.equal(b.by_kind["attention_scores"], 2 * (a.by_kind["attention_scores"] as number));
  assert.equal(b.by_kind["mlp"], a.by_kind["mlp"]);
  assert.throws(() => forwardFlopsPerToken(GPT2, 0), RangeError);
});

test("opt-350m forward: decoder matmuls, project_in/out at word_embed_proj_dim 512, head on 512", () => {
  const f = forwardFlopsPerToken(OPT350, 512);
  // per layer: 4·1024² + 2·1024·4096 = 12,582,912 weights; × 24 = 301,989,888
  assert.equal((f.by_kind["attention_proj"] ?? 0) + (f.by_kind["mlp"] ?? 0), 2 * 301_989_888);
  assert.equal(f.by_kind["projections"], 2 * 2 * 512 * 1024);
  assert.equal(f.by_kind["head"], 2 * 512);
  assert.equal(f.by_kind["attention_scores"], 2 * 2 * 512 * 1024 * 24);
  assert.equal(f.by_kind["norms"], NORM_FLOPS * 2 * 1024 * 24); // post-LN: no final decoder LayerNorm
  // the FLOP ratio the study's time ratio (83:54 vs 33:18 = 2.52×) should be compared with
  const ratio = f.total / forwardFlopsPerToken(GPT2, 512).total;
  assert.ok(ratio > 3.4 && ratio < 3.55, `ratio ${ratio}`);
});

test("full fine-tuning is 3× forward; LoRA keeps frozen matmuls at 2× and adds the adapters at 3×", () => {
  const fwd = forwardFlopsPerToken(GPT2, 256);
  const full = trainingFlopsPerToken(GPT2, 256, { kind: "full" });
  assert.equal(full.total, 3 * fwd.total);
  assert.deepEqual(full.forward, fwd);
  assert.match(full.training, /full fine-tuning/);

  const lora = trainingFlopsPerToken(GPT2, 256, { kind: "lora", r: 16, targetModules: LORA_DEFAULT_TARGETS["gpt2"] as string[] });
  assert.equal(lora.by_kind["mlp"], 2 * (fwd.by_kind["mlp"] as number));
  assert.equal(lora.by_kind["head"], 3 * (fwd.by_kind["head"] as number));
  assert.equal(lora.by_kind["attention_scores"], full.by_kind["attention_scores"]);
  // c_attn [768, 2304], r = 16: x·A 2·768·16, ·B 2·16·2304, scale 2304 per layer
  assert.equal(lora.by_kind["lora"], 3 * 12 * (2 * 768 * 16 + 2 * 16 * 2304 + 2304));
  assert.match(lora.training, /LoRA r=16 on c_attn/);
  const ratio = lora.total / fwd.total;
  assert.ok(ratio > 2 && ratio < 2.2, `LoRA training / forward = ${ratio}`);
});

test("LoRA adapter parameter counts match PEFT's for the study's settings", () => {
  assert.equal(loraParamCount(GPT2, 16, ["c_attn"]), 589_824);
  assert.equal(loraParamCount(OPT350, 16, ["q_proj", "v_proj"]), 1_572_864);
  // "c_proj" matches both attn.c_proj and mlp.c_proj, as PEFT's suffix match does
  assert.equal(loraParamCount(GPT2, 8, ["c_proj"]), 12 * 8 * ((768 + 768) + (3072 + 768)));
});

// Qwen2.5-0.5B's layout: GQA (14 heads, 2 kv heads of 64), SwiGLU 4864, q/k/v biases, tied embeddings
const QWEN05_RAW = {
  model_type: "qwen2", vocab_size: 151936, hidden_size: 896, intermediate_size: 4864, num_hidden_layers: 24,
  num_attention_heads: 14, num_key_value_heads: 2, tie_word_embeddings: true, max_position_embeddings: 32768,
};
const QWEN05 = parseLlamaConfig(QWEN05_RAW, "qwen2.5-0.5b");

test("qwen2.5-0.5B forward: GQA k/v at 128 wide, SwiGLU's three matmuls, scores on all 14 query heads", () => {
  const f = forwardFlopsPerToken(QWEN05, 512);
  const C = 896, Q = 14 * 64, KV = 2 * 64, F = 4864, L = 24;
  assert.equal(f.by_kind["attention_proj"], 2 * L * (C * Q + 2 * C * KV + Q * C));
  assert.equal(f.by_kind["mlp"], 2 * L * 3 * C * F);
  assert.equal(f.by_kind["attention_scores"], 2 * 2 * 512 * Q * L);
  assert.equal(f.by_kind["embeddings"], 0, "tied or not, a reward model has no lm_head: the embedding is a lookup");
  assert.equal(f.by_kind["norms"], RMS_NORM_FLOPS * (2 * C * L + C));
  // q/k/v biases, rotary on q and k, q scaling, SwiGLU gating, residuals; softmax per score; rotary angles once
  assert.equal(f.by_kind["elementwise"], (Q + 2 * KV + ROTARY_FLOPS * (Q + KV) + Q + SWIGLU_FLOPS * F + 2 * C + SOFTMAX_FLOPS * 14 * 512) * L + 3 * 64);
  const untied = forwardFlopsPerToken(parseLlamaConfig({ ...QWEN05_RAW, tie_word_embeddings: false }, "untied"), 512);
  assert.equal(untied.total, f.total);
  // LoRA r=16 on q_proj, v_proj: adapters 3× forward, frozen base 2×
  const t = trainingFlopsPerToken(QWEN05, 512, { kind: "lora", r: 16, targetModules: LORA_DEFAULT_TARGETS["qwen2"] ?? [] });
  assert.equal(t.by_kind["lora"], 3 * L * ((2 * C * 16 + 2 * 16 * Q + Q) + (2 * C * 16 + 2 * 16 * KV + KV)));
  assert.equal(loraParamCount(QWEN05, 16, ["q_proj", "v_proj"]), L * 16 * (C + Q + C + KV));
});
