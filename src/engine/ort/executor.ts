// The onnxruntime-node executor: the graph is emitted to ONNX once and one InferenceSession serves every run,
// whatever the batch and sequence sizes (symbolic dims). Session options, measured on our loaded 2-core machine
// with bench/engine.ts --options (GPT-2 block forward+backward, variants interleaved run by run):
// - graphOptimizationLevel "all": folds the gradient graph's Transposes into FusedMatMul (12 of 18 matmuls);
//   "basic" was 0.84-1.05x the speed.
// - CPU arena on: with it ORT's own buffers stop faulting after warm-up however the process was started; with it
//   off a forward+backward run faulted 63,000 pages (~250 MB) every run unless bin/launch.js's glibc settings were
//   in effect (then ~1.1x faster, within the noise of two runs), so on is the robust default.
// - memory patterns on, sequential execution, spinning threads on: other settings differed within the noise.
//   The trainer turns memory patterns off for its training session (src/train/train-graph.ts): that lowered the
//   peak RSS of a gpt2 124M full fine-tuning step at 4 pairs × 2 × 512 tokens from 10,237 to 6,548 MiB.
import os from "node:os";
import ort from "onnxruntime-node";
import { checkFeeds, type Executor, type ExecutorOptions } from "../executor.js";
import type { Graph } from "../ir.js";
import { toOnnx } from "../onnx/model.js";
import { fmtShape, shapeEq } from "../shape.js";
import type { DType, Tensor } from "../tensor.js";

export interface OrtExecutorOptions extends ExecutorOptions {
  /** Threads for one op; default os.availableParallelism(). */
  readonly intraOpThreads?: number;
  /** Overrides of onnxruntime session options (for measurements). */
  readonly sessionOptions?: Readonly<ort.InferenceSession.SessionOptions>;
}

export class OrtExecutor implements Executor {
  private session: ort.InferenceSession | undefined;

  private constructor(
    session: ort.InferenceSession,
    private readonly graph: Graph,
    readonly inputNames: readonly string[],
    readonly outputNames: readonly string[],
    /** Size of the emitted ONNX model in bytes (baked params excluded: they are external data). */
    readonly modelBytes: number,
    // baked params' buffers: ORT reads them as in-memory external data, so they stay referenced while the session lives
    private readonly baked: Readonly<Record<string, Tensor>>,
  ) {
    this.session = session;
  }

  static async create(graph: Graph, opts: OrtExecutorOptions = {}): Promise<OrtExecutor> {
    const baked = opts.initializers ?? {};
    for (const [name, t] of Object.entries(baked)) {
      const p = graph.leafByName(name);
      if (p === undefined || p.op !== "param") throw new TypeError(`initializers: graph has no param "${name}"`);
      if (p.dtype !== t.dtype || !shapeEq(p.shape, t.dims)) {
        throw new RangeError(`initializers: param "${name}" is ${p.dtype}${fmtShape(p.shape)}, got ${t.dtype}${fmtShape(t.dims)}`);
      }
    }
    const model = toOnnx(graph, { outputs: opts.outputs, initializers: baked });
    const threads = opts.intraOpThreads ?? os.availableParallelism();
    if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`intraOpThreads must be an integer >= 1, got ${threads}`);
    const session = await ort.InferenceSession.create(model.bytes, {
      graphOptimizationLevel: "all",
      executionMode: "sequential",
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      enableCpuMemArena: true,
      enableMemPattern: true,
      externalData: model.externalData.map((f) => ({ path: f.path, data: f.data })),
      ...opts.sessionOptions,
    });
    return new OrtExecutor(session, graph, model.inputNames, model.outputNames, model.bytes.length, baked);
  }

  async run(feeds: Readonly<Record<string, Tensor>>): Promise<Record<string, Tensor>> {
    const session = this.session;
    if (session === undefined) throw new TypeError("OrtExecutor.run after release()");
    checkFeeds(this.graph, this.inputNames, feeds);
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const name of this.inputNames) {
      const t = feeds[name] as Tensor;
      ortFeeds[name] = new ort.Tensor(t.dtype, t.data, t.dims);
    }
    const results = await session.run(ortFeeds, this.outputNames);
    const out: Record<string, Tensor> = {};
    for (const name of this.outputNames) {
      const r = results[name] as ort.Tensor;
      out[name] = { dtype: r.type as DType, dims: r.dims, data: r.data as Tensor["data"] };
    }
    return out;
  }

  async release(): Promise<void> {
    const s = this.session;
    this.session = undefined;
    await s?.release();
  }
}

