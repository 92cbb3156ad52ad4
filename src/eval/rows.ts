// Reading a benchmark's rows. `pairs` reads any preference data the data layer reads (files, folders, hub ids,
// builtin); `rewardbench` and `rewardbench2` read their own records from a .jsonl or .parquet file:
//   rewardbench:  {prompt, chosen, rejected, subset, id}            chosen/rejected: strings
//   rewardbench2: {prompt, chosen, rejected, subset, id}            chosen/rejected: arrays of strings
// Those two also come as a folder or a hub dataset id ("allenai/reward-bench"): the files of the split are read
// (default "filtered" for RewardBench, "test" for RewardBench 2, as their hub repos name them).
// A bad record is a one-line InputError naming file, line (or row) and field, or, with skipInvalid, a counted skip.
import { closeSync, existsSync, openSync, readdirSync, readSync, statSync } from "node:fs";
import path from "node:path";
import { asyncBufferFromFile, parquetReadObjects } from "hyparquet";
import { filesOfSplit, openPairs, readJsonLines, SkipCounts, textLines } from "../data/index.js";
import { InputError, type Where } from "../errors.js";
import { hubListFiles, hubSnapshot, looksLikeHubId } from "../hub/index.js";
import { TIES_SUBSET, tiesId } from "./rewardbench2.js";
import type { Benchmark, EvalRow, EvalText } from "./types.js";

/** Turns a prompt and one answer into what the model scores. */
export type RenderText = (prompt: string, answer: string) => EvalText;

/** `--chat-template raw`: the prompt, a blank line, the answer, as plain text. */
export const rawText: RenderText = (prompt, answer) => ({ format: "text", value: `${prompt}\n\n${answer}` });

/** Through a chat template: the prompt as the user's message, the answer as the assistant's, as RewardBench does. */
export const chatText: RenderText = (prompt, answer) => ({
  format: "chat", value: [{ role: "user", content: prompt }, { role: "assistant", content: answer }],
});

export interface ReadRowsOptions {
  readonly benchmark: Benchmark;
  readonly render: RenderText;
  /** split of a folder or hub dataset; default "test" (pairs, rewardbench2) or "filtered" (rewardbench) */
  readonly split?: string;
  readonly skipInvalid?: boolean;
  readonly skipped: SkipCounts;
}

interface RecordAt { readonly value: unknown; readonly where: Where }

/** Which benchmark a file's first record looks like: a "subset" field with list answers → rewardbench2, with
 *  string answers → rewardbench, else pairs. Non-files (folders, hub ids, builtin) are pairs. */
export async function detectBenchmark(spec: string): Promise<Benchmark> {
  if (!/\.(jsonl|parquet)$/i.test(spec)) return "pairs";
  const first = /\.jsonl$/i.test(spec) ? firstJsonLine(spec) : (await readRecords(spec, 1))[0]?.value;
  if (typeof first !== "object" || first === null || !("subset" in first)) return "pairs";
  return Array.isArray((first as Record<string, unknown>)["chosen"]) ? "rewardbench2" : "rewardbench";
}

export async function readEvalRows(spec: string, opts: ReadRowsOptions): Promise<EvalRow[]> {
  if (opts.benchmark === "pairs") return readPairRows(spec, opts);
  const rows: EvalRow[] = [];
  const seen = new Map<string, Where>();
  const files = await benchmarkFiles(spec, opts.split ?? (opts.benchmark === "rewardbench" ? "filtered" : "test"));
  for (const rec of (await Promise.all(files.map((f) => readRecords(f)))).flat()) {
    const row = benchmarkRow(rec, opts);
    if ("error" in row) {
      if (!opts.skipInvalid) throw new InputError(row.error.message, row.error.where, "fix the record, or pass --skip-invalid to skip and count bad records");
      opts.skipped.add(row.reason);
      continue;
    }
    const first = seen.get(row.id);
    if (first !== undefined) {
      const e = new InputError(`duplicate id ${JSON.stringify(row.id)} (first at ${first.line !== undefined ? `line ${first.line}` : `row ${first.row}`})`, { ...rec.where, field: "id" });
      if (!opts.skipInvalid) throw e;
      opts.skipped.add('with a duplicate "id"');
      continue;
    }
    seen.set(row.id, rec.where);
    rows.push(row);
  }
  return rows;
}

