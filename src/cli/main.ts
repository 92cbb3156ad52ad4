// Entry point of `rewardlab`. The one place that catches errors: a RewardlabError prints one line (and a hint)
// and exits with its code; anything else is a bug and prints its stack.
import { RewardlabError } from "../errors.js";
import { formatHelp } from "./args.js";
import type { Command } from "./command.js";
import { dataConvertCommand } from "./data-convert.js";
import { dataStatsCommand } from "./data-stats.js";
import { evalCommand } from "./eval.js";
import { exportCommand } from "./export.js";
import { exportTrlCommand } from "./export-trl.js";
import { mergeCommand } from "./merge.js";
import { prepareCommand } from "./prepare.js";
import { reportCommand } from "./report.js";
import { trainCommand } from "./train.js";
import { scoreCommand } from "./score.js";
import { serveCommand } from "./serve.js";
import { studyCommand } from "./study.js";

const COMMANDS: readonly Command[] = [
  prepareCommand,
  dataStatsCommand, dataConvertCommand,
  studyCommand, reportCommand,
  trainCommand, mergeCommand,
  scoreCommand, evalCommand,
  serveCommand,
  exportTrlCommand,
  exportCommand,
];

function usage(): string {
  const rows = COMMANDS.map((c) => `  ${c.name.padEnd(12)} ${c.summary}`);
  return [
    "rewardlab — train, evaluate, compare and serve reward models for RLHF",
    "",
    "usage: rewardlab <command> [flags]",
    "",
    "commands:",
    ...rows,
    "",
    "Run `rewardlab <command> --help` for a command's flags. --debug prints stack traces.",
  ].join("\n");
}

export async function main(argv: readonly string[]): Promise<number> {
  const debug = argv.includes("--debug");
  const args = argv.filter((a) => a !== "--debug");
  const [name, ...rest] = args;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    console.log(usage());
    return 0;
  }
  if (name === "--version") {
    console.log("0.1.0");
    return 0;
  }
  // `data stats` and similar two-word commands are looked up by their longest matching name.
  const two = `${name} ${rest[0] ?? ""}`;
  const cmd = COMMANDS.find((c) => c.name === two) ?? COMMANDS.find((c) => c.name === name);
  if (!cmd) {
    console.error(`rewardlab: unknown command "${name}"`);
    console.error(`hint: one of ${COMMANDS.map((c) => c.name).join(", ")}`);
    return 2;
  }
  const cmdArgs = cmd.name === two ? rest.slice(1) : rest;
  if (cmdArgs.includes("--help") || cmdArgs.includes("-h")) {
    console.log(formatHelp(cmd.usage, cmd.summary, cmd.flags));
    return 0;
  }
  try {
    return await cmd.run(cmdArgs);
  } catch (e) {
    if (e instanceof RewardlabError) {
      console.error(`rewardlab ${cmd.name}: ${e.format()}`);
      if (e.hint) console.error(`hint: ${e.hint}`);
      if (debug && e.stack) console.error(e.stack);
      return e.exitCode;
    }
    throw e;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error("rewardlab: internal error (a bug; please report it with this trace):");
    console.error(e instanceof Error ? e.stack : e);
    process.exitCode = 70;
  },
);
