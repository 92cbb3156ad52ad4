// The reward server over real HTTP on 127.0.0.1: in-process (startRewardServer on port 0) and as the built CLI
// (`rewardlab serve`) in a child process. The model is the gpt2-tiny reference model (formula weights) saved to a
// temp folder; rewards are checked against what `rewardlab score` prints for the same texts.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { RewardModel } from "../../src/models/index.js";
import { startRewardServer, type RewardServer } from "../../src/serve/index.js";
import { formulaModel } from "../models/parity.js";
import { fixtureDir, readExpected } from "../models/fixtures.js";
import { TINY_GPT2 } from "../train/helpers.js";
import { assertRewardsClose } from "./helpers.js";

const FIXTURE = fixtureDir("gpt2-tiny");
const TEXTS = readFileSync(path.join(FIXTURE, "texts.jsonl"), "utf8").trim().split("\n").map((l) => (JSON.parse(l) as { text: string }).text);
const PAIRS = readFileSync(path.join(FIXTURE, "pairs.jsonl"), "utf8").trim().split("\n")
  .map((l) => JSON.parse(l) as { chosen: string; rejected: string });

let dir = "", params = 0, server: RewardServer | undefined;
const logged: string[] = [];

before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "rewardlab-serve-"));
  const { m } = formulaModel("gpt2-tiny");
  m.save(dir);
  params = m.weights.numel;
  for (const f of ["tokenizer_config.json", "special_tokens_map.json"]) copyFileSync(path.join(FIXTURE, f), path.join(dir, f));
  server = await startRewardServer({ model: dir, tokenizer: "builtin:gpt2", port: 0, maxBatch: 5, log: (l) => logged.push(l) });
});
after(async () => {
  await server?.close();
});

const url = (p: string): string => `${(server as RewardServer).url}${p}`;

async function post(p: string, body: unknown, base = url("")): Promise<{ status: number; json: Record<string, unknown> }> {
  const r = await fetch(`${base}${p}`, { method: "POST", body: typeof body === "string" ? body : JSON.stringify(body) });
  return { status: r.status, json: (await r.json()) as Record<string, unknown> };
}

/**
 * What `rewardlab score` prints for a JSONL file of records, one object per line. Run without blocking: the server
 * lives in this process, and a blocked event loop would fire its idle timeouts on connections the client reuses.
 */
async function scoreCli(records: unknown[], ...flags: string[]): Promise<Record<string, number>[]> {
  const input = path.join(dir, `in-${Math.random().toString(36).slice(2)}.jsonl`);
  writeFileSync(input, records.map((r) => JSON.stringify(r)).join("\n") + "\n");
  const child = spawn(process.execPath, ["bin/rewardlab.js", "score", "--model", dir, "--tokenizer", "builtin:gpt2", "--input", input, ...flags]);
  let stdout = "", stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((ok) => child.on("exit", ok));
  assert.equal(code, 0, stderr);
  return stdout.trim().split("\n").map((l) => JSON.parse(l) as Record<string, number>);
}

