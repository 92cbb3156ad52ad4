// The sentences a reader sees first, generated from the per-model figures: who won on accuracy and at what cost in
// time, and how much of a time gap the FLOPs per token explain.
//
// Time decomposition: wall time = tokens × FLOPs/token ÷ achieved FLOP/s, so between two runs
//   time ratio = tokens ratio × FLOPs-per-token ratio ÷ achieved-FLOP/s ratio.
// Taking logs turns the product into a sum, so each factor's share of the gap is log(factor) / log(time ratio) and
// the shares add up to 100%. "Explains 85% of the gap" means log(FLOP ratio) is 85% of log(time ratio).
import { fmtDuration, fmtPct, fmtRatio, joinNames } from "./format.js";
import type { ModelSummary } from "./summary.js";

/** Ratios closer to 1 than this count as "about the same". */
const SAME = 0.02;

export function headline(models: readonly ModelSummary[]): string {
  const withAcc = models.filter((m) => m.final_eval_accuracy !== null)
    .sort((a, b) => (b.final_eval_accuracy ?? 0) - (a.final_eval_accuracy ?? 0));
  const missing = models.filter((m) => m.final_eval_accuracy === null).map((m) => m.name);
  const missingNote = missing.length > 0 ? ` Eval accuracy is not recorded for ${joinNames(missing)}.` : "";
  const win = withAcc[0];
  if (win === undefined) {
    return `No run recorded eval accuracy, so there is no winner on accuracy.${timesOnly(models)}`;
  }
  const acc = (m: ModelSummary): string => fmtPct(m.final_eval_accuracy ?? 0);
  const rest = withAcc.slice(1);
  const tied = rest.filter((m) => acc(m) === acc(win));
  let s: string;
  if (rest.length === 0) {
    s = `${win.name} reached ${acc(win)} eval accuracy`;
  } else if (tied.length > 0) {
    s = `${joinNames([win.name, ...tied.map((m) => m.name)])} tied at ${acc(win)} eval accuracy`;
    const others = rest.filter((m) => !tied.includes(m));
    if (others.length > 0) s += ` (${others.map((m) => `${acc(m)} for ${m.name}`).join(", ")})`;
  } else {
    s = `${win.name} reached ${acc(win)} eval accuracy vs ${rest.map((m) => `${acc(m)} for ${m.name}`).join(", ")}`;
  }
  s += baselines(models);
  const others = rest.filter((m) => !tied.includes(m) && m.wall_seconds !== null);
  if (win.wall_seconds !== null && tied.length === 0 && others.length > 0) {
    s += `; it ${others.map((m) => speedClause(win, m, others.length > 1)).join(" and ")}`;
  } else if (win.wall_seconds !== null && rest.length === 0) {
    s += ` in ${fmtDuration(win.wall_seconds)}`;
  }
  const untimed = models.filter((m) => m.wall_seconds === null).map((m) => m.name);
  if (untimed.length > 0) s += `. Training time is not recorded for ${joinNames(untimed)}`;
  return `${s}.${missingNote}`;
}

/** " (length baselines: longer answer wins 43.6%, shorter wins 54.8%)", per model when the models differ. */
function baselines(models: readonly ModelSummary[]): string {
  const known = models.filter((m) => m.length_baseline_longer !== null && m.length_baseline_shorter !== null);
  if (known.length === 0) return "";
  const pair = (m: ModelSummary): string =>
    `longer answer wins ${fmtPct(m.length_baseline_longer ?? 0)}, shorter wins ${fmtPct(m.length_baseline_shorter ?? 0)}`;
  const distinct = new Set(known.map(pair));
  if (distinct.size === 1) return ` (length baselines: ${pair(known[0] as ModelSummary)})`;
  return ` (length baselines: ${known.map((m) => `${m.name} ${pair(m)}`).join("; ")})`;
}

/** "trained 2.4× faster (3m12s vs 7m41s)"; with `named`, "trained 2.4× faster than b (…)". Both times known. */
function speedClause(a: ModelSummary, b: ModelSummary, named: boolean): string {
  const r = (a.wall_seconds ?? 0) / (b.wall_seconds ?? 1);
  const times = `(${fmtDuration(a.wall_seconds ?? 0)} vs ${fmtDuration(b.wall_seconds ?? 0)})`;
  if (Math.abs(Math.log(r)) < SAME) return `trained in about the same time${named ? ` as ${b.name}` : ""} ${times}`;
  if (r < 1) return `trained ${fmtRatio(1 / r)} faster${named ? ` than ${b.name}` : ""} ${times}`;
  return `took ${fmtRatio(r)} as long${named ? ` as ${b.name}` : ""} ${times}`;
}

