// Hub dataset ids ("Anthropic/hh-rlhf"): list the repo's files, download the split's data files into the HF cache
// (src/hub), then read them like a local folder.
import { existsSync } from "node:fs";
import path from "node:path";
import { InputError } from "../../errors.js";
import { hubListFiles, hubSnapshot, looksLikeHubId } from "../../hub/index.js";
import type { PairReader } from "../types.js";
import { concatFiles, filesOfSplit, isDataFile } from "./files.js";

export const HUB_READER: PairReader = {
  name: "hub",
  accepts: (spec) => looksLikeHubId(spec) && !existsSync(spec),
  open: async (repoId, opts) => {
    const split = opts.split ?? "train";
    const all = (await hubListFiles(repoId, { repoType: "dataset" })).filter(isDataFile);
    const picked = filesOfSplit(all, split);
    if (picked.length === 0) {
      throw new InputError(`hub dataset ${repoId} has no .jsonl, .jsonl.gz or .parquet files of split "${split}" (found ${all.length} data files)`,
        { file: repoId }, all.length > 0 ? `files: ${all.slice(0, 6).join(", ")}${all.length > 6 ? ", ..." : ""}` : "is it a script-only dataset?");
    }
    const wanted = new Set(picked);
    const dir = await hubSnapshot(repoId, { repoType: "dataset", allow: (p) => wanted.has(p) });
    return concatFiles(picked.map((p) => path.join(dir, p)), opts);
  },
};
