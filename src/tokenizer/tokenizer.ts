// The Tokenizer interface and its fast implementation for plain HF byte-level BPE (GPT-2, OPT) with added tokens
// (other tokenizer.json files run as a PipelineTokenizer).
// encode = split out added tokens → pre-tokenize each remaining segment → BPE each pre-token (cached) →
// wrap in the post-processor's prefix / suffix ids (OPT: a leading </s>).

import { type AddedToken, AddedTokenMatcher } from "./added-tokens.js";
import type { Bpe } from "./bpe.js";
import { preTokenEnd } from "./pre-tokenize.js";

export interface Tokenizer extends SpecialTokenInfo {
  /** Number of ids: vocabulary plus added tokens (HF's len(tokenizer)). */
  readonly vocabSize: number;
  /** True when encode prepends the BOS id (OPT: </s> = 2; Llama: <s>, <|begin_of_text|>). */
  readonly addsBos: boolean;
  /**
   * = AutoTokenizer(text)["input_ids"]. addSpecialTokens (default true) false = add_special_tokens=False: no
   * post-processor ids around the text; special-token strings inside the text are still matched.
   */
  encode(text: string, opts?: EncodeOptions): number[];
  /** Every id to its text, skipping nothing, as HF decode(skip_special_tokens=False); invalid UTF-8 becomes U+FFFD. */
  decode(ids: readonly number[]): string;
  tokenToId(token: string): number | undefined;
}

export interface EncodeOptions {
  readonly addSpecialTokens?: boolean;
}

/**
 * The named special tokens (strings and ids) and model_max_length, from the config files: fields every
 * implementation carries, copied from what the loader resolved.
 */
export abstract class SpecialTokenFields {
  /** The token strings as transformers exposes them (tokenizer.bos_token …), null when unset. */
  readonly bosToken: string | null;
  readonly eosToken: string | null;
  /** pad_token, else null (HF GPT-2 has none). */
  readonly padToken: string | null;
  readonly unkToken: string | null;
  readonly bosTokenId: number | null;
  readonly eosTokenId: number | null;
  readonly padTokenId: number | null;
  readonly unkTokenId: number | null;
  /** tokenizer_config.json model_max_length; null when absent or transformers' "no limit" placeholder (1e30). */
  readonly modelMaxLength: number | null;

  constructor(info: SpecialTokenInfo) {
    ({
      bosToken: this.bosToken, eosToken: this.eosToken, padToken: this.padToken, unkToken: this.unkToken,
      bosTokenId: this.bosTokenId, eosTokenId: this.eosTokenId, padTokenId: this.padTokenId, unkTokenId: this.unkTokenId,
      modelMaxLength: this.modelMaxLength,
    } = info);
  }
}

/** The fields of SpecialTokenFields as plain data. */
export type SpecialTokenInfo = { readonly [K in keyof SpecialTokenFields]: SpecialTokenFields[K] };

/** Everything a tokenizer is built from, already validated (load.ts parses the files into this). */
export interface TokenizerSpec {
  /** Byte-level token string → id. */
  readonly vocab: ReadonlyMap<string, number>;
  readonly bpe: Bpe;
  readonly addedTokens: readonly AddedToken[];
  readonly specials: SpecialTokenInfo;
  /** Ids the post-processor puts before / after every text. */
  readonly prefixIds: readonly number[];
  readonly suffixIds: readonly number[];
  /** ByteLevel add_prefix_space: a space is put before each text segment that does not start with one. */
  readonly addPrefixSpace: boolean;
  /** id → bytes it decodes to (byte-level tokens) or its UTF-8 content (added tokens). */
  readonly idBytes: readonly (Uint8Array | undefined)[];
}

// ignoreBOM: a leading U+FEFF is text to decode, not a byte order mark to drop.
const UTF8 = new TextDecoder("utf-8", { ignoreBOM: true });
const UTF8_ENCODER = new TextEncoder();

export class ByteLevelBpeTokenizer extends SpecialTokenFields implements Tokenizer {
  readonly vocabSize: number;
  readonly addsBos: boolean;
  private readonly matcher: AddedTokenMatcher;
  private readonly addedByContent: ReadonlyMap<string, number>;
  // State of the encode call in progress, read by the two callbacks the matcher calls.
  private text = "";
  private out: number[] = [];
  private readonly onText = (from: number, to: number): void => this.encodeSegment(this.text, from, to, this.out);
  private readonly onToken = (id: number): void => {
    this.out.push(id);
  };
  private decodeBuf = new Uint8Array(4096);

  constructor(private readonly spec: TokenizerSpec) {
    super(spec.specials);
    this.vocabSize = spec.idBytes.length;
    this.addsBos = this.bosTokenId !== null && spec.prefixIds[0] === this.bosTokenId;
    this.matcher = new AddedTokenMatcher(spec.addedTokens);
    this.addedByContent = new Map(spec.addedTokens.map((t) => [t.content, t.id]));
  }

  encode(text: string, opts?: EncodeOptions): number[] {
    if (typeof text !== "string") throw new TypeError(`encode: expected a string, got ${typeof text}`);
    const withSpecials = opts?.addSpecialTokens !== false;
    const out: number[] = withSpecials ? [...this.spec.prefixIds] : [];
    this.text = text;
    this.out = out;
    this.matcher.split(text, 0, text.length, this.onText, this.onToken);
    this.text = "";
    if (withSpecials) for (const id of this.spec.suffixIds) out.push(id);
    return out;
  }

  private encodeSegment(text: string, start: number, end: number, out: number[]): void {
    if (start >= end) return;
    if (this.spec.addPrefixSpace && text.charCodeAt(start) !== 0x20) {
      text = " " + text.slice(start, end);
      end = text.length;
      start = 0;
    }
    const bpe = this.spec.bpe;
    for (let i = start; i < end; ) {
      const j = preTokenEnd(text, i, end);
      const ids = bpe.encodeWord(text, i, j);
      for (let k = 0; k < ids.length; k++) out.push(ids[k] as number);
      i = j;
    }
  }

  decode(ids: readonly number[]): string {
    let n = 0;
    for (const id of ids) {
      const bytes = this.spec.idBytes[id];
      if (bytes === undefined) throw new RangeError(`decode: id ${id} is not in the vocabulary (size ${this.vocabSize})`);
      if (n + bytes.length > this.decodeBuf.length) {
        const grown = new Uint8Array(Math.max(this.decodeBuf.length * 2, n + bytes.length));
        grown.set(this.decodeBuf.subarray(0, n));
        this.decodeBuf = grown;
      }
      this.decodeBuf.set(bytes, n);
      n += bytes.length;
    }
    return UTF8.decode(this.decodeBuf.subarray(0, n));
  }

  tokenToId(token: string): number | undefined {
    return this.addedByContent.get(token) ?? this.spec.vocab.get(token);
  }
}

/** UTF-8 bytes of an added token's content (its decoded form). */
export function contentBytes(content: string): Uint8Array {
  return UTF8_ENCODER.encode(content);
}
