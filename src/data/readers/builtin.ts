// The built-in generated dataset (src/data/builtin.ts), selected by the data source "builtin" and --split.
import { builtinPairs } from "../builtin.js";
import type { PairReader, RawPair, ReadOptions } from "../types.js";
import { isInvalid, pairFromRecord, reject } from "./record.js";
import { InputError } from "../../errors.js";

const SPLITS = ["train", "test"] as const;

async function* readBuiltin(split: "train" | "test", opts: ReadOptions, onDone: (f: number) => void): AsyncGenerator<RawPair> {
  const file = `builtin:${split}`;
  const recs = builtinPairs(split);
  for (const [i, rec] of recs.entries()) {
    const p = pairFromRecord(rec, { file, line: i + 1 });
    if (isInvalid(p)) reject(p, opts);
    else yield p;
    onDone((i + 1) / recs.length);
  }
}

export const BUILTIN_READER: PairReader = {
  name: "builtin",
  accepts: (spec) => spec === "builtin",
  open: async (_spec, opts) => {
    const split = opts.split ?? "train";
    if (split !== "train" && split !== "test") {
      throw new InputError(`the builtin dataset has splits ${SPLITS.join(" and ")}, not "${split}"`, { file: "builtin", field: "split" });
    }
    let fraction = 0;
    return { files: [`builtin:${split}`], pairs: () => readBuiltin(split, opts, (f) => { fraction = f; }), progress: () => fraction };
  },
};
