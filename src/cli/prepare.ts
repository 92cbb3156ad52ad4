// rewardlab prepare: preference data → tokenized pairs (TRL's four columns) in a prepared directory.
import { OUTPUT_LAYOUTS, preparePairs, type OutputLayout, type PrepareProgress } from "../data/index.js";
import { InputError } from "../errors.js";
import { bool, num, parseArgs, requireStr, str, type FlagSpecs } from "./args.js";
import type { Command } from "./command.js";
import { describeEncoding, encodingSettings, ENCODING_FLAGS } from "./encoding-flags.js";

const FLAGS: FlagSpecs = {
  tokenizer: { kind: "string", help: "tokenizer folder, hub model id, or builtin:gpt2" },
  data: { kind: "string", help: ".jsonl / .jsonl.gz / .parquet file, folder of them, hub dataset id, or builtin" },
  split: { kind: "string", help: "split of a folder, hub dataset or builtin", default: "train" },
  "max-length": { kind: "number", help: "tokens per side", default: 512 },
  filter: { kind: "boolean", help: "drop pairs with a side longer than --max-length (the study's filter; the default)" },
  truncate: { kind: "boolean", help: "keep long pairs, cut on the right to --max-length" },
  "skip-invalid": { kind: "boolean", help: "skip and count bad records instead of stopping at the first" },
  ...ENCODING_FLAGS,
  format: { kind: "string", help: `output layout: ${OUTPUT_LAYOUTS.join(", ")}`, default: "binary" },
  out: { kind: "string", help: "output folder (written to a temporary folder, renamed at the end)" },
  overwrite: { kind: "boolean", help: "replace --out if it exists" },
  threads: { kind: "number", help: "tokenizer worker threads (default: one per core; 0 = main thread)" },
};

const fmtInt = (n: number): string => Math.round(n).toLocaleString("en-US");

/** A bar on a TTY, a line every 5 s otherwise. */
export function progressPrinter(label: string): { update(p: PrepareProgress): void; done(): void } {
  const tty = process.stderr.isTTY === true;
  const t0 = performance.now();
  let last = t0;
  let drawn = false;
  return {
    update(p) {
      const now = performance.now();
      if (now - last < (tty ? 200 : 5000)) return;
      last = now;
      const rate = p.read / ((now - t0) / 1000);
      const f = p.fraction;
      if (tty) {
        const w = 24, k = f === undefined ? 0 : Math.round(f * w);
        const bar = f === undefined ? "" : `[${"#".repeat(k)}${".".repeat(w - k)}] ${(f * 100).toFixed(0).padStart(3)}% `;
        process.stderr.write(`\r${label} ${bar}${fmtInt(p.read)} pairs, ${fmtInt(rate)}/s   `);
        drawn = true;
      } else {
        const pct = f === undefined ? "" : ` (${(f * 100).toFixed(0)}%)`;
        process.stderr.write(`${label}: ${fmtInt(p.read)} pairs read${pct}, ${fmtInt(p.written)} written, ${fmtInt(rate)} pairs/s\n`);
      }
    },
    done() {
      if (drawn) process.stderr.write("\r\x1b[K");
    },
  };
}

export const prepareCommand: Command = {
  name: "prepare",
  usage: "rewardlab prepare --tokenizer <dir|hub-id|builtin:gpt2> --data <path|hub-id|builtin> --out <dir> [flags]",
  summary: "tokenize preference pairs into TRL's columns (input_ids_chosen, attention_mask_chosen, ...)",
  flags: FLAGS,
  async run(argv) {
    const a = parseArgs(argv, FLAGS, "prepare");
    if (a.positional.length > 0) throw new InputError(`unexpected argument "${a.positional[0]}"`, undefined, "see: rewardlab prepare --help");
    if (bool(a, "filter") && bool(a, "truncate")) throw new InputError("--filter and --truncate exclude each other");
    const format = str(a, "format") ?? "binary";
    if (!(OUTPUT_LAYOUTS as readonly string[]).includes(format)) {
      throw new InputError(`flag --format: expected one of ${OUTPUT_LAYOUTS.join(", ")}, got "${format}"`);
    }
    const progress = progressPrinter("prepare");
    process.once("SIGINT", () => process.exit(130)); // exit handlers remove the partial output folder
    const s = await preparePairs({
      tokenizer: requireStr(a, "tokenizer", "prepare"),
      data: requireStr(a, "data", "prepare"),
      out: requireStr(a, "out", "prepare"),
      split: str(a, "split"),
      maxLength: num(a, "max-length"),
      policy: bool(a, "truncate") ? "truncate" : "filter",
      skipInvalid: bool(a, "skip-invalid"),
      encoding: encodingSettings(a),
      format: format as OutputLayout,
      overwrite: bool(a, "overwrite"),
      threads: num(a, "threads"),
      onProgress: (p) => progress.update(p),
    });
    progress.done();
    const files = s.meta.sourceFiles;
    console.log(`read ${fmtInt(s.read)} pairs from ${files.length === 1 ? files[0] : `${files.length} files`}`);
    if (s.meta.encoding !== undefined) console.log(`data: ${describeEncoding(s.meta.encoding)}`);
    console.log(`wrote ${fmtInt(s.written)} pairs (${s.meta.layout}, ${fmtInt(s.tokens)} tokens) to ${s.out}`);
    console.log(s.skipped.summary(s.read));
    if (s.truncated > 0) console.log(`truncated ${fmtInt(s.truncated)} pairs to ${s.meta.maxLength} tokens`);
    console.log(`time ${s.seconds.toFixed(2)} s, ${fmtInt(s.pairsPerSecond)} pairs/s (${s.threads === 0 ? "main thread" : `${s.threads} tokenizer threads`})`);
    return 0;
  },
};
