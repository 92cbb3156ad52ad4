// The Tokenizer interface and its one implementation: HF byte-level BPE (GPT-2, OPT) with added tokens.
// encode = split out added tokens → pre-tokenize each remaining segment → BPE each pre-token (cached) →
// wrap in the post-processor's prefix / suffix ids (OPT: a leading </s>).

import { Bpe } from "./bpe.js";
import { isWhiteSpace, preTokenEnd } from "./pre-tokenize.js";

export interface Tokenizer {
  /** Number of ids: vocabulary plus added tokens (HF's len(tokenizer)). */
  readonly vocabSize: number;
  /** From tokenizer_config.json / special_tokens_map.json pad_token, else null (HF GPT-2 has none). */
  readonly padTokenId: number | null;
  readonly eosTokenId: number | null;
  readonly bosTokenId: number | null;
  readonly unkTokenId: number | null;
  /** The special token strings as transformers exposes them (tokenizer.bos_token …), null when unset. */
  readonly bosToken: string | null;
  readonly eosToken: string | null;
  readonly padToken: string | null;
  readonly unkToken: string | null;
  /** tokenizer_config.json model_max_length; null when absent or transformers' "no limit" placeholder (1e30). */
  readonly modelMaxLength: number | null;
  /** True when encode prepends the BOS id (OPT: </s> = 2). */
  readonly addsBos: boolean;
  /**
   * = AutoTokenizer(text)["input_ids"]. addSpecialTokens (default true) false = add_special_tokens=False: no
   * post-processor ids around the text; special-token strings inside the text are still matched.
   */
  encode(text: string, opts?: EncodeOptions): number[];
  /** Every id to its text, skipping nothing; invalid UTF-8 becomes U+FFFD. decode(encode(t)) minus BOS == t. */
  decode(ids: readonly number[]): string;
  tokenToId(token: string): number | undefined;
}

export interface EncodeOptions {
  readonly addSpecialTokens?: boolean;
}

/** The named special tokens (strings and ids) and model_max_length, shared by every implementation. */
export interface SpecialTokenInfo {
  readonly bosToken: string | null;
  readonly eosToken: string | null;
  readonly padToken: string | null;
  readonly unkToken: string | null;
  readonly bosTokenId: number | null;
  readonly eosTokenId: number | null;
  readonly padTokenId: number | null;
  readonly unkTokenId: number | null;
  readonly modelMaxLength: number | null;
}

/** A token matched as a whole in raw text before pre-tokenization (tokenizer.json "added_tokens"). */
export interface AddedToken {
  readonly id: number;
  readonly content: string;
  readonly special: boolean;
  /** Swallow whitespace on the left / right of a match (HF AddedToken lstrip / rstrip). */
  readonly lstrip: boolean;
  readonly rstrip: boolean;
}

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

const UTF8 = new TextDecoder("utf-8");
const UTF8_ENCODER = new TextEncoder();

export class ByteLevelBpeTokenizer implements Tokenizer {
  readonly vocabSize: number;
  readonly padTokenId: number | null;
  readonly eosTokenId: number | null;
  readonly bosTokenId: number | null;
  readonly unkTokenId: number | null;
  readonly bosToken: string | null;
  readonly eosToken: string | null;
  readonly padToken: string | null;
  readonly unkToken: string | null;
  readonly modelMaxLength: number | null;
  readonly addsBos: boolean;
  private readonly added: readonly AddedToken[];
  private readonly addedByContent: ReadonlyMap<string, number>;
  private decodeBuf = new Uint8Array(4096);

  constructor(private readonly spec: TokenizerSpec) {
    this.vocabSize = spec.idBytes.length;
    ({
      padTokenId: this.padTokenId, eosTokenId: this.eosTokenId, bosTokenId: this.bosTokenId, unkTokenId: this.unkTokenId,
      bosToken: this.bosToken, eosToken: this.eosToken, padToken: this.padToken, unkToken: this.unkToken,
      modelMaxLength: this.modelMaxLength,
    } = spec.specials);
    this.addsBos = this.bosTokenId !== null && spec.prefixIds[0] === this.bosTokenId;
    // Longest first, so that at one position the longest added token wins (HF: leftmost-longest).
    this.added = [...spec.addedTokens].filter((t) => t.content.length > 0).sort((a, b) => b.content.length - a.content.length);
    this.addedByContent = new Map(spec.addedTokens.map((t) => [t.content, t.id]));
  }

  encode(text: string, opts?: EncodeOptions): number[] {
    if (typeof text !== "string") throw new TypeError(`encode: expected a string, got ${typeof text}`);
    const withSpecials = opts?.addSpecialTokens !== false;
    const out: number[] = withSpecials ? [...this.spec.prefixIds] : [];
    let pos = 0;
    if (this.added.length > 0) {
      const next = this.added.map((t) => text.indexOf(t.content));
      while (true) {
        let which = -1;
        for (let k = 0; k < next.length; k++) {
          let at = next[k] as number;
          if (at >= 0 && at < pos) next[k] = at = text.indexOf((this.added[k] as AddedToken).content, pos);
          if (at >= 0 && (which < 0 || at < (next[which] as number))) which = k;
        }
        if (which < 0) break;
        const tok = this.added[which] as AddedToken;
        let start = next[which] as number;
        let end = start + tok.content.length;
        if (tok.lstrip) while (start > pos && isWhiteSpace(text.charCodeAt(start - 1))) start--;
        if (tok.rstrip) while (end < text.length && isWhiteSpace(text.charCodeAt(end))) end++;
        this.encodeSegment(text, pos, start, out);
        out.push(tok.id);
        pos = end;
      }
    }
    this.encodeSegment(text, pos, text.length, out);
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
