// The one place requests meet the model: a FIFO queue that runs one request's rows at a time (an onnxruntime session
// is not safely re-entrant), each request's rows split into forward passes of batchSize by RewardModel.score.
// The queue is bounded: a request that finds it full gets a 503 instead of waiting behind an unbounded backlog.
import type { RewardModel } from "../models/index.js";
import { RequestError } from "./schema.js";

export interface BatcherOptions {
  /** rows per forward pass */
  readonly batchSize: number;
  /** pad id of the batches (config.json's pad_token_id, else the tokenizer's, else the model's eos) */
  readonly padTokenId: number;
  /** requests waiting or running before new ones get 503 */
  readonly maxQueue: number;
}

export class Batcher {
  private tail: Promise<void> = Promise.resolve();
  private queued = 0;

  constructor(
    private readonly model: RewardModel,
    readonly opts: BatcherOptions,
  ) {}

  /** Requests waiting or running. */
  get pending(): number { return this.queued; }

  /** Rewards of token-id rows in input order, after every request queued before this one. */
  score(rows: readonly (readonly number[])[]): Promise<Float32Array> {
    if (this.queued >= this.opts.maxQueue) {
      throw new RequestError(503, `server busy: ${this.queued} requests queued (the limit is ${this.opts.maxQueue})`, null, "retry later");
    }
    this.queued++;
    const run = this.tail.then(() => this.model.score(rows, { batchSize: this.opts.batchSize, padTokenId: this.opts.padTokenId }));
    // the next request waits for this one to settle, whether it succeeded or failed
    this.tail = run.then(() => undefined, () => undefined).finally(() => { this.queued--; });
    return run;
  }

  /** Resolves once every queued request has settled. */
  async drain(): Promise<void> {
    while (this.queued > 0) await this.tail;
  }
}
