// ReportDoc → report.md with the same content as report.html; charts are SVG files in charts/ linked relatively.
import type { Block, Cell, ReportDoc } from "./blocks.js";

/** Where a chart's SVG file lives, relative to report.md. */
export function chartPath(id: string): string {
  return `charts/${id}.svg`;
}

export function renderMarkdown(doc: ReportDoc): string {
  const out: string[] = [
    `# ${inline(doc.title)}`,
    "",
    `_${inline(doc.subtitle)}_`,
    "",
    `> **Answer:** ${inline(doc.answer)}`,
    "",
  ];
  for (const s of doc.sections) {
    out.push(`## ${inline(s.title)}`, "");
    for (const b of s.blocks) out.push(block(b), "");
  }
  return out.join("\n");
}

function block(b: Block): string {
  switch (b.kind) {
    case "p":
      return inline(b.text);
    case "note":
      return `_${inline(b.text)}_`;
    case "list":
      return b.items.map((i) => `- ${inline(i)}`).join("\n");
    case "chart":
      return [`![${inline(b.title)}](${chartPath(b.id)})`, b.caption ? `\n_${inline(b.caption)}_` : ""].join("");
    case "table": {
      const head = `| ${b.head.map((c) => cellText(c) || " ").join(" | ")} |`;
      const rule = `| ${b.head.map((_, i) => (i === 0 ? "---" : "---:")).join(" | ")} |`;
      const rows = b.rows.map((r) => `| ${r.map((c) => (c.header ? `**${cellText(c)}**` : cellText(c))).join(" | ")} |`);
      return [head, rule, ...rows, ...(b.caption ? ["", `_${inline(b.caption)}_`] : [])].join("\n");
    }
  }
}

function cellText(c: Cell): string {
  return inline(c.text).replace(/\|/g, "\\|");
}

/** Escapes the characters that would start markdown formatting inside running text. */
function inline(s: string): string {
  return s.replace(/([\\`*_[\]<>])/g, "\\$1");
}
