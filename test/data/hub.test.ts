// The hub-id path against a local stand-in for the hub on 127.0.0.1 (HF_ENDPOINT), downloading into a temp HF_HUB_CACHE.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { SkipCounts } from "../../src/data/index.js";
import { FIXTURE, fixtureRecords, readAll, tempDir } from "./helpers.js";

const REPO = "Anthropic/hh-rlhf";
const SHA = "0123456789abcdef0123456789abcdef01234567";

function repoFiles(): Map<string, Buffer> {
  const recs = fixtureRecords();
  const gz = (rs: typeof recs): Buffer => gzipSync(rs.map((r) => JSON.stringify(r)).join("\n") + "\n");
  return new Map([
    ["README.md", Buffer.from("# hh-rlhf\n")],
    ["harmless-base/test.jsonl.gz", gz(recs.slice(30, 32))],
    ["harmless-base/train.jsonl.gz", readFileSync(FIXTURE)],
    ["helpful-base/test.jsonl.gz", gz(recs.slice(32, 33))],
    ["helpful-base/train.jsonl.gz", gz(recs.slice(0, 5))],
  ]);
}

async function fakeHub(files: Map<string, Buffer>, requests: string[]): Promise<Server> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    requests.push(`${req.method} ${url.pathname}`);
    const api = `/api/datasets/${REPO}/`;
    if (url.pathname.startsWith(`${api}tree/`)) {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify([...files].map(([p, b]) => ({ type: "file", path: p, size: b.length }))));
      return;
    }
    if (url.pathname.startsWith(`${api}revision/`)) {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ sha: SHA, siblings: [...files.keys()].map((rfilename) => ({ rfilename })) }));
      return;
    }
    const m = new RegExp(`^/datasets/${REPO}/resolve/([^/]+)/(.+)$`).exec(url.pathname);
    const body = m ? files.get(decodeURIComponent(m[2] as string)) : undefined;
    if (!body) {
      res.statusCode = 404;
      res.end("not found");
      return;
    }
    res.setHeader("x-repo-commit", SHA);
    res.setHeader("etag", `"${createHash("sha256").update(body).digest("hex")}"`);
    res.setHeader("content-length", String(body.length));
    res.end(req.method === "HEAD" ? undefined : body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

test("hub id: lists the repo, downloads the split's files into HF_HUB_CACHE, reads them in path order", async () => {
  const requests: string[] = [];
  const server = await fakeHub(repoFiles(), requests);
  const cache = tempDir();
  process.env.HF_ENDPOINT = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  process.env.HF_HUB_CACHE = cache;
  delete process.env.HF_HUB_OFFLINE;
  try {
    const recs = fixtureRecords();
    const train = await readAll(REPO, { split: "train", skipped: new SkipCounts() });
    assert.equal(train.pairs.length, 45);
    assert.equal(train.files.length, 2);
    assert.ok((train.files[0] as string).endsWith(path.join("harmless-base", "train.jsonl.gz")));
    assert.ok((train.files[0] as string).startsWith(path.join(cache, "datasets--Anthropic--hh-rlhf", "snapshots", SHA)));
    assert.equal(train.pairs[0]?.chosen, recs[0]?.chosen);
    assert.equal(train.pairs[40]?.chosen, recs[0]?.chosen);
    assert.deepEqual(train.pairs[44]?.source, { file: train.files[1], line: 5 });
    assert.ok(!requests.some((r) => r.includes("test.jsonl.gz")), "the test split is not downloaded");
    assert.ok(!requests.some((r) => r.includes("README.md")));
    const test2 = await readAll(REPO, { split: "test", skipped: new SkipCounts() });
    assert.deepEqual(test2.pairs.map((p) => p.chosen), [recs[30]?.chosen, recs[31]?.chosen, recs[32]?.chosen]);
    assert.ok(existsSync(path.join(cache, "datasets--Anthropic--hh-rlhf", "refs", "main")));
  } finally {
    server.close();
  }
});
