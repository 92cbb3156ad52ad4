// bench:serve — the reward server under load, over real HTTP on 127.0.0.1: a real-size GPT-2 (124M, random init,
// saved to a temp folder) scoring hh-rlhf texts (test/fixtures/data, builtin:gpt2 tokenizer).
//   load:      1, 8 and 32 concurrent clients, each sending --requests requests of --texts texts one after another,
//              with dynamic batching on and off (--no-batching; prefix sharing off in both, to measure batching alone)
//   short:     32 clients, each request one short text (an hh-rlhf response without its prompt, ~40 tokens), batching
//              on and off: where batching pays on a CPU (a long text alone already keeps the matmuls at their peak:
//              bench:engine --rows; a short one leaves the fixed cost of a forward pass to share)
//   best-of-8: 8 clients, each request 8 completions of one hh-rlhf prompt, prefix sharing on and off
// Per run: requests/s, texts/s, p50/p99 latency, and from the server's /metrics the mean batch size (texts per
// forward pass), the tokens computed per text token (rows × longest row ÷ text tokens: 1.10 is 10% padding, below 1
// is prefixes computed once), the share of the wall time the model was computing, and the rate of its passes
// (tokens computed per second of forward pass).
// Each on/off pair runs --rounds times, alternating, and the ratios use the medians: one machine's speed drifts by
// 10-20% from minute to minute (seen on every CPU we had), more than the differences measured.
// Why the ratio is what it is: texts/s = busy share × pass rate ÷ tokens computed per text token × texts per text
// token, so the on/off ratio at the most clients is printed as the product of those three ratios. And the most
// batching could gain: it can only remove padding, fill idle time and make passes bigger, so the bench times single
// passes of 1 to 32 rows of 256 tokens straight through the model (3 interleaved rounds, medians) and bounds the gain
// by (best pass rate ÷ the rate at the pass size batching off used) × its tokens computed per text token ÷ its busy share.
// Usage: npm run bench:serve [-- --requests 4 --texts 4 --clients 1,8,32 --short-clients 32 --rounds 2 --n-layer 12 --max-length 256]
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { gunzipSync } from "node:zlib";
import { RewardModel } from "../src/models/index.js";
import { startRewardServer, type ServeOptions } from "../src/serve/index.js";
import { helpOrExit, parseOrExit } from "./usage.js";

const USAGE = "usage: npm run bench:serve [-- --requests 4 --texts 4 --clients 1,8,32 --short-clients 32 --rounds 2 --n-layer 12 --max-length 256]";
helpOrExit(USAGE);

/** The bench's flags: each a positive integer (--clients a comma list of them); an unknown or bad one exits 2. */
const FLAGS = parseOrExit(() => {
  const { values } = parseArgs({ strict: true, options: {
    requests: { type: "string", default: "4" }, texts: { type: "string", default: "4" }, clients: { type: "string", default: "1,8,32" },
    "short-clients": { type: "string", default: "32" }, rounds: { type: "string", default: "2" }, "n-layer": { type: "string", default: "12" },
    "max-length": { type: "string", default: "256" },
  } });
  const positive = (name: string, v: string): number => {
    if (!/^[1-9][0-9]*$/.test(v)) throw new RangeError(`--${name}: expected a positive integer, got "${v}"`);
    return Number(v);
  };
  return {
    requests: positive("requests", values.requests), texts: positive("texts", values.texts),
    clients: values.clients.split(",").map((c) => positive("clients", c)), shortClients: positive("short-clients", values["short-clients"]),
    rounds: positive("rounds", values.rounds), nLayer: positive("n-layer", values["n-layer"]), maxLength: positive("max-length", values["max-length"]),
  };
}, USAGE);
const REQUESTS = FLAGS.requests, TEXTS_PER_REQUEST = FLAGS.texts, CLIENTS = FLAGS.clients, N_LAYER = FLAGS.nLayer;
const MAX_LENGTH = FLAGS.maxLength, SHORT_CLIENTS = FLAGS.shortClients, ROUNDS = FLAGS.rounds;

const GPT2_124M = { model_type: "gpt2", vocab_size: 50257, n_positions: 1024, n_embd: 768, n_layer: N_LAYER, n_head: 12, n_inner: null,
  layer_norm_epsilon: 1e-5, initializer_range: 0.02, pad_token_id: 50256, eos_token_id: 50256 };

