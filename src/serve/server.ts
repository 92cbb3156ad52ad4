// Rewards over HTTP (node:http, JSON in and out): GET /health, GET /info, POST /score. A thin layer over RewardScorer,
// which loads and scores exactly as `rewardlab score` does. Every bad request gets a JSON error with a status
// (400 naming the field, 404, 405, 413, 503); nothing a client sends can crash the server.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { InputError, RewardlabError } from "../errors.js";
import { RewardScorer, type ScorerOptions } from "./scorer.js";
import { parseScoreRequest, RequestError, type ErrorBody, type ServerInfo } from "./schema.js";

export interface ServeOptions extends ScorerOptions {
  /** interface to listen on; default 127.0.0.1 */
  readonly host?: string;
  /** TCP port; 0 picks a free one; default 8080 */
  readonly port?: number;
  /** largest POST body in bytes; larger ones get 413; default 8 MiB */
  readonly maxBodyBytes?: number;
}

export interface RewardServer {
  /** http://host:port of the listening server (the real port when 0 was asked for) */
  readonly url: string;
  readonly info: ServerInfo;
  /** Stops accepting connections, lets running requests finish, then frees the onnxruntime session. */
  close(): Promise<void>;
}

type Route = { readonly method: "GET" | "POST"; readonly handle: (req: IncomingMessage) => Promise<unknown> };

const MIB = 1024 * 1024;

/** Loads the model and tokenizer, then listens; resolves once the server accepts connections. */
export async function startRewardServer(opts: ServeOptions): Promise<RewardServer> {
  const host = opts.host ?? "127.0.0.1", port = opts.port ?? 8080, maxBodyBytes = opts.maxBodyBytes ?? 8 * MIB;
  if (!(Number.isInteger(port) && port >= 0 && port <= 65535)) throw new RangeError(`port must be an integer in [0, 65535], got ${port}`);
  if (!(Number.isInteger(maxBodyBytes) && maxBodyBytes >= 1)) throw new RangeError(`maxBodyBytes must be an integer >= 1, got ${maxBodyBytes}`);
  const log = opts.log ?? ((line: string) => console.error(line));
  const scorer = await RewardScorer.load(opts);
  const routes: Record<string, Route> = {
    "/health": { method: "GET", handle: async () => ({ status: "ok" }) },
    "/info": { method: "GET", handle: async () => scorer.info },
    "/score": { method: "POST", handle: async (req) => scorer.score(parseScoreRequest(await readBody(req, maxBodyBytes))) },
  };
  const inflight = new Set<Promise<void>>();
  let closing = false;
  const server = createServer((req, res) => {
    const p = respond(req, res, routes, closing, log)
      .catch((e: unknown) => log(`rewardlab serve: could not answer: ${String(e)}`))
      .finally(() => inflight.delete(p));
    inflight.add(p);
  });
  try {
    await listen(server, host, port);
  } catch (e) {
    await scorer.release();
    const code = (e as NodeJS.ErrnoException).code ?? "";
    throw new InputError(`cannot listen on ${host}:${port}: ${(e as Error).message}`, undefined,
      code === "EADDRINUSE" ? "pick another --port, or --port 0 for any free one" : undefined);
  }
  const addr = server.address() as AddressInfo;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${addr.port}`;
  let closed: Promise<void> | undefined;
  return {
    url,
    info: scorer.info,
    close() {
      closed ??= (async () => {
        closing = true;
        const stopped = new Promise<void>((ok) => server.close(() => ok()));
        server.closeIdleConnections();
        await Promise.all([...inflight]);
        server.closeAllConnections();
        await stopped;
        await scorer.release();
      })();
      return closed;
    },
  };
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((ok, fail) => {
    server.once("error", fail);
    server.listen(port, host, () => {
      server.off("error", fail);
      ok();
    });
  });
}

async function respond(req: IncomingMessage, res: ServerResponse, routes: Record<string, Route>, closing: boolean,
  log: (line: string) => void): Promise<void> {
  try {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    const route = routes[path];
    if (route === undefined) throw new RequestError(404, `no such path ${JSON.stringify(path)}`, null, `paths: ${Object.keys(routes).join(", ")}`);
    if (req.method !== route.method) {
      res.setHeader("allow", route.method);
      throw new RequestError(405, `${path} takes ${route.method}, got ${req.method ?? "nothing"}`);
    }
    if (closing) throw new RequestError(503, "server is shutting down");
    send(res, 200, await route.handle(req));
  } catch (e) {
    req.resume(); // discard any unread body
    // after a 413 the rest of a huge body may still be on its way: answer, then drop the connection
    if (e instanceof RequestError && e.status === 413) res.setHeader("connection", "close");
    if (e instanceof RequestError) return send(res, e.status, e.body());
    if (e instanceof RewardlabError) return send(res, 400, errorBody(e.format(), e.hint));
    log(`rewardlab serve: internal error on ${req.method ?? "?"} ${req.url ?? "?"} (a bug; please report it):`);
    log(e instanceof Error ? e.stack ?? e.message : String(e));
    send(res, 500, errorBody(`internal error: ${e instanceof Error ? e.message : String(e)}`));
  }
}

function errorBody(error: string, hint?: string): ErrorBody {
  return { error, field: null, ...(hint !== undefined ? { hint } : {}) };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

/**
 * The request body as UTF-8, at most `limit` bytes, else a 413. An oversized body is read to its end and dropped,
 * so the client gets the answer instead of a reset connection; one that declares far more than the limit is cut.
 */
function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const tooLarge = () => new RequestError(413, `body is over the ${limit}-byte limit`, null, "send fewer texts per request");
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > 4 * limit) return Promise.reject(tooLarge());
  return new Promise((ok, fail) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else if (size > 4 * limit) req.destroy();
      else chunks.length = 0;
    });
    req.on("end", () => (size > limit ? fail(tooLarge()) : ok(Buffer.concat(chunks).toString("utf8"))));
    req.on("error", fail);
    req.on("close", () => { if (!req.complete) fail(new RequestError(400, "the client closed the connection mid-body")); });
  });
}
