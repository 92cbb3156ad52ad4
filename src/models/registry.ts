// model_type → architecture (transformers.js's registry): config parser, parameter list, checkpoint key rules,
// forward pass and position ids. Adding an architecture = one model file + one row here + its parity fixture.
import { InputError } from "../errors.js";
import type { KeyRules } from "./checkpoint.js";
import type { RawConfig } from "./config.js";
import { GPT2_KEY_RULES, gpt2Forward, gpt2Params, gpt2PositionIds, parseGPT2Config, type GPT2Config } from "./gpt2.js";
import { OPT_KEY_RULES, optForward, optParams, optPositionIds, parseOPTConfig, type OPTConfig } from "./opt.js";
import { arangePositionIds, type RewardForward } from "./layers.js";
import { LLAMA_KEY_RULES, llamaForward, llamaParams, parseLlamaConfig, type LlamaConfig } from "./llama.js";
import type { ParamSpec } from "./weights.js";

export type ModelConfig = GPT2Config | OPTConfig | LlamaConfig;

export interface ModelDef<C extends ModelConfig = ModelConfig> {
  /** the HF class save_pretrained names in config.json "architectures" */
  readonly architecture: string;
  parseConfig(raw: RawConfig, file: string): C;
  params(c: C): ParamSpec[];
  readonly keyRules: KeyRules;
  /** builds the reward graph: rewards [B] from the inputs of layers.ts RewardInputs */
  readonly forward: RewardForward<C>;
  /** position ids [B*T] of an ordinary right- or left-padded batch, from its attention mask [B*T] */
  positionIds(c: C, mask: ArrayLike<number>, B: number, T: number): Int32Array;
}

const GPT2: ModelDef<GPT2Config> = {
  architecture: "GPT2ForSequenceClassification",
  parseConfig: parseGPT2Config, params: gpt2Params, keyRules: GPT2_KEY_RULES, forward: gpt2Forward, positionIds: gpt2PositionIds,
};
const OPT: ModelDef<OPTConfig> = {
  architecture: "OPTForSequenceClassification",
  parseConfig: parseOPTConfig, params: optParams, keyRules: OPT_KEY_RULES, forward: optForward, positionIds: optPositionIds,
};

/** One row per model_type of the Llama family: same file, the class name transformers saves differs. */
const llamaRow = (architecture: string): ModelDef<LlamaConfig> => ({
  architecture, parseConfig: parseLlamaConfig, params: llamaParams, keyRules: LLAMA_KEY_RULES, forward: llamaForward, positionIds: arangePositionIds,
});

export const MODEL_TYPES: Readonly<Record<string, ModelDef>> = {
  gpt2: GPT2 as ModelDef,
  opt: OPT as ModelDef,
  llama: llamaRow("LlamaForSequenceClassification") as ModelDef,
  mistral: llamaRow("MistralForSequenceClassification") as ModelDef,
  qwen2: llamaRow("Qwen2ForSequenceClassification") as ModelDef,
  qwen3: llamaRow("Qwen3ForSequenceClassification") as ModelDef,
};

/** The architecture of a config.json; an InputError naming model_type when it is not supported. */
export function modelDefFor(raw: RawConfig, file: string): ModelDef {
  const t = raw["model_type"];
  const def = typeof t === "string" ? MODEL_TYPES[t] : undefined;
  if (!def) {
    throw new InputError(`expected one of ${Object.keys(MODEL_TYPES).map((k) => `"${k}"`).join(", ")}, got ${JSON.stringify(t ?? null)}`,
      { file, field: "model_type" }, "rewardlab supports GPT-2, OPT and Llama-family (llama, mistral, qwen2, qwen3) reward models");
  }
  return def;
}
