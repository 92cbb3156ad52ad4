// An eval folder's page as data (ReportDoc), rendered by html.ts and markdown.ts like the study report: the
// answer sentence first, then accuracy, length bias, calibration and the benchmark's subsets and sections.
import { groupedBarChart } from "./bar-charts.js";
import type { Block, Cell, ReportDoc, Section } from "./blocks.js";
import { lineChart } from "./charts.js";
import type { EvalBench, EvalFile, EvalPairs } from "./eval-file.js";
import { fmtInt, fmtNum, fmtPct } from "./format.js";
import { MUTED, modelColor } from "./svg.js";

const pct = (v: number | null | undefined): Cell => (typeof v === "number" ? { text: fmtPct(v), value: v } : { text: "not recorded" });
const num = (v: number | null | undefined, sig = 4): Cell => (typeof v === "number" ? { text: fmtNum(v, sig), value: v } : { text: "not recorded" });
const int = (v: number): Cell => ({ text: fmtInt(v), value: v });
const head = (...t: string[]): Cell[] => t.map((text) => ({ text }));
const row = (label: string, ...cells: Cell[]): Cell[] => [{ text: label, header: true }, ...cells];

export function evalAnswer(e: EvalFile): string {
  const p = e.pairs;
  const bench = e.rewardbench ?? e.rewardbench2;
  const parts: string[] = [];
  if (bench !== null && bench.overall !== null) parts.push(`${e.benchmark === "rewardbench" ? "RewardBench" : "RewardBench 2"} overall ${fmtPct(bench.overall)}`);
  if (p !== null) {
    const ci = p.accuracy_ci;
    parts.push(`accuracy ${fmtPct(p.accuracy)}${ci.low !== null && ci.high !== null ? ` (95% CI ${fmtPct(ci.low)}–${fmtPct(ci.high)})` : ""} on ${fmtInt(p.pairs)} pairs`);
    parts.push(`the longer answer wins ${fmtPct(p.length_bias.longer_wins)} of them`);
    if (p.calibration.ece !== null) parts.push(`calibration error ${fmtNum(p.calibration.ece, 3)}`);
  }
  return parts.length > 0 ? `${parts.join("; ")}.` : `${fmtInt(e.rows)} rows scored.`;
}

export function buildEvalDoc(e: EvalFile): ReportDoc {
  const sections: Section[] = [];
  if (e.pairs !== null) sections.push(accuracySection(e, e.pairs), lengthSection(e.pairs), calibrationSection(e.pairs));
  if (e.rewardbench !== null) sections.push(benchSection("rewardbench", "RewardBench", e.rewardbench));
  if (e.rewardbench2 !== null) sections.push(rewardsSection(e), benchSection("rewardbench2", "RewardBench 2", e.rewardbench2));
  sections.push(sourceSection(e));
  return {
    title: `Reward model evaluation: ${e.model}`,
    subtitle: `Built by rewardlab eval from ${e.file}: ${e.benchmark} on ${e.data}`,
    answer: evalAnswer(e),
    models: [{ name: e.model, color: modelColor(0) }],
    sections,
  };
}

function accuracySection(e: EvalFile, p: EvalPairs): Section {
  const rows = [
    row("pairs", int(p.pairs)),
    row("accuracy (r_chosen > r_rejected)", pct(p.accuracy)),
    row("95% bootstrap interval, low", pct(p.accuracy_ci.low)),
    row("95% bootstrap interval, high", pct(p.accuracy_ci.high)),
    row("ties (counted wrong)", int(p.ties)),
    row("mean margin", num(p.mean_margin)),
    row("reward mean", num(e.reward_mean)),
    row("reward std", num(e.reward_std)),
  ];
  const blocks: Block[] = [{ kind: "table", id: "accuracy", head: head("", "value"), rows }];
  blocks.push({ kind: "note", text: "The interval is a percentile bootstrap (1,000 seeded resamples of the pairs). Reward mean and std are over every scored text, population std." });
  return { id: "accuracy", title: "Accuracy", blocks };
}

function lengthSection(p: EvalPairs): Section {
  const lb = p.length_bias;
  const svg = groupedBarChart({
    id: "eval-length-bias", title: "Accuracy by length difference (chosen − rejected tokens)", xLabel: "share of the bucket's pairs",
    categories: lb.buckets.map((b) => `${b.label} (${b.pairs})`),
    models: [
      { name: "accuracy", color: modelColor(0), values: lb.buckets.map((b) => b.accuracy ?? undefined) },
      { name: "rewards the longer side", color: modelColor(1), values: lb.buckets.map((b) => b.prefers_longer ?? undefined) },
    ],
    format: (v) => fmtPct(v, 0),
  });
  const rows = lb.buckets.map((b) => row(b.label, int(b.pairs), pct(b.accuracy), pct(b.prefers_longer)));
  const baselines = [
    row("model accuracy", pct(p.accuracy)),
    row("baseline: the longer side is chosen", pct(lb.longer_wins)),
    row("baseline: the shorter side is chosen", pct(lb.shorter_wins)),
    row("pairs of equal length", pct(lb.equal_length)),
    row("model rewards the longer side (unequal pairs)", pct(lb.model_prefers_longer)),
    row("correlation of length difference and margin", num(lb.length_margin_correlation, 3)),
  ];
  return {
    id: "length-bias", title: "Length bias",
    blocks: [
      { kind: "table", id: "length-baselines", head: head("", "value"), rows: baselines },
      { kind: "chart", id: "eval-length-bias", title: "Accuracy by length difference", svg, caption: "A model that only rewards length scores near 100% where chosen is longer and near 0% where it is shorter." },
      { kind: "table", id: "length-buckets", head: head("chosen − rejected tokens", "pairs", "accuracy", "rewards the longer side"), rows },
    ],
  };
}

