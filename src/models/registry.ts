// model_type → architecture (transformers.js's registry): config parser, parameter list, checkpoint key rules,
// forward pass and position ids. Adding an architecture = one model file + one row here + its parity fixture.
import { InputError } from "../errors.js";
import type { KeyRules } from "./checkpoint.js";
import type { RawConfig } from "./config.js";
import { GPT2_KEY_RULES, gpt2Forward, gpt2Params, gpt2PositionIds, parseGPT2Config, type GPT2Config } from "./gpt2.js";
import { OPT_KEY_RULES, optForward, optParams, optPositionIds, parseOPTConfig, type OPTConfig } from "./opt.js";
import type { RewardForward } from "./layers.js";
import type { ParamSpec } from "./weights.js";

export type ModelConfig = GPT2Config | OPTConfig;

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

export const MODEL_TYPES: Readonly<Record<string, ModelDef>> = { gpt2: GPT2 as ModelDef, opt: OPT as ModelDef };

/** The architecture of a config.json; an InputError naming model_type when it is not supported. */
export function modelDefFor(raw: RawConfig, file: string): ModelDef {
  const t = raw["model_type"];
  const def = typeof t === "string" ? MODEL_TYPES[t] : undefined;
  if (!def) {
    throw new InputError(`expected one of ${Object.keys(MODEL_TYPES).map((k) => `"${k}"`).join(", ")}, got ${JSON.stringify(t ?? null)}`,
      { file, field: "model_type" }, "rewardlab supports GPT-2 and OPT reward models");
  }
  return def;
}
