// The console sink. On a TTY: one progress bar (step/total, loss, pairs/s, ETA) redrawn in place, with eval results
// printed above it. Otherwise (CI logs, pipes): one plain line per logging step and per evaluation.
import type { MetricsMode } from "../metrics.js";
import type { MetricsSink } from "./sink.js";

export interface ConsoleStream {
  write(s: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface ConsoleSinkOptions {
  totalSteps: number;
  stream?: ConsoleStream;
  /** Seconds; injectable so the ETA is testable without sleeping. */
  now?: () => number;
}

export class ConsoleSink implements MetricsSink {
  private readonly stream: ConsoleStream;
  private readonly tty: boolean;
  private readonly now: () => number;
  private start: { step: number; time: number } | null = null;
  private last: { step: number; loss?: number; pairsPerSecond?: number } = { step: 0 };
  private barShown = false;

  constructor(private readonly o: ConsoleSinkOptions) {
    this.stream = o.stream ?? process.stderr;
    this.tty = this.stream.isTTY === true;
    this.now = o.now ?? (() => performance.now() / 1000);
  }

  /** Call once per optimizer step: redraws the bar on a TTY; no output otherwise. */
  progress(step: number): void {
    this.mark(step);
    this.last.step = step;
    if (this.tty) this.drawBar();
  }

  write(step: number, record: Readonly<Record<string, number>>, mode: MetricsMode): void {
    this.mark(step);
    if (mode === "eval") {
      const line = `eval  step ${step}: ${formatRecord(record)}`;
      if (this.tty) {
        this.stream.write(`\r\x1b[2K${line}\n`);
        this.drawBar();
      } else this.stream.write(`${line}\n`);
      return;
    }
    this.last = { step, loss: record.loss ?? this.last.loss, pairsPerSecond: record.pairs_per_second ?? this.last.pairsPerSecond };
    if (this.tty) this.drawBar();
    else this.stream.write(`step ${step}/${this.o.totalSteps}: ${formatRecord(record)}${this.etaText(step)}\n`);
  }

  close(): void {
    if (this.tty && this.barShown) this.stream.write("\n");
    this.barShown = false;
  }

  /** The bar line as drawn (without the carriage return / clear prefix). */
  barLine(): string {
    const { step, loss, pairsPerSecond } = this.last;
    const total = Math.max(1, this.o.totalSteps);
    const frac = Math.min(1, step / total);
    const width = 24;
    const filled = Math.round(frac * width);
    const parts = [`${"█".repeat(filled)}${"░".repeat(width - filled)} ${step}/${this.o.totalSteps}`];
    if (loss !== undefined) parts.push(`loss ${fmt(loss)}`);
    if (pairsPerSecond !== undefined) parts.push(`${pairsPerSecond.toFixed(1)} pairs/s`);
    const eta = this.etaSeconds(step);
    if (eta !== undefined) parts.push(`ETA ${formatDuration(eta)}`);
    const line = parts.join(" | ");
    const cols = this.stream.columns;
    return cols !== undefined && line.length > cols - 1 ? line.slice(0, Math.max(0, cols - 1)) : line;
  }

  private drawBar(): void {
    this.stream.write(`\r\x1b[2K${this.barLine()}`);
    this.barShown = true;
  }

  private mark(step: number): void {
    if (this.start === null) this.start = { step, time: this.now() };
  }

  private etaSeconds(step: number): number | undefined {
    if (this.start === null || step <= this.start.step) return undefined;
    const rate = (step - this.start.step) / Math.max(1e-9, this.now() - this.start.time);
    return Math.max(0, this.o.totalSteps - step) / rate;
  }

  private etaText(step: number): string {
    const eta = this.etaSeconds(step);
    return eta === undefined ? "" : ` eta ${formatDuration(eta)}`;
  }
}

function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(3) : v.toFixed(4);
}

function formatRecord(record: Readonly<Record<string, number>>): string {
  return Object.entries(record).map(([k, v]) => `${k} ${fmt(v)}`).join(", ");
}

/** 75 → "1m15s", 3725 → "1h02m", 9 → "9s". */
export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}