function calibrationSection(p: EvalPairs): Section {
  const filled = p.calibration.bins.filter((b) => b.predicted !== null && b.observed !== null);
  const svg = lineChart({
    id: "eval-calibration", title: "Calibration: σ(margin) against the observed preference", xLabel: "predicted P(preferred) = σ(margin)", yLabel: "observed share preferred",
    series: [
      { model: "perfect calibration", color: MUTED, points: [[0, 0], [1, 1]], style: "raw" },
      { model: "model", color: modelColor(0), points: filled.map((b) => [b.predicted as number, b.observed as number] as const), style: "line" },
    ],
    legend: [{ label: "model, one mark per bin", color: modelColor(0), swatch: "line" }, { label: "perfect calibration (diagonal)", color: MUTED, swatch: "line" }],
    yFormat: (v) => fmtPct(v, 0),
  });
  const rows = p.calibration.bins.map((b) => row(`${fmtNum(b.lo, 2)}–${fmtNum(b.hi, 2)}`, int(b.count), num(b.predicted, 3), num(b.observed, 3)));
  return {
    id: "calibration", title: "Calibration",
    blocks: [
      { kind: "p", text: `Expected calibration error: ${p.calibration.ece !== null ? fmtNum(p.calibration.ece, 3) : "not recorded"} (10 bins).` },
      { kind: "chart", id: "eval-calibration", title: "Calibration", svg, caption: "Each pair counts twice, once per order: σ(m) with outcome 1 and σ(−m) with outcome 0, so the bins are symmetric about 0.5." },
      { kind: "table", id: "calibration-bins", head: head("σ(margin) bin", "predictions", "mean predicted", "observed"), rows },
    ],
  };
}

function rewardsSection(e: EvalFile): Section {
  return { id: "rewards", title: "Rewards", blocks: [{ kind: "table", id: "rewards", head: head("", "value"), rows: [row("rows", int(e.rows)), row("reward mean", num(e.reward_mean)), row("reward std", num(e.reward_std))] }] };
}

function benchSection(id: string, name: string, b: EvalBench): Section {
  const blocks: Block[] = [{ kind: "p", text: `${name} overall: ${b.overall !== null ? fmtPct(b.overall) : "not recorded"}.` }];
  if (b.sections !== undefined) {
    blocks.push({ kind: "table", id: `${id}-sections`, head: head("section", "score", "subsets present", "weight"),
      rows: b.sections.map((s) => row(s.section, pct(s.score), { text: s.subsets.join(", ") || "none" }, int(s.weight))) });
  }
  blocks.push({ kind: "table", id: `${id}-subsets`, head: head("subset", "section", "rows", "correct", "top ties", "score"),
    rows: b.subsets.map((s) => row(s.subset, { text: s.section ?? "unknown" }, int(s.rows), num(s.correct), int(s.ties), pct(s.accuracy))) });
  for (const n of b.notes) blocks.push({ kind: "note", text: n });
  return { id, title: name, blocks };
}

function sourceSection(e: EvalFile): Section {
  const skipped = Object.entries(e.skipped).map(([k, n]) => `${n} ${k}`).join(", ") || "none";
  const rows = [
    row("model", { text: `${e.model} (${e.model_type})` }), row("data", { text: e.data }), row("benchmark", { text: e.benchmark }),
    row("text format", { text: e.chat_template }), row("max length (left truncation)", int(e.max_length)),
    row("rows scored", int(e.rows)), row("texts scored", int(e.texts)), row("texts truncated", int(e.truncated_texts)),
    row("rows reused from scores.jsonl", int(e.reused_rows)), row("skipped records", { text: skipped }),
    row("statistics written to", { text: e.stats_written_to ?? "not written (--write-stats)" }),
  ];
  const blocks: Block[] = [{ kind: "table", id: "eval-source", head: head("", ""), rows }];
  for (const n of e.notes) blocks.push({ kind: "note", text: n });
  blocks.push({ kind: "note", text: "Every number on this page is read from eval.json, computed from scores.jsonl (one line per row, with each text's reward)." });
  return { id: "source", title: "Sources", blocks };
}
