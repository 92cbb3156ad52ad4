#!/usr/bin/env node
// Runs a compiled entry point with glibc's allocator tuned for big tensors. glibc reads these variables
// once at process start, so a process that lacks them re-executes itself with them set. Why: on our machines
// a fresh 4 KiB page costs ~11 µs; with the defaults every large tensor ORT returns is a new mmap (and
// freed back with munmap), so each step pays page faults again. Raised thresholds keep freed blocks in the heap.
import { spawn } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";
import path from "node:path";

export const ALLOCATOR_ENV = {
  // glibc documents 32 MiB as the maximum, but glibc 2.36 (Debian 12) honours larger values when set through the
  // environment (measured: with 64 MiB a freed 50 MiB block is reused, 0 faults; with 32 MiB every 50 MiB
  // allocation is a fresh mmap, 12,800 faults). 1 GiB keeps every tensor a GPT-2/OPT step returns (a dense
  // [50257, 768] gradient is 154 MB) in the heap: a GPT-2 block forward+backward went from a median of 2,330 to
  // 29 page faults per run (bench/engine.ts).
  MALLOC_MMAP_THRESHOLD_: String(1024 * 1024 * 1024),
  MALLOC_TRIM_THRESHOLD_: String(4 * 1024 * 1024 * 1024),
  MALLOC_TOP_PAD_: String(256 * 1024 * 1024),
  // Transparent huge pages for the heap (glibc >= 2.35; a no-op where THP is off): one fault per 2 MiB instead of
  // 512. Measured, Qwen2.5-0.5B layout full fine-tuning (bench/train.ts sizes): the first step's page faults
  // 4,145,287 → 13,928 (33.6 → 26.5 s, its AdamW touching fresh moments 18.3 → 8.7 s); the first step at a new
  // batch shape 104,571 → 1,721 faults.
  GLIBC_TUNABLES: "glibc.malloc.hugetlb=1",
};

/** The environment a launched process gets: ALLOCATOR_ENV, with a GLIBC_TUNABLES already set kept in front. */
export function allocatorEnv(env = process.env) {
  const tunables = env.GLIBC_TUNABLES ? `${env.GLIBC_TUNABLES}:${ALLOCATOR_ENV.GLIBC_TUNABLES}` : ALLOCATOR_ENV.GLIBC_TUNABLES;
  return { ...env, ...ALLOCATOR_ENV, GLIBC_TUNABLES: tunables };
}

export function launch(entry, args) {
  if (process.env.MALLOC_MMAP_THRESHOLD_ === undefined) {
    const self = fileURLToPath(import.meta.url);
    const child = spawn(process.execPath, [...process.execArgv, self, entry, ...args], {
      stdio: "inherit",
      env: allocatorEnv(),
    });
    for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(sig, () => child.kill(sig));
    child.on("exit", (code, signal) => {
      if (signal) process.kill(process.pid, signal);
      else process.exit(code ?? 1);
    });
    return;
  }
  // The entry sees argv as if it had been started directly: [node, entry, ...args].
  process.argv = [process.argv[0] ?? process.execPath, path.resolve(entry), ...args];
  import(pathToFileURL(path.resolve(entry)).href);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const [entry, ...args] = process.argv.slice(2);
  if (!entry) {
    console.error("usage: node bin/launch.js <compiled entry.js> [args...]");
    process.exit(2);
  }
  launch(entry, args);
}
