// Worker thread body: loads the tokenizer (and chat template) once, then encodes chunks of pairs sent by pool.ts.
import { parentPort, workerData } from "node:worker_threads";
import { errorRecord } from "../errors.js";
import { loadTokenizer } from "../tokenizer/index.js";
import { PairEncoder } from "./encode.js";
import { tokenizeChunk } from "./pairs.js";
import { tokenizerInfo, type ChunkReply, type ChunkRequest, type WorkerSetup } from "./pool.js";

const port = parentPort;
if (port === null) throw new Error("tokenize-worker.js must run as a worker thread");
const setup = workerData as WorkerSetup;
let encoder: PairEncoder;
try {
  encoder = PairEncoder.create(await loadTokenizer(setup.source), setup.source, setup.settings);
} catch (e) {
  // a missing or corrupt tokenizer is an InputError: send it as data so the main thread rethrows the same error
  port.postMessage({ failed: errorRecord(e) });
  process.exit(0);
}
port.on("message", (m: ChunkRequest) => {
  let reply: ChunkReply;
  try {
    const chunk = tokenizeChunk(encoder, m.pairs);
    reply = { id: m.id, chunk };
    const buffers = [chunk.ids, chunk.lengths, chunk.sharedPrefix, ...(chunk.templateTokens !== undefined ? [chunk.templateTokens] : [])];
    port.postMessage(reply, buffers.map((b) => b.buffer as ArrayBuffer));
  } catch (e) {
    reply = { id: m.id, error: errorRecord(e) };
    port.postMessage(reply);
  }
});
port.postMessage({ ready: tokenizerInfo(encoder) });
