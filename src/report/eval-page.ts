// Writes an eval folder's page next to its eval.json: eval.html (self-contained), eval.md + charts/eval-*.svg.
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { ReportDoc } from "./blocks.js";
import { buildEvalDoc } from "./eval-doc.js";
import { readEvalFile } from "./eval-file.js";
import { renderHtml } from "./html.js";
import { chartPath, renderMarkdown } from "./markdown.js";
import { atomicWrite } from "./write.js";

export function writeEvalPage(dir: string): { doc: ReportDoc; files: string[] } {
  const doc = buildEvalDoc(readEvalFile(dir));
  mkdirSync(path.join(dir, "charts"), { recursive: true });
  const files: string[] = [];
  const put = (rel: string, text: string): void => {
    atomicWrite(path.join(dir, rel), text);
    files.push(path.join(dir, rel));
  };
  for (const s of doc.sections) {
    for (const b of s.blocks) if (b.kind === "chart") put(chartPath(b.id), `<?xml version="1.0" encoding="UTF-8"?>\n${b.svg}\n`);
  }
  put("eval.md", renderMarkdown(doc));
  put("eval.html", renderHtml(doc));
  return { doc, files };
}
