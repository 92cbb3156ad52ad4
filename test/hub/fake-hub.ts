// A stand-in for huggingface.co on 127.0.0.1: the resolve URLs (small files answered directly, "LFS" files
// redirected to a second origin acting as the CDN), the tree API (paginated with Link headers) and the revision API.
// It records every request so tests can assert what went over the wire.
import { createHash } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeFile { path: string; data: Buffer; lfs?: boolean }
export interface FakeRepo { type: "model" | "dataset"; id: string; commit: string; files: FakeFile[]; token?: string }
export interface SeenRequest { method: string; url: string; authorization: string | undefined }
export interface FakeHubOptions {
  /** Send X-Error-Code on 404s as the real hub does (default true). */
  errorCodes?: boolean;
  /** Tree entries per page. */
  pageSize?: number;
  /** Old repo id → new repo id, answered with a relative 307 like a renamed repo. */
  renames?: Record<string, string>;
}

export const gitEtag = (d: Buffer): string => createHash("sha1").update(`blob ${d.length}\0`).update(d).digest("hex");
export const lfsEtag = (d: Buffer): string => createHash("sha256").update(d).digest("hex");

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export class FakeHub {
  readonly requests: SeenRequest[] = [];
  readonly cdnRequests: SeenRequest[] = [];
  url = "";
  cdnUrl = "";
  private readonly hub: http.Server;
  private readonly cdn: http.Server;
  private readonly blobs = new Map<string, Buffer>();

  constructor(private readonly repos: FakeRepo[], private readonly opts: FakeHubOptions = {}) {
    for (const r of repos) for (const f of r.files) if (f.lfs) this.blobs.set(lfsEtag(f.data), f.data);
    this.hub = http.createServer((req, res) => this.serveHub(req, res));
    this.cdn = http.createServer((req, res) => {
      this.cdnRequests.push({ method: req.method ?? "", url: req.url ?? "", authorization: req.headers.authorization });
      const data = this.blobs.get((req.url ?? "").replace("/blob/", ""));
      res.writeHead(data ? 200 : 404, { "content-length": data ? data.length : 0 }).end(req.method === "HEAD" ? undefined : data);
    });
  }

  static async start(repos: FakeRepo[], opts?: FakeHubOptions): Promise<FakeHub> {
    const h = new FakeHub(repos, opts);
    h.url = await listen(h.hub);
    h.cdnUrl = await listen(h.cdn);
    return h;
  }

  async close(): Promise<void> {
    this.hub.closeAllConnections();
    this.cdn.closeAllConnections();
    await Promise.all([new Promise((ok) => this.hub.close(ok)), new Promise((ok) => this.cdn.close(ok))]);
  }

  private fail(res: http.ServerResponse, status: number, code: string): void {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (this.opts.errorCodes !== false) headers["x-error-code"] = code;
    res.writeHead(status, headers).end(JSON.stringify({ error: code }));
  }

  // The repo and revision a request names, or undefined after answering the error the hub would give.
  private find(req: http.IncomingMessage, res: http.ServerResponse, type: string, id: string, rev: string): FakeRepo | undefined {
    const repo = this.repos.find((r) => r.type === type && r.id === id);
    if (repo === undefined) return void this.fail(res, 404, "RepoNotFound");
    if (repo.token !== undefined && req.headers.authorization !== `Bearer ${repo.token}`) return void this.fail(res, 401, "RepoNotFound");
    if (rev !== "main" && rev !== repo.commit) return void this.fail(res, 404, "RevisionNotFound");
    return repo;
  }

  private serveHub(req: http.IncomingMessage, res: http.ServerResponse): void {
    const u = new URL(req.url ?? "/", this.url);
    this.requests.push({ method: req.method ?? "", url: u.pathname + u.search, authorization: req.headers.authorization });
    const resolve = /^\/(datasets\/)?([^/]+(?:\/[^/]+)?)\/resolve\/([^/]+)\/(.+)$/.exec(u.pathname);
    if (resolve) {
      const [, ds, id = "", rev = "", file = ""] = resolve;
      const renamed = this.opts.renames?.[id];
      if (renamed !== undefined) {
        res.writeHead(307, { location: u.pathname.replace(`/${id}/`, `/${renamed}/`) }).end();
        return;
      }
      const repo = this.find(req, res, ds ? "dataset" : "model", id, decodeURIComponent(rev));
      if (repo === undefined) return;
      const f = repo.files.find((x) => x.path === decodeURIComponent(file));
      if (f === undefined) return this.fail(res, 404, "EntryNotFound");
      if (f.lfs) {
        const etag = lfsEtag(f.data);
        res.writeHead(302, { location: `${this.cdnUrl}/blob/${etag}`, "x-repo-commit": repo.commit,
          "x-linked-etag": `"${etag}"`, "x-linked-size": String(f.data.length), etag: `"${gitEtag(f.data)}"` }).end();
        return;
      }
      res.writeHead(200, { "x-repo-commit": repo.commit, etag: `"${gitEtag(f.data)}"`, "content-length": f.data.length });
      res.end(req.method === "HEAD" ? undefined : f.data);
      return;
    }
    const api = /^\/api\/(models|datasets)\/([^/]+(?:\/[^/]+)?)\/(tree|revision)\/([^/]+)$/.exec(u.pathname);
    if (api) {
      const [, types = "", id = "", what, rev = ""] = api;
      const repo = this.find(req, res, types.slice(0, -1), id, decodeURIComponent(rev));
      if (repo === undefined) return;
      res.setHeader("content-type", "application/json");
      if (what === "revision") {
        res.end(JSON.stringify({ id: repo.id, sha: repo.commit, siblings: repo.files.map((f) => ({ rfilename: f.path })) }));
        return;
      }
      const dirs = [...new Set(repo.files.flatMap((f) => (f.path.includes("/") ? [f.path.slice(0, f.path.lastIndexOf("/"))] : [])))];
      const entries = [
        ...dirs.map((d) => ({ type: "directory", oid: "0".repeat(40), size: 0, path: d })),
        ...repo.files.map((f) => ({ type: "file", oid: gitEtag(f.data), size: f.data.length, path: f.path })),
      ];
      const size = this.opts.pageSize ?? 1000;
      const start = Number(u.searchParams.get("cursor") ?? "0");
      if (start + size < entries.length) {
        const next = new URL(u);
        next.searchParams.set("cursor", String(start + size));
        res.setHeader("link", `<${next.toString()}>; rel="next"`);
      }
      res.end(JSON.stringify(entries.slice(start, start + size)));
      return;
    }
    res.writeHead(404).end();
  }
}
