// --normalize: rewards as (r - mean) / std with the statistics stored in the model's config.json under OpenRLHF's
// names (`mean`, `std`, as its reward models save them; `rewardlab eval --write-stats` writes them), so a loop that
// normalizes with OpenRLHF's `--normalize_reward` and one that asks this server get the same numbers.
import { InputError } from "../errors.js";
import type { RewardModel } from "../models/index.js";

/** The model's reward mean and std from its config.json; an InputError naming the file when they are missing. */
export function rewardStats(model: RewardModel, dir: string): { mean: number; std: number } {
  const { file, raw } = model.configFile;
  const mean = raw["mean"], std = raw["std"];
  const hint = `compute them with \`rewardlab eval --model ${dir} --write-stats\`, or serve without --normalize`;
  if (typeof mean !== "number" || !Number.isFinite(mean)) {
    throw new InputError(`--normalize needs a finite number "mean", got ${JSON.stringify(mean ?? null)}`, { file, field: "mean" }, hint);
  }
  if (typeof std !== "number" || !(std > 0) || !Number.isFinite(std)) {
    throw new InputError(`--normalize needs a finite number "std" > 0, got ${JSON.stringify(std ?? null)}`, { file, field: "std" }, hint);
  }
  return { mean, std };
}
