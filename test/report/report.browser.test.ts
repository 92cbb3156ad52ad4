// Opens report.html in a real headless Chromium (Debian's /usr/bin/chromium; .ci/run installs it): every chart
// must have rendered marks with a non-empty bounding box, the tables must show the numbers of run.json,
// metrics.jsonl and trainer_state.json, and a full-page screenshot is saved for a person to look at.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import { collectRuns, writeReport } from "../../src/report/index.js";
import { fmtBytes, fmtCompact, fmtDuration, fmtInt, fmtNum, fmtPct } from "../../src/report/format.js";
import { GPT2, OPT, readJson, readJsonl, tempDir, TRL } from "./fixtures.js";

const CHROMIUM = "/usr/bin/chromium";
const INSTALL = "apt-get update && apt-get install -y chromium";
// A newcomer's `npm test` passes without a browser (the test says it was skipped and how to get it); CI installs
// Chromium, so there a missing browser is a failure, not a skip.
const SKIP = !existsSync(CHROMIUM) && !process.env["CI"]
  ? `${CHROMIUM} not found: install it (${INSTALL}) to run the browser test; with CI set it fails instead`
  : false;
if (SKIP) console.error(`skipped the report's browser test: ${SKIP}`);
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];

/** run.json field → how the results table prints it. */
const TABLE_FIELDS: Record<string, (v: number) => string> = {
  params_total: fmtCompact, params_trainable: fmtCompact, steps: fmtInt, pairs_seen: fmtInt, tokens_seen: fmtInt,
  wall_seconds: fmtDuration, pairs_per_second: (v) => fmtNum(v), tokens_per_second: (v) => fmtNum(v),
  final_eval_loss: (v) => fmtNum(v, 4), final_eval_accuracy: (v) => fmtPct(v), best_eval_accuracy: (v) => fmtPct(v),
  length_baseline_longer: (v) => fmtPct(v), length_baseline_shorter: (v) => fmtPct(v), eval_pairs: fmtInt, peak_rss_bytes: fmtBytes,
};

test("report.html renders in Chromium: charts have marks, tables show the run files' numbers", { timeout: 120_000, skip: SKIP }, async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing (CI is set, so the browser test must run): ${INSTALL}`);
  const out = tempDir("browser");
  writeReport(collectRuns([GPT2, OPT, TRL]), out);
  const context = await chromium.launchPersistentContext(tempDir("chromium-profile"), {
    executablePath: CHROMIUM, args: ARGS, headless: true, viewport: { width: 1100, height: 900 },
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const requests: string[] = [];
    page.on("request", (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(path.join(out, "report.html")).href);
    assert.deepEqual(requests.filter((u) => !u.startsWith("file://")), [], "the report loads nothing from the network");

    // Every chart: marks (series paths, markers, bars) with a non-empty box.
    const charts = await page.$$eval("svg.chart", (svgs) => svgs.map((svg) => {
      const marks = [...svg.querySelectorAll(".series, .mark, .bar")];
      const drawn = marks.filter((m) => {
        // SVGGraphicsElement.getBBox; the DOM types are not part of this project's lib.
        const b = (m as unknown as { getBBox(): { width: number; height: number } }).getBBox();
        return b.width > 0 || b.height > 0;
      });
      return { id: svg.getAttribute("data-chart") ?? "", marks: marks.length, drawn: drawn.length,
        models: [...new Set(marks.map((m) => m.getAttribute("data-model")))].sort() };
    }));
    assert.deepEqual(charts.map((c) => c.id).sort(),
      ["eval-accuracy", "eval-loss", "flops-by-kind", "time-by-kind", "train-loss-by-step", "train-loss-by-time"]);
    for (const c of charts) {
      assert.ok(c.marks > 0, `${c.id} has marks`);
      assert.equal(c.drawn, c.marks, `${c.id}: every mark has a non-empty bounding box`);
    }
    const byId = new Map(charts.map((c) => [c.id, c]));
    assert.deepEqual(byId.get("train-loss-by-step")?.models, ["gpt2-small", "opt-small", "trl-gpt2"]);
    assert.deepEqual(byId.get("train-loss-by-time")?.models, ["gpt2-small", "opt-small"], "HF runs have no wall clock per step");

    // Series length = log lines in metrics.jsonl.
    const trainLines = readJsonl(path.join(GPT2, "metrics.jsonl")).filter((l) => "loss" in l).length;
    const points = await page.$eval(`svg[data-chart="train-loss-by-step"] path.series[data-model="gpt2-small"][data-style="raw"]`,
      (p) => Number(p.getAttribute("data-points")));
    assert.equal(points, trainLines);

    // Results table: each cell's value and text match run.json (rewardlab) or trainer_state.json (HF).
    const cells = await page.$$eval(`table[data-table="results"] td`, (tds) => tds.map((td) => ({
      model: td.getAttribute("data-model") ?? "", field: td.getAttribute("data-field") ?? "",
      value: td.getAttribute("data-value"), text: td.textContent ?? "" })));
    const cell = (model: string, field: string): { value: string | null; text: string } | undefined =>
      cells.find((c) => c.model === model && c.field === field);
    for (const dir of [GPT2, OPT]) {
      const info = readJson(path.join(dir, "run.json"));
      const name = String(info["name"]);
      for (const [field, fmt] of Object.entries(TABLE_FIELDS)) {
        const want = info[field] as number;
        assert.equal(Number(cell(name, field)?.value), want, `${name} ${field} value`);
        assert.equal(cell(name, field)?.text, fmt(want), `${name} ${field} text`);
      }
      const evalLosses = readJsonl(path.join(dir, "metrics.jsonl")).filter((l) => "eval_loss" in l).map((l) => l["eval_loss"] as number);
      assert.equal(Number(cell(name, "best_eval_loss")?.value), Math.min(...evalLosses), `${name} best eval loss from metrics.jsonl`);
    }
    const state = readJson(path.join(TRL, "trainer_state.json"));
    const history = state["log_history"] as Record<string, number>[];
    const lastEval = history.filter((h) => "eval_loss" in h).at(-1);
    assert.equal(cell("trl-gpt2", "final_eval_accuracy")?.text, fmtPct(lastEval?.["eval_accuracy"] ?? NaN));
    assert.equal(Number(cell("trl-gpt2", "wall_seconds")?.value), history.at(-1)?.["train_runtime"]);
    assert.equal(cell("trl-gpt2", "params_total")?.text, "not recorded");

    // FLOPs table matches run.json's by_kind.
    const flops = (readJson(path.join(OPT, "run.json"))["flops_per_token"] as { by_kind: Record<string, number> }).by_kind;
    for (const [kind, v] of Object.entries(flops)) {
      const got = await page.$eval(`table[data-table="flops"] td[data-model="opt-small"][data-field="flops_per_token.by_kind.${kind}"]`,
        (td) => Number(td.getAttribute("data-value")));
      assert.equal(got, v, kind);
    }

    const answer = await page.textContent("#answer");
    assert.match(answer ?? "", /gpt2-small reached 62\.0% eval accuracy/);

    const shot = path.join(out, "report.png");
    await page.screenshot({ path: shot, fullPage: true });
    assert.ok(existsSync(shot));
    console.log(`screenshot: ${shot}`);
  } finally {
    await context.close();
  }
});
