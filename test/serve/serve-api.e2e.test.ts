// The reward server as an RLHF loop uses it, over real HTTP on 127.0.0.1: concurrent clients sharing forward passes,
// OpenRLHF's /get_reward, Prometheus /metrics, the API key, timeouts, limits, --normalize and SIGTERM under load.
// The model is a randomly initialised gpt2-tiny (256 positions) saved to a temp folder; texts are hh-rlhf pairs, so
// chosen and rejected share their prompt. Reference rewards: `rewardlab score --batch-size 1` (each text alone).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import os from "node:os";
import path from "node:path";
import { RewardModel } from "../../src/models/index.js";
import { startRewardServer, type RewardServer, type ServeOptions } from "../../src/serve/index.js";
import { assertRewardsClose, HH_PAIRS, HH_TEXTS, tinyServedModel } from "./helpers.js";

const PAIRS = HH_PAIRS, TEXTS = HH_TEXTS;

let dir = "", reference: number[] = [];

before(() => {
  ({ dir, reference } = tinyServedModel(7));
});

const servers: RewardServer[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function serve(opts: Partial<ServeOptions> = {}): Promise<RewardServer> {
  const s = await startRewardServer({ model: dir, tokenizer: "builtin:gpt2", port: 0, log: () => undefined, ...opts });
  servers.push(s);
  return s;
}

async function post(base: string, p: string, body: unknown, headers: Record<string, string> = {}):
  Promise<{ status: number; json: Record<string, unknown>; headers: Headers }> {
  const r = await fetch(`${base}${p}`, { method: "POST", body: typeof body === "string" ? body : JSON.stringify(body), headers });
  return { status: r.status, json: (await r.json()) as Record<string, unknown>, headers: r.headers };
}

/** Prometheus text exposition format, parsed strictly: every sample belongs to a declared family. */
function parsePrometheus(text: string): Map<string, { type: string; samples: { name: string; labels: string; value: number }[] }> {
  const families = new Map<string, { type: string; samples: { name: string; labels: string; value: number }[] }>();
  for (const line of text.split("\n")) {
    if (line === "") continue;
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (meta) {
      if (meta[1] === "TYPE") {
        assert.match(meta[3] as string, /^(counter|gauge|histogram|summary|untyped)$/, line);
        families.set(meta[2] as string, { type: meta[3] as string, samples: [] });
      }
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*\})? (\S+)( \d+)?$/.exec(line);
    assert.ok(m, `not a Prometheus sample line: ${JSON.stringify(line)}`);
    const name = m[1] as string, value = Number(m[3] === "+Inf" ? Infinity : m[3] === "NaN" ? NaN : m[3]);
    assert.ok(m[3] === "NaN" || !Number.isNaN(value), line);
    const family = families.get(name) ?? families.get(name.replace(/_(bucket|sum|count|total)$/, ""));
    assert.ok(family, `sample ${name} has no # TYPE line`);
    family.samples.push({ name, labels: m[2] ?? "", value });
  }
  return families;
}

test("serve API: 32 concurrent clients share forward passes and each gets every text's reward as scored alone", async () => {
  const s = await serve({ maxWaitMs: 200 });
  // client k asks for 1-4 texts starting at a different place, pairs included, so swapped answers cannot pass
  const asks = Array.from({ length: 32 }, (_, k) => Array.from({ length: 1 + (k % 4) }, (_, j) => (k * 5 + j) % TEXTS.length));
  const answers = await Promise.all(asks.map((idx) => post(s.url, "/score", { texts: idx.map((i) => TEXTS[i]) })));
  answers.forEach(({ status, json }, k) => {
    assert.equal(status, 200, JSON.stringify(json));
    assertRewardsClose(json["rewards"] as number[], (asks[k] as number[]).map((i) => reference[i] as number), `client ${k}`);
  });
  const metrics = parsePrometheus(await (await fetch(`${s.url}/metrics`)).text());
  const count = metrics.get("rewardlab_batch_size")?.samples.find((x) => x.name === "rewardlab_batch_size_count")?.value ?? 0;
  const texts = asks.reduce((n, a) => n + a.length, 0);
  assert.ok(count > 0 && count < asks.length, `${count} forward passes for ${asks.length} requests: requests were not merged`);
  assert.equal(metrics.get("rewardlab_texts_scored_total")?.samples[0]?.value, texts);
});

test("serve API: pairs sharing their prompt get the same rewards with prefix sharing on and off", async () => {
  const on = await serve(), off = await serve({ prefixSharing: false });
  for (const s of [on, off]) {
    const { status, json } = await post(s.url, "/score", { pairs: PAIRS });
    assert.equal(status, 200, JSON.stringify(json));
    const got = (json["pairs"] as { chosen_reward: number; rejected_reward: number }[]).flatMap((p) => [p.chosen_reward, p.rejected_reward]);
    assertRewardsClose(got, reference, s === on ? "prefix sharing on" : "prefix sharing off");
  }
  const computed = async (s: RewardServer) => parsePrometheus(await (await fetch(`${s.url}/metrics`)).text())
    .get("rewardlab_padded_tokens_total")?.samples[0]?.value ?? 0;
  const [a, b] = [await computed(on), await computed(off)];
  assert.ok(a < b, `prefix sharing computed ${a} tokens, without ${b}`);
});

