// RewardScorer: a reward model, its tokenizer and the batcher, loaded the way `rewardlab score` loads them. Texts
// are tokenized as the model's tokenizer does and cut on the right to maxLength; rewards come back in input order.
import { rewardTextEncoder } from "../data/index.js";
import { RewardModel, type ScoreQuantization } from "../models/index.js";
import { loadTokenizer, type Tokenizer } from "../tokenizer/index.js";
import { Batcher, type BatcherOptions } from "./batcher.js";
import { rewardStats } from "./normalize.js";
import { RequestError, type ScoreRequest, type ScoreResponse, type ServerInfo } from "./schema.js";

export interface ScorerOptions {
  /** model folder (config.json + weights) or hub model id */
  readonly model: string;
  /** tokenizer folder or builtin:gpt2; default the model folder's tokenizer files */
  readonly tokenizer?: string;
  /** texts per forward pass; default 32 */
  readonly maxBatch?: number;
  /** padded tokens (rows × longest row) per forward pass; default 16384 */
  readonly maxBatchTokens?: number;
  /** how long a request arriving to an idle model waits for others to share its passes; default 5 */
  readonly maxWaitMs?: number;
  /** merge concurrent requests into passes; default true (false: one request at a time) */
  readonly batching?: boolean;
  /** score texts sharing a token prefix in one row, the prefix once; default true */
  readonly prefixSharing?: boolean;
  /** rewards as (r - mean) / std with config.json's `mean` and `std` (OpenRLHF's names); default false */
  readonly normalize?: boolean;
  /** tokens kept per text (right truncation); default 512, lowered to the model's position table with a note */
  readonly maxLength?: number;
  /** requests waiting or running before new ones get 503; default 64 */
  readonly maxQueue?: number;
  /** texts per request (a pair is two); more get 413; default 1024 */
  readonly maxTexts?: number;
  /** called after each forward pass and when a request leaves the queue (metrics) */
  readonly onPass?: BatcherOptions["onPass"];
  readonly onDequeue?: BatcherOptions["onDequeue"];
  /** score with the base's linear weights quantized (--load-in-8bit / --load-in-4bit); default fp32 */
  readonly quant?: ScoreQuantization | null;
  /** where loading notes go (fresh score head, lowered max length); default stderr */
  readonly log?: (line: string) => void;
}

/** Longest shared row (prefix + continuations): attention memory grows with its square (H·T² floats per row). */
const MAX_ROW_TOKENS = 1024;

export class RewardScorer {
  private constructor(
    readonly model: RewardModel,
    readonly tokenizer: Tokenizer,
    /** the model's text → ids: the tokenizer, plus eos when the model was trained with it (rewardTextEncoder) */
    private readonly encode: (text: string) => number[],
    readonly batcher: Batcher,
    readonly info: ServerInfo,
    /** (mean, std) applied to every reward, or null */
    private readonly normalization: { mean: number; std: number } | null,
    private readonly maxTexts: number,
  ) {}

  static async load(opts: ScorerOptions): Promise<RewardScorer> {
    const maxBatch = opts.maxBatch ?? 32, maxBatchTokens = opts.maxBatchTokens ?? 16384, maxWaitMs = opts.maxWaitMs ?? 5;
    const requested = opts.maxLength ?? 512, maxQueue = opts.maxQueue ?? 64, maxTexts = opts.maxTexts ?? 1024;
    const ints: [string, number, number][] = [["maxBatch", maxBatch, 1], ["maxBatchTokens", maxBatchTokens, 1],
      ["maxWaitMs", maxWaitMs, 0], ["maxLength", requested, 1], ["maxQueue", maxQueue, 1], ["maxTexts", maxTexts, 1]];
    for (const [name, v, min] of ints) {
      if (!(Number.isInteger(v) && v >= min)) throw new RangeError(`${name} must be an integer >= ${min}, got ${v}`);
    }
    const log = opts.log ?? ((line: string) => console.error(line));
    const { model, dir } = await RewardModel.fromPretrained(opts.model);
    for (const note of model.notes) log(`note: ${note}`);
    const normalization = opts.normalize === true ? rewardStats(model, dir) : null;
    await model.quantize(opts.quant ?? null);
    const tokSource = opts.tokenizer ?? dir;
    const tokenizer = await loadTokenizer(tokSource);
    const positions = model.maxPositions;
    // a text longer than the position table cannot be scored at all; cutting it there beats refusing every long text
    const maxLength = Math.min(requested, positions);
    if (maxLength < requested) log(`note: max length ${requested} is above the model's ${positions} positions; texts are cut to ${positions} tokens`);
    const padNote = model.padFromTokenizer(tokenizer);
    if (padNote !== null) log(`note: ${padNote}`);
    const padTokenId = model.padTokenId;
    const batching = opts.batching ?? true, prefixSharing = opts.prefixSharing ?? true;
    const info: ServerInfo = {
      model_type: model.modelType, source: opts.model, parameters: model.weights.numel, max_length: maxLength,
      max_batch: maxBatch, max_batch_tokens: maxBatchTokens, max_wait_ms: maxWaitMs, batching, prefix_sharing: prefixSharing,
      max_texts: maxTexts, normalize: normalization, tokenizer: tokSource, pad_token_id: padTokenId,
    };
    const batcher = new Batcher(model, {
      maxBatch, maxBatchTokens, maxWaitMs, maxQueue, padTokenId, crossRequest: batching, prefixSharing,
      maxRowTokens: Math.max(MAX_ROW_TOKENS, maxLength),
      ...(opts.onPass ? { onPass: opts.onPass } : {}), ...(opts.onDequeue ? { onDequeue: opts.onDequeue } : {}),
    });
    return new RewardScorer(model, tokenizer, rewardTextEncoder(dir, tokenizer), batcher, info, normalization, maxTexts);
  }

  /** Token ids of each text, cut to max_length; a text with no tokens is a 400 naming its field. */
  tokenize(texts: readonly string[], fieldOf: (i: number) => string): { rows: number[][]; truncated: number } {
    let truncated = 0;
    const vocab = this.model.config.vocab_size;
    const rows = texts.map((t, i) => {
      const ids = this.encode(t);
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

  /** Rewards of texts in input order (normalized when the server normalizes) and how many were truncated. */
  async scoreTexts(texts: readonly string[], fieldOf: (i: number) => string): Promise<{ rewards: number[]; truncated: number }> {
    if (texts.length > this.maxTexts) {
      throw new RequestError(413, `${texts.length} texts are over the limit of ${this.maxTexts} texts per request (--max-texts)`, null,
        "split the request");
    }
    const { rows, truncated } = this.tokenize(texts, fieldOf);
    const r = Array.from(await this.batcher.score(rows));
    const n = this.normalization;
    return { rewards: n === null ? r : r.map((x) => (x - n.mean) / n.std), truncated };
  }

  /** Answers a parsed POST /score, in input order. */
  async score(req: ScoreRequest): Promise<ScoreResponse> {
    if (req.kind === "texts") return this.scoreTexts(req.texts, (i) => `texts[${i}]`);
    // chosen and rejected of pair i are texts 2i and 2i+1
    const texts = req.pairs.flatMap((p) => [p.chosen, p.rejected]);
    const { rewards: r, truncated } = await this.scoreTexts(texts, (i) => `pairs[${i >> 1}].${i % 2 === 0 ? "chosen" : "rejected"}`);
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
