// The optimizer's passes over every trainable value — the gradient norm and the AdamW update — split across
// threads: the main thread and `threads - 1` worker threads each take a contiguous slice. onnxruntime is idle while
// they run, so on one thread they leave the other cores unused: gpt2 124M full fine-tuning spent ~1.4 s of a ~6 s
// step there (bench/train.ts). The results are the same bits on any number of threads: the update is elementwise,
// and the norm adds fixed chunks in order (clip.ts).
// Workers read and write SharedArrayBuffers: the gradients (TrainingGraph.grads) and AdamW's moments live on them.
// onnxruntime-node refuses tensors on SharedArrayBuffers ("Invalid argument"), so the parameters stay on an
// ordinary buffer: the main thread updates its slice in place, and the workers' slices go through a shared mirror
// (one copy in, one copy out, ~40 ms per 350 MB).
import os from "node:os";
import { Worker } from "node:worker_threads";
import { adamwUpdate, sharedFloat32, type AdamWHyper, type AdamWState, type ParamGroup } from "./adamw.js";
import { chunkSumSquares, numNormChunks } from "./clip.js";

/** A slice of the flat buffers [lo, hi) and its weight decay. */
export interface UpdateRange {
  readonly lo: number;
  readonly hi: number;
  readonly weightDecay: number;
}

/** What the main thread asks a worker to do (optimizer-worker.ts). */
export type OptimizerJob =
  | { readonly kind: "norm"; readonly g: Float32Array; readonly c0: number; readonly c1: number; readonly out: Float64Array }
  | { readonly kind: "adamw"; readonly p: Float32Array; readonly g: Float32Array; readonly m: Float32Array; readonly v: Float32Array;
      readonly step: number; readonly hyper: AdamWHyper; readonly gradScale: number; readonly ranges: readonly UpdateRange[] };

/** Below this many values a pass stays on the main thread: a message round trip costs more than it saves. */
const MIN_PARALLEL = 1 << 20;

export class OptimizerThreads {
  private mirror: Float32Array | null = null;

  private constructor(private readonly workers: readonly Worker[]) {}

  /** Starts threads - 1 workers (default: one per core, the main thread being the last). */
  static start(threads: number = os.availableParallelism()): OptimizerThreads {
    const workers = Array.from({ length: Math.max(0, Math.floor(threads) - 1) }, () => {
      const w = new Worker(new URL("./optimizer-worker.js", import.meta.url));
      w.unref(); // an idle worker never keeps the process alive
      return w;
    });
    return new OptimizerThreads(workers);
  }

  get threads(): number {
    return this.workers.length + 1;
  }

  /** sqrt(Σ g²), the same bits as globalGradNorm([g]). */
  async gradNorm(g: Float32Array): Promise<number> {
    const sums = new Float64Array(new SharedArrayBuffer(8 * numNormChunks(g.length)));
    const parts = this.parallel(g.length, [g]) ? this.threads : 1;
    const bounds = evenSplit(sums.length, parts);
    const pending = this.workers.slice(0, parts - 1).map((w, k) =>
      run(w, { kind: "norm", g, c0: bounds[k + 1] as number, c1: bounds[k + 2] as number, out: sums }));
    chunkSumSquares(g, 0, bounds[1] as number, sums);
    await Promise.all(pending);
    let sumSq = 0;
    for (const s of sums) sumSq += s;
    return Math.sqrt(sumSq);
  }

  /** adamwStep over every group, split across the threads; the same bits as adamwStep on one thread. */
  async adamw(params: Float32Array, grads: Float32Array, state: AdamWState, hyper: AdamWHyper,
    groups: readonly ParamGroup[], gradScale = 1): Promise<void> {
    const n = params.length;
    if (grads.length !== n || state.m.length !== n || state.v.length !== n) {
      throw new RangeError(`adamw: params ${n}, grads ${grads.length}, m ${state.m.length}, v ${state.v.length} differ`);
    }
    const ranges: UpdateRange[] = groups.map((g) => {
      if (g.offset < 0 || g.offset + g.length > n) throw new RangeError(`adamw: group [${g.offset}, ${g.offset + g.length}) outside ${n} params`);
      return { lo: g.offset, hi: g.offset + g.length, weightDecay: g.weightDecay };
    });
    state.step += 1;
    const total = ranges.reduce((a, r) => a + r.hi - r.lo, 0);
    const shares = splitRanges(ranges, this.parallel(total, [grads, state.m, state.v]) ? this.threads : 1);
    const p = isShared(params) ? params : this.mirrorOf(n);
    const theirs = shares.slice(1).flat();
    if (p !== params) for (const r of theirs) p.set(params.subarray(r.lo, r.hi), r.lo);
    const job = { kind: "adamw", p, g: grads, m: state.m, v: state.v, step: state.step, hyper, gradScale } as const;
    const pending = shares.slice(1).map((share, k) => run(this.workers[k] as Worker, { ...job, ranges: share }));
    for (const r of shares[0] ?? []) adamwUpdate(params, grads, state.m, state.v, state.step, hyper, r.weightDecay, r.lo, r.hi, gradScale);
    await Promise.all(pending);
    if (p !== params) for (const r of theirs) params.set(p.subarray(r.lo, r.hi), r.lo);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.mirror = null;
  }

  private parallel(values: number, buffers: readonly Float32Array[]): boolean {
    return this.workers.length > 0 && values >= MIN_PARALLEL && buffers.every(isShared);
  }

  private mirrorOf(n: number): Float32Array {
    if (this.mirror === null || this.mirror.length !== n) this.mirror = sharedFloat32(n);
    return this.mirror;
  }
}

function isShared(a: Float32Array): boolean {
  return a.buffer instanceof SharedArrayBuffer;
}

/** Posts a job and waits for the worker's answer. */
function run(w: Worker, job: OptimizerJob): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (e: Error): void => { w.off("message", onMessage); reject(e); };
    const onMessage = (m: { ok: boolean; error?: string }): void => {
      w.off("error", onError);
      if (m.ok) resolve();
      else reject(new Error(`optimizer worker failed: ${m.error}`));
    };
    w.once("message", onMessage);
    w.once("error", onError);
    w.ref(); // keep the process alive while a job is out
    w.postMessage(job);
  }).finally(() => w.unref());
}

/** parts + 1 boundaries splitting [0, n) into near-equal parts. */
function evenSplit(n: number, parts: number): number[] {
  return Array.from({ length: parts + 1 }, (_, k) => Math.round((k * n) / parts));
}

/** The ranges cut into `parts` consecutive shares of near-equal element counts (cuts on multiples of 64). */
export function splitRanges(ranges: readonly UpdateRange[], parts: number): UpdateRange[][] {
  const total = ranges.reduce((a, r) => a + r.hi - r.lo, 0);
  const shares: UpdateRange[][] = Array.from({ length: parts }, () => []);
  let share = 0, taken = 0; // elements given to shares before `share`
  const quota = (k: number): number => Math.round(((k + 1) * total) / parts);
  for (const r of ranges) {
    let lo = r.lo;
    while (lo < r.hi) {
      const room = share === parts - 1 ? Infinity : quota(share) - taken;
      let hi = Math.min(r.hi, lo + room);
      if (hi < r.hi) hi = Math.max(lo + 1, Math.min(r.hi, Math.round(hi / 64) * 64));
      (shares[share] as UpdateRange[]).push({ lo, hi, weightDecay: r.weightDecay });
      taken += hi - lo;
      lo = hi;
      if (share < parts - 1 && taken >= quota(share)) share++;
    }
  }
  return shares;
}
