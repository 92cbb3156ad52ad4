// --help and bad flags for the benches: --help prints the bench's usage and exits 0; a flag parseArgs refuses is one
// line plus the usage, exit 2 (not a stack trace).
export function helpOrExit(usage: string): void {
  if (process.argv.includes("--help") || process.argv.includes("-h")) {
    console.log(usage);
    process.exit(0);
  }
}

export function parseOrExit<T>(parse: () => T, usage: string): T {
  try {
    return parse();
  } catch (e) {
    console.error(`${(e as Error).message}\n${usage}`);
    process.exit(2);
  }
}
