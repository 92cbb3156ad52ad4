// Writes a report folder: report.html (self-contained), report.md + charts/*.svg, summary.json. Each file is written
// to a temporary name in the same folder and renamed into place, so a reader never sees a half-written file.
import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { ReportDoc } from "./blocks.js";
import type { RunRecord } from "./collect.js";
import { buildDoc, type DocOptions } from "./doc.js";
import { renderHtml } from "./html.js";
import { chartPath, renderMarkdown } from "./markdown.js";
import { summarize, summaryJson } from "./summary.js";

export type ReportOptions = DocOptions;

export interface WrittenReport {
  readonly doc: ReportDoc;
  /** Absolute paths of every file written. */
  readonly files: readonly string[];
}

export function writeReport(runs: readonly RunRecord[], outDir: string, opts: ReportOptions = {}): WrittenReport {
  if (runs.length === 0) throw new RangeError("writeReport: runs is empty; collect at least one run folder first");
  const doc = buildDoc(runs, opts);
  const dir = path.resolve(outDir);
  mkdirSync(path.join(dir, "charts"), { recursive: true });
  const files: string[] = [];
  const put = (rel: string, text: string): void => {
    const file = path.join(dir, rel);
    atomicWrite(file, text);
    files.push(file);
  };
  for (const s of doc.sections) {
    for (const b of s.blocks) if (b.kind === "chart") put(chartPath(b.id), `<?xml version="1.0" encoding="UTF-8"?>\n${b.svg}\n`);
  }
  put("summary.json", `${JSON.stringify(summaryJson(runs.map(summarize)), null, 2)}\n`);
  put("report.md", renderMarkdown(doc));
  put("report.html", renderHtml(doc));
  return { doc, files };
}

export function atomicWrite(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}
