// The "Why the times differ" section: the computed statement (time ratio vs FLOP ratio), FLOPs per token by layer
// kind, achieved FLOP/s against the measured matmul peak, and where the time went by op kind (profiled steps).
import { groupedBarChart, stackedBarChart } from "./bar-charts.js";
import { figureCell, type Block, type Cell, type RunView, type Section } from "./blocks.js";
import { timeExplanations } from "./findings.js";
import { fmtCompact, fmtNum, fmtPct, joinNames } from "./format.js";

/** Op kinds in the order the trainer's profiler names them; unknown kinds follow in order of appearance. */
const TIME_KINDS = ["matmul", "attention", "norms", "elementwise", "optimizer", "data", "other"];

function kindsOf(maps: readonly (Record<string, number> | undefined)[], preferred: readonly string[] = []): string[] {
  const seen = new Set<string>();
  for (const m of maps) for (const k of Object.keys(m ?? {})) seen.add(k);
  return [...preferred.filter((k) => seen.has(k)), ...[...seen].filter((k) => !preferred.includes(k))];
}

export function timesSection(views: readonly RunView[]): Section {
  const blocks: Block[] = timeExplanations(views.map((v) => v.summary)).map((text): Block => ({ kind: "p", text }));
  blocks.push({ kind: "note", text: "Wall time = tokens × FLOPs per token ÷ achieved FLOP/s, so the time ratio of two runs is the product of those three ratios; where all three push the same way and the gap is at least 1.1×, each factor's share of the gap is its share of the log of the time ratio (the shares add up to 100%)." });
  blocks.push(...flopsBlocks(views), ...rateBlocks(views), ...timeKindBlocks(views));
  return { id: "why-times", title: "Why the times differ", blocks };
}

function missingNote(views: readonly RunView[], has: (v: RunView) => boolean, what: string): Block[] {
  const missing = views.filter((v) => !has(v)).map((v) => v.run.name);
  if (missing.length === 0) return [];
  return [{ kind: "note", text: `${what} not recorded for ${joinNames(missing)}${missing.length === views.length ? "" : " (left out above)"}: it comes from run.json, which ${missing.length > 1 ? "those folders lack" : "that folder lacks"} or leaves empty.` }];
}

function flopsBlocks(views: readonly RunView[]): Block[] {
  const has = (v: RunView): boolean => Object.keys(v.run.info?.flops_per_token?.by_kind ?? {}).length > 0;
  const withFlops = views.filter(has);
  const out: Block[] = [];
  if (withFlops.length > 0) {
    const kinds = kindsOf(withFlops.map((v) => v.run.info?.flops_per_token?.by_kind));
    out.push({
      kind: "chart", id: "flops-by-kind", title: "Training FLOPs per token by layer kind",
      svg: groupedBarChart({
        id: "flops-by-kind", title: "Training FLOPs per token by layer kind", xLabel: "FLOPs per token (forward + backward)", categories: kinds,
        models: withFlops.map((v) => ({ name: v.run.name, color: v.color, values: kinds.map((k) => v.run.info?.flops_per_token?.by_kind[k]) })),
        format: fmtCompact,
      }),
    });
    const head: Cell[] = [{ text: "layer kind" }, ...withFlops.map((v) => ({ text: v.run.name, model: v.run.name }))];
    const rows: Cell[][] = kinds.map((k) => [{ text: k, header: true }, ...withFlops.map((v): Cell => {
      const x = v.run.info?.flops_per_token?.by_kind[k];
      return x === undefined ? { text: "not recorded" } : { text: fmtCompact(x), value: x, field: `flops_per_token.by_kind.${k}`, model: v.run.name };
    })]);
    rows.push([{ text: "total", header: true }, ...withFlops.map((v) => figureCell(v.summary, "flops_per_token", fmtCompact))]);
    out.push({ kind: "table", id: "flops", head, rows });
  }
  return [...out, ...missingNote(views, has, "FLOPs per token by layer kind")];
}

function rateBlocks(views: readonly RunView[]): Block[] {
  const has = (v: RunView): boolean => v.summary.achieved_gflops !== null || v.summary.matmul_peak_gflops !== null;
  const withRates = views.filter(has);
  if (withRates.length === 0) return missingNote(views, has, "Achieved FLOP/s and the matmul peak are");
  const head: Cell[] = [{ text: "" }, ...withRates.map((v) => ({ text: v.run.name, model: v.run.name }))];
  const share = (v: RunView): Cell => {
    const s = v.summary;
    if (s.achieved_gflops === null || s.matmul_peak_gflops === null || s.matmul_peak_gflops <= 0) return { text: "not recorded" };
    const f = s.achieved_gflops / s.matmul_peak_gflops;
    return { text: fmtPct(f, 0), value: f, field: "share_of_peak", model: s.name };
  };
  const rows: Cell[][] = [
    [{ text: "FLOPs per token", header: true }, ...withRates.map((v) => figureCell(v.summary, "flops_per_token", fmtCompact))],
    [{ text: "achieved GFLOP/s", header: true }, ...withRates.map((v) => figureCell(v.summary, "achieved_gflops", (x) => fmtNum(x)))],
    [{ text: "measured matmul peak GFLOP/s", header: true }, ...withRates.map((v) => figureCell(v.summary, "matmul_peak_gflops", (x) => fmtNum(x)))],
    [{ text: "share of peak", header: true }, ...withRates.map(share)],
  ];
  return [{ kind: "table", id: "rates", head, rows, caption: "Achieved training FLOP/s against the fp32 matmul peak the study measured on the same machine." },
    ...missingNote(views, has, "Achieved FLOP/s and the matmul peak are")];
}

function timeKindBlocks(views: readonly RunView[]): Block[] {
  const has = (v: RunView): boolean => Object.keys(v.run.info?.time_by_kind ?? {}).length > 0;
  const withTimes = views.filter(has);
  if (withTimes.length === 0) return missingNote(views, has, "Time by op kind is");
  const kinds = kindsOf(withTimes.map((v) => v.run.info?.time_by_kind), TIME_KINDS);
  const chart: Block = {
    kind: "chart", id: "time-by-kind", title: "Where the time goes, by op kind",
    caption: "Seconds summed over the profiled steps of each run.",
    svg: stackedBarChart({
      id: "time-by-kind", title: "Where the time goes, by op kind", xLabel: "seconds in profiled steps", parts: kinds,
      bars: withTimes.map((v) => ({ name: v.run.name, values: kinds.map((k) => v.run.info?.time_by_kind?.[k]) })),
      format: (x) => `${fmtNum(x)}s`,
    }),
  };
  const head: Cell[] = [{ text: "op kind" }, ...withTimes.map((v) => ({ text: v.run.name, model: v.run.name }))];
  const totals = withTimes.map((v) => Object.values(v.run.info?.time_by_kind ?? {}).reduce((a, b) => a + b, 0));
  const rows: Cell[][] = kinds.map((k) => [{ text: k, header: true }, ...withTimes.map((v, i): Cell => {
    const x = v.run.info?.time_by_kind?.[k];
    if (x === undefined) return { text: "not recorded" };
    const t = totals[i] ?? 0;
    return { text: `${fmtNum(x)}s (${t > 0 ? fmtPct(x / t, 0) : "–"})`, value: x, field: `time_by_kind.${k}`, model: v.run.name };
  })]);
  return [chart, { kind: "table", id: "time-by-kind", head, rows }, ...missingNote(views, has, "Time by op kind is")];
}
