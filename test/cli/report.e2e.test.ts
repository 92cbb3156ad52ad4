// `rewardlab report` through the built CLI, as a child process, on the fixture run folders.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

const FIX = path.resolve("test/fixtures/report");
const BIN = path.resolve("bin/rewardlab.js");

function rewardlab(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function tmp(): string {
  return mkdtempSync(path.join(os.tmpdir(), "rewardlab-report-e2e-"));
}

test("rewardlab report writes the report of a rewardlab run beside a TRL output folder", () => {
  const out = path.join(tmp(), "report");
  const r = rewardlab("report", path.join(FIX, "gpt2-small"), path.join(FIX, "trl-gpt2"), "--out", out, "--title", "My study");
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^gpt2-small reached 62\.0% eval accuracy vs 60\.5% for trl-gpt2/);
  assert.match(r.stdout, /wrote \d+ files to /);
  for (const f of ["report.html", "report.md", "summary.json", "charts/train-loss-by-step.svg"]) assert.ok(existsSync(path.join(out, f)), f);
  assert.match(readFileSync(path.join(out, "report.md"), "utf8"), /^# My study/);
  const summary = JSON.parse(readFileSync(path.join(out, "summary.json"), "utf8")) as { models: { name: string; steps: number }[] };
  assert.deepEqual(summary.models.map((m) => [m.name, m.steps]), [["gpt2-small", 1000], ["trl-gpt2", 1000]]);
});

test("rewardlab report: bad input exits 2 with the file, line and field", () => {
  const bad = tmp();
  writeFileSync(path.join(bad, "metrics.jsonl"), '{"step": 1, "loss": 0.7}\n{"step": 2, "loss": "high"}\n');
  const r = rewardlab("report", bad, "--out", path.join(tmp(), "o"));
  assert.equal(r.code, 2);
  assert.match(r.stderr, /metrics\.jsonl:2: field "loss": expected a finite number, got the string "high"/);

  const noOut = rewardlab("report", path.join(FIX, "gpt2-small"));
  assert.equal(noOut.code, 2);
  assert.match(noOut.stderr, /needs --out/);

  const noDirs = rewardlab("report", "--out", tmp());
  assert.equal(noDirs.code, 2);
  assert.match(noDirs.stderr, /no run folders given/);
});
