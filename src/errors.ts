// Typed errors of the library. cli/main.ts is the one place that catches them: it prints one line (plus an
// optional hint) and sets the exit code. Anything that is not a RewardlabError is a bug and shows its stack.

export interface Where {
  readonly file: string;
  readonly line?: number;
  readonly row?: number;
  readonly field?: string;
}

export class RewardlabError extends Error {
  readonly exitCode: number = 1;
  constructor(
    message: string,
    readonly where?: Where,
    readonly hint?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }

  /** Compiler-style one-liner: `file:line: field "x": message`. */
  format(): string {
    const w = this.where;
    if (!w) return this.message;
    const pos = w.line !== undefined ? `:${w.line}` : w.row !== undefined ? `: row ${w.row}` : "";
    const field = w.field !== undefined ? ` field "${w.field}":` : "";
    return `${w.file}${pos}:${field} ${this.message}`;
  }
}

/** Data files, configs, flags. */
export class InputError extends RewardlabError {
  override readonly exitCode = 2;
}
/** Weights, safetensors, optimizer and trainer state. */
export class CheckpointError extends RewardlabError {
  override readonly exitCode = 3;
}
/** Graph construction: an op got inputs whose shapes it cannot take. */
export class ShapeError extends RewardlabError {
  override readonly exitCode = 1;
}
/** Network and hub access. */
export class HubError extends RewardlabError {
  override readonly exitCode = 4;
}

/** An error as it crosses a worker-thread boundary (structured clone keeps neither the class nor `where`). */
export interface ErrorRecord {
  readonly kind: string;
  readonly message: string;
  readonly where?: Where;
  readonly hint?: string;
  readonly stack?: string;
}

const ERROR_KINDS: Readonly<Record<string, new (message: string, where?: Where, hint?: string) => RewardlabError>> = {
  RewardlabError, InputError, CheckpointError, ShapeError, HubError,
};

export function errorRecord(e: unknown): ErrorRecord {
  if (e instanceof RewardlabError) {
    return { kind: e.name, message: e.message, ...(e.where ? { where: e.where } : {}), ...(e.hint ? { hint: e.hint } : {}) };
  }
  return e instanceof Error ? { kind: "Error", message: e.message, ...(e.stack ? { stack: e.stack } : {}) } : { kind: "Error", message: String(e) };
}

/** The typed error a worker threw, rebuilt on this side so the CLI prints it as one line; other errors keep their stack. */
export function errorFromRecord(r: ErrorRecord, context: string): Error {
  const Kind = ERROR_KINDS[r.kind];
  if (Kind) return new Kind(r.message, r.where, r.hint);
  const e = new Error(`${context}: ${r.message}`);
  if (r.stack) e.stack = `${context}: ${r.stack}`;
  return e;
}
