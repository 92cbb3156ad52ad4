// The sentences a reader sees first, generated from the per-model figures: who won on accuracy and at what cost in
// time, and how much of a time gap the FLOPs per token explain.
//
// Time decomposition: wall time = tokens × FLOPs/token ÷ achieved FLOP/s, so between two runs
//   time ratio = tokens ratio × FLOPs-per-token ratio ÷ achieved-FLOP/s ratio.
// Taking logs turns the product into a sum, so each factor's share of the gap is log(factor) / log(time ratio) and
// the shares add up to 100%. Shares are only stated when every factor adds to a clear gap (≥ 1.1×); when a factor
// pushes the other way, or the times are about equal, the sentence states the ratios alone.
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
 * One statement per run, each compared with a reference run of the same tuning (LoRA runs with LoRA runs, full
 * fine-tuning with full), so a gap is never the tuning's. Within a tuning the reference is the fastest run whose
 * FLOPs per token are recorded (so the gap can be split), else the fastest run. Runs that carry a published time
 * (run.json "reference") get that ratio beside the one measured here.
 */
export function timeExplanations(models: readonly ModelSummary[]): string[] {
  const groups = tuningGroups(models);
  return groups.flatMap(([label, ms]) => {
    const lines = [...explainGroup(ms), ...referenceLines(ms)];
    return groups.length > 1 ? lines.map((l) => `${label}: ${l}`) : lines;
  });
}

const TUNING_LABEL = { lora: "With LoRA", full: "With full fine-tuning" } as const;

/** Runs by tuning, in order of first appearance; one group when fewer than two tunings are recorded. */
function tuningGroups(models: readonly ModelSummary[]): [string, ModelSummary[]][] {
  const known = new Set(models.map((m) => m.tuning).filter((t) => t !== null));
  if (known.size < 2) return [["", [...models]]];
  const groups = new Map<string, ModelSummary[]>();
  for (const m of models) {
    const label = m.tuning === null ? "Tuning not recorded" : TUNING_LABEL[m.tuning];
    groups.set(label, [...(groups.get(label) ?? []), m]);
  }
  return [...groups];
}

