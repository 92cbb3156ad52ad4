// Public surface of src/tokenizer: Hugging Face BPE tokenizers (any tokenizer.json, vocab.json + merges.txt) giving exactly
// AutoTokenizer's input_ids. Other layers import only from this file.
export type { EncodeOptions, Tokenizer } from "./tokenizer.js";
export { loadTokenizer, resolveTokenizerSource, type TokenizerSource } from "./load.js";
export { preTokenize } from "./pre-tokenize.js";
export { saveTokenizerFiles, TOKENIZER_FILE_NAMES } from "./save.js";
export {
  ChatTemplate, ChatTemplateRenderError, chatTemplateFor, findChatTemplate, readChatTemplateFile, templateSpecialTokens,
  type ChatMessage, type ChatTemplateText, type TemplateSpecialTokens,
} from "./chat-template.js";
