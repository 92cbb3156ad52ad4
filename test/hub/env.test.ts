// Repo ids, cache and token locations, and progress lines: the pure parts of src/hub.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { hubCacheDir, hubEndpoint, hubOffline, hubToken, looksLikeHubId, repoFolderName } from "../../src/hub/index.js";
import { DownloadProgress } from "../../src/hub/progress.js";

test("looksLikeHubId accepts repo ids and refuses paths and file names", () => {
  for (const s of ["gpt2", "facebook/opt-350m", "Anthropic/hh-rlhf", "Qwen/Qwen2.5-0.5B", "distilbert_base"]) assert.ok(looksLikeHubId(s), s);
  for (const s of ["./x", "/abs", "a/b/c", "x.jsonl", "data/pairs.jsonl.gz", "~/x", "", "a//b", "a/", "-a", "a--b/c", "a..b", "with space"])
    assert.ok(!looksLikeHubId(s), s);
});

test("repo folders are named as huggingface_hub names them", () => {
  assert.equal(repoFolderName("facebook/opt-350m", "model"), "models--facebook--opt-350m");
  assert.equal(repoFolderName("Anthropic/hh-rlhf", "dataset"), "datasets--Anthropic--hh-rlhf");
  assert.equal(repoFolderName("gpt2", "model"), "models--gpt2");
});

test("cache dir: HF_HUB_CACHE, else HF_HOME/hub, else XDG_CACHE_HOME/huggingface/hub, else ~/.cache", () => {
  assert.equal(hubCacheDir({ HF_HUB_CACHE: "/c", HF_HOME: "/h" }), "/c");
  assert.equal(hubCacheDir({ HF_HOME: "/h", XDG_CACHE_HOME: "/x" }), "/h/hub");
  assert.equal(hubCacheDir({ XDG_CACHE_HOME: "/x", HOME: "/home/u" }), "/x/huggingface/hub");
  assert.equal(hubCacheDir({ HOME: "/home/u" }), "/home/u/.cache/huggingface/hub");
  assert.equal(hubCacheDir({ HF_HOME: "~/hf", HOME: "/home/u" }), "/home/u/hf/hub");
});

test("endpoint, offline flag and token", () => {
  assert.equal(hubEndpoint({}), "https://huggingface.co");
  assert.equal(hubEndpoint({ HF_ENDPOINT: "http://mirror/" }), "http://mirror");
  assert.ok(hubOffline({ HF_HUB_OFFLINE: "1" }) && hubOffline({ HF_HUB_OFFLINE: "yes" }));
  assert.ok(!hubOffline({ HF_HUB_OFFLINE: "0" }) && !hubOffline({}));
  const home = mkdtempSync(path.join(os.tmpdir(), "rewardlab-hf-home-"));
  assert.equal(hubToken({ HF_HOME: home }), undefined);
  mkdirSync(home, { recursive: true });
  writeFileSync(path.join(home, "token"), "hf_file\n");
  assert.equal(hubToken({ HF_HOME: home }), "hf_file");
  assert.equal(hubToken({ HF_HOME: home, HF_TOKEN: "hf_env" }), "hf_env");
});

test("progress prints periodic lines off a TTY and a final line", () => {
  const lines: string[] = [];
  let t = 0;
  const p = new DownloadProgress("org/m/model.bin", 4e6, { write: (s: string) => lines.push(s), isTTY: false }, () => t, 2000);
  for (let i = 0; i < 4; i++) {
    t += 1000;
    p.add(1e6);
  }
  p.done();
  assert.deepEqual(lines, [
    "downloading org/m/model.bin (4.0 MB)\n",
    "org/m/model.bin: 2.0 of 4.0 MB (50%), 1.0 MB/s\n",
    "org/m/model.bin: 4.0 of 4.0 MB (100%), 1.0 MB/s\n",
    "org/m/model.bin: 4.0 of 4.0 MB (100%), 1.0 MB/s, done\n",
  ]);
});
