// rewardlab eval: score a benchmark with a reward model and print the figures an RLHF practitioner checks first:
// accuracy with its 95% interval, the length-bias table, the calibration error, RewardBench section scores.
// Writes <out>/eval.json, <out>/scores.jsonl and the page (eval.html, eval.md, charts/).
import { BENCHMARKS, runEval, type Benchmark, type EvalResult } from "../eval/index.js";
import { InputError } from "../errors.js";
import { writeEvalPage } from "../report/index.js";
import { bool, intFlag, parseArgs, requireStr, str, type FlagSpecs } from "./args.js";
import type { Command } from "./command.js";
import { progressReporter } from "./progress.js";

const FLAGS: FlagSpecs = {
  model: { kind: "string", help: "model folder, PEFT adapter folder, TRL output folder or hub model id" },
  data: { kind: "string", help: "preference data (file, folder, hub id, builtin) or a RewardBench / RewardBench 2 .jsonl/.parquet file" },
  benchmark: { kind: "string", help: `auto, ${BENCHMARKS.join(", ")}`, default: "auto" },
  "chat-template": { kind: "string", help: "RewardBench rows: raw (prompt, blank line, answer as text) or a template file (.jinja, tokenizer_config.json); default the tokenizer's template" },
  tokenizer: { kind: "string", help: "tokenizer folder or builtin:gpt2 (default: the model folder's)" },
  "max-length": { kind: "number", help: "tokens kept per text; longer texts are cut from the left and counted", default: 512 },
  "batch-size": { kind: "number", help: "texts per forward pass", default: 8 },
  split: { kind: "string", help: "split of a folder or hub dataset (default: test; filtered for rewardbench)" },
  out: { kind: "string", help: "folder for eval.json, scores.jsonl, eval.html, eval.md, charts/" },
  resume: { kind: "boolean", help: "reuse <out>/scores.jsonl and score only the rows it lacks" },
  "write-stats": { kind: "boolean", help: 'write the reward mean/std into the model\'s config.json ("mean", "std")' },
  "skip-invalid": { kind: "boolean", help: "skip and count bad records instead of stopping at the first" },
  seed: { kind: "number", help: "seed of the bootstrap resampling", default: 0 },
};

export const evalCommand: Command = {
  name: "eval",
  usage: "rewardlab eval --model <dir|hub-id> --data <path|hub-id|builtin> [--benchmark auto|pairs|rewardbench|rewardbench2] [--chat-template FILE|raw] [--max-length N] [--batch-size N] --out <dir>",
  summary: "accuracy with a 95% interval, length bias, calibration, RewardBench scores of a reward model",
  flags: FLAGS,
  async run(argv) {
    const a = parseArgs(argv, FLAGS, "eval");
    if (a.positional.length > 0) throw new InputError(`unexpected argument "${a.positional[0]}"`, undefined, "see: rewardlab eval --help");
    const benchmark = str(a, "benchmark") ?? "auto";
    if (benchmark !== "auto" && !(BENCHMARKS as readonly string[]).includes(benchmark)) {
      throw new InputError(`flag --benchmark: expected auto, ${BENCHMARKS.join(", ")}, got "${benchmark}"`);
    }
    const out = requireStr(a, "out", "eval");
    const result = await runEval({
      model: requireStr(a, "model", "eval"), data: requireStr(a, "data", "eval"), out,
      benchmark: benchmark as Benchmark | "auto", chatTemplate: str(a, "chat-template"), tokenizer: str(a, "tokenizer"),
      maxLength: intFlag(a, "max-length", 512, 1), batchSize: intFlag(a, "batch-size", 8, 1), split: str(a, "split"),
      resume: bool(a, "resume"), writeStats: bool(a, "write-stats"), skipInvalid: bool(a, "skip-invalid"), seed: intFlag(a, "seed", 0, 0),
      onProgress: progressReporter("scoring rows"),
    });
    for (const n of result.notes) console.error(`note: ${n}`);
    console.log(evalSummary(result).join("\n"));
    const page = writeEvalPage(out);
    console.log(`wrote ${out}: eval.json, scores.jsonl, ${page.files.length} page files (eval.html, eval.md, charts/)`);
    return 0;
  },
};

const pct = (x: number | null | undefined): string => (typeof x === "number" && Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : "n/a");

/** The printed summary: what the eval page leads with. */
export function evalSummary(r: EvalResult): string[] {
  const lines: string[] = [`${r.model} on ${r.data} (${r.benchmark}, ${r.rows} rows${r.reused_rows > 0 ? `, ${r.reused_rows} reused` : ""})`];
  const p = r.pairs;
  if (p !== null) {
    lines.push(`accuracy ${pct(p.accuracy)} (95% CI ${pct(p.accuracy_ci.low)} – ${pct(p.accuracy_ci.high)}; ${p.correct}/${p.pairs}, ${p.ties} ties counted wrong)`,
      `mean margin ${p.mean_margin.toFixed(4)}; reward mean ${r.reward_mean.toFixed(4)}, std ${r.reward_std.toFixed(4)}`,
      `length baselines: longer wins ${pct(p.length_bias.longer_wins)}, shorter wins ${pct(p.length_bias.shorter_wins)}; model rewards the longer side in ${pct(p.length_bias.model_prefers_longer)} of unequal pairs`,
      "  chosen − rejected tokens   pairs   accuracy   prefers longer");
    for (const b of p.length_bias.buckets) {
      lines.push(`  ${b.label.padEnd(24)} ${String(b.pairs).padStart(6)}   ${pct(b.accuracy).padStart(8)}   ${pct(b.prefers_longer).padStart(14)}`);
    }
    lines.push(`calibration error (ECE, 10 bins of σ(margin)): ${p.calibration.ece.toFixed(4)}`);
  } else {
    lines.push(`reward mean ${r.reward_mean.toFixed(4)}, std ${r.reward_std.toFixed(4)}`);
  }
  const rb = r.rewardbench ?? r.rewardbench2;
  if (rb !== null) {
    for (const s of rb.subsets) lines.push(`  ${s.subset.padEnd(24)} ${String(s.rows).padStart(5)} rows  ${pct(s.accuracy)}${s.section === null ? "  (unknown subset)" : ""}`);
    if (r.rewardbench !== null) for (const s of r.rewardbench.sections) lines.push(`${s.section}: ${pct(s.score)}`);
    lines.push(`overall: ${pct(rb.overall)}`);
    for (const n of rb.notes) lines.push(`note: ${n}`);
  }
  if (r.stats_written_to !== null) lines.push(`wrote mean ${r.reward_mean} and std ${r.reward_std} into ${r.stats_written_to}`);
  return lines;
}
