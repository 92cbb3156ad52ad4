// Where BPE starts: the ids of one pre-token's smallest symbols, before any merge.
// - ByteSymbols (byte-level vocabularies: GPT-2, Llama-3, Qwen): one id per UTF-8 byte;
// - CharSymbols (Llama-2, Mistral: vocabularies of characters): one id per character, as HF's BPE model looks them
//   up (continuing_subword_prefix before every character but the first, end_of_word_suffix after the last); an
//   unknown character becomes its UTF-8 bytes as <0xNN> tokens when byte_fallback is on, else the unk token
//   (consecutive unks fused into one with fuse_unk), else nothing, as HF drops it.
// ignore_merges (Llama-3): a pre-token that is itself in the vocabulary is that one id (`whole`).

import { bytesToByteLevel, utf8Encode } from "./byte-level.js";

export interface Symbolizer {
  /** Most ids start() can write for a word of this UTF-16 length. */
  capacity(length: number): number;
  /** Writes the starting ids of word into ids; returns how many. */
  start(word: string, ids: Int32Array): number;
  /** The word's own id when merges are skipped for words in the vocabulary (ignore_merges), else undefined. */
  whole(word: string): number | undefined;
}

export class ByteSymbols implements Symbolizer {
  private bytes = new Uint8Array(1024);

  /** byteIds[b] = id of byte b's token; vocab (byte-level spelling) only when ignore_merges is set. */
  constructor(
    private readonly byteIds: Int32Array,
    private readonly ignoreMergesVocab: ReadonlyMap<string, number> | null,
  ) {}

  capacity(length: number): number {
    return length * 3;
  }

  start(word: string, ids: Int32Array): number {
    if (this.bytes.length < word.length * 3) this.bytes = new Uint8Array(word.length * 3);
    const n = utf8Encode(word, 0, word.length, this.bytes);
    for (let i = 0; i < n; i++) ids[i] = this.byteIds[this.bytes[i] as number] as number;
    return n;
  }

  whole(word: string): number | undefined {
    if (this.ignoreMergesVocab === null) return undefined;
    if (this.bytes.length < word.length * 3) this.bytes = new Uint8Array(word.length * 3);
    const n = utf8Encode(word, 0, word.length, this.bytes);
    return this.ignoreMergesVocab.get(bytesToByteLevel(this.bytes.subarray(0, n)));
  }
}

export interface CharSymbolOptions {
  readonly vocab: ReadonlyMap<string, number>;
  readonly unkId: number | null;
  readonly fuseUnk: boolean;
  /** fallbackIds[b] = id of "<0xNN>" for byte b (-1 when missing); null without byte_fallback. */
  readonly fallbackIds: Int32Array | null;
  readonly continuingSubwordPrefix: string;
  readonly endOfWordSuffix: string;
  readonly ignoreMerges: boolean;
}

const ENCODER = new TextEncoder();

export class CharSymbols implements Symbolizer {
  constructor(private readonly o: CharSymbolOptions) {}

  capacity(length: number): number {
    return length * 4;
  }

  start(word: string, ids: Int32Array): number {
    const { vocab, unkId, fuseUnk, fallbackIds, continuingSubwordPrefix: prefix, endOfWordSuffix: suffix } = this.o;
    let n = 0;
    let lastUnk = false;
    for (let i = 0; i < word.length; ) {
      const cp = word.codePointAt(i) as number;
      const len = cp > 0xffff ? 2 : 1;
      let ch = word.slice(i, i + len);
      if (i > 0 && prefix !== "") ch = prefix + ch;
      i += len;
      if (i >= word.length && suffix !== "") ch += suffix;
      const id = vocab.get(ch);
      if (id !== undefined) {
        ids[n++] = id;
        lastUnk = false;
        continue;
      }
      if (fallbackIds !== null) {
        const bytes = ENCODER.encode(ch);
        if (bytes.every((b) => (fallbackIds[b] as number) >= 0)) {
          for (const b of bytes) ids[n++] = fallbackIds[b] as number;
          lastUnk = false;
          continue;
        }
      }
      if (unkId === null) continue;
      if (!(fuseUnk && lastUnk)) ids[n++] = unkId;
      lastUnk = true;
    }
    return n;
  }

  whole(word: string): number | undefined {
    return this.o.ignoreMerges ? this.o.vocab.get(word) : undefined;
  }
}
