// `rewardlab prepare` as a child process on real files in a temp dir.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

const FIXTURE = path.resolve("test/fixtures/data/hh-rlhf-sample-40.jsonl.gz");

function rewardlab(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["bin/rewardlab.js", ...args], { encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function workDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "rewardlab-prepare-e2e-"));
  copyFileSync(FIXTURE, path.join(dir, "pairs.jsonl.gz"));
  return dir;
}

test("prepare: filters by length, prints the summary, writes the prepared folder", () => {
  const dir = workDir();
  const out = path.join(dir, "prepared");
  const r = rewardlab("prepare", "--tokenizer", "builtin:gpt2", "--data", path.join(dir, "pairs.jsonl.gz"), "--max-length", "200", "--out", out);
  assert.equal(r.code, 0, r.stderr);
  const m = /skipped (\d+) of 40 pairs: (\d+) longer than 200 tokens/.exec(r.stdout);
  assert.ok(m, r.stdout);
  assert.equal(m[1], m[2]);
  assert.match(r.stdout, new RegExp(`wrote ${40 - Number(m[1])} pairs \\(binary`));
  assert.match(r.stdout, /pairs\/s/);
  const meta = JSON.parse(readFileSync(path.join(out, "meta.json"), "utf8")) as { counts: { written: number }; maxLength: number };
  assert.equal(meta.counts.written, 40 - Number(m[1]));
  assert.equal(meta.maxLength, 200);
  assert.deepEqual(readdirSync(out).sort(), ["ids.u16", "index.u32", "margin.f64", "meta.json"]);
});

test("prepare: a bad record exits 2 with file:line and field, and creates no --out", () => {
  const dir = workDir();
  const data = path.join(dir, "bad.jsonl");
  writeFileSync(data, '{"chosen":"a","rejected":"b"}\n{"chosen":"a","rejected":null}\n{"chosen":"c"}\n');
  const out = path.join(dir, "out");
  const r = rewardlab("prepare", "--tokenizer", "builtin:gpt2", "--data", data, "--out", out);
  assert.equal(r.code, 2);
  assert.match(r.stderr, new RegExp(`${data.replace(/[.]/g, "\\.")}:2: field "rejected": expected string, got null`));
  assert.match(r.stderr, /hint: .*--skip-invalid/);
  assert.equal(existsSync(out), false);
  assert.deepEqual(readdirSync(dir).sort(), ["bad.jsonl", "pairs.jsonl.gz"]);

  const s = rewardlab("prepare", "--tokenizer", "builtin:gpt2", "--data", data, "--out", out, "--skip-invalid", "--format", "jsonl");
  assert.equal(s.code, 0, s.stderr);
  assert.match(s.stdout, /skipped 2 of 3 pairs: 1 missing "rejected", 1 with non-string "rejected"/);
  assert.equal(readFileSync(path.join(out, "pairs.jsonl"), "utf8").trim().split("\n").length, 1);
});

test("prepare: a missing or corrupt tokenizer fails in the workers as the same one-line error, exit 2", () => {
  const dir = workDir();
  const data = path.join(dir, "pairs.jsonl.gz");
  const corrupt = path.join(dir, "corrupt-tokenizer");
  mkdirSync(corrupt);
  writeFileSync(path.join(corrupt, "tokenizer.json"), '{"model": ');
  const cases: [string, RegExp][] = [
    [path.join(dir, "nonexistent"), /^rewardlab prepare: .*nonexistent: tokenizer not found/],
    [corrupt, /^rewardlab prepare: .*corrupt-tokenizer\/tokenizer\.json: invalid JSON/],
  ];
  for (const [tokenizer, message] of cases) {
    for (const threads of ["2", "0"]) { // worker threads and the calling thread
      const r = rewardlab("prepare", "--tokenizer", tokenizer, "--data", data, "--threads", threads, "--out", path.join(dir, "out"));
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
      assert.ok(r.stderr.trim().split("\n").length <= 2, r.stderr); // the error and its hint
    }
  }
});

test("prepare: a truncated .gz exits 2 naming the file; --filter with --truncate is refused", () => {
  const dir = workDir();
  const cut = path.join(dir, "cut.jsonl.gz");
  const whole = readFileSync(FIXTURE);
  writeFileSync(cut, whole.subarray(0, whole.length - 100));
  const r = rewardlab("prepare", "--tokenizer", "builtin:gpt2", "--data", cut, "--out", path.join(dir, "o"));
  assert.equal(r.code, 2);
  assert.match(r.stderr, /cut\.jsonl\.gz:\d+: the gzip stream ends early/);
  assert.equal(existsSync(path.join(dir, "o")), false);
  const both = rewardlab("prepare", "--tokenizer", "builtin:gpt2", "--data", cut, "--out", path.join(dir, "o"), "--filter", "--truncate");
  assert.equal(both.code, 2);
  assert.match(both.stderr, /--filter and --truncate exclude each other/);
});

test("prepare --truncate --format parquet keeps every pair", () => {
  const dir = workDir();
  const out = path.join(dir, "pq");
  const r = rewardlab("prepare", "--tokenizer", "builtin:gpt2", "--data", path.join(dir, "pairs.jsonl.gz"), "--max-length", "64", "--truncate", "--format", "parquet", "--out", out);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /wrote 40 pairs \(parquet/);
  assert.match(r.stdout, /skipped 0 of 40 pairs/);
  assert.match(r.stdout, /truncated \d+ pairs to 64 tokens/);
  assert.ok(existsSync(path.join(out, "pairs.parquet")));
});
