// A worker thread of optimizer-threads.ts: takes a slice of the gradient norm or of the AdamW update over buffers
// shared with the main thread, and answers when done. It holds no state between messages.
import { parentPort } from "node:worker_threads";
import { adamwUpdate } from "./adamw.js";
import { chunkSumSquares } from "./clip.js";
import type { OptimizerJob } from "./optimizer-threads.js";

const port = parentPort;
if (port === null) throw new Error("optimizer-worker.js runs only as a worker thread");
port.on("message", (job: OptimizerJob) => {
  try {
    if (job.kind === "norm") chunkSumSquares(job.g, job.c0, job.c1, job.out);
    else for (const r of job.ranges) adamwUpdate(job.p, job.g, job.m, job.v, job.step, job.hyper, r.weightDecay, r.lo, r.hi, job.gradScale);
    port.postMessage({ ok: true });
  } catch (e) {
    port.postMessage({ ok: false, error: e instanceof Error ? e.stack ?? e.message : String(e) });
  }
});