async function readPairRows(spec: string, opts: ReadRowsOptions): Promise<EvalRow[]> {
  const stream = await openPairs(spec, { split: opts.split ?? "test", skipInvalid: opts.skipInvalid, skipped: opts.skipped });
  const rows: EvalRow[] = [];
  for await (const p of stream.pairs()) {
    const s = p.source;
    const where: Where = "line" in s ? { file: s.file, line: s.line } : { file: s.file, row: s.row };
    const id = `${path.basename(s.file)}:${"line" in s ? s.line : s.row}`;
    const texts = [p.chosen, p.rejected].map((value) => ({ format: p.format, value }) as EvalText);
    rows.push({ id, subset: null, texts, numCorrect: 1, where });
  }
  return rows;
}

const DATA_FILE = /\.(jsonl|parquet)$/i;

/** A split's files as the data layer picks them (train/validation/test keywords), else by a split name of the
 *  repo's own, as the hub names converted splits: "data/filtered-00000-of-00001.parquet", "filtered/0.jsonl". */
function splitFiles(relPaths: readonly string[], split: string): string[] {
  const known = filesOfSplit(relPaths, split);
  if (known.length > 0) return known;
  const name = split.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return [...relPaths].sort().filter((p) => new RegExp(`(^|/)${name}([-._]|/)`).test(p));
}

/** The .jsonl/.parquet files of a file, folder or hub dataset id, for one split. */
async function benchmarkFiles(spec: string, split: string): Promise<string[]> {
  if (existsSync(spec) && statSync(spec).isFile()) {
    if (!DATA_FILE.test(spec)) throw new InputError("expected a .jsonl or .parquet file", { file: spec });
    return [spec];
  }
  let files: string[];
  if (existsSync(spec)) {
    const rel = (readdirSync(spec, { recursive: true }) as string[]).filter((p) => DATA_FILE.test(p));
    files = splitFiles(rel, split).map((p) => path.join(spec, p));
  } else if (looksLikeHubId(spec)) {
    const picked = splitFiles((await hubListFiles(spec, { repoType: "dataset" })).filter((p) => DATA_FILE.test(p)), split);
    const wanted = new Set(picked);
    const dir = picked.length > 0 ? await hubSnapshot(spec, { repoType: "dataset", allow: (p) => wanted.has(p) }) : "";
    files = picked.map((p) => path.join(dir, p));
  } else {
    throw new InputError("no such file, folder or hub dataset", { file: spec });
  }
  if (files.length === 0) throw new InputError(`no .jsonl or .parquet files of split "${split}"`, { file: spec }, "pass --split with the split's name");
  return files;
}

/** The first non-blank line of a JSON-lines file, parsed, read without loading the whole file; undefined if none. */
function firstJsonLine(file: string): unknown {
  if (!existsSync(file)) throw new InputError("file not found", { file });
  const fd = openSync(file, "r");
  try {
    const buf = Buffer.alloc(1 << 16);
    let text = "";
    let n = 0;
    do {
      n = readSync(fd, buf);
      text += buf.toString("utf8", 0, n);
      // a whole line once a newline arrived (or the file ended)
      const first = textLines(n > 0 ? text.slice(0, text.lastIndexOf("\n") + 1) : text).next();
      if (!first.done) {
        const [line, t] = first.value;
        try {
          return JSON.parse(t);
        } catch (e) {
          throw new InputError(`not valid JSON: ${(e as Error).message}`, { file, line }, "one JSON object per line");
        }
      }
    } while (n > 0);
    return undefined;
  } finally {
    closeSync(fd);
  }
}

