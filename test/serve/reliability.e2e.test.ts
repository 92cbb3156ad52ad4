// Reliability of the reward server over real HTTP on 127.0.0.1: 32 concurrent clients mixing valid requests with
// malformed JSON, wrong types, empty lists and texts, huge texts, bad API keys, and clients that disconnect mid-body
// or while their request is being scored. The server must keep answering, give every valid request the rewards of
// its texts scored alone, give every bad one a 4xx naming the problem, and hand its heap back afterwards.
// Bounded: 32 clients × 8 requests on gpt2-tiny, a few seconds.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { connect } from "node:net";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { startRewardServer, type RewardServer } from "../../src/serve/index.js";
import { assertRewardsClose, HH_TEXTS, tinyServedModel } from "./helpers.js";

const TEXTS = HH_TEXTS;
/** the shortest text: well under max_length, so only the huge text beside it is truncated */
const SHORT = TEXTS.reduce((best, t, i) => (t.length < (TEXTS[best] as string).length ? i : best), 0);
const KEY = "reliability-key";
const AUTH = { authorization: `Bearer ${KEY}` };
const MAX_BODY = 64 * 1024;

let dir = "", reference: number[] = [], server: RewardServer | undefined;

before(async () => {
  ({ dir, reference } = tinyServedModel(11));
  server = await startRewardServer({ model: dir, tokenizer: "builtin:gpt2", port: 0, apiKey: KEY, maxBodyBytes: MAX_BODY,
    maxTexts: 16, maxQueue: 256, log: () => undefined });
});
after(async () => {
  await server?.close();
});

/** A full garbage collection (the test runner does not pass --expose-gc). */
function collectGarbage(): void {
  setFlagsFromString("--expose-gc");
  (runInNewContext("gc") as () => void)();
}

async function post(p: string, body: string, headers: Record<string, string> = AUTH, signal?: AbortSignal):
  Promise<{ status: number; json: Record<string, unknown> }> {
  const r = await fetch(`${(server as RewardServer).url}${p}`, { method: "POST", body, headers, ...(signal ? { signal } : {}) });
  return { status: r.status, json: (await r.json()) as Record<string, unknown> };
}

/** Sends headers and part of a body, then drops the connection. */
function disconnectMidBody(): Promise<void> {
  const { port } = new URL((server as RewardServer).url);
  return new Promise((ok) => {
    const s = connect(Number(port), "127.0.0.1", () => {
      s.write(`POST /score HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${KEY}\r\nContent-Length: 5000\r\n\r\n{"texts": ["half`);
      setTimeout(() => { s.destroy(); ok(); }, 10);
    });
    s.on("error", () => ok());
  });
}

/** Request kind k of client c, checked. */
async function one(c: number, k: number): Promise<void> {
  const idx = [(c * 7 + k) % TEXTS.length, (c * 3 + 2 * k + 1) % TEXTS.length];
  const texts = idx.map((i) => TEXTS[i] as string);
  const want = idx.map((i) => reference[i] as number);
  const bad = async (r: Promise<{ status: number; json: Record<string, unknown> }>, status: number, error: RegExp, field: string | null = null) => {
    const { status: s, json } = await r;
    assert.equal(s, status, `client ${c} kind ${k}: ${JSON.stringify(json)}`);
    assert.match(json["error"] as string, error);
    assert.equal(json["field"], field);
  };
  switch (k % 8) {
    case 0: {
      const { status, json } = await post("/score", JSON.stringify({ texts }));
      assert.equal(status, 200, JSON.stringify(json));
      return assertRewardsClose(json["rewards"] as number[], want, `client ${c} /score`);
    }
    case 1: {
      const { status, json } = await post("/get_reward", JSON.stringify({ query: texts }));
      assert.equal(status, 200, JSON.stringify(json));
      return assertRewardsClose(json["rewards"] as number[], want, `client ${c} /get_reward`);
    }
    case 2: return bad(post("/score", `{"texts": [${JSON.stringify(texts[0])}`), 400, /^body is not JSON/);
    case 3: return bad(post("/get_reward", JSON.stringify({ query: [texts[0], { text: 1 }] })), 400, /expected a string, got an object/, "query[1]");
    case 4: {
      const empty = await post("/score", JSON.stringify({ texts: [] }));
      assert.deepEqual(empty, { status: 200, json: { rewards: [], truncated: 0 } });
      return bad(post("/score", JSON.stringify({ texts: [texts[0], ""] })), 400, /tokenizes to no tokens/, "texts[1]");
    }
    case 5: {
      // a huge text inside the body limit is cut to max_length; one over it is a 413 naming the limit
      const { status, json } = await post("/score", JSON.stringify({ texts: [TEXTS[SHORT], "word ".repeat(8000)] }));
      assert.equal(status, 200, JSON.stringify(json));
      assert.equal(json["truncated"], 1);
      assertRewardsClose([(json["rewards"] as number[])[0] as number], [reference[SHORT] as number], `client ${c} beside a huge text`);
      return bad(post("/score", JSON.stringify({ texts: ["x".repeat(2 * MAX_BODY)] })), 413, /body is over the 65536-byte limit/);
    }
    case 6: {
      await bad(post("/score", JSON.stringify({ texts }), { authorization: "Bearer wrong" }), 401, /wrong API key/);
      return bad(post("/score", JSON.stringify({ texts: TEXTS.slice(0, 17) })), 413, /17 texts are over the limit of 16/);
    }
    default: {
      await disconnectMidBody();
      // a client that gives up while its texts are queued or being scored
      await post("/score", JSON.stringify({ texts }), AUTH, AbortSignal.timeout(2)).catch(() => undefined);
    }
  }
}

test("reliability: 32 clients mixing valid, malformed, oversized, unauthorized and abandoned requests", async () => {
  const s = server as RewardServer;
  for (let k = 0; k < 2; k++) await one(0, k); // warm-up: session built, tokenizer caches filled
  collectGarbage();
  const baseline = process.memoryUsage().heapUsed;
  const t0 = Date.now();
  await Promise.all(Array.from({ length: 32 }, async (_, c) => {
    for (let k = 0; k < 8; k++) await one(c, (k + c) % 8);
  }));
  assert.ok(Date.now() - t0 < 120_000);
  assert.deepEqual(await (await fetch(`${s.url}/health`)).json(), { status: "ok" });
  await one(1, 0);
  // answers to abandoned requests settle shortly after; then the heap is back near where it started
  await new Promise((ok) => setTimeout(ok, 300));
  collectGarbage();
  const grown = process.memoryUsage().heapUsed - baseline;
  assert.ok(grown < 16 * 1024 * 1024, `heap grew by ${(grown / 1048576).toFixed(1)} MiB`);
  const metrics = await (await fetch(`${s.url}/metrics`, { headers: AUTH })).text();
  assert.match(metrics, /^rewardlab_queue_depth 0$/m);
  assert.match(metrics, /^rewardlab_request_errors_total\{route="\/score",status="413"\} \d+$/m);
});