const PAIRS = gunzipSync(readFileSync("test/fixtures/data/hh-rlhf-sample-120.jsonl.gz")).toString("utf8").trim().split("\n")
  .map((l) => JSON.parse(l) as { chosen: string; rejected: string });
const TEXTS = PAIRS.flatMap((p) => [p.chosen, p.rejected]);

/** the 16 longest texts: a warm-up pass as large as the runs' largest */
const WARM_UP = [...TEXTS].sort((a, b) => b.length - a.length).slice(0, 16);

/** hh-rlhf's last "\n\nAssistant:" splits a text into prompt and response. */
function split(text: string): { prompt: string; response: string } {
  const at = text.lastIndexOf("\n\nAssistant:") + "\n\nAssistant:".length;
  return { prompt: text.slice(0, at), response: text.slice(at) };
}

/** Best-of-8 requests: a pair's prompt with 8 responses (its own two and the next pairs'). */
function bestOf8(i: number): string[] {
  const { prompt } = split((PAIRS[i % PAIRS.length] as { chosen: string }).chosen);
  return Array.from({ length: 8 }, (_, k) => prompt + split(TEXTS[(2 * i + k) % TEXTS.length] as string).response);
}

interface Result {
  label: string;
  requests: number;
  texts: number;
  seconds: number;
  p50: number;
  p99: number;
  meanBatch: number;
  /** tokens the passes computed per text token: above 1 is padding, below 1 is prefixes computed once */
  computedPerToken: number;
  /** mean tokens computed per forward pass */
  passTokens: number;
  /** share of the wall time spent in forward passes */
  busy: number;
  /** tokens the passes computed per second of forward pass */
  passRate: number;
}

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] as number;

function metric(text: string, name: string): number {
  return Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1] ?? NaN);
}

/** Connections a keep-alive race reset before any answer, retried once (counted and printed). */
let resets = 0;

/**
 * POST with one retry when the connection is reset before an answer: a pooled keep-alive connection can be picked
 * just as the server's idle timeout closes it (seen once in ~10 runs at 32 clients on 2 loaded cores).
 */
async function post(url: string, body: string): Promise<Response> {
  try {
    return await fetch(url, { method: "POST", body });
  } catch (e) {
    if ((e as { cause?: { code?: string } }).cause?.code !== "ECONNRESET") throw e;
    resets++;
    return fetch(url, { method: "POST", body });
  }
}

async function run(label: string, dir: string, opts: Partial<ServeOptions>, clients: number, request: (c: number, r: number) => string[]): Promise<Result> {
  const server = await startRewardServer({ model: dir, tokenizer: "builtin:gpt2", port: 0, maxLength: MAX_LENGTH, log: () => undefined, ...opts });
  try {
    // warm-up: the first forward pass builds the onnxruntime session, and the largest passes grow its memory arena
    await fetch(`${server.url}/score`, { method: "POST", body: JSON.stringify({ texts: WARM_UP }) });
    const before = await (await fetch(`${server.url}/metrics`)).text();
    const latencies: number[] = [];
    let texts = 0;
    const t0 = performance.now();
    await Promise.all(Array.from({ length: clients }, async (_, c) => {
      for (let r = 0; r < REQUESTS; r++) {
        const body = request(c, r);
        const s = performance.now();
        const res = await post(`${server.url}/score`, JSON.stringify({ texts: body }));
        if (res.status !== 200) throw new Error(`${label}: HTTP ${res.status}: ${await res.text()}`);
        await res.json();
        latencies.push(performance.now() - s);
        texts += body.length;
      }
    }));
    const seconds = (performance.now() - t0) / 1000;
    const after = await (await fetch(`${server.url}/metrics`)).text();
    const d = (name: string) => metric(after, name) - metric(before, name);
    const passSeconds = d("rewardlab_forward_pass_duration_seconds_sum");
    return { label, requests: latencies.length, texts, seconds, p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99),
      meanBatch: d("rewardlab_batch_size_sum") / d("rewardlab_batch_size_count"),
      computedPerToken: d("rewardlab_padded_tokens_total") / d("rewardlab_tokens_scored_total"),
      passTokens: d("rewardlab_padded_tokens_total") / d("rewardlab_batch_size_count"), busy: passSeconds / seconds,
      passRate: d("rewardlab_padded_tokens_total") / passSeconds };
  } finally {
    await server.close();
  }
}

