// rewardlab data stats: token lengths, identical pairs, shared prefixes and the length baselines of a dataset.
import { dataStats, type DataStats, type LengthSummary } from "../data/index.js";
import { InputError } from "../errors.js";
import { bool, num, parseArgs, str, type FlagSpecs } from "./args.js";
import type { Command } from "./command.js";
import { describeEncoding, encodingSettings, ENCODING_FLAGS } from "./encoding-flags.js";

const FLAGS: FlagSpecs = {
  tokenizer: { kind: "string", help: "tokenizer folder, hub model id, or builtin:gpt2 (ignored for a prepared dir)", default: "builtin:gpt2" },
  "max-length": { kind: "number", help: "length limit to report the share of pairs within", default: 512 },
  split: { kind: "string", help: "split of a folder, hub dataset or builtin", default: "train" },
  "skip-invalid": { kind: "boolean", help: "skip and count bad records instead of stopping at the first" },
  ...ENCODING_FLAGS,
  threads: { kind: "number", help: "tokenizer worker threads (default: one per core)" },
  json: { kind: "boolean", help: "print the figures as JSON" },
};

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
const row = (name: string, s: LengthSummary): string =>
  `  ${name.padEnd(9)} mean ${s.mean.toFixed(1).padStart(7)}  p50 ${String(Math.round(s.p50)).padStart(5)}  p90 ${String(Math.round(s.p90)).padStart(5)}` +
  `  p99 ${String(Math.round(s.p99)).padStart(5)}  max ${String(s.max).padStart(5)}`;

export function formatStats(s: DataStats): string {
  const dropped = Object.entries(s.dropped);
  const lines = [
    `${s.source} (${s.kind === "prepared" ? "prepared; figures are after its filter/truncation" : "text"}), tokenizer ${s.tokenizer}`,
    `rows ${s.rows}, valid pairs ${s.pairs}, dropped ${s.rows - s.pairs}${dropped.length > 0 ? ` (${dropped.map(([r, n]) => `${n} ${r}`).join(", ")})` : ""}`,
    ...(s.encoding !== undefined ? [`data: ${describeEncoding(s.encoding)}`] : []),
    ...(s.turns !== undefined ? [`messages per conversation (prompt and answer turns): chosen mean ${s.turns.chosen.mean.toFixed(1)} max ${s.turns.chosen.max}, ` +
      `rejected mean ${s.turns.rejected.mean.toFixed(1)} max ${s.turns.rejected.max}`] : []),
    ...(s.templateTokens !== undefined ? ["tokens the chat template adds per conversation:", row("template", s.templateTokens)] : []),
    `identical pairs (chosen == rejected): ${s.identical}`,
    `both sides <= ${s.maxLength} tokens: ${s.withinMaxLength} of ${s.pairs} (${pct(s.withinMaxLength / s.pairs)})`,
    "tokens:",
    row("chosen", s.chosen),
    row("rejected", s.rejected),
    `mean shared prefix: ${s.meanSharedPrefix.toFixed(1)} tokens`,
    `length baselines (token counts; ties, ${pct(s.ties)} of pairs, count for neither):`,
    `  "longer wins"  ${pct(s.longerWins)}`,
    `  "shorter wins" ${pct(s.shorterWins)}`,
  ];
  return lines.join("\n");
}

export const dataStatsCommand: Command = {
  name: "data stats",
  usage: "rewardlab data stats <path|hub-id|builtin|prepared dir> [--tokenizer ...] [--max-length 512] [--json]",
  summary: "token lengths, identical pairs, shared prefixes and length baselines of a dataset",
  flags: FLAGS,
  async run(argv) {
    const a = parseArgs(argv, FLAGS, "data stats");
    const [spec, ...extra] = a.positional;
    if (spec === undefined) throw new InputError('"rewardlab data stats" needs a data source', undefined, "see: rewardlab data stats --help");
    if (extra.length > 0) throw new InputError(`unexpected argument "${extra[0]}"`, undefined, "see: rewardlab data stats --help");
    const s = await dataStats(spec, {
      tokenizer: str(a, "tokenizer"),
      maxLength: num(a, "max-length"),
      split: str(a, "split"),
      skipInvalid: bool(a, "skip-invalid"),
      encoding: encodingSettings(a),
      threads: num(a, "threads"),
    });
    console.log(bool(a, "json") ? JSON.stringify(s, null, 2) : formatStats(s));
    return 0;
  },
};
