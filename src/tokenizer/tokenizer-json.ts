// A tokenizer.json (+ tokenizer_config.json) as a Tokenizer. transformers 5, whose ids TRL trains on, runs the
// file with two differences that matter:
// - a tokenizer class may rebuild parts of the pipeline: LlamaTokenizer (Llama-2, Mistral) replaces the file's
//   normalizer by a Metaspace pre-tokenizer (TRANSFORMERS_CLASSES);
// - tokenizer_config.json add_bos_token / add_eos_token are dropped when tokenizer.json exists, so the file's
//   post-processor decides alone (transformers 4's LlamaTokenizerFast applied them; 5 does not).
// Plain byte-level BPE files (GPT-2, OPT, RoBERTa) go to the faster ByteLevelBpeTokenizer instead (load.ts).

import { InputError } from "../errors.js";
import { AddedTokenMatcher } from "./added-tokens.js";
import { Bpe, type Merge } from "./bpe.js";
import { ByteSymbols, CharSymbols, type Symbolizer } from "./bpe-symbols.js";
import { BYTE_TO_CHAR } from "./byte-level.js";
import { buildDecoder } from "./decoders.js";
import { type MergeText, parseMergesJson } from "./hf-files.js";
import { type At, asObject, at, bool, type JsonObject, optStr } from "./json-fields.js";
import { buildNormalizer } from "./normalizers.js";
import { PipelineTokenizer } from "./pipeline-tokenizer.js";
import { buildPostProcessor } from "./post-processors.js";
import { buildPreTokenizer } from "./pre-tokenizers.js";
import type { JsonFile, ResolvedTokens } from "./special-tokens.js";
import type { Tokenizer } from "./tokenizer.js";

const UNSUPPORTED_MODEL_HINT = "rewardlab reads BPE tokenizers (GPT-2, Llama, Qwen, Mistral…); WordPiece and Unigram models are not supported";

/** What transformers 5's tokenizer class puts in place of tokenizer.json's parts, from tokenizer_config.json. */
const TRANSFORMERS_CLASSES: Readonly<Record<string, (config: JsonObject) => JsonObject>> = {
  LlamaTokenizer: llamaClass,
  LlamaTokenizerFast: llamaClass,
};

function llamaClass(config: JsonObject): JsonObject {
  const addPrefixSpace = config.add_prefix_space !== false;
  const legacy = config.legacy === true; // the class default is legacy=False
  const scheme = addPrefixSpace ? (legacy ? "always" : "first") : "never";
  const decoders: JsonObject[] = [
    { type: "Replace", pattern: { String: "▁" }, content: " " }, { type: "ByteFallback" }, { type: "Fuse" },
  ];
  if (addPrefixSpace) decoders.push({ type: "Strip", content: " ", start: 1, stop: 0 });
  return {
    normalizer: null,
    pre_tokenizer: { type: "Metaspace", replacement: "▁", prepend_scheme: scheme, split: false },
    decoder: { type: "Sequence", decoders },
  };
}

/** tokenizer.json as transformers 5 runs it: the class's replacements applied. */
export function applyTransformersClass(tj: JsonFile, config: JsonFile | undefined): JsonFile {
  const cls = config?.data.tokenizer_class;
  if (config === undefined || typeof cls !== "string" || !Object.hasOwn(TRANSFORMERS_CLASSES, cls)) return tj;
  return { file: tj.file, data: { ...tj.data, ...(TRANSFORMERS_CLASSES[cls] as (c: JsonObject) => JsonObject)(config.data) } };
}

/** True when the file is GPT-2-style byte-level BPE with nothing else, which ByteLevelBpeTokenizer runs. */
export function isPlainByteLevel(tj: JsonFile, resolved: ResolvedTokens): boolean {
  const d = tj.data;
  const model = d.model as JsonObject | undefined;
  const pre = d.pre_tokenizer as JsonObject | null | undefined;
  const decoder = d.decoder as JsonObject | null | undefined;
  return model?.type === "BPE" && (model.dropout ?? null) === null && model.byte_fallback !== true && model.ignore_merges !== true
    && !model.continuing_subword_prefix && !model.end_of_word_suffix
    && (d.normalizer ?? null) === null && pre?.type === "ByteLevel" && pre.use_regex !== false
    && (decoder === null || decoder === undefined || decoder.type === "ByteLevel")
    && resolved.addedTokens.every((t) => !t.singleWord);
}

function resolveMerges(texts: readonly MergeText[], vocab: ReadonlyMap<string, number>, prefix: string, file: string): Merge[] {
  return texts.map((m) => {
    const left = vocab.get(m.left);
    const right = vocab.get(m.right);
    // With a continuing_subword_prefix, the right part's prefix is dropped from the merged token (HF BPE).
    const joined = m.left + (prefix !== "" && m.right.startsWith(prefix) ? m.right.slice(prefix.length) : m.right);
    const merged = vocab.get(joined);
    if (left === undefined || right === undefined || merged === undefined) {
      const what = left === undefined ? m.left : right === undefined ? m.right : joined;
      throw new InputError(`merge "${m.left} ${m.right}": token ${JSON.stringify(what)} is not in the vocabulary`,
        { file, field: `model.merges[${m.line}]` }, "vocab and merges must come from the same tokenizer");
    }
    return { left, right, merged };
  });
}