function timesOnly(models: readonly ModelSummary[]): string {
  const timed = models.filter((m) => m.wall_seconds !== null);
  if (timed.length === 0) return "";
  return ` Training times: ${timed.map((m) => `${m.name} ${fmtDuration(m.wall_seconds ?? 0)}`).join(", ")}.`;
}

/**
 * One statement per run, each compared with a reference: the fastest run whose FLOPs per token are recorded (so the
 * gap can be split), else the fastest run.
 */
export function timeExplanations(models: readonly ModelSummary[]): string[] {
  const timed = models.filter((m) => m.wall_seconds !== null).sort((a, b) => (a.wall_seconds ?? 0) - (b.wall_seconds ?? 0));
  const untimed = models.filter((m) => m.wall_seconds === null).map((m) => m.name);
  const out: string[] = [];
  const ref = timed.find((m) => m.flops_per_token !== null) ?? timed[0];
  // Pairs whose gap can be split come first; they answer the question, the others only state the ratio.
  const others = [...timed.filter((m) => m.flops_per_token !== null), ...timed.filter((m) => m.flops_per_token === null)];
  for (const m of others) {
    if (ref === undefined || m === ref) continue;
    const [slow, fast] = (m.wall_seconds ?? 0) >= (ref.wall_seconds ?? 0) ? [m, ref] : [ref, m];
    out.push(explainPair(slow, fast));
  }
  if (untimed.length > 0) out.push(`Training time is not recorded for ${joinNames(untimed)}, so ${untimed.length > 1 ? "they are" : "it is"} left out of this comparison.`);
  if (timed.length === 1 && untimed.length === 0) out.push(`Only one run (${ref?.name ?? ""}); there is no time gap to explain.`);
  return out;
}

/** Why `slow` took longer than `fast`: FLOPs per token, tokens processed, and achieved FLOP/s. */
export function explainPair(slow: ModelSummary, fast: ModelSummary): string {
  const ws = slow.wall_seconds ?? 0;
  const wf = fast.wall_seconds ?? 0;
  const rt = ws / wf;
  const head = `${slow.name} took ${fmtRatio(rt)} as long as ${fast.name} (${fmtDuration(ws)} vs ${fmtDuration(wf)})`;
  if (Math.log(rt) < SAME) return `${slow.name} and ${fast.name} took about the same time (${fmtDuration(ws)} vs ${fmtDuration(wf)}).`;
  const noFlops = [slow, fast].filter((m) => m.flops_per_token === null).map((m) => m.name);
  if (noFlops.length > 0) {
    return `${head}. FLOPs per token are not recorded for ${joinNames(noFlops)} (no run.json), so the gap cannot be split into work per token and speed.`;
  }
  const lt = Math.log(rt);
  const rf = (slow.flops_per_token ?? 0) / (fast.flops_per_token ?? 1);
  const shareF = Math.log(rf) / lt;
  const parts = [`${head}; it needs ${fmtRatio(rf)} the FLOPs per token`];
  if (shareF > 0) parts[0] += `, which explains ${fmtPct(Math.min(shareF, 9.99), 0)} of the gap`;
  else parts[0] += `, so none of the gap comes from work per token`;
  let shareTok = 0;
  if (slow.tokens_seen !== null && fast.tokens_seen !== null && fast.tokens_seen > 0) {
    const rtok = slow.tokens_seen / fast.tokens_seen;
    shareTok = Math.log(rtok) / lt;
    if (Math.abs(shareTok) >= SAME) parts.push(`it processed ${fmtRatio(rtok)} the tokens (${fmtPct(shareTok, 0)} of the gap)`);
  }
  const rest = 1 - shareF - shareTok;
  const peak = (m: ModelSummary): string | undefined =>
    m.achieved_gflops !== null && m.matmul_peak_gflops !== null && m.matmul_peak_gflops > 0
      ? fmtPct(m.achieved_gflops / m.matmul_peak_gflops, 0) : undefined;
  const ps = peak(slow);
  const pf = peak(fast);
  const rates = ps !== undefined && pf !== undefined ? ` (${ps} vs ${pf} of the measured matmul peak)` : " (achieved FLOP/s not recorded)";
  if (rest >= SAME) parts.push(`the rest (${fmtPct(rest, 0)}) is lower achieved FLOP/s${rates}`);
  else if (rest <= -SAME) parts.push(`it made up ${fmtPct(-rest, 0)} of that with higher achieved FLOP/s${rates}`);
  else parts.push(`achieved FLOP/s was about the same${rates}`);
  return `${parts.join("; ")}.`;
}
