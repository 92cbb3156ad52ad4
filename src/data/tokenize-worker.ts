// Worker thread body: loads the tokenizer once, then tokenizes chunks of pairs sent by pool.ts.
import { parentPort, workerData } from "node:worker_threads";
import { errorRecord } from "../errors.js";
import { loadTokenizer, type Tokenizer } from "../tokenizer/index.js";
import { tokenizeChunk } from "./pairs.js";
import { tokenizerInfo, type ChunkReply, type ChunkRequest } from "./pool.js";

const port = parentPort;
if (port === null) throw new Error("tokenize-worker.js must run as a worker thread");
let tok: Tokenizer;
try {
  tok = await loadTokenizer((workerData as { source: string }).source);
} catch (e) {
  // a missing or corrupt tokenizer is an InputError: send it as data so the main thread rethrows the same error
  port.postMessage({ failed: errorRecord(e) });
  process.exit(0);
}
port.on("message", (m: ChunkRequest) => {
  let reply: ChunkReply;
  try {
    const chunk = tokenizeChunk(tok, m.chosen, m.rejected);
    reply = { id: m.id, chunk };
    port.postMessage(reply, [chunk.ids.buffer as ArrayBuffer, chunk.lengths.buffer as ArrayBuffer, chunk.sharedPrefix.buffer as ArrayBuffer]);
  } catch (e) {
    reply = { id: m.id, error: errorRecord(e) };
    port.postMessage(reply);
  }
});
port.postMessage({ ready: tokenizerInfo(tok) });
