// Tokenizer sources as prepare and stats take them: a folder, "builtin:gpt2", or a hub model id whose tokenizer
// files are fetched into the HF cache first. Workers then load the same local source.
import { existsSync } from "node:fs";
import { hubSnapshot, looksLikeHubId } from "../hub/index.js";
import { loadTokenizer, TOKENIZER_FILE_NAMES, type Tokenizer } from "../tokenizer/index.js";

const TOKENIZER_FILES = new Set(TOKENIZER_FILE_NAMES);

/** A source loadTokenizer can read locally. */
export async function localTokenizerSource(source: string): Promise<string> {
  if (source.startsWith("builtin:") || existsSync(source) || !looksLikeHubId(source)) return source;
  return hubSnapshot(source, { repoType: "model", allow: (p) => TOKENIZER_FILES.has(p) });
}

const LOADED = new Map<string, Promise<Tokenizer>>();

/** loadTokenizer, once per local source and process (a tokenizer takes ~1 s to build). */
export function cachedTokenizer(localSource: string): Promise<Tokenizer> {
  let t = LOADED.get(localSource);
  if (t === undefined) {
    t = loadTokenizer(localSource);
    t.catch(() => LOADED.delete(localSource));
    LOADED.set(localSource, t);
  }
  return t;
}
