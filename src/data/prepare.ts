// prepare: data source → tokenized pairs → a prepared directory. Reads on this thread, tokenizes on the worker
// pool, filters or truncates by length, writes into a temporary directory next to `out` and renames it into
// place at the end, so an error leaves nothing half-written.
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { InputError } from "../errors.js";
import { applyLengthLimit, checkLengthLimit, type LengthPolicy } from "./filter.js";
import { BinaryPairWriter } from "./prepared/binary-writer.js";
import { PREPARED_FORMAT, PREPARED_FORMAT_VERSION, type OutputLayout, type PairWriter, type PreparedEncoding, type PreparedMeta } from "./prepared/format.js";
import { JsonlPairWriter } from "./prepared/jsonl-writer.js";
import { ParquetPairWriter } from "./prepared/parquet-writer.js";
import type { EncodeSettings } from "./encode.js";
import type { TokenizedChunk } from "./pairs.js";
import { tokenizeStream } from "./pipeline.js";
import { createChunkTokenizer, defaultThreads, type TokenizerInfo } from "./pool.js";
import { openPairs } from "./readers/index.js";
import { where } from "./readers/record.js";
import { localTokenizerSource } from "./tokenizer-source.js";
import { SkipCounts, type PairFormat, type RawPair } from "./types.js";

export interface PrepareOptions {
  /** A tokenizer folder, hub model id or "builtin:gpt2". */
  readonly tokenizer: string;
  /** A data file, folder, hub dataset id or "builtin". */
  readonly data: string;
  readonly out: string;
  /** Split of a folder / hub dataset / builtin; default "train". */
  readonly split?: string;
  /** Tokens per side; default 512 (the study's). */
  readonly maxLength?: number;
  /** "filter" (default, the study's): drop longer pairs; "truncate": cut them on the right. */
  readonly policy?: LengthPolicy;
  readonly skipInvalid?: boolean;
  /** TRL's EOS rule for standard text (default true) and a chat template file replacing the tokenizer's own. */
  readonly encoding?: EncodeSettings;
  /** Default "binary". */
  readonly format?: OutputLayout;
  /** Replace an existing `out` (only after the new one is complete). */
  readonly overwrite?: boolean;
  /** Tokenizer worker threads; default one per core; 0 tokenizes on this thread. */
  readonly threads?: number;
  readonly chunkSize?: number;
  readonly onProgress?: (p: PrepareProgress) => void;
}

export interface PrepareProgress {
  readonly read: number;
  readonly written: number;
  /** 0..1 when the reader can tell. */
  readonly fraction: number | undefined;
}

export interface PrepareSummary {
  readonly out: string;
  readonly meta: PreparedMeta;
  readonly read: number;
  readonly written: number;
  readonly truncated: number;
  readonly skipped: SkipCounts;
  readonly tokens: number;
  readonly seconds: number;
  readonly pairsPerSecond: number;
  readonly threads: number;
}

function makeWriter(format: OutputLayout, dir: string, vocabSize: number): PairWriter {
  switch (format) {
    case "binary": return new BinaryPairWriter(dir, vocabSize);
    case "jsonl": return new JsonlPairWriter(dir);
    case "parquet": return new ParquetPairWriter(dir);
  }
}

// Either every pair has a margin or none has: TRL's collator takes a "margin" column for all rows or for none.
function marginMismatch(p: RawPair, first: RawPair): InputError {
  const firstAt = where(first.source);
  const at = `${firstAt.file}${firstAt.line !== undefined ? `:${firstAt.line}` : ` row ${firstAt.row}`}`;
  return p.margin === undefined
    ? new InputError(`missing, but earlier records have one (first at ${at})`, where(p.source, "margin"), "give every record a margin, or none")
    : new InputError(`unexpected: earlier records have none (first at ${at})`, where(p.source, "margin"), "give every record a margin, or none");
}

/** What meta.json records about the encoding: the EOS rule applies to standard text only, the template to chat. */
export function encodingOf(format: PairFormat | null, settings: EncodeSettings | undefined, tok: TokenizerInfo): PreparedEncoding {
  return {
    dataFormat: format,
    appendEosToken: format === "text" && (settings?.appendEosToken ?? true) && tok.eosToken !== null,
    chatTemplate: format === "chat" ? tok.chatTemplate : null,
  };
}

/**
 * The pairs of a chunk the encoder could not take (a template that raised, an id outside the vocabulary): an
 * InputError at the first one's record, or, when skipping invalid records, counted by reason.
 */
export function failuresByIndex(tokens: TokenizedChunk, pairs: readonly RawPair[], skipInvalid: boolean, skipped: SkipCounts): Set<number> {
  const failed = new Set<number>();
  for (const f of tokens.failures) {
    const p = pairs[f.index] as RawPair;
    if (!skipInvalid) throw new InputError(f.message, where(p.source, f.field), "fix the record, or pass --skip-invalid to skip and count bad records");
    skipped.add(f.reason);
    failed.add(f.index);
  }
  return failed;
}

