// --write-stats: the reward mean and std over every scored text go into the model folder's config.json as "mean"
// and "std", the names OpenRLHF's reward models carry, so a server can normalize rewards as (r − mean) / std.
import { existsSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { InputError } from "../errors.js";
import { pythonJson, readConfigFile } from "../models/index.js";

/** The config.json that will take the statistics; checked before scoring, so a long eval does not end in this error. */
export function statsTarget(dir: string): string {
  const file = path.join(dir, "config.json");
  if (!existsSync(file)) {
    throw new InputError("the model folder has no config.json to write the reward statistics into", { file },
      "an adapter folder loads its base model's config: merge it (rewardlab merge) and evaluate the merged folder");
  }
  return file;
}

/** Writes mean/std into <dir>/config.json (every other key kept as it was); returns the file. */
export function writeRewardStats(dir: string, mean: number, std: number): string {
  const file = statsTarget(dir);
  if (!(Number.isFinite(mean) && Number.isFinite(std) && std > 0)) {
    throw new InputError(`reward statistics are not usable for normalization (mean ${mean}, std ${std})`, { file, field: "std" });
  }
  const cf = readConfigFile(dir);
  const raw = { ...cf.raw, mean, std };
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, `${pythonJson(raw, new Set([...cf.floatKeys, "mean", "std"]))}\n`);
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  return file;
}
