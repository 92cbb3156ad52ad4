// Tiny models and synthetic pairs for trainer tests (seconds, not minutes).
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { RewardModel } from "../../src/models/index.js";
import type { TokenizedPair } from "../../src/data/index.js";
import { DEFAULT_REWARD_CONFIG, type RewardConfig } from "../../src/train/index.js";

export const TINY_GPT2 = {
  model_type: "gpt2", vocab_size: 50, n_positions: 32, n_embd: 16, n_layer: 2, n_head: 2, n_inner: null,
  layer_norm_epsilon: 1e-5, initializer_range: 0.2, pad_token_id: 0, eos_token_id: 0, bos_token_id: 0,
};
export const TINY_OPT = {
  model_type: "opt", vocab_size: 50, max_position_embeddings: 32, hidden_size: 16, word_embed_proj_dim: 16, ffn_dim: 32,
  num_hidden_layers: 2, num_attention_heads: 2, do_layer_norm_before: true, enable_bias: true, pad_token_id: 1,
  bos_token_id: 2, eos_token_id: 2, init_std: 0.2, activation_function: "relu",
};

export function tinyModel(raw: Record<string, unknown> = TINY_GPT2, seed = 1): RewardModel {
  return RewardModel.create(raw, seed);
}

/** Pairs a model can learn: chosen rows contain token 7, rejected rows token 9; lengths vary. */
export function syntheticPairs(n: number, seed = 3, withMargin = false): TokenizedPair[] {
  let s = seed >>> 0;
  const rand = (k: number): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % k;
  };
  const out: TokenizedPair[] = [];
  for (let i = 0; i < n; i++) {
    const prefix = Array.from({ length: 2 + rand(5) }, () => 10 + rand(30));
    const c = Int32Array.from([...prefix, 7, 10 + rand(30)]);
    const r = Int32Array.from([...prefix, 9, ...Array.from({ length: rand(3) }, () => 10 + rand(30))]);
    const p: TokenizedPair = { input_ids_chosen: c, attention_mask_chosen: new Int32Array(c.length).fill(1),
      input_ids_rejected: r, attention_mask_rejected: new Int32Array(r.length).fill(1), sharedPrefix: prefix.length };
    if (withMargin) p.margin = (i % 3) * 0.5;
    out.push(p);
  }
  return out;
}

export function tmpDir(tag: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `rewardlab-${tag}-`));
}

export function testConfig(out: string, over: Partial<RewardConfig> = {}): RewardConfig {
  return { ...DEFAULT_REWARD_CONFIG, report_to: ["jsonl", "tensorboard"], output_dir: out, layout: "standard", max_steps: 4,
    per_device_train_batch_size: 4, logging_steps: 1, save_steps: 0, learning_rate: 1e-2, threads: 1, ...over };
}

/** A sink for console output. */
export const quiet = { write: (): boolean => true, isTTY: false };
