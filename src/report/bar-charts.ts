// Horizontal bar charts as plain SVG strings: grouped bars (one bar per model within each category, e.g. FLOPs per
// token by layer kind) and stacked bars (one bar per model split into parts, e.g. time by op kind). Each bar is a
// <rect class="bar" data-model=… data-kind=… data-value=…>, so tests can count marks and read values back.
import { fmtNum } from "./format.js";
import { axes, esc, INK, legend, linear, niceDomain, niceTicks, px, svgDoc, type LegendItem } from "./svg.js";

/** Colours for parts of a stacked bar (op kinds); distinct from nothing in particular, readable on white. */
const PART_COLORS = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#b07aa1", "#76b7b2", "#9c755f", "#bab0ac", "#edc948", "#ff9da7"];

export function partColor(i: number): string {
  return PART_COLORS[i % PART_COLORS.length] as string;
}

export interface BarGroupSpec {
  readonly id: string;
  readonly title: string;
  readonly xLabel: string;
  /** One group per category; within it, one bar per model (undefined = not recorded, drawn as nothing). */
  readonly categories: readonly string[];
  readonly models: readonly { readonly name: string; readonly color: string; readonly values: readonly (number | undefined)[] }[];
  readonly format?: (v: number) => string;
  readonly width?: number;
}

export function groupedBarChart(spec: BarGroupSpec): string {
  const width = spec.width ?? 760;
  const fmt = spec.format ?? ((v: number) => fmtNum(v));
  const lg = legend(spec.models.map((m): LegendItem => ({ label: m.name, color: m.color, swatch: "box" })), 16, 46, width - 32);
  const top = 46 + lg.height + 6;
  const barH = 14;
  const groupH = spec.models.length * (barH + 3) + 14;
  const height = top + spec.categories.length * groupH + 58;
  const [x0, x1, y1] = [150, width - 90, top + spec.categories.length * groupH];
  const all = spec.models.flatMap((m) => m.values.filter((v): v is number => v !== undefined));
  const xd = niceDomain(0, Math.max(0, ...all), (a, b) => niceTicks(a, b, 5));
  const dmax = xd.domain[1];
  const sx = linear(0, dmax, x0, x1);
  const sy = linear(0, 1, top, y1);
  const out: string[] = [lg.svg, axes(x0, x1, top, y1, sx, sy, { ticks: xd.ticks, format: fmt, label: spec.xLabel },
    { ticks: [], format: fmt, label: "" })];
  spec.categories.forEach((cat, ci) => {
    const gy = top + ci * groupH + 7;
    out.push(`<text x="${px(x0 - 8)}" y="${px(gy + (groupH - 14) / 2 + 4)}" font-size="12" fill="${INK}" text-anchor="end">${esc(cat)}</text>`);
    spec.models.forEach((m, mi) => {
      const v = m.values[ci];
      if (v === undefined) return;
      const y = gy + mi * (barH + 3);
      const w = Math.max(sx(v) - x0, v > 0 ? 1 : 0);
      out.push(`<rect class="bar" data-model="${esc(m.name)}" data-kind="${esc(cat)}" data-value="${v}" x="${px(x0)}" y="${px(y)}" width="${px(w)}" height="${barH}" rx="2" fill="${m.color}"><title>${esc(`${m.name} · ${cat}: ${fmt(v)}`)}</title></rect>`);
      out.push(`<text x="${px(x0 + w + 4)}" y="${px(y + barH - 3)}" font-size="11" fill="${INK}">${esc(fmt(v))}</text>`);
    });
  });
  return svgDoc(spec.id, width, height, spec.title, out.join("\n"));
}

export interface StackedBarSpec {
  readonly id: string;
  readonly title: string;
  readonly xLabel: string;
  readonly parts: readonly string[];
  /** One bar per model; values[i] is the size of parts[i] (undefined = not recorded). */
  readonly bars: readonly { readonly name: string; readonly values: readonly (number | undefined)[] }[];
  readonly format?: (v: number) => string;
  readonly width?: number;
}

export function stackedBarChart(spec: StackedBarSpec): string {
  const width = spec.width ?? 760;
  const fmt = spec.format ?? ((v: number) => fmtNum(v));
  const lg = legend(spec.parts.map((p, i): LegendItem => ({ label: p, color: partColor(i), swatch: "box" })), 16, 46, width - 32);
  const top = 46 + lg.height + 6;
  const rowH = 34;
  const height = top + spec.bars.length * rowH + 62;
  const [x0, x1, y1] = [150, width - 90, top + spec.bars.length * rowH + 6];
  const totals = spec.bars.map((b) => b.values.reduce<number>((s, v) => s + (v ?? 0), 0));
  const xd = niceDomain(0, Math.max(0, ...totals), (a, b) => niceTicks(a, b, 5));
  const dmax = xd.domain[1];
  const sx = linear(0, dmax, x0, x1);
  const sy = linear(0, 1, top, y1);
  const out: string[] = [lg.svg, axes(x0, x1, top, y1, sx, sy, { ticks: xd.ticks, format: fmt, label: spec.xLabel },
    { ticks: [], format: fmt, label: "" })];
  spec.bars.forEach((b, bi) => {
    const y = top + 6 + bi * rowH;
    out.push(`<text x="${px(x0 - 8)}" y="${px(y + 15)}" font-size="12" fill="${INK}" text-anchor="end">${esc(b.name)}</text>`);
    let acc = 0;
    b.values.forEach((v, pi) => {
      if (v === undefined || v <= 0) return;
      const part = spec.parts[pi] ?? "";
      const xa = sx(acc);
      const xb = sx(acc + v);
      acc += v;
      out.push(`<rect class="bar" data-model="${esc(b.name)}" data-kind="${esc(part)}" data-value="${v}" x="${px(xa)}" y="${px(y)}" width="${px(Math.max(xb - xa, 0.5))}" height="22" fill="${partColor(pi)}" stroke="#ffffff" stroke-width="0.5"><title>${esc(`${b.name} · ${part}: ${fmt(v)}`)}</title></rect>`);
    });
    out.push(`<text x="${px(sx(acc) + 6)}" y="${px(y + 15)}" font-size="11" fill="${INK}">${esc(fmt(acc))}</text>`);
  });
  return svgDoc(spec.id, width, height, spec.title, out.join("\n"));
}
