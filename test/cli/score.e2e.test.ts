// `rewardlab score` as a child process on reference model folders written to a temp dir.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { formulaModel } from "../models/parity.js";
import { fixtureDir, readExpected, sharedFile } from "../models/fixtures.js";
import { FakeHub } from "../hub/fake-hub.js";

function rewardlab(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["bin/rewardlab.js", "score", ...args], { encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The formula model saved as an HF folder with the fixture's tokenizer_config.json / special_tokens_map.json. */
function modelFolder(model: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "rewardlab-score-"));
  formulaModel(model).m.save(dir);
  for (const f of ["tokenizer_config.json", "special_tokens_map.json"]) copyFileSync(path.join(fixtureDir(model), f), path.join(dir, f));
  return dir;
}

const lines = (s: string) => s.trim().split("\n").map((l) => JSON.parse(l) as Record<string, number>);

test("score: texts and pairs of gpt2-tiny give transformers' rewards, in input order", () => {
  const dir = modelFolder("gpt2-tiny");
  const e = readExpected("gpt2-tiny");
  const tol = 5e-6 * Math.max(...e.texts.map((t) => Math.abs(t.reward)));
  const r = rewardlab("--model", dir, "--input", path.join(fixtureDir("gpt2-tiny"), "texts.jsonl"), "--tokenizer", "builtin:gpt2", "--batch-size", "5");
  assert.equal(r.code, 0, r.stderr);
  const got = lines(r.stdout);
  assert.equal(got.length, e.texts.length);
  got.forEach((g, i) => assert.ok(Math.abs((g["reward"] as number) - (e.texts[i]?.reward as number)) <= tol, `text ${i}: ${g["reward"]} vs ${e.texts[i]?.reward}`));
  const out = path.join(dir, "pairs.out.jsonl");
  const p = rewardlab("--model", dir, "--input", path.join(fixtureDir("gpt2-tiny"), "pairs.jsonl"), "--tokenizer", "builtin:gpt2", "--output", out);
  assert.equal(p.code, 0, p.stderr);
  lines(readFileSync(out, "utf8")).forEach((g, i) => {
    assert.deepEqual(Object.keys(g), ["chosen_reward", "rejected_reward"]);
    assert.ok(Math.abs((g["chosen_reward"] as number) - (e.pairs[i]?.reward_chosen as number)) <= tol);
    assert.ok(Math.abs((g["rejected_reward"] as number) - (e.pairs[i]?.reward_rejected as number)) <= tol);
  });
});

test("score: right truncation at --max-length is reported and equals scoring the cut ids", () => {
  const dir = modelFolder("gpt2-tiny");
  const e = readExpected("gpt2-tiny");
  const long = e.texts.find((t) => t.input_ids.length > 20);
  assert.ok(long);
  const input = path.join(dir, "one.jsonl");
  writeFileSync(input, JSON.stringify({ text: long.text }) + "\n");
  const r = rewardlab("--model", dir, "--input", input, "--tokenizer", "builtin:gpt2", "--max-length", "20");
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /truncated 1 of 1 texts to 20 tokens/);
  const cut = lines(r.stdout)[0]?.["reward"] as number;
  assert.ok(Math.abs(cut - long.reward) > 1e-4, "truncation changed the reward");
});

test("score --load-in-8bit / --load-in-4bit: rewards near transformers' fp32 ones; a bad block size exits 2 naming the flag", () => {
  const dir = modelFolder("gpt2-tiny");
  const e = readExpected("gpt2-tiny");
  const want = e.texts.map((t) => t.reward);
  const std = Math.sqrt(want.reduce((p, v) => p + (v - want.reduce((a, b) => a + b, 0) / want.length) ** 2, 0) / want.length);
  for (const [flag, bound] of [["--load-in-8bit", 0.05], ["--load-in-4bit", 0.5]] as const) {
    const r = rewardlab("--model", dir, "--input", path.join(fixtureDir("gpt2-tiny"), "texts.jsonl"), "--tokenizer", "builtin:gpt2", flag, "--quant-block-size", "16");
    assert.equal(r.code, 0, r.stderr);
    const got = lines(r.stdout).map((g) => g["reward"] as number);
    const drift = got.reduce((p, v, i) => p + Math.abs(v - (want[i] as number)), 0) / got.length / std;
    assert.ok(drift > 0 && drift <= bound, `${flag}: mean |Δreward| / std ${drift}`);
  }
  const bad = rewardlab("--model", dir, "--input", path.join(fixtureDir("gpt2-tiny"), "texts.jsonl"), "--load-in-4bit", "--quant-block-size", "48");
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--quant-block-size must be one of 16, 32, 64, 128, 256, got 48/);
});

