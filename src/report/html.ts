// ReportDoc → one self-contained HTML file: inline CSS and inline SVG charts, no scripts, fonts or other requests,
// so it opens offline and prints cleanly. Table cells carry data-model / data-field / data-value with the raw number.
import type { Block, Cell, ReportDoc } from "./blocks.js";
import { esc } from "./svg.js";

const CSS = `
:root { --ink: #1f2937; --muted: #6b7280; --line: #e5e7eb; --soft: #f9fafb; --accent: #4e79a7; }
* { box-sizing: border-box; }
body { margin: 0; background: #f3f4f6; color: var(--ink);
  font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 980px; margin: 0 auto; padding: 32px 28px 56px; background: #fff; min-height: 100vh; }
header h1 { font-size: 26px; line-height: 1.25; margin: 0 0 6px; letter-spacing: -0.01em; }
header .subtitle { color: var(--muted); font-size: 13px; margin: 0 0 20px; word-break: break-word; }
.answer { border-left: 4px solid var(--accent); background: #eef3f9; padding: 14px 18px; margin: 0 0 18px;
  font-size: 17px; border-radius: 0 6px 6px 0; }
.answer strong { display: block; font-size: 12px; text-transform: uppercase; letter-spacing: 0.06em; color: var(--accent); margin-bottom: 4px; }
.models { display: flex; flex-wrap: wrap; gap: 8px 18px; margin: 0 0 10px; font-size: 14px; }
.chip { display: inline-block; width: 11px; height: 11px; border-radius: 2px; margin-right: 6px; vertical-align: -1px; }
nav { font-size: 13px; color: var(--muted); margin: 0 0 8px; }
nav a { color: var(--accent); text-decoration: none; margin-right: 14px; }
section { margin-top: 34px; }
h2 { font-size: 20px; margin: 0 0 12px; padding-bottom: 6px; border-bottom: 1px solid var(--line); }
p { margin: 0 0 12px; }
p.note { color: var(--muted); font-size: 13px; }
figure { margin: 14px 0 22px; }
figure svg { width: 100%; height: auto; display: block; border: 1px solid var(--line); border-radius: 6px; }
figcaption { color: var(--muted); font-size: 13px; margin-top: 6px; }
table { border-collapse: collapse; margin: 8px 0 18px; font-size: 14px; min-width: 50%; }
th, td { padding: 6px 12px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
thead th { background: var(--soft); font-weight: 600; border-bottom: 2px solid var(--line); white-space: nowrap; }
tbody th { font-weight: 500; color: #374151; white-space: nowrap; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.missing { color: #9ca3af; font-style: italic; text-align: right; }
tbody tr:nth-child(even) { background: #fcfcfd; }
caption { caption-side: bottom; text-align: left; color: var(--muted); font-size: 13px; padding-top: 6px; }
#details { display: flex; flex-wrap: wrap; gap: 0 28px; align-items: flex-start; }
#details h2, #details p { flex-basis: 100%; }
#details table { min-width: 0; max-width: 100%; }
@media print { body { background: #fff; } main { padding: 0; } section { break-inside: avoid-page; } }
`;

export function renderHtml(doc: ReportDoc): string {
  const colors = new Map(doc.models.map((m) => [m.name, m.color]));
  const chip = (name: string): string => {
    const c = colors.get(name);
    return c ? `<span class="chip" style="background:${c}"></span>` : "";
  };
  const body = doc.sections.map((s) => [
    `<section id="${esc(s.id)}">`,
    `<h2>${esc(s.title)}</h2>`,
    ...s.blocks.map((b) => block(b, chip)),
    `</section>`,
  ].join("\n"));
  return [
    "<!DOCTYPE html>",
    `<html lang="en">`,
    "<head>",
    `<meta charset="utf-8">`,
    `<meta name="viewport" content="width=device-width, initial-scale=1">`,
    `<title>${esc(doc.title)}</title>`,
    `<style>${CSS}</style>`,
    "</head>",
    "<body>",
    "<main>",
    "<header>",
    `<h1>${esc(doc.title)}</h1>`,
    `<p class="subtitle">${esc(doc.subtitle)}</p>`,
    `<div class="answer" id="answer"><strong>Answer</strong>${esc(doc.answer)}</div>`,
    `<div class="models">${doc.models.map((m) => `<span>${chip(m.name)}${esc(m.name)}</span>`).join("")}</div>`,
    `<nav>${doc.sections.map((s) => `<a href="#${esc(s.id)}">${esc(s.title)}</a>`).join("")}</nav>`,
    "</header>",
    ...body,
    "</main>",
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

function block(b: Block, chip: (name: string) => string): string {
  switch (b.kind) {
    case "p":
      return `<p>${esc(b.text)}</p>`;
    case "note":
      return `<p class="note">${esc(b.text)}</p>`;
    case "list":
      return `<ul>${b.items.map((i) => `<li>${esc(i)}</li>`).join("")}</ul>`;
    case "chart":
      return [`<figure data-chart="${esc(b.id)}">`, b.svg, b.caption ? `<figcaption>${esc(b.caption)}</figcaption>` : "", `</figure>`].join("\n");
    case "table": {
      const head = `<thead><tr>${b.head.map((c) => `<th>${c.model ? chip(c.model) : ""}${esc(c.text)}</th>`).join("")}</tr></thead>`;
      const rows = b.rows.map((r) => `<tr>${r.map(cell).join("")}</tr>`).join("\n");
      const caption = b.caption ? `<caption>${esc(b.caption)}</caption>` : "";
      return `<table data-table="${esc(b.id)}">${caption}${head}\n<tbody>\n${rows}\n</tbody></table>`;
    }
  }
}

function cell(c: Cell): string {
  if (c.header) return `<th scope="row">${esc(c.text)}</th>`;
  const attrs = [
    c.model !== undefined ? ` data-model="${esc(c.model)}"` : "",
    c.field !== undefined ? ` data-field="${esc(c.field)}"` : "",
    c.value !== undefined ? ` data-value="${c.value}"` : "",
  ].join("");
  const cls = c.value !== undefined ? ` class="num"` : c.text === "not recorded" ? ` class="missing"` : "";
  return `<td${cls}${attrs}>${esc(c.text)}</td>`;
}
