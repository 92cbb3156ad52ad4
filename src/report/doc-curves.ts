// The "Training curves" section: training loss by step and by wall-clock time, eval loss and eval accuracy with
// the length baselines. A chart is drawn only when some run recorded its data; missing runs are named in a note.
import { evalChart, lossChart, type Curve, type RefLine } from "./charts.js";
import type { Block, RunView, Section } from "./blocks.js";
import { fmtPct, joinNames } from "./format.js";
import { MUTED } from "./svg.js";

export function curveSection(views: readonly RunView[], smoothing: number): Section {
  const blocks: Block[] = [];
  const smoothNote = `Thin lines are the logged values, thick lines the same values smoothed as TensorBoard does (EMA, weight ${smoothing}).`;

  const byStep = curves(views, (v) => v.run.train.map((p) => [p.step, p.loss] as const));
  addChart(blocks, byStep, "train-loss-by-step", "Training loss by step", "training loss",
    () => lossChart("train-loss-by-step", "Training loss by step", byStep.curves, "step", "number", smoothing), smoothNote);

  const byTime = curves(views, (v) => v.run.train.filter((p) => p.elapsed_seconds !== undefined)
    .map((p) => [p.elapsed_seconds ?? 0, p.loss] as const));
  addChart(blocks, byTime, "train-loss-by-time", "Training loss by wall-clock time", "wall-clock time per log line",
    () => lossChart("train-loss-by-time", "Training loss by wall-clock time", byTime.curves, "wall-clock time since start", "time", smoothing), smoothNote);

  const evalLoss = curves(views, (v) => v.run.eval.map((p) => [p.step, p.eval_loss] as const));
  addChart(blocks, evalLoss, "eval-loss", "Eval loss", "eval loss",
    () => evalChart("eval-loss", "Eval loss by step", evalLoss.curves, "eval loss"));

  const evalAcc = curves(views, (v) => v.run.eval.filter((p) => p.eval_accuracy !== undefined)
    .map((p) => [p.step, p.eval_accuracy ?? 0] as const));
  const refs = baselineLines(views);
  addChart(blocks, evalAcc, "eval-accuracy", "Eval accuracy", "eval accuracy",
    () => evalChart("eval-accuracy", "Eval accuracy by step", evalAcc.curves, "eval accuracy", refs, (v) => fmtPct(v, 0)),
    refs.length > 0 ? "Dashed lines: accuracy of always preferring the longer (or the shorter) answer, on the same eval pairs." : "Length baselines not recorded.");
  return { id: "curves", title: "Training curves", blocks };
}

function curves(views: readonly RunView[], points: (v: RunView) => (readonly [number, number])[]): { curves: Curve[]; missing: string[] } {
  const out: Curve[] = [];
  const missing: string[] = [];
  for (const v of views) {
    const p = points(v);
    if (p.length > 0) out.push({ model: v.run.name, color: v.color, points: p });
    else missing.push(v.run.name);
  }
  return { curves: out, missing };
}

function addChart(blocks: Block[], data: { curves: Curve[]; missing: string[] }, id: string, title: string, what: string,
  render: () => string, caption?: string): void {
  const missing = data.missing.length > 0
    ? ` Not recorded for ${joinNames(data.missing)}${what.startsWith("wall-clock") ? " (a Hugging Face trainer_state.json logs no time per step; only the total train_runtime)" : ""}.`
    : "";
  if (data.curves.length === 0) {
    blocks.push({ kind: "note", text: `${title}: ${what} not recorded by any run.` });
    return;
  }
  blocks.push({ kind: "chart", id, title, svg: render(), caption: `${caption ?? ""}${missing}`.trim() || undefined });
}

/** One dashed line per distinct baseline; per model (in its colour) only when the models' baselines differ. */
function baselineLines(views: readonly RunView[]): RefLine[] {
  const known = views.filter((v) => v.summary.length_baseline_longer !== null || v.summary.length_baseline_shorter !== null);
  const key = (v: RunView): string => `${v.summary.length_baseline_longer}|${v.summary.length_baseline_shorter}`;
  const same = new Set(known.map(key)).size === 1;
  const lines: RefLine[] = [];
  for (const v of same ? known.slice(0, 1) : known) {
    const prefix = same ? "" : `${v.run.name}: `;
    const color = same ? MUTED : v.color;
    const s = v.summary;
    if (s.length_baseline_longer !== null) lines.push({ y: s.length_baseline_longer, label: `${prefix}longer answer wins ${fmtPct(s.length_baseline_longer)}`, color });
    if (s.length_baseline_shorter !== null) lines.push({ y: s.length_baseline_shorter, label: `${prefix}shorter answer wins ${fmtPct(s.length_baseline_shorter)}`, color });
  }
  return lines;
}
