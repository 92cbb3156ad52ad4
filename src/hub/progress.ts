// Download progress: a bar redrawn in place on a TTY, a line every few seconds otherwise (logs, CI).

export interface ProgressOut {
  write(s: string): unknown;
  readonly isTTY?: boolean;
}

/** Files at least this big (or of unknown size) get progress output. */
export const PROGRESS_MIN_BYTES = 10 * 1024 * 1024;

function mb(bytes: number): string {
  return (bytes / 1e6).toFixed(1);
}

export class DownloadProgress {
  private bytes = 0;
  private lastMs: number;
  private readonly startMs: number;

  constructor(
    private readonly label: string,
    private readonly totalBytes: number | undefined,
    private readonly out: ProgressOut,
    private readonly now: () => number = Date.now,
    private readonly intervalMs = 2000,
  ) {
    this.startMs = this.lastMs = now();
    if (!out.isTTY) out.write(`downloading ${label}${totalBytes !== undefined ? ` (${mb(totalBytes)} MB)` : ""}\n`);
  }

  private text(): string {
    const secs = Math.max((this.now() - this.startMs) / 1000, 1e-3);
    const rate = `${mb(this.bytes / secs)} MB/s`;
    if (this.totalBytes === undefined || this.totalBytes === 0) return `${this.label}: ${mb(this.bytes)} MB, ${rate}`;
    const pct = Math.floor((100 * this.bytes) / this.totalBytes);
    return `${this.label}: ${mb(this.bytes)} of ${mb(this.totalBytes)} MB (${pct}%), ${rate}`;
  }

  add(n: number): void {
    this.bytes += n;
    const t = this.now();
    if (t - this.lastMs < (this.out.isTTY ? 200 : this.intervalMs)) return;
    this.lastMs = t;
    this.out.write(this.out.isTTY ? `\r${this.text()}\x1b[K` : `${this.text()}\n`);
  }

  done(): void {
    this.out.write(this.out.isTTY ? `\r${this.text()}\x1b[K\n` : `${this.text()}, done\n`);
  }
}
