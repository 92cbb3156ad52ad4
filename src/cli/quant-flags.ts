// --load-in-8bit / --load-in-4bit / --quant-block-size for the commands that score (score, serve): the same names and
// checks as the training flags (RewardConfig load_in_8bit, load_in_4bit, quant_block_size).
import { NBITS_BLOCK_SIZES } from "../engine/index.js";
import { InputError } from "../errors.js";
import type { ScoreQuantization } from "../models/index.js";
import { bool, intFlag, type FlagSpecs, type ParsedArgs } from "./args.js";

export const QUANT_FLAGS: FlagSpecs = {
  "load-in-8bit": { kind: "boolean", help: "score with the base's linear weights quantized to 8 bits (score head fp32)" },
  "load-in-4bit": { kind: "boolean", help: "score with the base's linear weights quantized to 4 bits (score head fp32)" },
  "quant-block-size": { kind: "number", help: `weights per quantization block (${NBITS_BLOCK_SIZES.join("|")})`, default: 128 },
};

/** The quantization the flags ask for; null without --load-in-8bit / --load-in-4bit. */
export function quantFromFlags(a: ParsedArgs): ScoreQuantization | null {
  const b8 = bool(a, "load-in-8bit"), b4 = bool(a, "load-in-4bit");
  if (b8 && b4) throw new InputError("--load-in-8bit and --load-in-4bit are both set", { file: "command line", field: "--load-in-4bit" }, "pick one");
  const blockSize = intFlag(a, "quant-block-size", 128, 1);
  if (!(NBITS_BLOCK_SIZES as readonly number[]).includes(blockSize)) {
    throw new InputError(`--quant-block-size must be one of ${NBITS_BLOCK_SIZES.join(", ")}, got ${blockSize}`, { file: "command line", field: "--quant-block-size" });
  }
  return b8 || b4 ? { bits: b4 ? 4 : 8, blockSize } : null;
}
