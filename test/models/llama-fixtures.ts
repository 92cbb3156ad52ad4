// The Llama-family reference fixtures (test/fixtures/llama, made by make-fixtures.py with transformers) and their reader.
import { readFileSync } from "node:fs";
import path from "node:path";
import type { TokenizedPair } from "../../src/data/index.js";

export const LLAMA_FIXTURES = path.resolve("test/fixtures/llama");
export const LLAMA_MODELS = ["llama-gqa-llama3", "llama-mqa-bias-bf16", "mistral-window", "qwen2-sharded", "qwen3-qknorm"] as const;

export interface LlamaExpected {
  pad_token_id: number;
  texts: { input_ids: number[]; reward: number }[];
  texts_batch_rewards: number[];
  pairs: { chosen_ids: number[]; rejected_ids: number[] }[];
  pairs_rewards: number[];
  loss: number;
  params: Record<string, { shape: number[]; grad_norm: number; grad_max_abs: number; index: number[]; value: number[]; grad: number[]; after_step: number[] }>;
}

export function readLlamaExpected(name: string): LlamaExpected {
  return JSON.parse(readFileSync(path.join(LLAMA_FIXTURES, name, "expected.json"), "utf8")) as LlamaExpected;
}

export function tokenizedPair(c: readonly number[], r: readonly number[]): TokenizedPair {
  let s = 0;
  while (s < Math.min(c.length, r.length) && c[s] === r[s]) s++;
  return { input_ids_chosen: Int32Array.from(c), attention_mask_chosen: new Int32Array(c.length).fill(1),
    input_ids_rejected: Int32Array.from(r), attention_mask_rejected: new Int32Array(r.length).fill(1), sharedPrefix: s };
}
