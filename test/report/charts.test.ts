import { test } from "node:test";
import assert from "node:assert/strict";
import { ema, evalChart, groupedBarChart, lineChart, lossChart, stackedBarChart } from "../../src/report/index.js";
import { durationTicks, niceDomain, niceTicks } from "../../src/report/svg.js";

/** The number of points in each <path class="series"> of an SVG, keyed "model/style". */
function seriesPoints(svg: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of svg.matchAll(/<path class="series" data-model="([^"]*)" data-style="(\w+)" data-points="(\d+)" d="([^"]*)"/g)) {
    const commands = (m[4] ?? "").match(/[ML]/g)?.length ?? 0;
    assert.equal(commands, Number(m[3]), `data-points of ${m[1]}/${m[2]} matches its path`);
    out.set(`${m[1]}/${m[2]}`, commands);
  }
  return out;
}

test("ema matches TensorBoard's debiased smoothing", () => {
  assert.deepEqual(ema([2, 2, 2, 2]), [2, 2, 2, 2]);
  const s = ema([1, 0], 0.6);
  assert.equal(s[0], 1);
  // last = 0.4 after step 1, then 0.24; debias by 1 - 0.6^2 = 0.64
  assert.ok(Math.abs((s[1] ?? NaN) - 0.24 / 0.64) < 1e-12);
  assert.deepEqual(ema([3, 1, 4], 0), [3, 1, 4]);
});

test("loss chart: a raw and a smoothed path per model, each with one point per log line", () => {
  const svg = lossChart("loss", "Training loss", [
    { model: "a", color: "#111", points: [[10, 0.7], [20, 0.65], [30, 0.6]] },
    { model: "b", color: "#222", points: [[10, 0.72], [20, 0.7]] },
  ], "step", "number");
  assert.deepEqual([...seriesPoints(svg).entries()].sort(), [["a/raw", 3], ["a/smoothed", 3], ["b/raw", 2], ["b/smoothed", 2]]);
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.equal((svg.match(/class="legend-item"/g) ?? []).length, 2);
});

test("eval chart: markers per point and dashed reference lines", () => {
  const svg = evalChart("acc", "Eval accuracy", [{ model: "m", color: "#333", points: [[100, 0.55], [200, 0.6]] }], "eval accuracy",
    [{ y: 0.435, label: "longer" }, { y: 0.545, label: "shorter" }]);
  assert.equal(seriesPoints(svg).get("m/line"), 2);
  assert.equal((svg.match(/<circle class="mark"/g) ?? []).length, 2);
  assert.equal((svg.match(/class="ref-line"[^>]*stroke-dasharray/g) ?? []).length, 2);
});

test("points land inside the plot area and keep their order", () => {
  const svg = lineChart({ id: "t", title: "t", xLabel: "x", yLabel: "y", legend: [],
    series: [{ model: "m", color: "#000", style: "line", points: [[0, 1], [5, 3], [10, 2]] }] });
  const d = /data-points="3" d="([^"]*)"/.exec(svg)?.[1] ?? "";
  const pts = [...d.matchAll(/[ML]([\d.]+) ([\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])] as const);
  assert.equal(pts.length, 3);
  assert.ok((pts[0]?.[0] ?? 0) < (pts[1]?.[0] ?? 0) && (pts[1]?.[0] ?? 0) < (pts[2]?.[0] ?? 0), "x increases");
  assert.ok((pts[1]?.[1] ?? 0) < (pts[2]?.[1] ?? 0) && (pts[2]?.[1] ?? 0) < (pts[0]?.[1] ?? 0), "higher y is drawn higher");
  for (const [x, y] of pts) assert.ok(x >= 72 && x <= 736 && y >= 0 && y <= 288, `(${x}, ${y}) inside the frame`);
});

test("model names are escaped in SVG", () => {
  const svg = lossChart("x", "x", [{ model: `a<b>&"c"`, color: "#000", points: [[1, 1]] }], "step", "number");
  assert.ok(!svg.includes("a<b>"));
  assert.ok(svg.includes('data-model="a&lt;b&gt;&amp;&quot;c&quot;"'));
});

test("bar charts: one rect per recorded value", () => {
  const grouped = groupedBarChart({ id: "f", title: "f", xLabel: "x", categories: ["mlp", "head"],
    models: [{ name: "a", color: "#000", values: [5, 1] }, { name: "b", color: "#111", values: [7, undefined] }] });
  assert.equal((grouped.match(/<rect class="bar"/g) ?? []).length, 3);
  assert.match(grouped, /data-model="b" data-kind="mlp" data-value="7"/);
  const stacked = stackedBarChart({ id: "s", title: "s", xLabel: "s", parts: ["matmul", "data", "other"],
    bars: [{ name: "a", values: [3, 1, 0] }, { name: "b", values: [6, undefined, 2] }] });
  assert.equal((stacked.match(/<rect class="bar"/g) ?? []).length, 4);
});

test("ticks are round numbers and durations", () => {
  assert.deepEqual(niceTicks(0, 1000, 5), [0, 200, 400, 600, 800, 1000]);
  assert.deepEqual(niceTicks(0.6, 0.7, 4), [0.6, 0.625, 0.65, 0.675, 0.7]);
  assert.deepEqual(durationTicks(0, 600, 5), [0, 120, 240, 360, 480, 600]);
  assert.deepEqual(durationTicks(0, 10800, 6), [0, 1800, 3600, 5400, 7200, 9000, 10800]);
});

test("a range of a few ulps is one value: the domain pads it instead of looping over 1e-17 ticks (a 1-step run)", () => {
  const lo = 0.8123456789, hi = lo + 2 * Number.EPSILON;
  const { domain, ticks } = niceDomain(lo, hi, niceTicks);
  assert.ok(domain[0] < lo && domain[1] > hi, JSON.stringify(domain));
  assert.ok(ticks.length >= 2 && ticks.length <= 12, JSON.stringify(ticks));
});
