// A tokenizer.json run as HF `tokenizers` runs it, stage by stage: added tokens that match the raw text are cut
// out first; each stretch between them is normalized, searched again for the added tokens that match normalized
// text, pre-tokenized into pieces, and each piece is BPE-encoded (cached per piece); the post-processor's ids
// wrap the result. decode maps ids to token strings and runs the decoder over them.

import type { AddedTokenMatcher } from "./added-tokens.js";
import type { Bpe } from "./bpe.js";
import type { Decoder } from "./decoders.js";
import type { Normalizer } from "./normalizers.js";
import type { Wrap } from "./post-processors.js";
import type { Sink } from "./pre-tokenizers.js";
import { type EncodeOptions, type SpecialTokenInfo, SpecialTokenFields, type Tokenizer } from "./tokenizer.js";

export interface PipelineSpec {
  readonly info: SpecialTokenInfo;
  /** Added tokens matched in the raw text (normalized: false) and in normalized text (null when none). */
  readonly rawAdded: AddedTokenMatcher;
  readonly normalizedAdded: AddedTokenMatcher | null;
  readonly normalizer: Normalizer | null;
  /** Builds the pre-tokenizer chain around the sink that takes its pieces. */
  readonly preTokenizer: (next: Sink) => Sink;
  readonly bpe: Bpe;
  /** A character before whose runs a piece may be cut for BPE without changing its ids (see chunkBeforeMeta). */
  readonly chunkBefore: string | null;
  readonly wrap: Wrap;
  readonly decoder: Decoder | null;
  /** id → token string (vocabulary or added token); undefined for an id that is neither. */
  readonly idToToken: readonly (string | undefined)[];
  readonly tokenIds: ReadonlyMap<string, number>;
}

export class PipelineTokenizer extends SpecialTokenFields implements Tokenizer {
  readonly vocabSize: number;
  readonly addsBos: boolean;
  // State of the encode call in progress, read by the callbacks (built once, so encoding allocates no closures).
  private text = "";
  private normalized = "";
  private first = false;
  private out: number[] = [];
  private readonly pieces: Sink;
  private readonly onToken = (id: number): void => {
    this.out.push(id);
  };
  private readonly onRawText = (from: number, to: number): void => this.encodeRaw(from, to);
  private readonly onNormalizedText = (from: number, to: number): void => {
    const s = this.normalized;
    this.pieces(from === 0 && to === s.length ? s : s.slice(from, to), this.first && from === 0);
  };

  constructor(private readonly spec: PipelineSpec) {
    super(spec.info);
    this.vocabSize = spec.idToToken.length;
    this.addsBos = this.bosTokenId !== null && spec.wrap.prefix[0] === this.bosTokenId;
    const bpe = spec.bpe;
    const encode = (piece: string): void => {
      const ids = bpe.encodePiece(piece);
      for (let k = 0; k < ids.length; k++) this.out.push(ids[k] as number);
    };
    const cut = spec.chunkBefore === null ? -1 : spec.chunkBefore.charCodeAt(0);
    this.pieces = spec.preTokenizer(cut < 0 ? encode : (piece) => {
      let start = 0;
      for (let i = 1; i < piece.length; i++) {
        if (piece.charCodeAt(i) === cut && piece.charCodeAt(i - 1) !== cut) {
          encode(piece.slice(start, i));
          start = i;
        }
      }
      encode(start === 0 ? piece : piece.slice(start));
    });
  }

  encode(text: string, opts?: EncodeOptions): number[] {
    if (typeof text !== "string") throw new TypeError(`encode: expected a string, got ${typeof text}`);
    const withSpecials = opts?.addSpecialTokens !== false;
    const out: number[] = withSpecials ? [...this.spec.wrap.prefix] : [];
    this.text = text;
    this.out = out;
    this.spec.rawAdded.split(text, 0, text.length, this.onRawText, this.onToken);
    this.text = "";
    this.normalized = "";
    if (withSpecials) for (const id of this.spec.wrap.suffix) out.push(id);
    return out;
  }

  private encodeRaw(from: number, to: number): void {
    const raw = from === 0 && to === this.text.length ? this.text : this.text.slice(from, to);
    const s = this.spec.normalizer === null ? raw : this.spec.normalizer(raw);
    this.first = from === 0;
    this.normalized = s;
    if (this.spec.normalizedAdded === null) this.onNormalizedText(0, s.length);
    else this.spec.normalizedAdded.split(s, 0, s.length, this.onNormalizedText, this.onToken);
  }

  decode(ids: readonly number[]): string {
    const tokens = ids.map((id) => {
      const t = this.spec.idToToken[id];
      if (t === undefined) throw new RangeError(`decode: id ${id} is not in the vocabulary (size ${this.vocabSize})`);
      return t;
    });
    return this.spec.decoder === null ? tokens.join(" ") : this.spec.decoder(tokens).join("");
  }

  tokenToId(token: string): number | undefined {
    return this.spec.tokenIds.get(token);
  }
}
