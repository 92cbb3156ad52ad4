// Which benchmark a file is (--benchmark auto), read from its first record only.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { detectBenchmark } from "../../src/eval/index.js";
import { InputError } from "../../src/errors.js";

test("auto: subset + string answers is rewardbench, subset + lists is rewardbench2, anything else pairs", async () => {
  assert.equal(await detectBenchmark("test/fixtures/eval/rewardbench.jsonl"), "rewardbench");
  assert.equal(await detectBenchmark("test/fixtures/eval/rewardbench2.jsonl"), "rewardbench2");
  assert.equal(await detectBenchmark("test/fixtures/reference/gpt2-tiny/pairs.jsonl"), "pairs");
  assert.equal(await detectBenchmark("builtin"), "pairs");
  const dir = mkdtempSync(path.join(os.tmpdir(), "rewardlab-detect-"));
  // blank lines first, then a first record longer than one 64 KiB read, then a line that is not JSON (never read)
  const big = path.join(dir, "big.jsonl");
  writeFileSync(big, `\n\n${JSON.stringify({ prompt: "x".repeat(100_000), chosen: ["a"], rejected: ["b"], subset: "Math" })}\nnot json\n`);
  assert.equal(await detectBenchmark(big), "rewardbench2");
  const bad = path.join(dir, "bad.jsonl");
  writeFileSync(bad, "\n{oops\n");
  await assert.rejects(detectBenchmark(bad), (e: unknown) => e instanceof InputError && /bad\.jsonl:2: not valid JSON/.test(e.format()));
});
