// A folder of data files, read recursively in sorted path order; with a split, only that split's files
// (hh-rlhf: harmless-base/train.jsonl.gz, helpful-base/train.jsonl.gz, ... for --split train).
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { InputError } from "../../errors.js";
import type { PairReader } from "../types.js";
import { concatFiles, filesOfSplit, isDataFile } from "./files.js";

function walk(dir: string, rel = ""): string[] {
  const out: string[] = [];
  for (const name of readdirSync(path.join(dir, rel)).sort()) {
    if (name.startsWith(".")) continue;
    const r = rel === "" ? name : `${rel}/${name}`;
    if (statSync(path.join(dir, r)).isDirectory()) out.push(...walk(dir, r));
    else if (isDataFile(name)) out.push(r);
  }
  return out;
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

export const FOLDER_READER: PairReader = {
  name: "folder",
  accepts: isDir,
  open: async (dir, opts) => {
    const all = walk(dir);
    const split = opts.split ?? "train";
    const picked = filesOfSplit(all, split);
    if (picked.length === 0) {
      throw new InputError(`no .jsonl, .jsonl.gz or .parquet files of split "${split}" (found ${all.length} data files)`,
        { file: dir }, all.length > 0 ? `files found: ${all.slice(0, 6).join(", ")}${all.length > 6 ? ", ..." : ""}; pick another --split` : undefined);
    }
    return concatFiles(picked.map((r) => path.join(dir, r)), opts);
  },
};
