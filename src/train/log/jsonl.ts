// <out>/metrics.jsonl: one JSON object per log, "step" first, then the record's keys as logged (train lines: epoch,
// loss, accuracy, margin, learning_rate, grad_norm, pairs_per_second, tokens_per_second, elapsed_seconds, ...;
// eval lines: eval_loss, eval_accuracy, eval_ties, eval_margin, eval_reward_mean, eval_reward_std, ...).
// NaN and ±Infinity, which JSON cannot hold, are written as null. On resume, lines after the resumed step are
// dropped first, so the file reads as if the run had never stopped.
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync, writeSync } from "node:fs";
import path from "node:path";
import type { MetricsSink } from "./sink.js";
import type { MetricsMode } from "../metrics.js";

export const METRICS_JSONL = "metrics.jsonl";

export class JsonlSink implements MetricsSink {
  readonly file: string;
  private fd: number | null;

  constructor(outDir: string, opts: { resumeFromStep?: number } = {}) {
    mkdirSync(outDir, { recursive: true });
    this.file = path.join(outDir, METRICS_JSONL);
    if (opts.resumeFromStep !== undefined && existsSync(this.file)) truncateAfter(this.file, opts.resumeFromStep);
    this.fd = openSync(this.file, "a");
  }

  write(step: number, record: Readonly<Record<string, number>>, _mode: MetricsMode): void {
    if (this.fd === null) throw new Error(`JsonlSink: ${this.file} is closed`);
    const line: Record<string, number | null> = { step };
    for (const [k, v] of Object.entries(record)) if (k !== "step") line[k] = Number.isFinite(v) ? v : null;
    writeSync(this.fd, `${JSON.stringify(line)}\n`);
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

/** Keep the lines whose step is <= `step` (and any unparsable tail is dropped: a half-written last line). */
function truncateAfter(file: string, step: number): void {
  const kept: string[] = [];
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (line.trim() === "") continue;
    let rec: unknown;
    try {
      rec = JSON.parse(line);
    } catch {
      break;
    }
    const s = (rec as { step?: unknown }).step;
    if (typeof s === "number" && s <= step) kept.push(line);
  }
  writeFileSync(file, kept.map((l) => `${l}\n`).join(""));
}

/** Read metrics.jsonl back (null → NaN). */
export function readMetricsJsonl(file: string): Record<string, number>[] {
  return readFileSync(file, "utf8").split("\n").filter((l) => l.trim() !== "").map((l) => {
    const rec = JSON.parse(l) as Record<string, number | null>;
    return Object.fromEntries(Object.entries(rec).map(([k, v]) => [k, v ?? NaN]));
  });
}
