// Shared by the tokenizer tests: the expected ids of ../shared/reference/formula/*/expected.json, copied into
// test/fixtures/tokenizer/expected-ids.json (texts + ids only).
import { readFileSync } from "node:fs";

export interface Expected {
  readonly text: string;
  readonly ids: readonly number[];
}
export interface ExpectedIds {
  readonly models: Record<"gpt2-tiny" | "opt-tiny-postln" | "opt-tiny-preln", readonly Expected[]>;
  /** OPT id → token string for every id in the OPT lists (OPT's vocab.json is too big to copy). */
  readonly opt_id_to_token: Record<string, string>;
}

export const EXPECTED = JSON.parse(readFileSync("test/fixtures/tokenizer/expected-ids.json", "utf8")) as ExpectedIds;
export const SHARED_TOKENIZERS = "../shared/tokenizers";
