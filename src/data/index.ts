// Public surface of src/data: preference data → tokenized pairs in TRL's columns (input_ids_chosen,
// attention_mask_chosen, input_ids_rejected, attention_mask_rejected). Other layers import only from this file.

// records and readers
export { SkipCounts, FORMAT_NAMES, type PairFormat, type PairReader, type PairSides, type PairSource, type PairStream, type RawPair,
  type ReadOptions } from "./types.js";
export { READERS, openPairs, filesOfSplit } from "./readers/index.js";
export { builtinPairs, mulberry32 } from "./builtin.js";
export { readJsonLines, textLines, type JsonLine } from "./readers/json-lines.js";

// tokenization (TRL's per-format rules: EOS, chat template) and length policy
export { PairEncoder, encodeForReward, withEos, noChatTemplate, type EncodeSettings, type SideFailure } from "./encode.js";
export { APPEND_EOS_TOKEN_KEY, recordEosRule, rewardTextEncoder, trainedEosRule } from "./model-encoding.js";
export { sharedPrefixLength, tokenizeChunk, onesMask, type ChunkFailure, type TokenizedChunk, type TokenizedPair } from "./pairs.js";
export { createChunkTokenizer, defaultThreads, type ChunkTokenizer, type TokenizerInfo } from "./pool.js";
export { tokenizeStream, type PairChunk } from "./pipeline.js";
export { applyLengthLimit, tooLongReason, DEFAULT_LENGTH_LIMIT, type LengthDecision, type LengthLimit, type LengthPolicy } from "./filter.js";
export { cachedTokenizer, localTokenizerSource } from "./tokenizer-source.js";

// prepared directories
export { preparePairs, type PrepareOptions, type PrepareProgress, type PrepareSummary } from "./prepare.js";
export { openPrepared, isPreparedDir, readPreparedMeta, type PreparedPairs } from "./prepared/open.js";
export { listOfInt32 } from "./prepared/parquet-writer.js";
export { OUTPUT_LAYOUTS, PREPARED_FORMAT, PREPARED_FORMAT_VERSION, INDEX_FIELDS, type OutputLayout, type PreparedEncoding,
  type PreparedMeta } from "./prepared/format.js";

// conversion
export { convertToConversational, hhToConversational, type ConversationalPair, type ConvertOptions, type ConvertSummary } from "./convert.js";

// stats
export { dataStats, percentile, StatsAccumulator, type DataStats, type LengthSummary, type StatsOptions } from "./stats.js";