test("score: a bad input line exits 2 naming file, line and field", () => {
  const dir = modelFolder("gpt2-tiny");
  const input = path.join(dir, "bad.jsonl");
  writeFileSync(input, '{"text": "ok"}\n{"chosen": "a", "rejected": 3}\n');
  const r = rewardlab("--model", dir, "--input", input, "--tokenizer", "builtin:gpt2");
  assert.equal(r.code, 2);
  assert.match(r.stderr, /bad\.jsonl:2: field "rejected": expected a string, got 3/);
});

test("score: reads JSON lines as prepare does: a byte-order mark, CRLF ends, blank lines, no final newline", () => {
  const dir = modelFolder("gpt2-tiny");
  const e = readExpected("gpt2-tiny");
  const [a, b] = e.texts;
  assert.ok(a && b);
  const input = path.join(dir, "bom.jsonl");
  writeFileSync(input, `\uFEFF${JSON.stringify({ text: a.text })}\r\n\r\n${JSON.stringify({ text: b.text })}`);
  const r = rewardlab("--model", dir, "--input", input, "--tokenizer", "builtin:gpt2");
  assert.equal(r.code, 0, r.stderr);
  const got = lines(r.stdout).map((g) => g["reward"] as number);
  const tol = 5e-6 * Math.max(Math.abs(a.reward), Math.abs(b.reward));
  assert.equal(got.length, 2);
  assert.ok(Math.abs((got[0] as number) - a.reward) <= tol && Math.abs((got[1] as number) - b.reward) <= tol, `${got} vs ${a.reward}, ${b.reward}`);
  writeFileSync(input, `\uFEFF{"text": "ok"}\r\n\r\n{"text": \r\n`);
  const bad = rewardlab("--model", dir, "--input", input, "--tokenizer", "builtin:gpt2");
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /bom\.jsonl:3: not valid JSON/);
});

test("score: a folder without weights exits 3", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "rewardlab-score-"));
  copyFileSync(path.join(fixtureDir("gpt2-tiny"), "config.json"), path.join(dir, "config.json"));
  const r = rewardlab("--model", dir, "--input", path.join(fixtureDir("gpt2-tiny"), "texts.jsonl"), "--tokenizer", "builtin:gpt2");
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /no weights found/);
});

const optVocab = sharedFile("tokenizers/opt/vocab.json");
test("score: opt-tiny-preln with the model folder's own OPT tokenizer", { skip: optVocab.skip }, () => {
  const dir = modelFolder("opt-tiny-preln");
  for (const f of ["vocab.json", "merges.txt"]) copyFileSync(path.join(path.dirname(optVocab.path), f), path.join(dir, f));
  const e = readExpected("opt-tiny-preln");
  const r = rewardlab("--model", dir, "--input", path.join(fixtureDir("opt-tiny-preln"), "texts.jsonl"));
  assert.equal(r.code, 0, r.stderr);
  const tol = 5e-6 * Math.max(...e.texts.map((t) => Math.abs(t.reward)));
  lines(r.stdout).forEach((g, i) => assert.ok(Math.abs((g["reward"] as number) - (e.texts[i]?.reward as number)) <= tol, `text ${i}`));
});

test("score --model <hub id>: downloads config, safetensors and tokenizer files (not pytorch_model.bin) from the hub", async () => {
  const dir = modelFolder("gpt2-tiny");
  const file = (p: string, lfs = false) => ({ path: p, data: readFileSync(path.join(dir, p)), lfs });
  writeFileSync(path.join(dir, "pytorch_model.bin"), "not downloaded");
  const hub = await FakeHub.start([{ type: "model", id: "org/tiny-reward", commit: "a".repeat(40), files: [
    file("config.json"), file("model.safetensors", true), file("pytorch_model.bin", true), file("tokenizer_config.json"),
  ] }]);
  try {
    const home = mkdtempSync(path.join(os.tmpdir(), "rewardlab-score-hub-"));
    const env = { ...process.env, HF_ENDPOINT: hub.url, HF_HUB_CACHE: path.join(home, "hub"), HF_HOME: path.join(home, "home") };
    const child = spawn(process.execPath, ["bin/rewardlab.js", "score", "--model", "org/tiny-reward", "--tokenizer", "builtin:gpt2",
      "--input", path.join(fixtureDir("gpt2-tiny"), "texts.jsonl")], { env });
    let stdout = "", stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((ok) => child.on("close", ok));
    assert.equal(code, 0, stderr);
    const e = readExpected("gpt2-tiny");
    assert.ok(Math.abs((lines(stdout)[0]?.["reward"] as number) - (e.texts[0]?.reward as number)) < 1e-6);
    assert.ok(hub.requests.some((r) => r.url.includes("model.safetensors")), "model.safetensors was fetched");
    assert.ok(!hub.requests.some((r) => r.url.includes("pytorch_model.bin")), "pytorch_model.bin was fetched");
  } finally {
    await hub.close();
  }
});
