// The one place requests meet the model. Requests queue; when the model is idle the texts of every queued request
// (a "wave") are packed into rows and forward passes together (packing.ts), so concurrent clients share passes.
// A request that arrives to an idle model waits up to maxWaitMs for company unless the queue already fills a pass, or
// unless the model's last busy spell served a single request: a lone client (one request at a time, the next sent
// after the answer) never has company, so waiting would only add maxWaitMs to each of its requests.
// Passes run one at a time (an onnxruntime session is not safely re-entrant); a request is answered as soon as its
// last text is scored. The queue is bounded: a request that finds it full gets a 503 instead of waiting behind an
// unbounded backlog.
import type { RewardModel } from "../models/index.js";
import { packRows, planWave, type PackingOptions, type PendingText } from "./packing.js";
import { RequestError } from "./schema.js";

export interface BatcherOptions extends Omit<PackingOptions, "width" | "mlpWidth"> {
  /** pad id of the batches (config.json's pad_token_id, else the tokenizer's, else the model's eos) */
  readonly padTokenId: number;
  /** requests waiting or running before new ones get 503 */
  readonly maxQueue: number;
  /** how long a request arriving to an idle model waits for others to share its passes (not after a lone request) */
  readonly maxWaitMs: number;
  /** merge the texts of concurrent requests into passes; false scores one request at a time */
  readonly crossRequest: boolean;
  /** called after each forward pass (metrics) */
  readonly onPass?: (pass: PassStats) => void;
  /** called when a request's first pass starts, with the milliseconds it waited in the queue */
  readonly onDequeue?: (waitMs: number) => void;
}

/** What one forward pass did. */
export interface PassStats {
  readonly texts: number;
  readonly rows: number;
  /** tokens of the texts as if scored apart */
  readonly textTokens: number;
  /** rows × longest row: what the pass computed, padding included */
  readonly paddedTokens: number;
  readonly ms: number;
}

interface Job {
  readonly rows: readonly (readonly number[])[];
  readonly out: Float32Array;
  readonly enqueuedAt: number;
  remaining: number;
  started: boolean;
  /** answered (or rejected): its texts still in later passes of the wave are skipped */
  settled: boolean;
  resolve(r: Float32Array): void;
  reject(e: unknown): void;
}

export class Batcher {
  private readonly queue: Job[] = [];
  private queued = 0;
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private idleWaiters: (() => void)[] = [];
  /** requests served since the model was last idle */
  private servedThisSpell = 0;
  /** whether the last busy spell served more than one request: only then is waiting for company worth its delay */
  private hadCompany = true;
  private readonly packing: PackingOptions;

  constructor(
    private readonly model: RewardModel,
    readonly opts: BatcherOptions,
  ) {
    const c = model.config;
    this.packing = c.model_type === "gpt2" ? { ...opts, width: c.n_embd, mlpWidth: c.n_inner }
      : { ...opts, width: c.hidden_size, mlpWidth: c.model_type === "opt" ? c.ffn_dim : c.intermediate_size };
  }

  /** Requests waiting or running. */
  get pending(): number { return this.queued; }

  /** Rewards of token-id rows in input order; the rows are checked against the model first (a bad one rejects). */
  score(rows: readonly (readonly number[])[]): Promise<Float32Array> {
    if (this.queued >= this.opts.maxQueue) {
      throw new RequestError(503, `server busy: ${this.queued} requests queued (the limit is ${this.opts.maxQueue})`, null, "retry later");
    }
    try {
      this.model.checkIds(rows);
    } catch (e) {
      return Promise.reject(e);
    }
    if (rows.length === 0) return Promise.resolve(new Float32Array(0));
    this.queued++;
    const done = new Promise<Float32Array>((resolve, reject) => {
      this.queue.push({ rows, out: new Float32Array(rows.length), enqueuedAt: performance.now(), remaining: rows.length,
        started: false, settled: false, resolve, reject });
    });
    this.schedule();
    return done;
  }

  /** Resolves once every queued request has settled. */
  drain(): Promise<void> {
    if (this.queued === 0) return Promise.resolve();
    return new Promise((ok) => this.idleWaiters.push(ok));
  }

  /** Starts a wave now if the queue fills a pass (or there is nothing to wait for), else after maxWaitMs. */
  private schedule(): void {
    if (this.running) return; // the running loop takes the new request in its next wave
    let texts = 0, tokens = 0;
    for (const j of this.queue) for (const r of j.rows) { texts++; tokens += r.length; }
    const full = texts >= this.opts.maxBatch || tokens >= this.opts.maxBatchTokens;
    if (full || !this.opts.crossRequest || this.opts.maxWaitMs <= 0 || !this.hadCompany) {
      clearTimeout(this.timer);
      this.timer = undefined;
      void this.run();
    } else {
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        void this.run();
      }, this.opts.maxWaitMs);
    }
  }

  /** Runs waves until the queue is empty. */
  private async run(): Promise<void> {
    if (this.running) return;
    this.running = true;
    while (this.queue.length > 0) {
      const wave = this.opts.crossRequest ? this.queue.splice(0) : this.queue.splice(0, 1);
      this.servedThisSpell += wave.length;
      await this.runWave(wave);
    }
    this.running = false;
    this.hadCompany = this.servedThisSpell > 1;
    this.servedThisSpell = 0;
    if (this.queued === 0) for (const ok of this.idleWaiters.splice(0)) ok();
  }

  private async runWave(jobs: readonly Job[]): Promise<void> {
    const texts: PendingText<{ job: Job; i: number }>[] = jobs.flatMap((job) => job.rows.map((ids, i) => ({ ids, ref: { job, i } })));
    for (const pass of planWave(packRows(texts, this.packing), this.packing)) {
      const live = pass.filter((r) => r.refs.some((ref) => !ref.job.settled));
      if (live.length === 0) continue;
      const now = performance.now();
      for (const r of live) {
        for (const { job } of r.refs) {
          if (!job.started) this.opts.onDequeue?.(now - job.enqueuedAt);
          job.started = true;
        }
      }
      try {
        const rewards = await this.model.scoreShared(live.map((r) => r.row), this.opts.padTokenId);
        const T = Math.max(...live.map((r) => r.length));
        this.opts.onPass?.({ texts: live.reduce((n, r) => n + r.refs.length, 0), rows: live.length,
          textTokens: live.reduce((n, r) => n + r.textTokens, 0), paddedTokens: live.length * T, ms: performance.now() - now });
        live.forEach((r, b) => r.refs.forEach(({ job, i }, k) => {
          job.out[i] = (rewards[b] as Float32Array)[k] as number;
          if (--job.remaining === 0 && !job.settled) this.settle(job, () => job.resolve(job.out));
        }));
      } catch (e) {
        for (const r of live) for (const { job } of r.refs) if (!job.settled) this.settle(job, () => job.reject(e));
      }
    }
  }

  private settle(job: Job, answer: () => void): void {
    job.settled = true;
    this.queued--;
    answer();
  }
}
