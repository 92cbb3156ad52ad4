// The shape every CLI command file exports. main.ts keeps one table of them.
import type { FlagSpecs } from "./args.js";

export interface Command {
  readonly name: string;
  readonly usage: string;
  readonly summary: string;
  readonly flags: FlagSpecs;
  run(argv: readonly string[]): Promise<number>;
}
