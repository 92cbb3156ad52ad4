// src/hub against a real HTTP server on 127.0.0.1 that speaks the hub's URL layout (test/hub/fake-hub.ts).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { HubError } from "../../src/errors.js";
import { hubDownload, hubListFiles, hubSnapshot, type HubEnv, type SnapshotOptions } from "../../src/hub/index.js";
import { FakeHub, gitEtag, lfsEtag, type FakeRepo } from "./fake-hub.js";

const MODEL_SHA = "a".repeat(40);
const DATA_SHA = "b".repeat(40);
const config = Buffer.from(JSON.stringify({ model_type: "gpt2", n_embd: 8 }));
const weights = Buffer.alloc(3000, 7);
const jsonl = ['{"chosen":"\\n\\nHuman: hi\\n\\nAssistant: hello","rejected":"\\n\\nHuman: hi\\n\\nAssistant: go away"}', ""].join("\n");
const testGz = gzipSync(Buffer.from(jsonl));
const REPOS: FakeRepo[] = [
  { type: "model", id: "org/tiny-gpt2", commit: MODEL_SHA, files: [
    { path: "config.json", data: config },
    { path: "model.safetensors", data: weights, lfs: true },
    { path: "tokenizer/vocab.json", data: Buffer.from("{}") },
  ] },
  { type: "dataset", id: "Anthropic/hh-rlhf", commit: DATA_SHA, files: [
    { path: "README.md", data: Buffer.from("# hh") },
    { path: "harmless-base/test.jsonl.gz", data: testGz, lfs: true },
    { path: "harmless-base/train.jsonl.gz", data: gzipSync(Buffer.from("{}\n")), lfs: true },
  ] },
  { type: "model", id: "org/private", commit: "c".repeat(40), token: "hf_secret", files: [{ path: "config.json", data: config }] },
];

let hub: FakeHub;
const tmp = mkdtempSync(path.join(os.tmpdir(), "rewardlab-hub-"));
let n = 0;

/** A fresh cache (and HF_HOME without a token) per test, so tests never see each other's downloads. */
function env(extra: HubEnv = {}): HubEnv {
  const dir = path.join(tmp, `t${n++}`);
  return { HF_ENDPOINT: hub.url, HF_HUB_CACHE: path.join(dir, "hub"), HF_HOME: path.join(dir, "home"), ...extra };
}
const opts = (e: HubEnv, o: SnapshotOptions = {}): SnapshotOptions => ({ env: e, progress: null, ...o });

before(async () => {
  hub = await FakeHub.start(REPOS, { pageSize: 2, renames: { "old-org/tiny-gpt2": "org/tiny-gpt2" } });
});
after(async () => hub.close());

async function rejectsHub(p: Promise<unknown>, message: RegExp, hint?: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof HubError, `expected a HubError, got ${String(e)}`);
    assert.match(e.message, message);
    if (hint) assert.match(e.hint ?? "", hint);
    return true;
  });
}

test("download writes the huggingface_hub cache layout and the second call is served from it", async () => {
  const e = env();
  const p = await hubDownload("org/tiny-gpt2", "config.json", opts(e));
  const repoDir = path.join(e.HF_HUB_CACHE as string, "models--org--tiny-gpt2");
  assert.equal(p, path.join(repoDir, "snapshots", MODEL_SHA, "config.json"));
  assert.deepEqual(readFileSync(p), config);
  assert.ok(lstatSync(p).isSymbolicLink());
  assert.equal(readlinkSync(p), path.join("..", "..", "blobs", gitEtag(config)));
  assert.equal(readFileSync(path.join(repoDir, "refs", "main"), "utf8"), MODEL_SHA);

  const seen = hub.requests.length;
  assert.equal(await hubDownload("org/tiny-gpt2", "config.json", opts(e)), p);
  assert.equal(hub.requests.length, seen, "a cached file must not touch the server");
});

test("nested paths get nested snapshot links", async () => {
  const p = await hubDownload("org/tiny-gpt2", "tokenizer/vocab.json", opts(env()));
  assert.equal(readlinkSync(p), path.join("..", "..", "..", "blobs", gitEtag(Buffer.from("{}"))));
  assert.equal(readFileSync(p, "utf8"), "{}");
});

test("an LFS file is fetched from the CDN it redirects to, named by X-Linked-Etag, without the token", async () => {
  const e = env({ HF_TOKEN: "hf_abc" });
  const before = hub.requests.length;
  const p = await hubDownload("Anthropic/hh-rlhf", "harmless-base/test.jsonl.gz", opts(e, { repoType: "dataset" }));
  const repoDir = path.join(e.HF_HUB_CACHE as string, "datasets--Anthropic--hh-rlhf");
  assert.equal(p, path.join(repoDir, "snapshots", DATA_SHA, "harmless-base", "test.jsonl.gz"));
  assert.equal(gunzipSync(readFileSync(p)).toString(), jsonl);
  assert.ok(existsSync(path.join(repoDir, "blobs", lfsEtag(testGz))));
  const mine = hub.requests.slice(before);
  assert.ok(mine.some((r) => r.url === "/datasets/Anthropic/hh-rlhf/resolve/main/harmless-base/test.jsonl.gz"), JSON.stringify(mine));
  assert.ok(mine.every((r) => r.authorization === "Bearer hf_abc"));
  const cdn = hub.cdnRequests.find((r) => r.url === `/blob/${lfsEtag(testGz)}`);
  assert.ok(cdn, "the bytes come from the CDN origin");
  assert.equal(cdn.authorization, undefined, "the token must not leave the endpoint's origin");
});