test("serve: GET /health and GET /info describe the model, with max_length lowered to its 256 positions", async () => {
  const h = await fetch(url("/health"));
  assert.equal(h.status, 200);
  assert.match(h.headers.get("content-type") ?? "", /^application\/json/);
  assert.deepEqual(await h.json(), { status: "ok" });
  const info = (await (await fetch(url("/info?verbose=1"))).json()) as Record<string, unknown>;
  assert.deepEqual(info, { model_type: "gpt2", source: dir, parameters: params, max_length: 256, max_batch: 5,
    max_batch_tokens: 16384, max_wait_ms: 5, batching: true, prefix_sharing: true, max_texts: 1024, normalize: null,
    tokenizer: "builtin:gpt2", pad_token_id: 50256 });
  assert.ok(logged.some((l) => /max length 512 is above the model's 256 positions/.test(l)), logged.join("\n"));
});

test("serve: POST /score texts gives the same numbers as `rewardlab score`, in input order, and transformers' rewards", async () => {
  const { status, json } = await post("/score", { texts: TEXTS });
  assert.equal(status, 200, JSON.stringify(json));
  const cli = (await scoreCli(TEXTS.map((text) => ({ text })), "--batch-size", "5")).map((r) => r["reward"] as number);
  assert.equal(json["truncated"], 0);
  assertRewardsClose(json["rewards"] as number[], cli, "text");
  const e = readExpected("gpt2-tiny");
  const tol = 5e-6 * Math.max(...e.texts.map((t) => Math.abs(t.reward)));
  (json["rewards"] as number[]).forEach((r, i) => assert.ok(Math.abs(r - (e.texts[i]?.reward as number)) <= tol, `text ${i}: ${r}`));
  assert.deepEqual(await post("/score", { texts: [] }), { status: 200, json: { rewards: [], truncated: 0 } });
});

test("serve: POST /score pairs gives `score`'s chosen and rejected rewards and margin = chosen - rejected", async () => {
  const { status, json } = await post("/score", { pairs: PAIRS });
  assert.equal(status, 200, JSON.stringify(json));
  const cli = await scoreCli(PAIRS, "--batch-size", "5");
  const got = json["pairs"] as { chosen_reward: number; rejected_reward: number; margin: number }[];
  assert.equal(got.length, PAIRS.length);
  got.forEach((g, i) => {
    assert.deepEqual(Object.keys(g), ["chosen_reward", "rejected_reward", "margin"]);
    assertRewardsClose([g.chosen_reward, g.rejected_reward], [cli[i]?.["chosen_reward"] as number, cli[i]?.["rejected_reward"] as number], `pair ${i}`);
    assert.equal(g.margin, g.chosen_reward - g.rejected_reward, `pair ${i} margin`);
  });
  assert.ok(got.some((g) => g.margin !== 0));
});

test("serve: 6 concurrent requests each get their own texts' rewards", async () => {
  const single = (await scoreCli(TEXTS.map((text) => ({ text })), "--batch-size", "1")).map((r) => r["reward"] as number);
  const tol = 5e-6 * Math.max(...single.map(Math.abs));
  // request k asks for a different slice, so answers swapped between requests cannot pass
  const asks = [0, 1, 2, 3, 4, 5].map((k) => TEXTS.map((_, i) => (i * (k + 1) + k) % TEXTS.length).slice(0, 2 + k));
  const answers = await Promise.all(asks.map((idx) => post("/score", { texts: idx.map((i) => TEXTS[i]) })));
  answers.forEach(({ status, json }, k) => {
    assert.equal(status, 200, JSON.stringify(json));
    const rewards = json["rewards"] as number[];
    assert.equal(rewards.length, (asks[k] as number[]).length);
    (asks[k] as number[]).forEach((t, j) => assert.ok(Math.abs((rewards[j] as number) - (single[t] as number)) <= tol,
      `request ${k}, text ${t}: ${rewards[j]} vs ${single[t]}`));
  });
});

test("serve: bad requests get 400 naming the field, 404, 405, 413; the server keeps answering", async () => {
  const bad = async (body: unknown, field: string | null, error: RegExp) => {
    const { status, json } = await post("/score", body);
    assert.equal(status, 400, JSON.stringify(json));
    assert.equal(json["field"], field);
    assert.match(json["error"] as string, error);
  };
  await bad("{not json", null, /^body is not JSON/);
  await bad("[1, 2]", null, /expected a JSON object, got an array/);
  await bad({}, null, /expected a "texts" or a "pairs" field/);
  await bad({ texts: ["a", "b", "c", 7] }, "texts[3]", /^texts\[3\]: expected a string, got 7$/);
  await bad({ texts: "abc" }, "texts", /expected an array of strings, got "abc"/);
  await bad({ texts: ["fine", ""] }, "texts[1]", /tokenizes to no tokens/);
  await bad({ pairs: [{ chosen: "a", rejected: "b" }, { chosen: "a" }] }, "pairs[1].rejected", /expected a string, got nothing/);
  await bad({ pairs: [{ chosen: "a", rejected: "b", score: 1 }] }, "pairs[0].score", /unknown field/);
  await bad({ text: ["a"] }, "text", /unknown field \(known: "texts", "pairs"\)/);
  await bad({ texts: ["a"], pairs: [] }, null, /not both/);

  const get = await fetch(url("/score"));
  assert.equal(get.status, 405);
  assert.equal(get.headers.get("allow"), "POST");
  assert.match(((await get.json()) as { error: string }).error, /\/score takes POST, got GET/);
  const postHealth = await post("/health", {});
  assert.equal(postHealth.status, 405);
  const missing = await fetch(url("/nope"));
  assert.equal(missing.status, 404);
  assert.deepEqual(((await missing.json()) as { field: unknown }).field, null);

  const huge = await post("/score", { texts: ["a".repeat(9 * 1024 * 1024)] });
  assert.equal(huge.status, 413);
  assert.match(huge.json["error"] as string, /over the 8388608-byte limit/);

  assert.deepEqual(await (await fetch(url("/health"))).json(), { status: "ok" });
  const again = await post("/score", { texts: [TEXTS[0]] });
  assert.equal(again.status, 200);
});

test("serve: a tokenizer that overflows the model's vocabulary gets 400 naming the text; a missing one fails to start", async () => {
  const small = mkdtempSync(path.join(os.tmpdir(), "rewardlab-serve-small-"));
  RewardModel.create(TINY_GPT2, 1).save(small);
  const s = await startRewardServer({ model: small, tokenizer: "builtin:gpt2", port: 0, log: () => undefined });
  try {
    // "!" is GPT-2 id 0, inside the 50-token vocabulary; "hello world" is not
    const { status, json } = await post("/score", { texts: ["!", "hello world"] }, s.url);
    assert.equal(status, 400, JSON.stringify(json));
    assert.equal(json["field"], "texts[1]");
    assert.match(json["error"] as string, /token id \d+ is outside the model's vocabulary \[0, 50\)/);
    const ok = await post("/score", { texts: ["!"] }, s.url);
    assert.equal(ok.status, 200);
    assert.ok(Number.isFinite((ok.json["rewards"] as number[])[0]));
  } finally {
    await s.close();
  }
  await assert.rejects(startRewardServer({ model: small, tokenizer: path.join(small, "no-tokenizer"), port: 0, log: () => undefined }),
    /no-tokenizer/);
});

/** Starts `rewardlab serve` and resolves with the URL of its start line. */
function startCli(args: string[]): Promise<{ child: ReturnType<typeof spawn>; model: string; base: string; stderr: () => string }> {
  const child = spawn(process.execPath, ["bin/rewardlab.js", "serve", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  return new Promise((ok, fail) => {
    const timer = setTimeout(() => { child.kill("SIGKILL"); fail(new Error(`no start line in 60 s:\n${stderr}`)); }, 60_000);
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
      const m = /^serving (\S+) on (http:\/\/\S+)$/m.exec(stderr);
      if (m) {
        clearTimeout(timer);
        ok({ child, model: m[1] as string, base: m[2] as string, stderr: () => stderr });
      }
    });
    child.on("exit", (code) => { clearTimeout(timer); fail(new Error(`exited ${code} before its start line:\n${stderr}`)); });
  });
}

test("serve CLI: start line, /health, /score with right truncation like `score --max-length`, SIGTERM exits 0", async () => {
  const long = TEXTS.reduce((a, b) => (b.length > a.length ? b : a));
  const { child, model, base, stderr } = await startCli(["--model", dir, "--tokenizer", "builtin:gpt2", "--port", "0", "--max-length", "20"]);
  const exited = new Promise<number | null>((ok) => child.on("exit", (code) => ok(code)));
  try {
    assert.equal(model, dir);
    assert.match(base, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.deepEqual(await (await fetch(`${base}/health`)).json(), { status: "ok" });
    const { status, json } = await post("/score", { texts: [long, TEXTS[0]] }, base);
    assert.equal(status, 200, JSON.stringify(json));
    const cli = (await scoreCli([{ text: long }, { text: TEXTS[0] }], "--max-length", "20")).map((r) => r["reward"] as number);
    assert.equal(json["truncated"], 1);
    assertRewardsClose(json["rewards"] as number[], cli, "text");
  } finally {
    child.kill("SIGTERM");
  }
  assert.equal(await exited, 0, stderr());
  assert.match(stderr(), /SIGTERM: closing the server/);
});

test("serve CLI: bad flags and a port in use exit 2 with a message", async () => {
  const r = spawnSync(process.execPath, ["bin/rewardlab.js", "serve", "--model", dir, "--port", "70000"], { encoding: "utf8" });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /flag --port: expected an integer in \[0, 65535\], got 70000/);
  const port = new URL((server as RewardServer).url).port;
  const busy = spawn(process.execPath, ["bin/rewardlab.js", "serve", "--model", dir, "--tokenizer", "builtin:gpt2", "--port", port],
    { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  busy.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((ok) => busy.on("exit", ok));
  assert.equal(code, 2, stderr);
  assert.match(stderr, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`));
  assert.match(stderr, /hint: pick another --port/);
});

test("serve with an 8-bit base gives the numbers of `rewardlab score --load-in-8bit`", async () => {
  const q = await startRewardServer({ model: dir, tokenizer: "builtin:gpt2", port: 0, maxBatch: 5, log: () => undefined, quant: { bits: 8, blockSize: 16 } });
  try {
    const { status, json } = await post("/score", { texts: TEXTS }, q.url);
    assert.equal(status, 200, JSON.stringify(json));
    const cli = (await scoreCli(TEXTS.map((text) => ({ text })), "--batch-size", "5", "--load-in-8bit", "--quant-block-size", "16")).map((r) => r["reward"] as number);
    // the server packs its own passes (length-planned), so rows meet other paddings than the CLI's: float32 rounding
    assert.equal(json["truncated"], 0);
    assertRewardsClose(json["rewards"] as number[], cli, "8-bit text");
    const fp32 = (await scoreCli(TEXTS.map((text) => ({ text })), "--batch-size", "5")).map((r) => r["reward"]);
    assert.notDeepEqual(cli, fp32, "quantized");
  } finally {
    await q.close();
  }
});
