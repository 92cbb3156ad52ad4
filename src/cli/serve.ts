// rewardlab serve: rewards over HTTP. Loads the model and tokenizer as `score` does, listens, prints one line
// `serving <model> on http://host:port` to stderr, and on SIGINT/SIGTERM closes the server, frees the onnxruntime
// session and exits 0 (a second signal exits 1 at once).
import { InputError } from "../errors.js";
import { startRewardServer } from "../serve/index.js";
import { QUANT_FLAGS, quantFromFlags } from "./quant-flags.js";
import { intFlag, num, parseArgs, requireStr, str, type FlagSpecs } from "./args.js";
import type { Command } from "./command.js";

const FLAGS: FlagSpecs = {
  model: { kind: "string", help: "model folder (config.json + weights) or hub model id" },
  host: { kind: "string", help: "interface to listen on", default: "127.0.0.1" },
  port: { kind: "number", help: "TCP port (0: any free port)", default: 8080 },
  "batch-size": { kind: "number", help: "texts per forward pass", default: 8 },
  "max-length": { kind: "number", help: "tokens kept per text (right truncation)", default: 512 },
  tokenizer: { kind: "string", help: "tokenizer folder or builtin:gpt2 (default: the model folder's tokenizer files)" },
  "max-body-mib": { kind: "number", help: "largest request body in MiB (larger ones get 413)", default: 8 },
  "max-queue": { kind: "number", help: "requests waiting or running before new ones get 503", default: 64 },
  ...QUANT_FLAGS,
};

export const serveCommand: Command = {
  name: "serve",
  usage: "rewardlab serve --model <dir|hub-id> [--host 127.0.0.1] [--port 8080] [--batch-size 8] [--max-length 512] [--tokenizer <dir>] [--load-in-8bit|--load-in-4bit]",
  summary: "rewards over HTTP: GET /health, GET /info, POST /score",
  flags: FLAGS,
  async run(argv) {
    const a = parseArgs(argv, FLAGS, "serve");
    if (a.positional.length > 0) throw new InputError(`unexpected argument "${a.positional[0]}"`, undefined, "see: rewardlab serve --help");
    const model = requireStr(a, "model", "serve");
    const maxBodyMiB = num(a, "max-body-mib") ?? 8;
    if (!(maxBodyMiB > 0)) throw new InputError(`flag --max-body-mib: expected a number > 0, got ${maxBodyMiB}`);
    const tokenizer = str(a, "tokenizer");
    const server = await startRewardServer({
      model,
      ...(tokenizer !== undefined ? { tokenizer } : {}),
      host: str(a, "host") ?? "127.0.0.1",
      port: intFlag(a, "port", 8080, 0, 65535),
      batchSize: intFlag(a, "batch-size", 8, 1),
      maxLength: intFlag(a, "max-length", 512, 1),
      maxQueue: intFlag(a, "max-queue", 64, 1),
      quant: quantFromFlags(a),
      maxBodyBytes: Math.max(1, Math.round(maxBodyMiB * 1024 * 1024)),
    });
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