test("the token comes from <HF_HOME>/token when HF_TOKEN is unset; a private repo needs it", async () => {
  const e = env();
  await rejectsHub(hubDownload("org/private", "config.json", opts(e)), /org\/private.*access denied \(HTTP 401/, /HF_TOKEN/);
  mkdirSync(e.HF_HOME as string, { recursive: true });
  writeFileSync(path.join(e.HF_HOME as string, "token"), "hf_secret\n");
  const p = await hubDownload("org/private", "config.json", opts(e));
  assert.deepEqual(readFileSync(p), config);
  assert.equal(hub.requests.at(-1)?.authorization, "Bearer hf_secret");
  await rejectsHub(hubDownload("org/private", "config.json", opts(env({ HF_TOKEN: "hf_wrong" }))), /HTTP 401/, /token .* was refused/);
});

test("HF_HUB_OFFLINE: served from the cache, or a clear error naming what is missing", async () => {
  const e = env();
  const p = await hubDownload("org/tiny-gpt2", "config.json", opts(e));
  const seen = hub.requests.length;
  const off = { ...e, HF_HUB_OFFLINE: "1" };
  assert.equal(await hubDownload("org/tiny-gpt2", "config.json", opts(off)), p);
  await rejectsHub(hubDownload("org/tiny-gpt2", "model.safetensors", opts(off)), /HF_HUB_OFFLINE is set and file "model.safetensors" of model org\/tiny-gpt2/);
  await rejectsHub(hubDownload("org/other", "config.json", opts(off)), /no ref for "main"/, /unset HF_HUB_OFFLINE/);
  await rejectsHub(hubListFiles("org/other", opts(off)), /HF_HUB_OFFLINE is set/);
  assert.deepEqual(await hubListFiles("org/tiny-gpt2", opts(off)), ["config.json"]);
  assert.equal(hub.requests.length, seen, "offline must not touch the server");
});

test("404s say whether the repo or the file is missing, with or without X-Error-Code", async () => {
  await rejectsHub(hubDownload("org/nope", "config.json", opts(env())), new RegExp(`^org/nope not found on ${hub.url}$`));
  await rejectsHub(hubDownload("org/tiny-gpt2", "missing.json", opts(env())), /^file "missing.json" not in model org\/tiny-gpt2 at revision main/);
  await rejectsHub(hubDownload("org/tiny-gpt2", "config.json", opts(env(), { revision: "v9" })), /revision "v9" not found/);
  await rejectsHub(hubListFiles("Anthropic/hh-rlhf", opts(env())), /Anthropic\/hh-rlhf not found/, /repo type "dataset"/);
  const bare = await FakeHub.start(REPOS, { errorCodes: false });
  try {
    const e = env({ HF_ENDPOINT: bare.url });
    await rejectsHub(hubDownload("org/nope", "config.json", opts(e)), /^org\/nope not found on/);
    await rejectsHub(hubDownload("org/tiny-gpt2", "missing.json", opts(e)), /^file "missing.json" not in model/);
  } finally {
    await bare.close();
  }
});

test("listing follows the Link header across pages and returns files only", async () => {
  const before = hub.requests.length;
  const files = await hubListFiles("Anthropic/hh-rlhf", opts(env(), { repoType: "dataset" }));
  assert.deepEqual(files, ["README.md", "harmless-base/test.jsonl.gz", "harmless-base/train.jsonl.gz"]);
  const pages = hub.requests.slice(before).filter((r) => r.url.startsWith("/api/datasets/Anthropic/hh-rlhf/tree/main"));
  assert.equal(pages.length, 2, "4 entries at 2 per page");
});

test("snapshot downloads the allowed files once and returns the snapshot folder", async () => {
  const e = env();
  const allow = (p: string): boolean => p.endsWith(".json");
  const dir = await hubSnapshot("org/tiny-gpt2", opts(e, { allow }));
  assert.equal(dir, path.join(e.HF_HUB_CACHE as string, "models--org--tiny-gpt2", "snapshots", MODEL_SHA));
  assert.deepEqual(readFileSync(path.join(dir, "config.json")), config);
  assert.ok(existsSync(path.join(dir, "tokenizer", "vocab.json")));
  assert.ok(!existsSync(path.join(dir, "model.safetensors")));
  const before = hub.requests.length;
  assert.equal(await hubSnapshot("org/tiny-gpt2", opts(e, { allow })), dir);
  assert.ok(hub.requests.slice(before).every((r) => r.url.startsWith("/api/")), "nothing downloaded twice");
  assert.equal(await hubSnapshot("org/tiny-gpt2", opts({ ...e, HF_HUB_OFFLINE: "true" })), dir);
});

test("a relative redirect (renamed repo) is followed", async () => {
  const p = await hubDownload("old-org/tiny-gpt2", "config.json", opts(env()));
  assert.deepEqual(readFileSync(p), config);
  assert.match(p, /models--old-org--tiny-gpt2/);
});

test("paths that would leave the snapshot folder are refused before any request", async () => {
  const seen = hub.requests.length;
  for (const f of ["../escape.json", "a/../../b", "/abs.json", "a//b"])
    await rejectsHub(hubDownload("org/tiny-gpt2", f, opts(env())), /is not a repo-relative file path/);
  assert.equal(hub.requests.length, seen);
});

test("an unreachable endpoint is a HubError that suggests HF_HUB_OFFLINE", async () => {
  const s = http.createServer();
  await new Promise<void>((ok) => s.listen(0, "127.0.0.1", ok));
  const port = (s.address() as AddressInfo).port;
  await new Promise((ok) => s.close(ok));
  await rejectsHub(hubDownload("org/tiny-gpt2", "config.json", opts(env({ HF_ENDPOINT: `http://127.0.0.1:${port}` }))),
    /cannot reach http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/, /HF_HUB_OFFLINE=1/);
});
