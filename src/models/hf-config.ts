// Reading config.json from a model folder and writing it back as transformers' save_pretrained does for a
// *ForSequenceClassification reward model (architectures, id2label/label2id for one label, pad_token_id, "dtype").
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { InputError } from "../errors.js";
import { floatLiteralKeys, pythonJson, type RawConfig } from "./config.js";

export interface ConfigFile {
  readonly file: string;
  readonly raw: RawConfig;
  /** keys whose numbers were float literals (so 0.0 is written back as 0.0) */
  readonly floatKeys: ReadonlySet<string>;
}

/** Float-valued fields of GPT2Config / OPTConfig, for configs made in code (no source text to copy them from). */
const KNOWN_FLOAT_KEYS = ["attn_pdrop", "embd_pdrop", "resid_pdrop", "summary_first_dropout", "layer_norm_epsilon",
  "initializer_range", "dropout", "attention_dropout", "activation_dropout", "layerdrop", "init_std"];

export function readConfigFile(dir: string): ConfigFile {
  const file = path.join(dir, "config.json");
  if (!existsSync(file)) throw new InputError("model folder has no config.json", { file }, "a Hugging Face model folder holds config.json next to its weights");
  const text = readFileSync(file, "utf8");
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new InputError(`not valid JSON: ${(e as Error).message}`, { file });
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new InputError("expected a JSON object", { file });
  return { file, raw: raw as RawConfig, floatKeys: floatLiteralKeys(text) };
}

export function configFromObject(raw: RawConfig, file = "config.json"): ConfigFile {
  return { file, raw, floatKeys: new Set(KNOWN_FLOAT_KEYS) };
}

/** The config.json text save_pretrained writes for the reward model (num_labels 1). */
export function rewardConfigJson(cf: ConfigFile, architecture: string, padTokenId: number | null, dtype?: string): string {
  const out: RawConfig = { ...cf.raw };
  out["architectures"] = [architecture];
  out["id2label"] = { "0": "LABEL_0" };
  out["label2id"] = { LABEL_0: 0 };
  delete out["num_labels"];
  // transformers 5 writes "dtype" where 4.x wrote "torch_dtype"
  if ("torch_dtype" in out) {
    out["dtype"] = out["dtype"] ?? out["torch_dtype"];
    delete out["torch_dtype"];
  }
  out["dtype"] = dtype ?? out["dtype"] ?? "float32";
  if (padTokenId !== null) out["pad_token_id"] = padTokenId;
  return pythonJson(out, cf.floatKeys) + "\n";
}