const COLUMNS: [string, number, (r: Result) => string][] = [
  ["run", 40, (r) => r.label],
  ["req/s", 7, (r) => (r.requests / r.seconds).toFixed(2)],
  ["texts/s", 8, (r) => (r.texts / r.seconds).toFixed(2)],
  ["p50 ms", 7, (r) => r.p50.toFixed(0)],
  ["p99 ms", 7, (r) => r.p99.toFixed(0)],
  ["batch", 6, (r) => r.meanBatch.toFixed(1)],
  ["computed", 9, (r) => r.computedPerToken.toFixed(2)],
  ["busy", 5, (r) => `${(100 * r.busy).toFixed(0)}%`],
  ["pass tok/s", 11, (r) => r.passRate.toFixed(0)],
];

function row(cells: readonly string[]): string {
  return cells.map((c, k) => (k === 0 ? c.padEnd(COLUMNS[k]?.[1] ?? 0) : c.padStart(COLUMNS[k]?.[1] ?? 0))).join(" ");
}

const median = (xs: readonly number[]) => { const s = [...xs].sort((a, b) => a - b); return ((s[(s.length - 1) >> 1] as number) + (s[s.length >> 1] as number)) / 2; };

/** Tokens per second of single forward passes of 1 to 32 rows of 256 tokens, straight through the model (no server). */
async function passRates(dir: string): Promise<{ tokens: number; rate: number }[]> {
  const { model } = await RewardModel.fromPretrained(dir);
  try {
    const ids = Array.from({ length: 256 }, (_, i) => (i * 7919) % 50000);
    const sizes = [1, 2, 4, 8, 16, 32].map((B) => Array.from({ length: B }, () => ({ prefix: ids, continuations: [[]] })));
    for (const rows of sizes) await model.scoreShared(rows);
    const rates = sizes.map((): number[] => []);
    for (let round = 0; round < 3; round++) {
      for (const [k, rows] of sizes.entries()) {
        const t0 = performance.now();
        await model.scoreShared(rows);
        rates[k]?.push((rows.length * 256) / ((performance.now() - t0) / 1000));
      }
    }
    return sizes.map((rows, k) => ({ tokens: rows.length * 256, rate: median(rates[k] ?? []) }));
  } finally {
    await model.release();
  }
}

