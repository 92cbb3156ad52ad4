// The one interface every metrics destination implements (console, metrics.jsonl, TensorBoard, trainer_state.json).
// A record is what the trainer logs at one step: train keys (loss, grad_norm, learning_rate, ...) or eval keys,
// already prefixed "eval_" (see MetricsAccumulator). Writes are synchronous so a crash loses at most the last line.
import type { MetricsMode } from "../metrics.js";

export interface MetricsSink {
  write(step: number, record: Readonly<Record<string, number>>, mode: MetricsMode): void;
  /** Flush and release files. Safe to call twice. */
  close(): void;
}

/** Fan one write out to several sinks. */
export class MultiSink implements MetricsSink {
  constructor(readonly sinks: readonly MetricsSink[]) {}
  write(step: number, record: Readonly<Record<string, number>>, mode: MetricsMode): void {
    for (const s of this.sinks) s.write(step, record, mode);
  }
  close(): void {
    for (const s of this.sinks) s.close();
  }
}
