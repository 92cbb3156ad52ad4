// Paths of the synthetic run folders in test/fixtures/report (see make-fixtures.py there) and small helpers.
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

export const FIXTURES = path.resolve("test/fixtures/report");
export const GPT2 = path.join(FIXTURES, "gpt2-small");
export const OPT = path.join(FIXTURES, "opt-small");
export const TRL = path.join(FIXTURES, "trl-gpt2");

export function readJson(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
}

export function readJsonl(file: string): Record<string, unknown>[] {
  return readFileSync(file, "utf8").split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l) as Record<string, unknown>);
}

export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `rewardlab-${prefix}-`));
}