/** The pass rate at `tokens`, interpolated in log(tokens) between the measured sizes (the nearest end outside them). */
function rateAt(rates: readonly { tokens: number; rate: number }[], tokens: number): number {
  const hi = rates.findIndex((r) => r.tokens >= tokens);
  if (hi <= 0) return (hi === 0 ? rates[0] : rates[rates.length - 1])?.rate ?? NaN;
  const a = rates[hi - 1] as { tokens: number; rate: number }, b = rates[hi] as { tokens: number; rate: number };
  const t = Math.log(tokens / a.tokens) / Math.log(b.tokens / a.tokens);
  return a.rate + t * (b.rate - a.rate);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "rewardlab-bench-serve-"));
  try {
    RewardModel.create(GPT2_124M, 0).save(dir);
    console.log(`gpt2 (n_layer ${N_LAYER}, random init), max length ${MAX_LENGTH}, ${REQUESTS} requests per client, ` +
      `${TEXTS_PER_REQUEST} texts per request, ${os.availableParallelism()} threads`);
    console.log("note: figures on a shared machine vary run to run; compare ratios from one run");
    console.log(row(COLUMNS.map(([name]) => name)));
    const load = (c: number, r: number) => Array.from({ length: TEXTS_PER_REQUEST },
      (_, k) => TEXTS[(c * 37 + r * 11 + k * 5) % TEXTS.length] as string);
    const short = (c: number, r: number) => [split(TEXTS[(c * 37 + r * 11) % TEXTS.length] as string).response];
    // the process's first run is slower (JIT, the tokenizer's and HTTP's first calls): a run that is not counted
    await run("warm-up", dir, {}, 4, load);
    const results = new Map<string, Result[]>();
    /** Runs an on/off pair ROUNDS times, alternating which goes first, and prints every run. */
    const pair = async (key: string, clients: number, request: (c: number, r: number) => string[],
      runs: readonly [string, Partial<ServeOptions>][]): Promise<void> => {
      for (let round = 0; round < ROUNDS; round++) {
        for (const [k, [label, opts]] of (round % 2 === 0 ? runs : [...runs].reverse()).entries()) {
          const r = await run(label, dir, opts, clients, request);
          console.log(row(COLUMNS.map(([, , cell]) => cell(r))));
          const id = `${key}:${round % 2 === 0 ? k : runs.length - 1 - k}`;
          results.set(id, [...(results.get(id) ?? []), r]);
        }
      }
    };
    for (const clients of CLIENTS) {
      await pair(`${clients}`, clients, load, [[`${clients} clients, batching on`, { batching: true, prefixSharing: false }],
        [`${clients} clients, batching off`, { batching: false, prefixSharing: false }]]);
    }
    await pair("short", SHORT_CLIENTS, short, [[`${SHORT_CLIENTS} clients, 1 short text, batching on`, { batching: true, prefixSharing: false }],
      [`${SHORT_CLIENTS} clients, 1 short text, batching off`, { batching: false, prefixSharing: false }]]);
    await pair("bo8", 8, (c, r) => bestOf8(c * REQUESTS + r), [["best-of-8, prefix sharing on", { prefixSharing: true }],
      ["best-of-8, prefix sharing off", { prefixSharing: false }]]);
    const med = (id: string, f: (r: Result) => number) => median((results.get(id) ?? []).map(f));
    const tps = (id: string) => med(id, (r) => r.texts / r.seconds);
    const ratio = (key: string) => (tps(`${key}:0`) / tps(`${key}:1`)).toFixed(2);
    const most = Math.max(...CLIENTS), fewest = Math.min(...CLIENTS);
    console.log(`medians of ${ROUNDS} round(s):`);
    console.log(`batching on/off texts/s at ${most} clients: ${ratio(`${most}`)}x (target >= 1.3x)`);
    console.log(`batching on/off texts/s at ${SHORT_CLIENTS} clients sending one short text each: ${ratio("short")}x`);
    const p50 = (id: string) => med(id, (r) => r.p50);
    console.log(`batching on/off p50 latency at ${fewest} client(s): ${(p50(`${fewest}:0`) / p50(`${fewest}:1`)).toFixed(2)}x (target <= 1.10x)`);
    console.log(`best-of-8 prefix sharing on/off texts/s: ${ratio("bo8")}x (target >= 2x)`);
    if (resets > 0) console.log(`connections reset by a keep-alive race and retried: ${resets}`);
    const on = (f: (r: Result) => number) => med(`${most}:0`, f), off = (f: (r: Result) => number) => med(`${most}:1`, f);
    const busy = (r: Result) => r.busy, rate = (r: Result) => r.passRate, computed = (r: Result) => r.computedPerToken;
    console.log(`at ${most} clients, on/off = busy ${(on(busy) / off(busy)).toFixed(2)} × pass rate ${(on(rate) / off(rate)).toFixed(2)} ` +
      `× 1/padding ${(off(computed) / on(computed)).toFixed(2)}`);
    const rates = await passRates(dir);
    console.log(`single passes of 256-token rows, tokens/s: ${rates.map((r) => `${r.tokens}: ${r.rate.toFixed(0)}`).join(", ")}`);
    const best = rates.reduce((a, b) => (b.rate > a.rate ? b : a));
    const offTokens = off((r) => r.passTokens);
    const offRate = rateAt(rates, offTokens), bound = (best.rate / offRate) * off(computed) / off(busy);
    console.log(`the most batching could gain at ${most} clients: best pass rate ${best.rate.toFixed(0)} (${best.tokens} tokens) / ` +
      `${offRate.toFixed(0)} at the ~${offTokens.toFixed(0)}-token passes batching off made × its padding ${off(computed).toFixed(2)} ` +
      `/ its busy share ${off(busy).toFixed(2)} = ${bound.toFixed(2)}x`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