/** The BPE model of tokenizer.json: its starting symbols (bytes or characters) and merges. */
function buildBpe(model: JsonObject, where: At, vocab: ReadonlyMap<string, number>, byteLevel: boolean): Bpe {
  if (model.dropout !== null && model.dropout !== undefined) {
    throw new InputError(`expected no BPE dropout (it makes encoding random), got ${JSON.stringify(model.dropout)}`, at(where, "dropout"));
  }
  const prefix = optStr(model, "continuing_subword_prefix", where) ?? "";
  const suffix = optStr(model, "end_of_word_suffix", where) ?? "";
  const ignoreMerges = bool(model, "ignore_merges", where, false);
  const merges = resolveMerges(parseMergesJson(model.merges, where.file), vocab, prefix, where.file);
  let symbols: Symbolizer;
  if (byteLevel && prefix === "" && suffix === "") {
    const byteIds = new Int32Array(256);
    BYTE_TO_CHAR.forEach((ch, b) => {
      const id = vocab.get(ch);
      if (id === undefined) {
        throw new InputError(`vocabulary lacks the byte-level token ${JSON.stringify(ch)} (byte ${b})`, at(where, "vocab"),
          "byte-level BPE needs all 256 single-byte tokens in the vocabulary");
      }
      byteIds[b] = id;
    });
    symbols = new ByteSymbols(byteIds, ignoreMerges ? vocab : null);
  } else {
    if (byteLevel) throw new InputError("a ByteLevel pre-tokenizer with continuing_subword_prefix / end_of_word_suffix is not supported", where);
    const unk = optStr(model, "unk_token", where);
    const unkId = unk === null ? null : vocab.get(unk);
    if (unkId === undefined) throw new InputError(`unk_token ${JSON.stringify(unk)} is not in the vocabulary`, at(where, "unk_token"));
    const fallbackIds = bool(model, "byte_fallback", where, false)
      ? Int32Array.from({ length: 256 }, (_, b) => vocab.get(`<0x${b.toString(16).toUpperCase().padStart(2, "0")}>`) ?? -1)
      : null;
    symbols = new CharSymbols({
      vocab, unkId, fuseUnk: bool(model, "fuse_unk", where, false), fallbackIds,
      continuingSubwordPrefix: prefix, endOfWordSuffix: suffix, ignoreMerges,
    });
  }
  return new Bpe(symbols, merges);
}

const META = "▁";
const META_AFTER_OTHER = /[^▁]▁/u;

/**
 * "▁" when a piece may be BPE-encoded in chunks cut before each run of "▁" with the same ids: no token holds a
 * "▁" after another character, so no merge can join across such a cut. That holds for SentencePiece-made
 * vocabularies (Llama-2, Mistral), whose pieces are whole texts when nothing splits them (Metaspace with
 * split=false, or no pre-tokenizer): chunks are word-sized, so they cache and merge fast. Null otherwise.
 */
function chunkBeforeMeta(model: JsonObject, vocab: ReadonlyMap<string, number>, byteLevel: boolean): string | null {
  if (byteLevel || model.ignore_merges === true || model.continuing_subword_prefix || model.end_of_word_suffix || !vocab.has(META)) return null;
  for (const token of vocab.keys()) if (META_AFTER_OTHER.test(token)) return null;
  return META;
}

/** The tokenizer of a tokenizer.json (class replacements already applied), its vocab and resolved added tokens. */
export function buildPipelineTokenizer(tj: JsonFile, vocab: ReadonlyMap<string, number>, resolved: ResolvedTokens): Tokenizer {
  const field = (key: string): At => ({ file: tj.file, field: key });
  const model = asObject(tj.data.model, field("model"));
  if (model.type !== "BPE") {
    throw new InputError(`unsupported model ${JSON.stringify(model.type)}`, at(field("model"), "type"), UNSUPPORTED_MODEL_HINT);
  }
  const pre = buildPreTokenizer(tj.data.pre_tokenizer, field("pre_tokenizer"));
  const normalizer = buildNormalizer(tj.data.normalizer, field("normalizer"));
  const decoder = buildDecoder(tj.data.decoder, field("decoder"));
  const wrap = buildPostProcessor(tj.data.post_processor, field("post_processor"));

  const idToToken: (string | undefined)[] = new Array<string | undefined>(resolved.size);
  const tokenIds = new Map(vocab);
  for (const [token, id] of vocab) idToToken[id] = token;
  for (const t of resolved.addedTokens) {
    idToToken[t.id] = t.content;
    tokenIds.set(t.content, t.id);
  }
  const normalizedAdded = resolved.addedTokens.filter((t) => t.normalized);
  return new PipelineTokenizer({
    info: resolved.info,
    rawAdded: new AddedTokenMatcher(resolved.addedTokens.filter((t) => !t.normalized || normalizer === null)),
    normalizedAdded: normalizer !== null && normalizedAdded.length > 0 ? new AddedTokenMatcher(normalizedAdded) : null,
    normalizer,
    preTokenizer: pre.split,
    bpe: buildBpe(model, field("model"), vocab, pre.byteLevel),
    chunkBefore: chunkBeforeMeta(model, vocab, pre.byteLevel),
    wrap,
    decoder,
    idToToken,
    tokenIds,
  });
}
