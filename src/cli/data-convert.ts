// rewardlab data convert --to conversational: hh-rlhf transcripts → TRL's conversational explicit format.
import { convertToConversational } from "../data/index.js";
import { InputError } from "../errors.js";
import { bool, parseArgs, requireStr, str, type FlagSpecs } from "./args.js";
import type { Command } from "./command.js";

const TARGETS = ["conversational"] as const;

const FLAGS: FlagSpecs = {
  to: { kind: "string", help: `target format: ${TARGETS.join(", ")}` },
  out: { kind: "string", help: "output .jsonl or .jsonl.gz file" },
  split: { kind: "string", help: "split of a folder, hub dataset or builtin", default: "train" },
  "skip-invalid": { kind: "boolean", help: "skip and count records that are not hh-rlhf transcripts instead of stopping" },
  overwrite: { kind: "boolean", help: "replace --out if it exists" },
};

export const dataConvertCommand: Command = {
  name: "data convert",
  usage: "rewardlab data convert <path|hub-id|builtin> --to conversational --out <file.jsonl[.gz]> [--split train]",
  summary: "turn hh-rlhf transcripts into TRL's conversational format (prompt messages + assistant answers)",
  flags: FLAGS,
  async run(argv) {
    const a = parseArgs(argv, FLAGS, "data convert");
    const [spec, ...extra] = a.positional;
    if (spec === undefined) throw new InputError('"rewardlab data convert" needs a data source', undefined, "see: rewardlab data convert --help");
    if (extra.length > 0) throw new InputError(`unexpected argument "${extra[0]}"`, undefined, "see: rewardlab data convert --help");
    const to = requireStr(a, "to", "data convert");
    if (!(TARGETS as readonly string[]).includes(to)) throw new InputError(`flag --to: expected one of ${TARGETS.join(", ")}, got "${to}"`);
    const out = requireStr(a, "out", "data convert");
    const s = await convertToConversational(spec, out, { split: str(a, "split"), skipInvalid: bool(a, "skip-invalid"), overwrite: bool(a, "overwrite") });
    console.log(`wrote ${s.written} conversational pairs to ${out}`);
    console.log(s.skipped.summary(s.read));
    return 0;
  },
};
