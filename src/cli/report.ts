// `rewardlab report <run dirs…> --out <dir>`: rebuilds the comparison report from existing run folders (rewardlab
// runs and Hugging Face / TRL output folders alike).
import { InputError } from "../errors.js";
import { attachEvals, collectRuns, isEvalDir, writeReport } from "../report/index.js";
import { parseArgs, requireStr, str } from "./args.js";
import type { Command } from "./command.js";

export const reportCommand: Command = {
  name: "report",
  usage: "rewardlab report <run dir>... [<eval dir>...] --out <dir> [--title <text>]",
  summary: "Write a comparison report (report.html, report.md, charts/, summary.json) from run folders",
  flags: {
    out: { kind: "string", help: "folder to write the report into (created if missing)" },
    title: { kind: "string", help: "report title (default: names the compared models)" },
  },
  async run(argv) {
    const a = parseArgs(argv, this.flags, this.name);
    if (a.positional.length === 0) {
      throw new InputError("no run folders given", undefined, "usage: rewardlab report <run dir>... --out <dir>");
    }
    const out = requireStr(a, "out", this.name);
    // eval folders (rewardlab eval --out) go beside the run whose model they evaluated
    const runs = attachEvals(collectRuns(a.positional.filter((d) => !isEvalDir(d))), a.positional.filter(isEvalDir));
    const title = str(a, "title");
    const { doc, files } = writeReport(runs, out, title !== undefined ? { title } : {});
    console.log(doc.answer);
    console.log(`wrote ${files.length} files to ${out}: report.html, report.md, summary.json, ${files.length - 3} charts`);
    return 0;
  },
};
