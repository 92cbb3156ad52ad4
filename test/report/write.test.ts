import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { collectRuns, writeReport } from "../../src/report/index.js";
import { GPT2, OPT, readJson, tempDir, TRL } from "./fixtures.js";

test("writeReport writes report.html, report.md, charts/*.svg and summary.json, and nothing else", () => {
  const out = tempDir("write");
  const { files, doc } = writeReport(collectRuns([GPT2, OPT, TRL]), out, { title: "GPT-2 vs OPT" });
  const charts = readdirSync(path.join(out, "charts")).sort();
  assert.deepEqual(charts, ["eval-accuracy.svg", "eval-loss.svg", "flops-by-kind.svg", "time-by-kind.svg", "train-loss-by-step.svg", "train-loss-by-time.svg"]);
  assert.deepEqual(readdirSync(out).sort(), ["charts", "report.html", "report.md", "summary.json"], "no temp files left behind");
  assert.equal(files.length, 9);
  assert.equal(doc.title, "GPT-2 vs OPT");

  const md = readFileSync(path.join(out, "report.md"), "utf8");
  const links = [...md.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1] ?? "");
  assert.equal(links.length, charts.length);
  for (const l of links) assert.ok(existsSync(path.join(out, l)), `report.md links ${l}`);
  assert.match(md, /^# GPT-2 vs OPT\n/);
  assert.ok(md.indexOf("**Answer:**") < md.indexOf("## "), "the answer comes before the first section");

  const html = readFileSync(path.join(out, "report.html"), "utf8");
  assert.ok(!/<script|<link|@import|url\(|src=/i.test(html), "report.html loads nothing");
  assert.equal((html.match(/<svg /g) ?? []).length, charts.length);
  assert.ok(html.includes(doc.answer.replace(/&/g, "&amp;")), "the answer sentence is in the HTML");
  // Same content: every table row label and the answer appear in both renderings.
  for (const s of doc.sections) assert.ok(md.includes(`## ${s.title}`) && html.includes(`<h2>${s.title}</h2>`), s.title);

  const summary = readJson(path.join(out, "summary.json")) as { models: Record<string, unknown>[] };
  assert.deepEqual(summary.models.map((m) => m["name"]), ["gpt2-small", "opt-small", "trl-gpt2"]);
  assert.equal(summary.models[1]?.["flops_per_token"], 1092750336);
  assert.equal(summary.models[2]?.["wall_seconds"], 1998.3);
});

test("a report of Hugging Face runs only says what is missing instead of drawing empty charts", () => {
  const out = tempDir("write-hf");
  writeReport(collectRuns([TRL]), out);
  const md = readFileSync(path.join(out, "report.md"), "utf8");
  assert.match(md, /Training loss by wall-clock time: wall-clock time per log line not recorded by any run\./);
  assert.match(md, /FLOPs per token by layer kind not recorded for trl-gpt2/);
  assert.match(md, /Only one run \(trl-gpt2\); there is no time gap to explain\./);
  assert.deepEqual(readdirSync(path.join(out, "charts")).sort(), ["eval-accuracy.svg", "eval-loss.svg", "train-loss-by-step.svg"]);
});
