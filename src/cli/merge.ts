// rewardlab merge: fold a PEFT LoRA adapter (adapter_config.json + adapter_model.safetensors) into its base model
// and write a plain Hugging Face reward-model folder.
import { copyFileSync, existsSync } from "node:fs";
import path from "node:path";
import { InputError } from "../errors.js";
import { RewardModel } from "../models/index.js";
import { loadPeftAdapter, mergeLoraInto } from "../models/index.js";
import { TOKENIZER_FILE_NAMES } from "../tokenizer/index.js";
import { parseArgs, requireStr, str, type FlagSpecs } from "./args.js";
import type { Command } from "./command.js";

const FLAGS: FlagSpecs = {
  adapter: { kind: "string", help: "adapter folder (PEFT format, e.g. <run>/final of a --use-lora run)" },
  base: { kind: "string", help: "base model folder (default: the adapter's base_model_name_or_path)" },
  out: { kind: "string", help: "output folder for the merged model" },
};

export const mergeCommand: Command = {
  name: "merge",
  usage: "rewardlab merge --adapter <dir> [--base <dir>] --out <dir>",
  summary: "fold a LoRA adapter into its base model (a plain checkpoint)",
  flags: FLAGS,
  async run(argv) {
    const a = parseArgs(argv, FLAGS, "merge");
    if (a.positional.length > 0) throw new InputError(`unexpected argument "${a.positional[0]}"`, undefined, "see: rewardlab merge --help");
    const adapterDir = requireStr(a, "adapter", "merge"), out = requireStr(a, "out", "merge");
    const adapter = loadPeftAdapter(adapterDir);
    const base = str(a, "base") ?? adapter.config.base_model_name_or_path;
    if (!base || !existsSync(base)) {
      throw new InputError(`base model ${JSON.stringify(base)} is not a folder`, { file: path.join(adapterDir, "adapter_config.json"), field: "base_model_name_or_path" },
        "pass --base <folder of the model the adapter was trained on>");
    }
    const model = RewardModel.load(base);
    mergeLoraInto(model.weights, adapter, model.modelType);
    model.save(out);
    for (const f of TOKENIZER_FILE_NAMES) {
      const from = existsSync(path.join(adapterDir, f)) ? path.join(adapterDir, f) : path.join(base, f);
      if (existsSync(from)) copyFileSync(from, path.join(out, f));
    }
    process.stdout.write(`merged ${adapterDir} (r ${adapter.config.r}, alpha ${adapter.config.lora_alpha}) into ${base} → ${out}\n`);
    return 0;
  },
};
