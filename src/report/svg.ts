// SVG building blocks shared by the chart builders: escaping, "nice" ticks, a linear scale, the frame (title, axes,
// grid, legend). Every chart is a standalone SVG document with presentation attributes only, so the same string
// works inline in report.html and as charts/*.svg next to report.md.

export const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif";
export const INK = "#1f2937";
export const MUTED = "#6b7280";
export const GRID = "#e5e7eb";

/** One colour per model, in run order (Tableau 10, colour-blind friendly enough and distinct in print). */
export const MODEL_COLORS = ["#4e79a7", "#e15759", "#59a14f", "#f28e2b", "#b07aa1", "#76b7b2", "#edc948", "#9c755f", "#ff9da7", "#bab0ac"];

export function modelColor(i: number): string {
  return MODEL_COLORS[i % MODEL_COLORS.length] as string;
}

export function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

/** Rounds a coordinate to 0.1 px so paths stay short. */
export function px(v: number): string {
  return String(Math.round(v * 10) / 10);
}

/** About `count` round tick values (1, 2, 5 × 10^k steps) covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag);
  return ticksWithStep(lo, hi, step);
}

/** Round tick values for durations in seconds: steps of 1/2/5/10/15/30 s, 1/2/5/10/15/30 min, 1/2/... h. */
export function durationTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const steps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];
  const raw = (hi - lo) / count;
  const step = steps.find((s) => s >= raw) ?? Math.ceil(raw / 86400) * 86400;
  return raw < 1 ? niceTicks(lo, hi, count) : ticksWithStep(lo, hi, step);
}

function ticksWithStep(lo: number, hi: number, step: number): number[] {
  const out: number[] = [];
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) out.push(Number((k * step).toPrecision(12)));
  return out;
}

/**
 * Expands [lo, hi] outward to the enclosing tick values, so the data never touches the frame edge unlabelled.
 * Returns the domain and its ticks (the same step the data range chose, so the frame's ends are labelled).
 */
export function niceDomain(lo: number, hi: number, ticks: (lo: number, hi: number) => number[]): { domain: [number, number]; ticks: number[] } {
  // a range of a few ulps (one point plotted twice, e.g. a 1-step run's train and eval loss) is one value: its ticks
  // would be steps of 1e-17 at k ≈ 1e17, where k * step no longer moves and the tick loop never ends
  if (hi - lo <= 1e-9 * Math.max(Math.abs(lo), Math.abs(hi))) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    return { domain: [lo - pad, hi + pad], ticks: ticks(lo - pad, hi + pad) };
  }
  const t = ticks(lo, hi);
  const step = t.length > 1 ? (t[1] as number) - (t[0] as number) : hi - lo;
  const d0 = Math.floor(lo / step + 1e-9) * step;
  const d1 = Math.ceil(hi / step - 1e-9) * step;
  return { domain: [d0, d1], ticks: ticksWithStep(d0, d1, step) };
}

export interface Scale {
  (v: number): number;
}

export function linear(d0: number, d1: number, r0: number, r1: number): Scale {
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  return (v: number) => r0 + (v - d0) * k;
}

export interface LegendItem {
  readonly label: string;
  readonly color: string;
  /** "line" draws a stroke sample, "box" a filled square, "dash" a dashed stroke. */
  readonly swatch: "line" | "box" | "dash";
}

/** A horizontal legend that wraps onto more rows; returns the markup and the height it takes. */
export function legend(items: readonly LegendItem[], x: number, y: number, maxWidth: number): { svg: string; height: number } {
  const parts: string[] = [];
  let cx = x;
  let cy = y;
  for (const it of items) {
    const w = 26 + it.label.length * 6.6 + 18;
    if (cx + w > x + maxWidth && cx > x) {
      cx = x;
      cy += 18;
    }
    const sw = it.swatch === "box"
      ? `<rect x="${px(cx)}" y="${px(cy - 5)}" width="12" height="10" rx="2" fill="${it.color}"/>`
      : `<line x1="${px(cx)}" y1="${px(cy)}" x2="${px(cx + 20)}" y2="${px(cy)}" stroke="${it.color}" stroke-width="${it.swatch === "dash" ? 1.5 : 3}"${it.swatch === "dash" ? ' stroke-dasharray="5 4"' : ""}/>`;
    const tx = cx + (it.swatch === "box" ? 18 : 26);
    parts.push(`<g class="legend-item">${sw}<text x="${px(tx)}" y="${px(cy + 4)}" font-size="12" fill="${INK}">${esc(it.label)}</text></g>`);
    cx += w;
  }
  return { svg: parts.join(""), height: cy - y + 18 };
}

/** The outer <svg> with a white background, a title and an accessible description. */
export function svgDoc(id: string, width: number, height: number, title: string, body: string): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" data-chart="${esc(id)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" font-family="${esc(FONT)}" role="img" aria-label="${esc(title)}">`,
    `<title>${esc(title)}</title>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="16" y="24" font-size="15" font-weight="600" fill="${INK}">${esc(title)}</text>`,
    body,
    `</svg>`,
  ].join("\n");
}

export interface AxisSpec {
  readonly ticks: readonly number[];
  readonly format: (v: number) => string;
  readonly label: string;
}

/** Grid lines, axis lines, tick labels and axis titles for a plot area [x0, x1] × [y0, y1] (y0 is the top). */
export function axes(x0: number, x1: number, y0: number, y1: number, sx: Scale, sy: Scale, xa: AxisSpec, ya: AxisSpec): string {
  const out: string[] = [];
  for (const t of ya.ticks) {
    const y = sy(t);
    out.push(`<line x1="${px(x0)}" y1="${px(y)}" x2="${px(x1)}" y2="${px(y)}" stroke="${GRID}" stroke-width="1"/>`);
    out.push(`<text x="${px(x0 - 8)}" y="${px(y + 4)}" font-size="11" fill="${MUTED}" text-anchor="end">${esc(ya.format(t))}</text>`);
  }
  for (const t of xa.ticks) {
    const x = sx(t);
    out.push(`<line x1="${px(x)}" y1="${px(y1)}" x2="${px(x)}" y2="${px(y1 + 5)}" stroke="${MUTED}" stroke-width="1"/>`);
    out.push(`<text x="${px(x)}" y="${px(y1 + 18)}" font-size="11" fill="${MUTED}" text-anchor="middle">${esc(xa.format(t))}</text>`);
  }
  out.push(`<line x1="${px(x0)}" y1="${px(y1)}" x2="${px(x1)}" y2="${px(y1)}" stroke="${MUTED}" stroke-width="1"/>`);
  out.push(`<line x1="${px(x0)}" y1="${px(y0)}" x2="${px(x0)}" y2="${px(y1)}" stroke="${MUTED}" stroke-width="1"/>`);
  out.push(`<text x="${px((x0 + x1) / 2)}" y="${px(y1 + 38)}" font-size="12" fill="${INK}" text-anchor="middle">${esc(xa.label)}</text>`);
  const my = (y0 + y1) / 2;
  out.push(`<text x="16" y="${px(my)}" font-size="12" fill="${INK}" text-anchor="middle" transform="rotate(-90 16 ${px(my)})">${esc(ya.label)}</text>`);
  return out.join("\n");
}
