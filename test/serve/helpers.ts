// Shared setup of the HTTP tests: hh-rlhf texts, a random gpt2-tiny saved to a temp folder, and its reference
// rewards as `rewardlab score --batch-size 1` prints them (each text alone).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { RewardModel } from "../../src/models/index.js";
import { fixtureDir } from "../models/fixtures.js";

/** The 40 pairs of the small hh-rlhf sample; chosen and rejected share their prompt. */
export const HH_PAIRS = gunzipSync(readFileSync("test/fixtures/data/hh-rlhf-sample-40.jsonl.gz")).toString("utf8").trim().split("\n")
  .map((l) => JSON.parse(l) as { chosen: string; rejected: string });
/** chosen and rejected of pair i at 2i and 2i + 1 */
export const HH_TEXTS = HH_PAIRS.flatMap((p) => [p.chosen, p.rejected]);

/** A random gpt2-tiny (256 positions) in a temp folder and the reward of every HH_TEXTS entry scored alone. */
export function tinyServedModel(seed: number): { dir: string; reference: number[] } {
  const dir = mkdtempSync(path.join(os.tmpdir(), "rewardlab-serve-"));
  RewardModel.create(JSON.parse(readFileSync(path.join(fixtureDir("gpt2-tiny"), "config.json"), "utf8")) as Record<string, unknown>, seed).save(dir);
  const input = path.join(dir, "texts.jsonl");
  writeFileSync(input, HH_TEXTS.map((text) => JSON.stringify({ text })).join("\n") + "\n");
  const r = spawnSync(process.execPath, ["bin/rewardlab.js", "score", "--model", dir, "--tokenizer", "builtin:gpt2", "--input", input,
    "--batch-size", "1", "--max-length", "256"], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return { dir, reference: r.stdout.trim().split("\n").map((l) => (JSON.parse(l) as { reward: number }).reward) };
}

/** Rewards equal up to float32 rounding of a different batch layout: 1e-5 of the largest magnitude (at least 1). */
export function assertRewardsClose(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  assert.equal(got.length, want.length, what);
  const tol = 1e-5 * Math.max(1, ...Array.from(want, Math.abs));
  for (let i = 0; i < got.length; i++) {
    assert.ok(Math.abs((got[i] as number) - (want[i] as number)) <= tol, `${what} ${i}: ${got[i]} vs ${want[i]}`);
  }
}
