// rewardlab export --format onnx: a reward model as the folder Hugging Face's ONNX consumers load. onnx/model.onnx
// (inputs input_ids, attention_mask; output logits [batch, 1]; weights inside, or in onnx/model.onnx_data when they
// are large) beside config.json and the tokenizer files: the layout transformers.js reads, and Optimum's
// ORTModelForSequenceClassification with subfolder="onnx".
import { existsSync, mkdirSync, openSync, closeSync, writeFileSync, writeSync } from "node:fs";
import path from "node:path";
import { InputError } from "../errors.js";
import { inferenceOnnx, rewardConfigJson, RewardModel } from "../models/index.js";
import { saveTokenizerFiles } from "../tokenizer/index.js";
import { bool, parseArgs, requireStr, str, type FlagSpecs } from "./args.js";
import type { Command } from "./command.js";

const FLAGS: FlagSpecs = {
  model: { kind: "string", help: "model folder (config.json + weights), LoRA adapter folder, or hub model id" },
  format: { kind: "string", help: "export format (onnx)", default: "onnx" },
  out: { kind: "string", help: "export folder (created; must not exist unless --overwrite)" },
  tokenizer: { kind: "string", help: "tokenizer folder or builtin:gpt2 (default: the model folder's tokenizer files)" },
  "external-data": { kind: "string", help: "weights in onnx/model.onnx_data: auto (above 1 GiB), always, never", default: "auto" },
  overwrite: { kind: "boolean", help: "write into an existing folder" },
};

/** Weights above this go to an external data file: a protobuf message cannot pass 2 GiB, and a smaller model file loads faster. */
const EXTERNAL_ABOVE_BYTES = 1024 ** 3;
const ONNX_FILE = "model.onnx", DATA_FILE = "model.onnx_data";

export const exportCommand: Command = {
  name: "export",
  usage: "rewardlab export --model <dir|hub-id> --format onnx --out <dir> [--tokenizer <dir>] [--external-data auto|always|never]",
  summary: "a reward model as ONNX (onnx/model.onnx, config.json, tokenizer) for Optimum and transformers.js",
  flags: FLAGS,
  async run(argv) {
    const a = parseArgs(argv, FLAGS, "export");
    if (a.positional.length > 0) throw new InputError(`unexpected argument "${a.positional[0]}"`, undefined, "see: rewardlab export --help");
    const format = str(a, "format") ?? "onnx";
    if (format !== "onnx") throw new InputError(`flag --format: unknown format "${format}"`, undefined, "formats: onnx");
    const external = str(a, "external-data") ?? "auto";
    if (!["auto", "always", "never"].includes(external)) throw new InputError(`flag --external-data: expected auto, always or never, got "${external}"`);
    const out = requireStr(a, "out", "export");
    if (existsSync(out) && !bool(a, "overwrite")) throw new InputError(`--out ${out} exists`, undefined, "pick a new folder or pass --overwrite");
    const { model, dir } = await RewardModel.fromPretrained(requireStr(a, "model", "export"));
    for (const note of model.notes) console.error(`note: ${note}`);
    const bytes = model.weights.numel * 4;
    const toFile = external === "always" || (external === "auto" && bytes > EXTERNAL_ABOVE_BYTES);
    const onnx = inferenceOnnx(model, toFile ? { file: DATA_FILE } : "inline");
    const onnxDir = path.join(out, "onnx");
    mkdirSync(onnxDir, { recursive: true });
    writeFileSync(path.join(onnxDir, ONNX_FILE), onnx.bytes);
    if (toFile) {
      const fd = openSync(path.join(onnxDir, DATA_FILE), "w");
      try {
        for (const f of onnx.externalData) writeSync(fd, f.data, 0, f.data.byteLength, f.offset);
      } finally {
        closeSync(fd);
      }
    }
    writeFileSync(path.join(out, "config.json"), rewardConfigJson(model.configFile, model.def.architecture, model.padTokenId));
    const tokenizerFiles = saveTokenizerFiles(str(a, "tokenizer") ?? dir, out);
    const files = [`onnx/${ONNX_FILE}`, ...(toFile ? [`onnx/${DATA_FILE}`] : []), "config.json", ...tokenizerFiles];
    console.error(`exported ${model.modelType} (${model.weights.numel} parameters) to ${out}: ${files.join(", ")}`);
    return 0;
  },
};
