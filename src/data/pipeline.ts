// Streams pairs through the chunk tokenizer: records are read on this thread, grouped into chunks, tokenized on the
// pool, and handed back in input order with a bounded number of chunks in flight.
import { InputError } from "../errors.js";
import { noChatTemplate } from "./encode.js";
import type { TokenizedChunk } from "./pairs.js";
import type { ChunkTokenizer } from "./pool.js";
import { where } from "./readers/record.js";
import type { PairSides, RawPair } from "./types.js";

// Only the sides cross to the workers; the source and margin stay here with the pair.
function sidesOf(p: RawPair): PairSides {
  return { format: p.format, chosen: p.chosen, rejected: p.rejected } as PairSides;
}

export interface PairChunk {
  readonly pairs: readonly RawPair[];
  readonly tokens: TokenizedChunk;
}

export async function* tokenizeStream(pairs: AsyncIterable<RawPair>, tk: ChunkTokenizer, chunkSize = 256,
  maxInFlight = Math.max(2, 3 * tk.threads)): AsyncGenerator<PairChunk> {
  const queue: { pairs: RawPair[]; tokens: Promise<TokenizedChunk> }[] = [];
  const send = (batch: RawPair[]): void => {
    const tokens = tk.tokenize(batch.map(sidesOf));
    tokens.catch(() => {}); // awaited below in order; this only keeps an early rejection from being "unhandled"
    queue.push({ pairs: batch, tokens });
  };
  let batch: RawPair[] = [];
  for await (const p of pairs) {
    if (p.format === "chat" && tk.info.chatTemplate === null) {
      const e = noChatTemplate(tk.source); // named at the first conversational record
      throw new InputError(e.message, where(p.source, "chosen"), e.hint);
    }
    batch.push(p);
    if (batch.length < chunkSize) continue;
    send(batch);
    batch = [];
    if (queue.length >= maxInFlight) {
      const head = queue.shift() as { pairs: RawPair[]; tokens: Promise<TokenizedChunk> };
      yield { pairs: head.pairs, tokens: await head.tokens };
    }
  }
  if (batch.length > 0) send(batch);
  while (queue.length > 0) {
    const head = queue.shift() as { pairs: RawPair[]; tokens: Promise<TokenizedChunk> };
    yield { pairs: head.pairs, tokens: await head.tokens };
  }
}
