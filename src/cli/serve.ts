// rewardlab serve: rewards over HTTP. Loads the model and tokenizer as `score` does, listens, prints one line
// `serving <model> on http://host:port` to stderr, and on SIGINT/SIGTERM stops accepting connections, answers every
// queued and running request, frees the onnxruntime session and exits 0 (a second signal exits 1 at once).
import { InputError } from "../errors.js";
import { startRewardServer } from "../serve/index.js";
import { QUANT_FLAGS, quantFromFlags } from "./quant-flags.js";
import { bool, intFlag, num, parseArgs, requireStr, str, type FlagSpecs } from "./args.js";
import type { Command } from "./command.js";

const FLAGS: FlagSpecs = {
  model: { kind: "string", help: "model folder (config.json + weights) or hub model id" },
  host: { kind: "string", help: "interface to listen on", default: "127.0.0.1" },
  port: { kind: "number", help: "TCP port (0: any free port)", default: 8080 },
  "max-batch": { kind: "number", help: "texts per forward pass", default: 32 },
  "max-batch-tokens": { kind: "number", help: "padded tokens (rows x longest row) per forward pass", default: 16384 },
  "max-wait-ms": { kind: "number", help: "how long a request arriving to an idle model waits for others to share its passes (not when the last request was alone)", default: 5 },
  batching: { kind: "boolean", help: "merge concurrent requests into forward passes (--no-batching: one request at a time)", default: true },
  "prefix-sharing": { kind: "boolean", help: "score texts sharing a token prefix in one row, the prefix once", default: true },
  normalize: { kind: "boolean", help: "rewards as (r - mean) / std with config.json's mean and std (OpenRLHF's names)", default: false },
  "max-length": { kind: "number", help: "tokens kept per text (right truncation)", default: 512 },
  tokenizer: { kind: "string", help: "tokenizer folder or builtin:gpt2 (default: the model folder's tokenizer files)" },
  "api-key": { kind: "string", help: "require Authorization: Bearer <key> on every route but /health (default: env REWARDLAB_API_KEY)" },
  "max-body-mib": { kind: "number", help: "largest request body in MiB (larger ones get 413)", default: 8 },
  "max-texts": { kind: "number", help: "texts per request, a pair counting two (more get 413)", default: 1024 },
  "max-queue": { kind: "number", help: "requests waiting or running before new ones get 503", default: 64 },
  "headers-timeout-ms": { kind: "number", help: "a client must send its request headers within this", default: 10000 },
  "request-timeout-ms": { kind: "number", help: "a client must send its whole request within this", default: 60000 },
  "idle-timeout-ms": { kind: "number", help: "an idle keep-alive connection is closed after this", default: 5000 },
  ...QUANT_FLAGS,
};

export const serveCommand: Command = {
  name: "serve",
  usage: "rewardlab serve --model <dir|hub-id> [--host 127.0.0.1] [--port 8080] [--max-batch 32] [--max-batch-tokens 16384] [--api-key KEY] [--normalize] [--load-in-8bit|--load-in-4bit]",
  summary: "rewards over HTTP: GET /health, /info, /metrics; POST /score, /get_reward (OpenRLHF)",
  flags: FLAGS,
  async run(argv) {
    const a = parseArgs(argv, FLAGS, "serve");
    if (a.positional.length > 0) throw new InputError(`unexpected argument "${a.positional[0]}"`, undefined, "see: rewardlab serve --help");
    const model = requireStr(a, "model", "serve");
    const maxBodyMiB = num(a, "max-body-mib") ?? 8;
    if (!(maxBodyMiB > 0)) throw new InputError(`flag --max-body-mib: expected a number > 0, got ${maxBodyMiB}`);
    const tokenizer = str(a, "tokenizer");
    const apiKey = str(a, "api-key") ?? process.env["REWARDLAB_API_KEY"];
    if (apiKey === "") throw new InputError("the API key is empty", undefined, "pass --api-key KEY or set REWARDLAB_API_KEY to a non-empty key");
    const server = await startRewardServer({
      model,
      ...(tokenizer !== undefined ? { tokenizer } : {}),
      ...(apiKey !== undefined ? { apiKey } : {}),
      host: str(a, "host") ?? "127.0.0.1",
      port: intFlag(a, "port", 8080, 0, 65535),
      maxBatch: intFlag(a, "max-batch", 32, 1),
      maxBatchTokens: intFlag(a, "max-batch-tokens", 16384, 1),
      maxWaitMs: intFlag(a, "max-wait-ms", 5, 0),
      batching: bool(a, "batching"),
      prefixSharing: bool(a, "prefix-sharing"),
      normalize: bool(a, "normalize"),
      maxLength: intFlag(a, "max-length", 512, 1),
      maxTexts: intFlag(a, "max-texts", 1024, 1),
      maxQueue: intFlag(a, "max-queue", 64, 1),
      quant: quantFromFlags(a),
      maxBodyBytes: Math.max(1, Math.round(maxBodyMiB * 1024 * 1024)),
      headersTimeoutMs: intFlag(a, "headers-timeout-ms", 10_000, 1),
      requestTimeoutMs: intFlag(a, "request-timeout-ms", 60_000, 1),
      idleTimeoutMs: intFlag(a, "idle-timeout-ms", 5_000, 1),
    });
    if (apiKey !== undefined) console.error("every route but /health needs Authorization: Bearer <API key>");
    console.error(`serving ${model} on ${server.url}`);
    const signal = await new Promise<NodeJS.Signals>((ok) => {
      process.once("SIGINT", ok);
      process.once("SIGTERM", ok);
    });
    const force = () => process.exit(1);
    process.once("SIGINT", force);
    process.once("SIGTERM", force);
    console.error(`${signal}: closing the server`);
    await server.close();
    process.off("SIGINT", force);
    process.off("SIGTERM", force);
    return 0;
  },
};
