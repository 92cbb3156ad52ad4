// Command-line flags for RewardConfig: every field as a kebab-case flag (--max-steps ↔ max_steps), applied on top
// of the run file. The specs are structurally identical to cli/args.ts FlagSpecs (train may not import cli).
import { InputError } from "../errors.js";
import { DEFAULT_REWARD_CONFIG, parseRewardConfig, REWARD_CONFIG_FIELDS as FIELDS, type RewardConfig } from "./config.js";

const KEYS = Object.keys(FIELDS) as (keyof RewardConfig)[];

/** Structurally identical to cli/args.ts FlagSpecs (train may not import cli). No defaults: an absent flag keeps the file's value. */
export interface RewardFlagSpec {
  readonly kind: "string" | "number" | "boolean" | "list";
  readonly help: string;
}
export type RewardFlagSpecs = Record<string, RewardFlagSpec>;

export const flagName = (key: string): string => key.replace(/_/g, "-");

export function rewardConfigFlags(): RewardFlagSpecs {
  const specs: RewardFlagSpecs = {};
  for (const key of KEYS) {
    const k = FIELDS[key];
    const nullable = "nullable" in k && k.nullable === true;
    // nullable numbers take a string so "--threads null" can clear them; applyRewardConfigFlags converts
    const kind = k.t === "bool" ? "boolean" : (k.t === "int" || k.t === "num") && !nullable ? "number"
      : k.t === "strList" ? "list" : "string";
    const def = DEFAULT_REWARD_CONFIG[key];
    const shown = Array.isArray(def) ? def.join(",") : String(def);
    const choices = k.t === "enum" ? ` (${k.values.join("|")})` : "";
    specs[flagName(key)] = { kind, help: `${key}${choices}; default ${shown}` };
  }
  return specs;
}

/** Apply parsed flag values (as cli/args.ts produces them) on top of `config`. Only RewardConfig flags are read. */
export function applyRewardConfigFlags(config: Readonly<RewardConfig>,
  flags: ReadonlyMap<string, string | number | boolean | string[] | undefined>): RewardConfig {
  const raw: Record<string, unknown> = {};
  for (const key of KEYS) {
    const v = flags.get(flagName(key));
    if (v === undefined) continue;
    const k = FIELDS[key];
    // "null"/"none" on the command line clears a nullable field
    if (typeof v === "string" && "nullable" in k && k.nullable && /^(null|none)$/i.test(v)) raw[key] = null;
    else if (typeof v === "string" && (k.t === "int" || k.t === "num") && v.trim() !== "" && Number.isFinite(Number(v))) raw[key] = Number(v);
    else if (Array.isArray(v) && k.t === "strList" && k.nullable && v.length === 1 && /^(null|none)$/i.test(v[0] as string)) raw[key] = null;
    else raw[key] = v;
  }
  try {
    return parseRewardConfig(raw, "command line", config);
  } catch (e) {
    if (e instanceof InputError && e.where?.field !== undefined) {
      throw new InputError(e.message.replace(`"${e.where.field}"`, `--${flagName(e.where.field)}`),
        { file: "command line", field: `--${flagName(e.where.field)}` }, e.hint);
    }
    throw e;
  }
}