test("serve API: POST /get_reward speaks OpenRLHF's protocol with /score's rewards", async () => {
  const s = await serve();
  const query = TEXTS.slice(0, 6);
  const { status, json } = await post(s.url, "/get_reward", { query, prompts: query.map(() => "p"), labels: query.map(() => null) });
  assert.equal(status, 200, JSON.stringify(json));
  assert.deepEqual(Object.keys(json), ["rewards", "scores", "extra_logs"]);
  assertRewardsClose(json["rewards"] as number[], reference.slice(0, 6), "rewards");
  assert.deepEqual(json["scores"], json["rewards"]);
  assert.deepEqual(json["extra_logs"], {});
  const bad = await post(s.url, "/get_reward", { query: ["a", 3] });
  assert.equal(bad.status, 400);
  assert.equal(bad.json["field"], "query[1]");
  assert.equal((await post(s.url, "/get_reward", { query: [] })).status, 200);
});

test("serve API: GET /metrics is Prometheus text with requests by route and status, passes, queue and model info", async () => {
  const s = await serve();
  await post(s.url, "/score", { texts: TEXTS.slice(0, 3) });
  await post(s.url, "/score", { texts: [3] });
  await fetch(`${s.url}/nope`);
  const r = await fetch(`${s.url}/metrics`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
  const m = parsePrometheus(await r.text());
  const sample = (family: string, name: string, labels: string) => m.get(family)?.samples.find((x) => x.name === name && x.labels === labels)?.value;
  assert.equal(sample("rewardlab_requests_total", "rewardlab_requests_total", '{route="/score",status="200"}'), 1);
  assert.equal(sample("rewardlab_requests_total", "rewardlab_requests_total", '{route="/score",status="400"}'), 1);
  assert.equal(sample("rewardlab_request_errors_total", "rewardlab_request_errors_total", '{route="other",status="404"}'), 1);
  assert.equal(m.get("rewardlab_texts_scored_total")?.samples[0]?.value, 3);
  assert.ok((m.get("rewardlab_tokens_scored_total")?.samples[0]?.value ?? 0) > 3);
  for (const [name, type] of [["rewardlab_batch_size", "histogram"], ["rewardlab_batch_padded_tokens", "histogram"],
    ["rewardlab_queue_wait_seconds", "histogram"], ["rewardlab_request_duration_seconds", "histogram"],
    ["rewardlab_queue_depth", "gauge"], ["rewardlab_model_info", "gauge"], ["rewardlab_requests_total", "counter"]] as const) {
    assert.equal(m.get(name)?.type, type, name);
  }
  assert.equal(sample("rewardlab_queue_depth", "rewardlab_queue_depth", ""), 0);
  assert.match(m.get("rewardlab_model_info")?.samples[0]?.labels ?? "", /model_type="gpt2"/);
});

test("serve API: --api-key guards every route but /health; a wrong or missing key is a 401", async () => {
  const s = await serve({ apiKey: "s3cret" });
  assert.equal((await fetch(`${s.url}/health`)).status, 200);
  for (const headers of [{}, { authorization: "Bearer nope" }, { authorization: "s3cret" }] as Record<string, string>[]) {
    const r = await post(s.url, "/score", { texts: ["hi"] }, headers);
    assert.equal(r.status, 401, JSON.stringify(headers));
    assert.match(r.json["error"] as string, /missing Authorization header|wrong API key/);
    assert.equal(r.headers.get("www-authenticate"), "Bearer");
  }
  assert.equal((await fetch(`${s.url}/metrics`)).status, 401);
  assert.equal((await fetch(`${s.url}/info`)).status, 401);
  const ok = await post(s.url, "/get_reward", { query: [TEXTS[0]] }, { authorization: "Bearer s3cret" });
  assert.equal(ok.status, 200);
  assertRewardsClose(ok.json["rewards"] as number[], [reference[0] as number], "authorized");
});

/** Milliseconds from t0 until the socket closes; rejects after 10 s instead of hanging the test. */
function closedAfter(socket: Socket, t0: number): Promise<number> {
  return new Promise((ok, fail) => {
    const timer = setTimeout(() => { socket.destroy(); fail(new Error("the server kept the connection open for 10 s")); }, 10_000);
    socket.on("close", () => { clearTimeout(timer); ok(Date.now() - t0); });
    socket.on("error", () => undefined); // a reset is a close too
    socket.resume(); // read to the end: a paused socket never sees the server's FIN
  });
}

test("serve API: a client sending its headers byte by byte, or nothing, is cut off by the header timeout", async () => {
  const s = await serve({ headersTimeoutMs: 400 });
  const { port } = new URL(s.url);
  const socket = connect(Number(port), "127.0.0.1");
  const request = "POST /score HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Slow: " + "a".repeat(200) + "\r\n\r\n";
  let sent = 0, received = "";
  const t0 = Date.now();
  socket.on("data", (d: Buffer) => (received += d.toString()));
  const timer = setInterval(() => { if (!socket.destroyed && sent < request.length) socket.write(request[sent++] as string); }, 20);
  const closedMs = await closedAfter(socket, t0).finally(() => clearInterval(timer));
  assert.ok(sent < request.length, "the whole request went through");
  assert.ok(closedMs < 3000, `closed after ${closedMs} ms`);
  assert.match(received, /^(HTTP\/1\.1 408|$)/);
  // a client that connects and sends nothing is cut off the same way
  const t1 = Date.now();
  const silentMs = await closedAfter(connect(Number(port), "127.0.0.1"), t1);
  assert.ok(silentMs < 3000, `silent client closed after ${silentMs} ms`);
  assert.equal((await fetch(`${s.url}/health`)).status, 200);
});

test("serve API: too many texts is a 413 naming --max-texts; a full queue is a 503 with Retry-After", async () => {
  const s = await serve({ maxTexts: 4, maxQueue: 1, maxWaitMs: 300 });
  const many = await post(s.url, "/score", { texts: TEXTS.slice(0, 5) });
  assert.equal(many.status, 413);
  assert.match(many.json["error"] as string, /5 texts are over the limit of 4 texts per request \(--max-texts\)/);
  assert.equal((await post(s.url, "/score", { pairs: PAIRS.slice(0, 3) })).status, 413);
  // the first request waits 300 ms for company in the queue; the second finds the queue full
  const first = post(s.url, "/score", { texts: [TEXTS[0]] });
  await new Promise((ok) => setTimeout(ok, 100));
  const busy = await post(s.url, "/score", { texts: [TEXTS[1]] });
  assert.equal(busy.status, 503);
  assert.equal(busy.headers.get("retry-after"), "1");
  assert.match(busy.json["error"] as string, /server busy: 1 requests queued \(the limit is 1\)/);
  assert.equal((await first).status, 200);
});

test("serve API: --normalize applies config.json's mean and std; without them the server does not start", async () => {
  const cfgFile = path.join(dir, "config.json"), original = readFileSync(cfgFile, "utf8");
  const withStats = mkdtempSync(path.join(os.tmpdir(), "rewardlab-serve-norm-"));
  RewardModel.load(dir).save(withStats);
  const cfg = JSON.parse(readFileSync(path.join(withStats, "config.json"), "utf8")) as Record<string, unknown>;
  writeFileSync(path.join(withStats, "config.json"), JSON.stringify({ ...cfg, mean: 0.25, std: 2 }));
  const s = await serve({ model: withStats, normalize: true });
  const { json } = await post(s.url, "/get_reward", { query: TEXTS.slice(0, 4) });
  assertRewardsClose(json["rewards"] as number[], reference.slice(0, 4).map((r) => (r - 0.25) / 2), "normalized");
  assert.deepEqual(s.info.normalize, { mean: 0.25, std: 2 });
  await assert.rejects(serve({ normalize: true }), /--normalize needs a finite number "mean", got null/);
  assert.equal(readFileSync(cfgFile, "utf8"), original);
});

test("serve CLI: SIGTERM under load answers every accepted request, then exits 0", async () => {
  const child = spawn(process.execPath, ["bin/rewardlab.js", "serve", "--model", dir, "--tokenizer", "builtin:gpt2", "--port", "0",
    "--max-batch", "4"], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((ok) => child.on("exit", (code) => ok(code)));
  const base = await new Promise<string>((ok, fail) => {
    const poll = setInterval(() => {
      const m = /^serving \S+ on (http:\/\/\S+)$/m.exec(stderr);
      if (m) { clearInterval(poll); ok(m[1] as string); }
    }, 20);
    void exited.then((code) => { clearInterval(poll); fail(new Error(`exited ${code}:\n${stderr}`)); });
  });
  let answered = 0;
  const asks = Array.from({ length: 32 }, (_, k) => [k % TEXTS.length, (k + 40) % TEXTS.length]);
  const answers = asks.map((idx) => post(base, "/score", { texts: idx.map((i) => TEXTS[i]) }).then((r) => { answered++; return r; }));
  // wait until the server has every request (in flight, the /metrics request itself not counted, or answered)
  for (let seen = 0, tries = 0; seen < asks.length; tries++) {
    assert.ok(tries < 500, `the server saw ${seen} of ${asks.length} requests`);
    const text = await (await fetch(`${base}/metrics`)).text();
    seen = Number(/^rewardlab_requests_in_flight (\S+)$/m.exec(text)?.[1] ?? 1) - 1 + answered;
  }
  child.kill("SIGTERM");
  const before = answered;
  const results = await Promise.all(answers);
  results.forEach(({ status, json }, k) => {
    assert.equal(status, 200, JSON.stringify(json));
    assertRewardsClose(json["rewards"] as number[], (asks[k] as number[]).map((i) => reference[i] as number), `client ${k}`);
  });
  assert.equal(await exited, 0, stderr);
  assert.ok(before < asks.length, "every request was answered before SIGTERM: no load to test");
  assert.match(stderr, /SIGTERM: closing the server/);
});