async function readRecords(file: string, limit = Infinity): Promise<RecordAt[]> {
  if (/\.jsonl$/i.test(file)) {
    return readJsonLines(file, "one JSON object per line").slice(0, limit).map((l) => ({ value: l.value, where: { file, line: l.line } }));
  }
  let objs: Record<string, unknown>[];
  try {
    objs = await parquetReadObjects({ file: await asyncBufferFromFile(file), ...(limit < Infinity ? { rowEnd: limit } : {}) });
  } catch (e) {
    throw new InputError(`not a readable Parquet file: ${(e as Error).message}`, { file });
  }
  return objs.map((value, row) => ({ value, where: { file, row } }));
}

/** A record that failed validation: the error to throw, and the reason to count when skipping. */
interface Invalid { readonly error: InputError; readonly reason: string }

function benchmarkRow(rec: RecordAt, opts: ReadRowsOptions): EvalRow | Invalid {
  const v = rec.value, at = (field: string): Where => ({ ...rec.where, field });
  const bad = (field: string | undefined, message: string, reason: string): Invalid =>
    ({ error: new InputError(message, field === undefined ? rec.where : at(field)), reason });
  if (typeof v !== "object" || v === null || Array.isArray(v)) return bad(undefined, "expected a JSON object", "not an object");
  const o = v as Record<string, unknown>;
  const subset = o["subset"];
  if (subset === undefined || subset === null) return bad("subset", `missing (expected the ${opts.benchmark === "rewardbench" ? "RewardBench" : "RewardBench 2"} subset name)`, 'missing "subset"');
  if (typeof subset !== "string" || subset === "") return bad("subset", `expected a non-empty string, got ${JSON.stringify(subset)}`, 'with a bad "subset"');
  const prompt = o["prompt"];
  if (typeof prompt !== "string") return bad("prompt", `expected a string, got ${describe(prompt)}`, 'with a bad "prompt"');
  const rawId = o["id"];
  const id = typeof rawId === "string" ? rawId : typeof rawId === "number" || typeof rawId === "bigint" ? String(rawId)
    : `${path.basename(rec.where.file)}:${rec.where.line ?? rec.where.row}`;
  const answers = (field: "chosen" | "rejected"): string[] | Invalid => {
    const a = o[field];
    if (opts.benchmark === "rewardbench") {
      if (Array.isArray(a)) return bad(field, "expected a string, got an array (a RewardBench 2 row? pass --benchmark rewardbench2)", "in another format");
      if (typeof a !== "string") return bad(field, `expected a string, got ${describe(a)}`, `with a bad "${field}"`);
      if (a.trim() === "") return bad(field, "empty answer", `with an empty "${field}"`);
      return [a];
    }
    if (typeof a === "string") return bad(field, "expected an array of strings, got a string (a RewardBench row? pass --benchmark rewardbench)", "in another format");
    if (!Array.isArray(a) || a.length === 0) return bad(field, `expected a non-empty array of strings, got ${describe(a)}`, `with a bad "${field}"`);
    const k = a.findIndex((x) => typeof x !== "string" || x.trim() === "");
    if (k >= 0) return bad(`${field}[${k}]`, `expected a non-empty string, got ${describe(a[k])}`, `with an empty "${field}"`);
    return a as string[];
  };
  const chosen = answers("chosen");
  if (!Array.isArray(chosen)) return chosen;
  const rejected = answers("rejected");
  if (!Array.isArray(rejected)) return rejected;
  if (opts.benchmark === "rewardbench2" && subset === TIES_SUBSET && tiesId(id) === null) {
    return bad("id", `a Ties row's id must be "ref:<n>" or "tied:<n>", got ${JSON.stringify(id)}`, 'with a bad Ties "id"');
  }
  return { id, subset, texts: [...chosen, ...rejected].map((a) => opts.render(prompt, a)), numCorrect: chosen.length, where: rec.where };
}

function describe(v: unknown): string {
  if (v === undefined) return "nothing (missing)";
  if (v === null) return "null";
  return Array.isArray(v) ? "an array" : `${typeof v} ${JSON.stringify(v).slice(0, 40)}`;
}
