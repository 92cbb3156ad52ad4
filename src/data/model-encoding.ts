// The EOS rule a reward model was trained with, recorded in its saved folder so that score, serve and eval feed it
// the same tokens: config.json of a full model (transformers keeps unknown keys and ignores them), or
// adapter_config.json of a LoRA adapter folder (which has no config.json; PEFT warns about the key and drops it).
// A folder without the record is scored on the text as given: what every model before the record was trained on.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { InputError } from "../errors.js";
import type { Tokenizer } from "../tokenizer/index.js";
import { encodeForReward } from "./encode.js";

/** The config key: true when the eos token was appended to the (standard, non-conversational) training texts. */
export const APPEND_EOS_TOKEN_KEY = "rewardlab_append_eos_token";

function configOf(dir: string): string | undefined {
  return ["config.json", "adapter_config.json"].map((f) => path.join(dir, f)).find((f) => existsSync(f));
}

function readObject(file: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new InputError(`not valid JSON: ${(e as Error).message}`, { file });
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new InputError("expected a JSON object", { file });
  return v as Record<string, unknown>;
}

/**
 * Writes the rule into the model folder's config (config.json, else adapter_config.json) as a last key. The text
 * is edited, not re-serialized, so every other key keeps its exact form (float literals such as 0.0 included).
 */
export function recordEosRule(modelDir: string, appendEosToken: boolean): void {
  const file = configOf(modelDir);
  if (file === undefined) throw new InputError("model folder has no config.json or adapter_config.json", { file: modelDir });
  readObject(file); // a valid JSON object, or an error naming the file
  const text = readFileSync(file, "utf8");
  const existing = new RegExp(`"${APPEND_EOS_TOKEN_KEY}"\\s*:\\s*(true|false)`);
  let out: string;
  if (existing.test(text)) {
    out = text.replace(existing, `"${APPEND_EOS_TOKEN_KEY}": ${appendEosToken}`);
  } else {
    const close = text.lastIndexOf("}");
    const body = text.slice(0, close).trimEnd();
    out = `${body}${body.endsWith("{") ? "" : ","}\n  "${APPEND_EOS_TOKEN_KEY}": ${appendEosToken}\n}\n`;
  }
  writeFileSync(file, out);
}

/** The rule a model folder records; false (text as given) when it records none. */
export function trainedEosRule(modelDir: string): boolean {
  const file = configOf(modelDir);
  if (file === undefined) return false;
  const v = readObject(file)[APPEND_EOS_TOKEN_KEY];
  if (v === undefined || v === null) return false;
  if (typeof v !== "boolean") throw new InputError(`expected true or false, got ${JSON.stringify(v)}`, { file, field: APPEND_EOS_TOKEN_KEY });
  return v;
}

/** The encoder score, serve and eval use for a model folder: its text, with eos appended when it was trained so. */
export function rewardTextEncoder(modelDir: string, tok: Tokenizer): (text: string) => number[] {
  const appendEos = trainedEosRule(modelDir);
  return (text) => encodeForReward(tok, text, appendEos);
}
