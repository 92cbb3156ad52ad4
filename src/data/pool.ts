// Tokenization on a pool of worker threads. Chunks go to the least busy worker; each call's promise resolves
// with its own chunk, so a caller that awaits its calls in order gets results in input order.
import os from "node:os";
import { Worker } from "node:worker_threads";
import { errorFromRecord, type ErrorRecord } from "../errors.js";
import type { Tokenizer } from "../tokenizer/index.js";
import { PairEncoder, type EncodeSettings } from "./encode.js";
import { tokenizeChunk, type TokenizedChunk } from "./pairs.js";
import { cachedTokenizer } from "./tokenizer-source.js";
import type { PairSides } from "./types.js";

/** What prepare records about the tokenizer; workers report it, so the main thread need not load one. */
export type TokenizerInfo = Pick<Tokenizer, "vocabSize" | "padTokenId" | "eosTokenId" | "bosTokenId" | "addsBos" | "eosToken"> & {
  /** Where the chat template comes from (file and field), null when there is none. */
  readonly chatTemplate: string | null;
};

export function tokenizerInfo(e: PairEncoder): TokenizerInfo {
  const t = e.tok;
  return { vocabSize: t.vocabSize, padTokenId: t.padTokenId, eosTokenId: t.eosTokenId, bosTokenId: t.bosTokenId, addsBos: t.addsBos,
    eosToken: t.eosToken, chatTemplate: e.template?.describe() ?? null };
}

/** What a worker loads: the local tokenizer source and how pairs are encoded. */
export interface WorkerSetup {
  readonly source: string;
  readonly settings: EncodeSettings;
}

export interface ChunkRequest {
  readonly id: number;
  readonly pairs: readonly PairSides[];
}
export type ChunkReply = { readonly id: number; readonly chunk: TokenizedChunk } | { readonly id: number; readonly error: ErrorRecord };
type ReadyReply = { readonly ready: TokenizerInfo } | { readonly failed: ErrorRecord };

export interface ChunkTokenizer {
  /** The local tokenizer source, for messages. */
  readonly source: string;
  readonly threads: number;
  readonly info: TokenizerInfo;
  tokenize(pairs: readonly PairSides[]): Promise<TokenizedChunk>;
  close(): Promise<void>;
}

interface Pending {
  resolve(c: TokenizedChunk): void;
  reject(e: Error): void;
  worker: number;
}

class WorkerPool implements ChunkTokenizer {
  private readonly pending = new Map<number, Pending>();
  private readonly busy: number[];
  private nextId = 0;
  private failure: Error | undefined;

  private constructor(private readonly workers: Worker[], readonly info: TokenizerInfo, readonly source: string) {
    this.busy = workers.map(() => 0);
    workers.forEach((w, k) => {
      w.on("message", (m: ChunkReply) => this.settle(m, k));
      w.on("error", (e) => this.fail(e));
      w.on("exit", (code) => { if (code !== 0) this.fail(new Error(`tokenizer worker ${k} exited with code ${code}`)); });
    });
  }

  get threads(): number {
    return this.workers.length;
  }

  static async create(setup: WorkerSetup, threads: number): Promise<WorkerPool> {
    const url = new URL("./tokenize-worker.js", import.meta.url);
    const workers = Array.from({ length: threads }, () => new Worker(url, { workerData: setup }));
    let infos: TokenizerInfo[];
    try {
      infos = await Promise.all(workers.map((w) => new Promise<TokenizerInfo>((resolve, reject) => {
        const onMessage = (m: ReadyReply): void => {
          w.off("error", reject);
          if ("ready" in m) resolve(m.ready);
          else reject(errorFromRecord(m.failed, "tokenizer worker"));
        };
        w.once("message", onMessage);
        w.once("error", reject);
      })));
    } catch (e) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw e;
    }
    return new WorkerPool(workers, infos[0] as TokenizerInfo, setup.source);
  }

  tokenize(pairs: readonly PairSides[]): Promise<TokenizedChunk> {
    if (this.failure) return Promise.reject(this.failure);
    let k = 0;
    for (let i = 1; i < this.busy.length; i++) if ((this.busy[i] as number) < (this.busy[k] as number)) k = i;
    const id = this.nextId++;
    this.busy[k] = (this.busy[k] as number) + 1;
    const req: ChunkRequest = { id, pairs };
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, worker: k });
      (this.workers[k] as Worker).postMessage(req);
    });
  }

  private settle(m: ChunkReply, k: number): void {
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    this.busy[k] = (this.busy[k] as number) - 1;
    if ("chunk" in m) p.resolve(m.chunk);
    else p.reject(errorFromRecord(m.error, "tokenizer worker failed"));
  }

  private fail(e: Error): void {
    this.failure ??= e;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  async close(): Promise<void> {
    this.failure ??= new Error("tokenizer pool is closed");
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** Tokenizes in the calling thread: for threads = 0, small inputs and tests. */
class InlineTokenizer implements ChunkTokenizer {
  readonly threads = 0;
  readonly info: TokenizerInfo;
  constructor(private readonly encoder: PairEncoder, readonly source: string) {
    this.info = tokenizerInfo(encoder);
  }
  async tokenize(pairs: readonly PairSides[]): Promise<TokenizedChunk> {
    return tokenizeChunk(this.encoder, pairs);
  }
  async close(): Promise<void> {}
}

/** Default worker count: one per core. */
export function defaultThreads(): number {
  return os.availableParallelism();
}

/**
 * A chunk tokenizer for a local tokenizer source (see localTokenizerSource): `threads` workers that each load it,
 * or, for threads = 0, this thread.
 */
export async function createChunkTokenizer(source: string, threads = defaultThreads(), settings: EncodeSettings = {}): Promise<ChunkTokenizer> {
  if (!Number.isInteger(threads) || threads < 0) throw new RangeError(`threads must be a non-negative integer, got ${threads}`);
  if (threads > 0) return WorkerPool.create({ source, settings }, threads);
  return new InlineTokenizer(PairEncoder.create(await cachedTokenizer(source), source, settings), source);
}
