// The report's evaluation section: one row per eval folder found with a run (`rewardlab eval --out` inside the
// run folder, or given to `rewardlab report`), with its headline figures and where its own page is.
import path from "node:path";
import type { Cell, RunView, Section } from "./blocks.js";
import { fmtInt, fmtNum, fmtPct } from "./format.js";

const pct = (v: number | null | undefined, field: string, model: string): Cell =>
  typeof v === "number" ? { text: fmtPct(v), value: v, field, model } : { text: "not recorded", field, model };

export function evalsSection(views: readonly RunView[]): Section | null {
  const rows: Cell[][] = [];
  for (const v of views) {
    for (const e of v.run.evals ?? []) {
      const p = e.pairs, bench = e.rewardbench ?? e.rewardbench2, m = v.run.name;
      const ci = p !== null && p.accuracy_ci.low !== null && p.accuracy_ci.high !== null ? `${fmtPct(p.accuracy_ci.low)}–${fmtPct(p.accuracy_ci.high)}` : "not recorded";
      rows.push([
        { text: m, header: true },
        { text: `${e.benchmark}: ${e.data}` },
        { text: fmtInt(e.rows), value: e.rows, field: "rows", model: m },
        pct(p?.accuracy, "accuracy", m),
        { text: ci },
        pct(p?.length_bias.longer_wins, "longer_wins", m),
        p?.calibration.ece !== null && p?.calibration.ece !== undefined ? { text: fmtNum(p.calibration.ece, 3), value: p.calibration.ece, field: "ece", model: m } : { text: "not recorded" },
        bench === null ? { text: "none (pairs)" } : pct(bench.overall, "benchmark_overall", m),
        { text: path.join(path.relative(v.run.dir, e.dir) || ".", "eval.html") },
      ]);
    }
  }
  if (rows.length === 0) return null;
  const head: Cell[] = ["model", "benchmark: data", "rows", "accuracy", "95% interval", "longer wins", "calibration error", "benchmark overall", "page (in the run folder)"].map((text) => ({ text }));
  return {
    id: "evals", title: "Evaluations",
    blocks: [
      { kind: "table", id: "evals", head, rows },
      { kind: "note", text: "From each eval folder's eval.json (rewardlab eval). Its page holds the length-bias table, the calibration bins and the benchmark's subsets." },
    ],
  };
}
