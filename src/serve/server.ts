// Rewards over HTTP (node:http, JSON in and out): GET /health, GET /info, GET /metrics, POST /score and POST
// /get_reward (OpenRLHF's remote reward model protocol). A thin layer over RewardScorer, which loads and scores
// exactly as `rewardlab score` does. Every bad request gets a JSON error with a status (400 naming the field, 401,
// 404, 405, 413 naming the limit, 503 with Retry-After); nothing a client sends can crash the server, and a slow or
// silent client is cut off by the header, request and idle timeouts.
import { timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { InputError, RewardlabError } from "../errors.js";
import { ServerMetrics } from "./metrics.js";
import { RewardScorer, type ScorerOptions } from "./scorer.js";
import {
  parseGetRewardRequest, parseScoreRequest, RequestError, type ErrorBody, type GetRewardResponse, type ServerInfo,
} from "./schema.js";

export interface ServeOptions extends ScorerOptions {
  /** interface to listen on; default 127.0.0.1 */
  readonly host?: string;
  /** TCP port; 0 picks a free one; default 8080 */
  readonly port?: number;
  /** largest POST body in bytes; larger ones get 413; default 8 MiB */
  readonly maxBodyBytes?: number;
  /** when set, every route but /health needs `Authorization: Bearer <apiKey>` */
  readonly apiKey?: string;
  /** a client must send its request headers within this; default 10 000 */
  readonly headersTimeoutMs?: number;
  /** a client must send its whole request (headers and body) within this; default 60 000 */
  readonly requestTimeoutMs?: number;
  /** an idle keep-alive connection is closed after this; default 5 000 */
  readonly idleTimeoutMs?: number;
}

export interface RewardServer {
  /** http://host:port of the listening server (the real port when 0 was asked for) */
  readonly url: string;
  readonly info: ServerInfo;
  /** Stops accepting connections, lets queued and running requests finish, then frees the onnxruntime session. */
  close(): Promise<void>;
}

type Route = {
  readonly method: "GET" | "POST";
  /** answered without the API key */
  readonly open?: boolean;
  readonly handle: (req: IncomingMessage, res: ServerResponse) => Promise<unknown>;
};

const MIB = 1024 * 1024;
/** seconds a client is told to wait after a 503 (one forward pass rarely takes longer) */
const RETRY_AFTER_S = 1;

/** Loads the model and tokenizer, then listens; resolves once the server accepts connections. */
export async function startRewardServer(opts: ServeOptions): Promise<RewardServer> {
  const host = opts.host ?? "127.0.0.1", port = opts.port ?? 8080, maxBodyBytes = opts.maxBodyBytes ?? 8 * MIB;
  const headersTimeoutMs = opts.headersTimeoutMs ?? 10_000, requestTimeoutMs = opts.requestTimeoutMs ?? 60_000;
  const idleTimeoutMs = opts.idleTimeoutMs ?? 5_000;
  if (!(Number.isInteger(port) && port >= 0 && port <= 65535)) throw new RangeError(`port must be an integer in [0, 65535], got ${port}`);
  const limits: [string, number][] = [["maxBodyBytes", maxBodyBytes], ["headersTimeoutMs", headersTimeoutMs],
    ["requestTimeoutMs", requestTimeoutMs], ["idleTimeoutMs", idleTimeoutMs]];
  for (const [name, v] of limits) if (!(Number.isInteger(v) && v >= 1)) throw new RangeError(`${name} must be an integer >= 1, got ${v}`);
  if (opts.apiKey === "") throw new RangeError("apiKey must not be empty");
  const log = opts.log ?? ((line: string) => console.error(line));
  const m = new ServerMetrics();
  const scorer = await RewardScorer.load({ ...opts, onPass: (p) => m.pass(p), onDequeue: (ms) => m.dequeued(ms) });
  m.describe(scorer.info, () => scorer.batcher.pending);
  const routes: Record<string, Route> = {
    "/health": { method: "GET", open: true, handle: async () => ({ status: "ok" }) },
    "/info": { method: "GET", handle: async () => scorer.info },
    "/metrics": {
      method: "GET",
      handle: async (_req, res) => {
        res.setHeader("content-type", m.registry.contentType);
        return m.text();
      },
    },
    "/score": { method: "POST", handle: async (req) => scorer.score(parseScoreRequest(await readBody(req, maxBodyBytes))) },
    "/get_reward": {
      method: "POST",
      handle: async (req): Promise<GetRewardResponse> => {
        const { query } = parseGetRewardRequest(await readBody(req, maxBodyBytes));
        const { rewards } = await scorer.scoreTexts(query, (i) => `query[${i}]`);
        return { rewards, scores: rewards, extra_logs: {} };
      },
    },
  };
  const expected = opts.apiKey !== undefined ? Buffer.from(`Bearer ${opts.apiKey}`) : null;
  const authorized = (req: IncomingMessage): boolean => {
    if (expected === null) return true;
    const got = Buffer.from(req.headers.authorization ?? "");
    return got.length === expected.length && timingSafeEqual(got, expected);
  };
  const inflight = new Set<Promise<void>>();
  let closing = false;
  const checkEveryMs = Math.max(50, Math.min(1000, Math.floor(headersTimeoutMs / 4)));
  const server = createServer({
    headersTimeout: headersTimeoutMs,
    requestTimeout: requestTimeoutMs,
    keepAliveTimeout: idleTimeoutMs,
    // how often node checks the header and request timeouts; its 30 s default would let a slow client stay longer
    connectionsCheckingInterval: checkEveryMs,
  }, (req, res) => {
    const p = respond(req, res, { routes, authorized, closing: () => closing, metrics: m, log })
      .catch((e: unknown) => log(`rewardlab serve: could not answer: ${String(e)}`))
      .finally(() => inflight.delete(p));
    inflight.add(p);
  });
  // a backstop for node's header timeout, which a periodic check enforces (answering 408): a new connection that has
  // not completed its first request's headers shortly after the limit is dropped. Later requests on a kept-alive
  // connection rely on node's check alone.
  const firstHeaders = new WeakMap<object, NodeJS.Timeout>();
  server.on("connection", (socket) => {
    const timer = setTimeout(() => socket.destroy(), headersTimeoutMs + 2 * checkEveryMs);
    timer.unref();
    firstHeaders.set(socket, timer);
    socket.once("close", () => clearTimeout(timer));
  });
  server.on("request", (req: IncomingMessage) => clearTimeout(firstHeaders.get(req.socket)));
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

interface Context {
  readonly routes: Record<string, Route>;
  readonly authorized: (req: IncomingMessage) => boolean;
  readonly closing: () => boolean;
  readonly metrics: ServerMetrics;
  readonly log: (line: string) => void;
}

async function respond(req: IncomingMessage, res: ServerResponse, ctx: Context): Promise<void> {
  const path = new URL(req.url ?? "/", "http://localhost").pathname;
  const route = ctx.routes[path];
  const done = ctx.metrics.start(route !== undefined ? path : "other");
  try {
    if (route === undefined) throw new RequestError(404, `no such path ${JSON.stringify(path)}`, null, `paths: ${Object.keys(ctx.routes).join(", ")}`);
    if (req.method !== route.method) {
      res.setHeader("allow", route.method);
      throw new RequestError(405, `${path} takes ${route.method}, got ${req.method ?? "nothing"}`);
    }
    if (route.open !== true && !ctx.authorized(req)) {
      res.setHeader("www-authenticate", "Bearer");
      throw new RequestError(401, req.headers.authorization === undefined ? "missing Authorization header" : "wrong API key",
        null, "send Authorization: Bearer <the server's --api-key>");
    }
    if (ctx.closing()) {
      res.setHeader("connection", "close");
      throw new RequestError(503, "server is shutting down");
    }
    send(res, 200, await route.handle(req, res));
  } catch (e) {
    req.resume(); // discard any unread body
    // after a 413 the rest of a huge body may still be on its way: answer, then drop the connection
    if (e instanceof RequestError && e.status === 413) res.setHeader("connection", "close");
    if (e instanceof RequestError && e.status === 503) res.setHeader("retry-after", String(RETRY_AFTER_S));
    if (e instanceof RequestError) send(res, e.status, e.body());
    else if (e instanceof RewardlabError) send(res, 400, errorBody(e.format(), e.hint));
    else {
      ctx.log(`rewardlab serve: internal error on ${req.method ?? "?"} ${req.url ?? "?"} (a bug; please report it):`);
      ctx.log(e instanceof Error ? e.stack ?? e.message : String(e));
      send(res, 500, errorBody(`internal error: ${e instanceof Error ? e.message : String(e)}`));
    }
  } finally {
    done(res.headersSent ? res.statusCode : 499);
  }
}

function errorBody(error: string, hint?: string): ErrorBody {
  return { error, field: null, ...(hint !== undefined ? { hint } : {}) };
}

/** Answers JSON, or a string as it is (the content type already set: /metrics). */
function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) return;
  const text = typeof body === "string" ? body : JSON.stringify(body);
  if (typeof body !== "string") res.setHeader("content-type", "application/json; charset=utf-8");
  res.writeHead(status, { "content-length": Buffer.byteLength(text) });
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
