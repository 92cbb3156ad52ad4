// Builds the report as data (ReportDoc): a title, the answer sentence first, then the sections. html.ts and
// markdown.ts render the same ReportDoc, so both files always say the same thing.
import path from "node:path";
import { figureCell, type Block, type Cell, type ReportDoc, type RunView, type Section } from "./blocks.js";
import type { RunRecord } from "./collect.js";
import { curveSection } from "./doc-curves.js";
import { evalsSection } from "./doc-evals.js";
import { timesSection } from "./doc-times.js";
import { headline } from "./findings.js";
import { fmtBytes, fmtCompact, fmtDuration, fmtInt, fmtNum, fmtPct, joinNames } from "./format.js";
import { modelColor } from "./svg.js";
import { summarize, type ModelSummary } from "./summary.js";

export type { Block, Cell, ReportDoc, RunView, Section } from "./blocks.js";

export interface DocOptions {
  readonly title?: string;
  /** TensorBoard-style EMA weight for the smoothed loss curves (default 0.6). */
  readonly smoothing?: number;
}

export function buildDoc(runs: readonly RunRecord[], opts: DocOptions = {}): ReportDoc {
  const views: RunView[] = runs.map((run, i) => ({ run, summary: summarize(run), color: modelColor(i) }));
  const names = views.map((v) => v.run.name);
  const models = views.map((v) => v.summary);
  return {
    title: opts.title ?? `Reward model comparison: ${joinNames(names)}`,
    subtitle: `Built by rewardlab report from ${runs.length} run folder${runs.length === 1 ? "" : "s"}: ${runs.map((r) => r.dir).join(", ")}`,
    answer: headline(models),
    models: views.map((v) => ({ name: v.run.name, color: v.color })),
    sections: [
      curveSection(views, opts.smoothing ?? 0.6),
      resultsSection(views),
      ...[evalsSection(views)].filter((s): s is Section => s !== null),
      timesSection(views),
      detailsSection(views),
    ],
  };
}

type Row = [label: string, field: keyof ModelSummary, format: (v: number) => string];

const RESULT_ROWS: readonly Row[] = [
  ["parameters, total", "params_total", fmtCompact],
  ["parameters, trainable", "params_trainable", fmtCompact],
  ["steps", "steps", fmtInt],
  ["pairs seen", "pairs_seen", fmtInt],
  ["tokens seen", "tokens_seen", fmtInt],
  ["wall time", "wall_seconds", fmtDuration],
  ["pairs / s", "pairs_per_second", (v) => fmtNum(v)],
  ["tokens / s", "tokens_per_second", (v) => fmtNum(v)],
  ["final eval loss", "final_eval_loss", (v) => fmtNum(v, 4)],
  ["best eval loss", "best_eval_loss", (v) => fmtNum(v, 4)],
  ["final eval accuracy", "final_eval_accuracy", (v) => fmtPct(v)],
  ["best eval accuracy", "best_eval_accuracy", (v) => fmtPct(v)],
  ["length baseline: longer wins", "length_baseline_longer", (v) => fmtPct(v)],
  ["length baseline: shorter wins", "length_baseline_shorter", (v) => fmtPct(v)],
  ["eval pairs", "eval_pairs", fmtInt],
  ["peak memory (RSS)", "peak_rss_bytes", fmtBytes],
];

function resultsSection(views: readonly RunView[]): Section {
  const head: Cell[] = [{ text: "" }, ...views.map((v) => ({ text: v.run.name, model: v.run.name }))];
  const rows = RESULT_ROWS.map(([label, field, fmt]) => [{ text: label, header: true }, ...views.map((v) => figureCell(v.summary, field, fmt))]);
  const blocks: Block[] = [{ kind: "table", id: "results", head, rows }];
  const hf = views.filter((v) => v.run.kind === "hf").map((v) => v.run.name);
  if (hf.length > 0) {
    blocks.push({ kind: "note", text: `${joinNames(hf)} ${hf.length > 1 ? "are Hugging Face output folders" : "is a Hugging Face output folder"} (trainer_state.json only): parameter counts, pairs and tokens seen, length baselines and peak memory are not recorded there.` });
  }
  return { id: "results", title: "Results by model", blocks };
}

function detailsSection(views: readonly RunView[]): Section {
  const blocks: Block[] = [];
  for (const v of views) {
    const r = v.run;
    const files = [r.info?.file, r.curvesFrom, r.trainerState?.file].filter((f, i, a): f is string => f !== undefined && a.indexOf(f) === i)
      .map((f) => path.relative(r.dir, f));
    const rows: Cell[][] = [
      [{ text: "source", header: true }, { text: r.kind === "hf" ? "Hugging Face Trainer output folder" : "rewardlab run folder" }],
      [{ text: "model_type", header: true }, { text: r.modelType ?? String(r.info?.config?.["model_type"] ?? "not recorded") }],
      ...Object.entries(r.info?.config ?? {}).filter(([k]) => k !== "model_type").map(([k, x]): Cell[] => [{ text: k, header: true }, { text: String(x) }]),
      [{ text: "folder", header: true }, { text: r.dir }],
      [{ text: "files read", header: true }, { text: files.join(", ") }],
    ];
    blocks.push({ kind: "table", id: `details-${r.name}`, head: [{ text: r.name, model: r.name }, { text: "" }], rows });
  }
  blocks.push({ kind: "note", text: "Every number in this report is read from a file listed above (run.json, metrics.jsonl or trainer_state.json), or computed from such numbers (ratios, shares, smoothing)." });
  return { id: "details", title: "Model details and sources", blocks };
}
