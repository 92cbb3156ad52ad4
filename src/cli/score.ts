// rewardlab score: rewards of texts or pairs in a JSONL file, tokenized as the model's tokenizer does.
// {"text"} lines → {"reward"}; {"chosen","rejected"} lines → {"chosen_reward","rejected_reward"}; input order kept.
import { writeFileSync } from "node:fs";
import { readJsonLines, rewardTextEncoder } from "../data/index.js";
import { InputError } from "../errors.js";
import { RewardModel } from "../models/index.js";
import { loadTokenizer } from "../tokenizer/index.js";
import { QUANT_FLAGS, quantFromFlags } from "./quant-flags.js";
import { intFlag, parseArgs, requireStr, str, type FlagSpecs } from "./args.js";
import type { Command } from "./command.js";

const FLAGS: FlagSpecs = {
  model: { kind: "string", help: "model folder (config.json + weights) or hub model id" },
  input: { kind: "string", help: 'JSONL file: {"text": ...} or {"chosen": ..., "rejected": ...} per line' },
  output: { kind: "string", help: "write the JSONL results here instead of stdout" },
  "batch-size": { kind: "number", help: "texts per forward pass", default: 8 },
  "max-length": { kind: "number", help: "tokens kept per text (right truncation)", default: 512 },
  tokenizer: { kind: "string", help: "tokenizer folder or builtin:gpt2 (default: the model folder's tokenizer files)" },
  ...QUANT_FLAGS,
};

type Record_ = { kind: "text"; text: string } | { kind: "pair"; chosen: string; rejected: string };

function readRecords(file: string): Record_[] {
  return readJsonLines(file, 'one JSON object per line: {"text": ...} or {"chosen": ..., "rejected": ...}').map(({ line, value: v }) => {
    const where = { file, line };
    const o = (typeof v === "object" && v !== null ? v : {}) as Record<string, unknown>;
    const field = (name: string): string => {
      if (typeof o[name] !== "string") throw new InputError(`expected a string, got ${JSON.stringify(o[name] ?? null)}`, { ...where, field: name });
      return o[name];
    };
    if ("text" in o) return { kind: "text", text: field("text") };
    if ("chosen" in o || "rejected" in o) return { kind: "pair", chosen: field("chosen"), rejected: field("rejected") };
    throw new InputError('expected a "text" field, or "chosen" and "rejected"', where);
  });
}

export const scoreCommand: Command = {
  name: "score",
  usage: "rewardlab score --model <dir|hub-id> --input <file.jsonl> [--batch-size 8] [--max-length 512] [--tokenizer <dir>] [--load-in-8bit|--load-in-4bit]",
  summary: "rewards of texts or chosen/rejected pairs in a JSONL file",
  flags: FLAGS,
  async run(argv) {
    const a = parseArgs(argv, FLAGS, "score");
    if (a.positional.length > 0) throw new InputError(`unexpected argument "${a.positional[0]}"`, undefined, "see: rewardlab score --help");
    const maxLength = intFlag(a, "max-length", 512, 1), batchSize = intFlag(a, "batch-size", 8, 1);
    const inputFile = requireStr(a, "input", "score");
    const records = readRecords(inputFile);
    const quant = quantFromFlags(a);
    const { model, dir } = await RewardModel.fromPretrained(requireStr(a, "model", "score"));
    await model.quantize(quant);
    for (const note of model.notes) console.error(`note: ${note}`);
    const tokSource = str(a, "tokenizer") ?? dir;
    const tok = await loadTokenizer(tokSource);
    const encode = rewardTextEncoder(dir, tok); // eos appended when the model was trained so
    const padNote = model.padFromTokenizer(tok);
    if (padNote !== null) console.error(`note: ${padNote}`);
    const texts = records.flatMap((r) => (r.kind === "text" ? [r.text] : [r.chosen, r.rejected]));
    let truncated = 0;
    const rows = texts.map((t, i) => {
      const ids = encode(t);
      if (ids.length === 0) throw new InputError(`text ${i + 1} tokenizes to no tokens`, { file: inputFile }, "a reward needs at least one token");
      if (ids.length > maxLength) truncated++;
      return ids.slice(0, maxLength);
    });
    if (truncated > 0) console.error(`truncated ${truncated} of ${rows.length} texts to ${maxLength} tokens (right truncation)`);
    const tty = process.stderr.isTTY === true;
    let lastLine = 0;
    const rewards = await model.score(rows, {
      batchSize,
      onProgress: (done, total) => {
        if (tty) process.stderr.write(`\rscoring ${done}/${total}${done === total ? "\n" : ""}`);
        else if (done === total || Date.now() - lastLine > 10_000) { lastLine = Date.now(); console.error(`scored ${done}/${total} texts`); }
      },
    });
    await model.release();
    let k = 0;
    const lines = records.map((r) => JSON.stringify(r.kind === "text"
      ? { reward: rewards[k++] }
      : { chosen_reward: rewards[k++], rejected_reward: rewards[k++] }));
    const text = lines.join("\n") + (lines.length > 0 ? "\n" : "");
    const out = str(a, "output");
    if (out !== undefined) writeFileSync(out, text);
    else process.stdout.write(text);
    return 0;
  },
};
