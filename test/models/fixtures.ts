// Paths and readers of the reference fixtures: small copies in test/fixtures/reference, big files in ../shared.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

export const FIXTURES = path.resolve("test/fixtures/reference");
export const SHARED = path.resolve(process.env["REWARDLAB_SHARED"] ?? "../shared");
export const MODELS = ["gpt2-tiny", "opt-tiny-postln", "opt-tiny-preln"] as const;
export type FixtureModel = (typeof MODELS)[number];

export const fixtureDir = (m: string): string => path.join(FIXTURES, m);

/** A file under ../shared, or a skip message naming the missing path. */
export function sharedFile(rel: string): { path: string; skip: false } | { path: string; skip: string } {
  const p = path.join(SHARED, rel);
  return existsSync(p) ? { path: p, skip: false } : { path: p, skip: `needs ${p} (../shared is absent)` };
}

export interface ParamExpect {
  shape: number[];
  kind: string;
  checksum_fnv1a32: string;
  analytically_zero_grad: boolean | [number, number];
  grad_norm: number;
  grad_max_abs: number;
  samples: { index: number[]; value: number[]; grad: number[] };
  top_grad: { index: number[]; value: number[]; grad: number[] };
}
export interface BatchExpect {
  input_ids: number[][];
  attention_mask: number[][];
  pool_index: number[];
  rewards: number[];
  position_ids?: number[][];
}
export interface Expected {
  config: Record<string, unknown>;
  settings: { weights: { test_vectors: { name: string; index: number; x_uint32: number; kind: string; float32: number; float32_bits: string }[] } };
  texts: { text: string; input_ids: number[]; pool_index: number; reward: number; reward_in_batch: number }[];
  texts_batch: BatchExpect;
  pairs: { chosen: string; rejected: string; chosen_ids: number[]; rejected_ids: number[]; reward_chosen: number; reward_rejected: number }[];
  pairs_batch: BatchExpect & { rewards_one_at_a_time: number[] };
  loss: number;
  loss_fp64: number;
  grad_global_norm: number;
  params: Record<string, ParamExpect>;
}

export function readExpected(m: string): Expected {
  return JSON.parse(readFileSync(path.join(fixtureDir(m), "expected.json"), "utf8")) as Expected;
}
