// `rewardlab data stats` as a child process.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";

const FIXTURE = path.resolve("test/fixtures/data/hh-rlhf-sample-40.jsonl.gz");

function rewardlab(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["bin/rewardlab.js", ...args], { encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test("data stats: text report with percentiles and both length baselines", () => {
  const r = rewardlab("data", "stats", FIXTURE);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /rows 40, valid pairs 40, dropped 0/);
  assert.match(r.stdout, /chosen +mean +[\d.]+ +p50 +\d+ +p90 +\d+ +p99 +\d+ +max +\d+/);
  assert.match(r.stdout, /"longer wins" +\d+\.\d%/);
  assert.match(r.stdout, /"shorter wins" +\d+\.\d%/);
  assert.match(r.stdout, /ties, [\d.]+% of pairs, count for neither/);
});

test("data stats --json of the file and of its prepared folder agree", () => {
  const j = rewardlab("data", "stats", FIXTURE, "--json", "--max-length", "100000");
  assert.equal(j.code, 0, j.stderr);
  const s = JSON.parse(j.stdout) as { rows: number; pairs: number; longerWins: number; shorterWins: number; ties: number; chosen: { max: number } };
  assert.equal(s.rows, 40);
  assert.ok(Math.abs(s.longerWins + s.shorterWins + s.ties - 1) < 1e-12);
  const out = path.join(mkdtempSync(path.join(os.tmpdir(), "rewardlab-stats-e2e-")), "p");
  assert.equal(rewardlab("prepare", "--tokenizer", "builtin:gpt2", "--data", FIXTURE, "--out", out, "--max-length", "100000").code, 0);
  const p = JSON.parse(rewardlab("data", "stats", out, "--json").stdout) as typeof s;
  assert.equal(p.pairs, 40);
  assert.equal(p.chosen.max, s.chosen.max);
  assert.equal(p.longerWins, s.longerWins);
});

test("data stats: a missing source exits 2", () => {
  const r = rewardlab("data", "stats", "./nope.jsonl");
  assert.equal(r.code, 2);
  assert.match(r.stderr, /nope\.jsonl/);
});