function explainGroup(models: readonly ModelSummary[]): string[] {
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

/** "For comparison, <source>: b took 2.52× as long as a (…); here 2.9× (…)." for the runs that carry a published time. */
function referenceLines(models: readonly ModelSummary[]): string[] {
  const withRef = models.filter((m) => m.reference_wall_seconds !== null && m.reference_wall_seconds > 0)
    .sort((a, b) => (a.reference_wall_seconds ?? 0) - (b.reference_wall_seconds ?? 0));
  const fast = withRef[0];
  if (fast === undefined || withRef.length < 2) return [];
  return withRef.slice(1).map((slow) => {
    const rr = (slow.reference_wall_seconds ?? 0) / (fast.reference_wall_seconds ?? 1);
    const source = slow.reference_source === fast.reference_source ? slow.reference_source : `${slow.reference_source} / ${fast.reference_source}`;
    const ref = `For comparison, ${source}: ${slow.name} took ${fmtRatio(rr)} as long as ${fast.name} ` +
      `(${fmtDuration(slow.reference_wall_seconds ?? 0)} vs ${fmtDuration(fast.reference_wall_seconds ?? 0)})`;
    if (slow.wall_seconds === null || fast.wall_seconds === null || fast.wall_seconds <= 0) return `${ref}.`;
    return `${ref}; here the ratio is ${fmtRatio(slow.wall_seconds / fast.wall_seconds)} (${fmtDuration(slow.wall_seconds)} vs ${fmtDuration(fast.wall_seconds)}).`;
  });
}

/** A factor's share of the gap is listed only when the gap is at least this ratio and every factor adds to it. */
const SPLIT_MIN = 1.1;

/**
 * Why `slow` took as long as it did next to `fast`, as plain ratios: tokens processed, FLOPs per token and achieved
 * FLOP/s. The log shares of the gap are added only when all three push the same way and the gap is clear (≥ 1.1×).
 */
export function explainPair(slow: ModelSummary, fast: ModelSummary): string {
  const ws = slow.wall_seconds ?? 0;
  const wf = fast.wall_seconds ?? 0;
  const times = `(${fmtDuration(ws)} vs ${fmtDuration(wf)})`;
  const rt = ws / wf;
  if (!(Number.isFinite(rt) && rt > 0)) return `${slow.name} took ${fmtDuration(ws)} and ${fast.name} ${fmtDuration(wf)}.`;
  const lt = Math.log(rt);
  const about = Math.abs(lt) < SAME;
  const head = about ? `${slow.name} and ${fast.name} took about the same time ${times}` : `${slow.name} took ${fmtRatio(rt)} as long as ${fast.name} ${times}`;
  const noFlops = [slow, fast].filter((m) => m.flops_per_token === null || m.flops_per_token <= 0).map((m) => m.name);
  if (noFlops.length > 0) {
    return about ? `${head}.` : `${head}. FLOPs per token are not recorded for ${joinNames(noFlops)} (no run.json), so the gap cannot be split into work per token and speed.`;
  }
  const rf = (slow.flops_per_token ?? 0) / (fast.flops_per_token ?? 1);
  const lf = Math.log(rf);
  // tokens the models computed: with prefix sharing a pair's common prompt runs once, so that is where FLOPs went
  const rtok = (slow.tokens_computed ?? 0) > 0 && (fast.tokens_computed ?? 0) > 0 ? (slow.tokens_computed ?? 0) / (fast.tokens_computed ?? 1) : null;
  const lTok = rtok === null ? 0 : Math.log(rtok);
  const lSlow = lt - lf - lTok; // > 0: slow ran at lower achieved FLOP/s
  const recorded = (slow.achieved_gflops ?? 0) > 0 && (fast.achieved_gflops ?? 0) > 0 ? (slow.achieved_gflops ?? 0) / (fast.achieved_gflops ?? 1) : null;
  const rr = recorded ?? (rtok !== null ? Math.exp(-lSlow) : null);
  const rateText = rr === null ? "its achieved FLOP/s is not recorded" : `ran at ${fmtRatio(rr)} the achieved FLOP/s${peakShares(slow, fast)}`;
  const tokText = rtok === null ? null : `processed ${fmtRatio(rtok)} the tokens`;
  const flopText = `needs ${fmtRatio(rf)} the FLOPs per token`;

  const shares: [string, number][] = [["the tokens processed", lTok / lt], ["the FLOPs per token", lf / lt], ["the lower achieved FLOP/s", lSlow / lt]];
  if (rt >= SPLIT_MIN && rtok !== null && rr !== null && shares.every(([, s]) => s > -0.005)) {
    const listed = shares.filter(([, s]) => s >= 0.005);
    const did = [listed.some(([w]) => w === "the tokens processed") ? tokText : null, flopText, rateText].filter((x): x is string => x !== null);
    const parts = listed.map(([w, s], i) => `${fmtPct(s, 0)}${i === 0 ? " comes" : ""} from ${w}`);
    return `${head}: it ${joinNames(did)}. Of the gap, ${joinNames(parts)}.`;
  }
  const rest = joinNames([Math.abs(lTok) >= SAME ? tokText : null, rateText].filter((x): x is string => x !== null));
  if (about) return `${head}; ${slow.name} ${flopText} and ${rest}.`;
  if (Math.abs(lf) < SAME) return `${head} with about the same FLOPs per token (${fmtRatio(rf)}): it ${rest}.`;
  if (lf < 0) return `${head} although it needs only ${fmtRatio(rf)} the FLOPs per token: it ${rest}.`;
  if (lSlow <= -SAME) return `${head} although it ${flopText}: it ${rest}.`;
  return `${head}: it ${flopText} and ${rest}.`;
}

/** " (29% vs 11% of the measured matmul peak)", or "" when either share is unknown. */
function peakShares(a: ModelSummary, b: ModelSummary): string {
  const share = (m: ModelSummary): string | undefined =>
    m.achieved_gflops !== null && m.matmul_peak_gflops !== null && m.matmul_peak_gflops > 0 ? fmtPct(m.achieved_gflops / m.matmul_peak_gflops, 0) : undefined;
  const sa = share(a);
  const sb = share(b);
  return sa !== undefined && sb !== undefined ? ` (${sa} vs ${sb} of the measured matmul peak)` : "";
}
