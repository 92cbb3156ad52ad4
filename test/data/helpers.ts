// Shared by the data tests: temp dirs, the 40-pair hh-rlhf fixture, and collecting a stream.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { openPairs, SkipCounts, type RawPair, type ReadOptions } from "../../src/data/index.js";

export const FIXTURE = path.resolve("test/fixtures/data/hh-rlhf-sample-40.jsonl.gz");

export function tempDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), "rewardlab-data-"));
}

export function fixtureRecords(): { chosen: string; rejected: string }[] {
  return gunzipSync(readFileSync(FIXTURE)).toString("utf8").trim().split("\n").map((l) => JSON.parse(l) as { chosen: string; rejected: string });
}

export function writeJsonl(file: string, lines: readonly string[]): string {
  const text = `${lines.join("\n")}\n`;
  writeFileSync(file, file.endsWith(".gz") ? gzipSync(text) : text);
  return file;
}

export async function readAll(spec: string, opts: Partial<ReadOptions> = {}): Promise<{ pairs: RawPair[]; skipped: SkipCounts; files: readonly string[] }> {
  const skipped = opts.skipped ?? new SkipCounts();
  const stream = await openPairs(spec, { ...opts, skipped });
  const pairs: RawPair[] = [];
  for await (const p of stream.pairs()) pairs.push(p);
  return { pairs, skipped, files: stream.files };
}
