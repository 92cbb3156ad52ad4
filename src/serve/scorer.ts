// RewardScorer: a reward model, its tokenizer and the batcher, loaded the way `rewardlab score` loads them. Texts
// are tokenized as the model's tokenizer does and cut on the right to maxLength; rewards come back in input order.
import { RewardModel, type ScoreQuantization } from "../models/index.js";
import { loadTokenizer, type Tokenizer } from "../tokenizer/index.js";
import { Batcher } from "./batcher.js";
import { RequestError, type ScoreRequest, type ScoreResponse, type ServerInfo } from "./schema.js";

export interface ScorerOptions {
  /** model folder (config.json + weights) or hub model id */
  readonly model: string;
  /** tokenizer folder or builtin:gpt2; default the model folder's tokenizer files */
  readonly tokenizer?: string;
  /** texts per forward pass; default 8 */
  readonly batchSize?: number;
  /** tokens kept per text (right truncation); default 512, lowered to the model's position table with a note */
  readonly maxLength?: number;
  /** requests waiting or running before new ones get 503; default 64 */
  readonly maxQueue?: number;
  /** score with the base's linear weights quantized (--load-in-8bit / --load-in-4bit); default fp32 */
  readonly quant?: ScoreQuantization | null;
  /** where loading notes go (fresh score head, lowered max length); default stderr */
  readonly log?: (line: string) => void;
}

export class RewardScorer {
  private constructor(
    readonly model: RewardModel,
    readonly tokenizer: Tokenizer,
    readonly batcher: Batcher,
    readonly info: ServerInfo,
  ) {}

  static async load(opts: ScorerOptions): Promise<RewardScorer> {
    const batchSize = opts.batchSize ?? 8, requested = opts.maxLength ?? 512, maxQueue = opts.maxQueue ?? 64;
    if (!(Number.isInteger(batchSize) && batchSize >= 1)) throw new RangeError(`batchSize must be an integer >= 1, got ${batchSize}`);
    if (!(Number.isInteger(requested) && requested >= 1)) throw new RangeError(`maxLength must be an integer >= 1, got ${requested}`);
    if (!(Number.isInteger(maxQueue) && maxQueue >= 1)) throw new RangeError(`maxQueue must be an integer >= 1, got ${maxQueue}`);
    const log = opts.log ?? ((line: string) => console.error(line));
    const { model, dir } = await RewardModel.fromPretrained(opts.model);
    for (const note of model.notes) log(`note: ${note}`);
    await model.quantize(opts.quant ?? null);
    const tokSource = opts.tokenizer ?? dir;
    const tokenizer = await loadTokenizer(tokSource);
    const c = model.config;
    const positions = c.model_type === "gpt2" ? c.n_positions : c.max_position_embeddings;
    // a text longer than the position table cannot be scored at all; cutting it there beats refusing every long text
    const maxLength = Math.min(requested, positions);
    if (maxLength < requested) log(`note: max length ${requested} is above the model's ${positions} positions; texts are cut to ${positions} tokens`);
    const padTokenId = model.config.pad_token_id ?? tokenizer.padTokenId ?? model.padTokenId;
    const info: ServerInfo = {
      model_type: model.modelType, source: opts.model, parameters: model.weights.numel, max_length: maxLength,
      batch_size: batchSize, tokenizer: tokSource, pad_token_id: padTokenId,
    };
    return new RewardScorer(model, tokenizer, new Batcher(model, { batchSize, padTokenId, maxQueue }), info);
  }

  /** Token ids of each text, cut to max_length; a text with no tokens is a 400 naming its field. */
  tokenize(texts: readonly string[], fieldOf: (i: number) => string): { rows: number[][]; truncated: number } {
    let truncated = 0;
    const vocab = this.model.config.vocab_size;
    const rows = texts.map((t, i) => {
      const ids = this.tokenizer.encode(t);
      if (ids.length === 0) throw new RequestError(400, "tokenizes to no tokens", fieldOf(i), "a reward needs at least one token");
      const bad = ids.find((id) => id >= vocab);
      if (bad !== undefined) {
        throw new RequestError(400, `token id ${bad} is outside the model's vocabulary [0, ${vocab})`, fieldOf(i),
          "the tokenizer does not belong to this model; start the server with the model's own tokenizer (--tokenizer)");
      }
      if (ids.length > this.info.max_length) truncated++;
      return ids.slice(0, this.info.max_length);
    });
    return { rows, truncated };
  }

  /** Answers a parsed POST /score, in input order. */
  async score(req: ScoreRequest): Promise<ScoreResponse> {
    if (req.kind === "texts") {
      const { rows, truncated } = this.tokenize(req.texts, (i) => `texts[${i}]`);
      return { rewards: Array.from(await this.batcher.score(rows)), truncated };
    }
    // chosen and rejected of pair i are texts 2i and 2i+1
    const texts = req.pairs.flatMap((p) => [p.chosen, p.rejected]);
    const { rows, truncated } = this.tokenize(texts, (i) => `pairs[${i >> 1}].${i % 2 === 0 ? "chosen" : "rejected"}`);
    const r = await this.batcher.score(rows);
    const pairs = req.pairs.map((_, i) => {
      const chosen = r[2 * i] as number, rejected = r[2 * i + 1] as number;
      return { chosen_reward: chosen, rejected_reward: rejected, margin: chosen - rejected };
    });
    return { pairs, truncated };
  }

  /** Waits for queued requests, then frees the onnxruntime session. */
  async release(): Promise<void> {
    await this.batcher.drain();
    await this.model.release();
  }
}
