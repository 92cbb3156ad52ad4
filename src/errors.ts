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
