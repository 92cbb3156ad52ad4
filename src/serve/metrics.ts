// GET /metrics: Prometheus text format through prom-client, one registry per server (several servers in one process,
// as in tests, do not mix their counts). Names follow Prometheus conventions: a `rewardlab_` prefix, base units
// (seconds), `_total` on counters. Routes outside the API are counted under route="other" so that scanning clients
// cannot grow the label set without bound.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { PassStats } from "./batcher.js";
import type { ServerInfo } from "./schema.js";

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export class ServerMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<"route" | "status">;
  private readonly errors: Counter<"route" | "status">;
  private readonly latency: Histogram<"route">;
  private readonly texts: Counter;
  private readonly tokens: Counter;
  private readonly paddedTokens: Counter;
  private readonly passTexts: Histogram;
  private readonly passPadded: Histogram;
  private readonly passSeconds: Histogram;
  private readonly queueWait: Histogram;
  private readonly inFlight: Gauge;

  constructor() {
    const registers = [this.registry];
    this.requests = new Counter({ name: "rewardlab_requests_total", help: "HTTP requests answered, by route and status", labelNames: ["route", "status"], registers });
    this.errors = new Counter({ name: "rewardlab_request_errors_total", help: "HTTP requests answered with a status >= 400, by route and status", labelNames: ["route", "status"], registers });
    this.latency = new Histogram({ name: "rewardlab_request_duration_seconds", help: "time from request start to answer, by route", labelNames: ["route"], buckets: LATENCY_BUCKETS, registers });
    this.texts = new Counter({ name: "rewardlab_texts_scored_total", help: "texts scored", registers });
    this.tokens = new Counter({ name: "rewardlab_tokens_scored_total", help: "tokens of the texts scored (after truncation), as if each was scored alone", registers });
    this.paddedTokens = new Counter({ name: "rewardlab_padded_tokens_total", help: "tokens the forward passes computed (rows x longest row), padding and shared prefixes counted once", registers });
    this.passTexts = new Histogram({ name: "rewardlab_batch_size", help: "texts per forward pass", buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256], registers });
    this.passPadded = new Histogram({ name: "rewardlab_batch_padded_tokens", help: "padded tokens (rows x longest row) per forward pass", buckets: [64, 256, 1024, 2048, 4096, 8192, 16384, 32768, 65536], registers });
    this.passSeconds = new Histogram({ name: "rewardlab_forward_pass_duration_seconds", help: "time of one forward pass", buckets: LATENCY_BUCKETS, registers });
    this.queueWait = new Histogram({ name: "rewardlab_queue_wait_seconds", help: "time a request waited in the queue before its first forward pass", buckets: LATENCY_BUCKETS, registers });
    this.inFlight = new Gauge({ name: "rewardlab_requests_in_flight", help: "HTTP requests being answered", registers });
    collectDefaultMetrics({ register: this.registry, prefix: "rewardlab_" });
  }

  /** Adds the model's info and the queue depth, once the model is loaded. */
  describe(info: ServerInfo, queueDepth: () => number): void {
    const registers = [this.registry];
    new Gauge({ name: "rewardlab_queue_depth", help: "scoring requests waiting or running", registers, collect() { this.set(queueDepth()); } });
    const model = new Gauge({ name: "rewardlab_model_info", help: "the served model (value 1)",
      labelNames: ["model_type", "source", "parameters", "max_length", "tokenizer"], registers });
    model.set({ model_type: info.model_type, source: info.source, parameters: String(info.parameters), max_length: String(info.max_length),
      tokenizer: info.tokenizer }, 1);
  }

  /** Marks a request started; the returned function records its answer. */
  start(route: string): (status: number) => void {
    const t0 = performance.now();
    this.inFlight.inc();
    return (status) => {
      this.inFlight.dec();
      const labels = { route, status: String(status) };
      this.requests.inc(labels);
      if (status >= 400) this.errors.inc(labels);
      this.latency.observe({ route }, (performance.now() - t0) / 1000);
    };
  }

  pass(p: PassStats): void {
    this.texts.inc(p.texts);
    this.tokens.inc(p.textTokens);
    this.paddedTokens.inc(p.paddedTokens);
    this.passTexts.observe(p.texts);
    this.passPadded.observe(p.paddedTokens);
    this.passSeconds.observe(p.ms / 1000);
  }

  dequeued(waitMs: number): void {
    this.queueWait.observe(waitMs / 1000);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
