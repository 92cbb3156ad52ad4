// Line charts as plain SVG strings: training loss (raw thin + smoothed thick) by step or wall-clock time, eval
// curves with markers and dashed reference lines. Every data series is a <path class="series" data-model=…
// data-points=N> whose "d" has exactly N points, and eval points are <circle class="mark">, so tests can count marks.
import { fmtDurationTick, fmtNum } from "./format.js";
import {
  axes, durationTicks, esc, legend, linear, MUTED, niceDomain, niceTicks, px, svgDoc, type LegendItem,
} from "./svg.js";

export type Point = readonly [number, number];

export interface LineSeries {
  readonly model: string;
  readonly color: string;
  readonly points: readonly Point[];
  /** raw: thin and faint; smoothed: thick; line: medium with a marker at each point. */
  readonly style: "raw" | "smoothed" | "line";
}

export interface RefLine {
  readonly y: number;
  readonly label: string;
  readonly color?: string;
}

export interface LineChartSpec {
  readonly id: string;
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  /** "time" gives duration ticks (30s, 2m, 1h) on the x axis. */
  readonly xAxis?: "number" | "time";
  readonly yFormat?: (v: number) => string;
  readonly series: readonly LineSeries[];
  readonly refLines?: readonly RefLine[];
  readonly legend: readonly LegendItem[];
  readonly width?: number;
  readonly height?: number;
}

/** TensorBoard's smoothing: an exponential moving average with its start-up bias removed (weight 0.6 by default). */
export function ema(values: readonly number[], weight = 0.6): number[] {
  let last = 0;
  let n = 0;
  return values.map((v) => {
    last = last * weight + (1 - weight) * v;
    n++;
    return weight === 0 ? v : last / (1 - weight ** n);
  });
}

export function lineChart(spec: LineChartSpec): string {
  const width = spec.width ?? 760;
  const height = spec.height ?? 340;
  const lg = legend(spec.legend, 16, 46, width - 32);
  const top = 46 + lg.height + 6;
  const [x0, x1, y1] = [72, width - 24, height - 52];
  const xs = spec.series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = [...spec.series.flatMap((s) => s.points.map((p) => p[1])), ...(spec.refLines ?? []).map((r) => r.y)];
  const xTicksFn = spec.xAxis === "time" ? durationTicks : niceTicks;
  const xd = niceDomain(Math.min(0, ...xs), Math.max(...xs), (a, b) => xTicksFn(a, b, 6));
  const yd = niceDomain(Math.min(...ys), Math.max(...ys), (a, b) => niceTicks(a, b, 5));
  const [dx0, dx1] = xd.domain;
  const [dy0, dy1] = yd.domain;
  const sx = linear(dx0, dx1, x0, x1);
  const sy = linear(dy0, dy1, y1, top);
  const yFormat = spec.yFormat ?? ((v: number) => fmtNum(v));
  const body = [
    lg.svg,
    axes(x0, x1, top, y1, sx, sy,
      { ticks: xd.ticks, format: spec.xAxis === "time" ? fmtDurationTick : (v) => fmtNum(v, 4), label: spec.xLabel },
      { ticks: yd.ticks, format: yFormat, label: spec.yLabel }),
    ...refLines(spec.refLines ?? [], sy, x0, x1),
    ...spec.series.filter((s) => s.style === "raw").map((s) => seriesPath(s, sx, sy)),
    ...spec.series.filter((s) => s.style !== "raw").map((s) => seriesPath(s, sx, sy)),
  ];
  return svgDoc(spec.id, width, height, spec.title, body.join("\n"));
}

function seriesPath(s: LineSeries, sx: (v: number) => number, sy: (v: number) => number): string {
  const d = s.points.map((p, i) => `${i === 0 ? "M" : "L"}${px(sx(p[0]))} ${px(sy(p[1]))}`).join(" ");
  const stroke = s.style === "raw" ? `stroke-width="1" stroke-opacity="0.35"` : s.style === "smoothed" ? `stroke-width="2.5"` : `stroke-width="2"`;
  const attrs = `class="series" data-model="${esc(s.model)}" data-style="${s.style}" data-points="${s.points.length}"`;
  const path = `<path ${attrs} d="${d}" fill="none" stroke="${s.color}" ${stroke} stroke-linejoin="round" stroke-linecap="round"/>`;
  if (s.style !== "line") return path;
  const marks = s.points.map((p) =>
    `<circle class="mark" data-model="${esc(s.model)}" cx="${px(sx(p[0]))}" cy="${px(sy(p[1]))}" r="3.5" fill="#ffffff" stroke="${s.color}" stroke-width="2"/>`);
  return [path, ...marks].join("\n");
}

/** Dashed lines with a label at the right end: above the line, or below it when the line above is too close. */
function refLines(lines: readonly RefLine[], sy: (v: number) => number, x0: number, x1: number): string[] {
  const sorted = [...lines].sort((a, b) => sy(a.y) - sy(b.y));
  let prevY = -Infinity;
  let prevBelow = false;
  return sorted.map((r) => {
    const y = sy(r.y);
    const below = !prevBelow && y - prevY < 16;
    prevBelow = below;
    prevY = y;
    const color = r.color ?? MUTED;
    return [
      `<line class="ref-line" x1="${px(x0)}" y1="${px(y)}" x2="${px(x1)}" y2="${px(y)}" stroke="${color}" stroke-width="1.5" stroke-dasharray="6 4"/>`,
      `<text x="${px(x1 - 4)}" y="${px(below ? y + 14 : y - 5)}" font-size="11" fill="${color}" text-anchor="end">${esc(r.label)}</text>`,
    ].join("\n");
  });
}

export interface Curve {
  readonly model: string;
  readonly color: string;
  readonly points: readonly Point[];
}

/** Raw (thin) and EMA-smoothed (thick) training loss of every model on one chart. */
export function lossChart(id: string, title: string, curves: readonly Curve[], xLabel: string, xAxis: "number" | "time", smoothing = 0.6): string {
  const series: LineSeries[] = [];
  for (const c of curves) {
    series.push({ model: c.model, color: c.color, points: c.points, style: "raw" });
    const smooth = ema(c.points.map((p) => p[1]), smoothing);
    series.push({ model: c.model, color: c.color, points: c.points.map((p, i) => [p[0], smooth[i] ?? p[1]] as const), style: "smoothed" });
  }
  const items: LegendItem[] = curves.map((c) => ({ label: c.model, color: c.color, swatch: "line" }));
  return lineChart({ id, title, xLabel, yLabel: "training loss", xAxis, series, legend: items });
}

/** Eval curves with a marker per eval, plus dashed reference lines (e.g. the length baselines). */
export function evalChart(id: string, title: string, curves: readonly Curve[], yLabel: string,
  refLines: readonly RefLine[] = [], yFormat?: (v: number) => string): string {
  const series: LineSeries[] = curves.map((c) => ({ model: c.model, color: c.color, points: c.points, style: "line" }));
  const items: LegendItem[] = curves.map((c) => ({ label: c.model, color: c.color, swatch: "line" }));
  if (refLines.length > 0) items.push({ label: "length baselines", color: MUTED, swatch: "dash" });
  return lineChart({ id, title, xLabel: "step", yLabel, series, refLines, legend: items, yFormat });
}