export async function preparePairs(opts: PrepareOptions): Promise<PrepareSummary> {
  const t0 = performance.now();
  const limit = { maxLength: opts.maxLength ?? 512, policy: opts.policy ?? "filter" };
  checkLengthLimit(limit);
  const format = opts.format ?? "binary";
  const out = path.resolve(opts.out);
  if (existsSync(out) && !opts.overwrite) {
    throw new InputError("the output folder already exists", { file: opts.out }, "pass --overwrite to replace it, or choose another --out");
  }
  const skipped = new SkipCounts();
  const stream = await openPairs(opts.data, { split: opts.split, skipInvalid: opts.skipInvalid, skipped });
  const tokSource = await localTokenizerSource(opts.tokenizer);
  mkdirSync(path.dirname(out), { recursive: true });
  const tmp = path.join(path.dirname(out), `.${path.basename(out)}.partial-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  const cleanup = (): void => rmSync(tmp, { recursive: true, force: true });
  process.once("exit", cleanup); // an interrupted run leaves no partial folder either
  let writer: PairWriter | undefined;
  try {
    const pool = await createChunkTokenizer(tokSource, opts.threads ?? defaultThreads(), opts.encoding);
    const tok = pool.info;
    // yielded: pairs the readers passed on; dropped: those of them skipped here (margin, length).
    let yielded = 0, dropped = 0, written = 0, truncated = 0, tokensChosen = 0, tokensRejected = 0;
    let first: RawPair | undefined;
    try {
      writer = makeWriter(format, tmp, tok.vocabSize);
      for await (const { pairs, tokens } of tokenizeStream(stream.pairs(), pool, opts.chunkSize)) {
        let off = 0;
        const failed = failuresByIndex(tokens, pairs, opts.skipInvalid === true, skipped);
        for (const [i, p] of pairs.entries()) {
          if (failed.has(i)) {
            yielded++;
            dropped++;
            continue;
          }
          const lc = tokens.lengths[2 * i] as number, lr = tokens.lengths[2 * i + 1] as number;
          const chosen = tokens.ids.subarray(off, off + lc);
          const rejected = tokens.ids.subarray(off + lc, off + lc + lr);
          off += lc + lr;
          yielded++;
          first ??= p;
          if ((p.margin === undefined) !== (first.margin === undefined)) {
            const err = marginMismatch(p, first);
            if (!opts.skipInvalid) throw err;
            skipped.add(p.margin === undefined ? `missing "margin"` : `with unexpected "margin"`);
            dropped++;
            continue;
          }
          const d = applyLengthLimit(lc, lr, tokens.sharedPrefix[i] as number, limit, skipped);
          if (!d.keep) {
            dropped++;
            continue;
          }
          if (d.truncated) truncated++;
          await writer.write(chosen.subarray(0, d.chosenLength), rejected.subarray(0, d.rejectedLength), d.sharedPrefix, p.margin);
          written++;
          tokensChosen += d.chosenLength;
          tokensRejected += d.rejectedLength;
        }
        opts.onProgress?.({ read: yielded + skipped.total - dropped, written, fraction: stream.progress?.() });
      }
    } finally {
      await pool.close();
    }
    const files = await writer.finish();
    const read = written + skipped.total;
    const seconds = (performance.now() - t0) / 1000;
    const meta: PreparedMeta = {
      format: PREPARED_FORMAT,
      formatVersion: PREPARED_FORMAT_VERSION,
      layout: format,
      files,
      ...(format === "binary" ? { idsDtype: files.ids?.endsWith(".u16") ? "uint16" as const : "uint32" as const } : {}),
      tokenizer: { source: opts.tokenizer, vocabSize: tok.vocabSize, padTokenId: tok.padTokenId, eosTokenId: tok.eosTokenId, bosTokenId: tok.bosTokenId, addsBos: tok.addsBos },
      maxLength: limit.maxLength,
      lengthPolicy: limit.policy,
      data: opts.data,
      split: stream.files.length === 1 && !/^builtin:/.test(stream.files[0] ?? "") ? null : (opts.split ?? "train"),
      sourceFiles: [...stream.files],
      counts: { read, written, skipped: skipped.total, truncated, tokensChosen, tokensRejected },
      skippedByReason: skipped.toJSON(),
      hasMargin: first?.margin !== undefined,
      encoding: encodingOf(first?.format ?? null, opts.encoding, tok),
      createdAt: new Date().toISOString(),
    };
    writeFileSync(path.join(tmp, "meta.json"), `${JSON.stringify(meta, null, 2)}\n`);
    commit(tmp, out);
    return { out, meta, read, written, truncated, skipped, tokens: tokensChosen + tokensRejected, seconds,
      pairsPerSecond: read / Math.max(seconds, 1e-9), threads: pool.threads };
  } catch (e) {
    writer?.abort();
    throw e;
  } finally {
    cleanup();
    process.off("exit", cleanup);
  }
}

// Moves the finished folder into place; an existing one is replaced only now, after the new one is complete.
function commit(tmp: string, out: string): void {
  if (existsSync(out)) {
    const old = `${tmp}-old`;
    renameSync(out, old);
    renameSync(tmp, out);
    rmSync(old, { recursive: true, force: true });
  } else {
    renameSync(tmp, out);
  }
}
