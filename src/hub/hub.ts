// Hub access without Python: the huggingface_hub cache first, HTTP(S) downloads into it otherwise.
// A file already in the cache for the revision is returned without touching the network; HF_HUB_OFFLINE=1 never does.
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { open } from "node:fs/promises";
import path from "node:path";
import { HubError } from "../errors.js";
import { RepoCache } from "./cache.js";
import { hubCacheDir, hubEndpoint, hubOffline, hubToken, type HubEnv } from "./env.js";
import { apiUrl, hubFetch, hubFetchFollow, isRedirect, resolveUrl, throwForStatus, type HubRequestContext } from "./http.js";
import { DownloadProgress, PROGRESS_MIN_BYTES, type ProgressOut } from "./progress.js";
import type { RepoType } from "./repo-id.js";

export interface HubOptions {
  /** "model" (default) or "dataset". */
  repoType?: RepoType;
  /** Branch, tag or commit sha; default "main". */
  revision?: string;
  /** Environment to read HF_* variables from; default process.env. */
  env?: HubEnv;
  /** Where download progress goes; default process.stderr, null for none. */
  progress?: ProgressOut | null;
}

export interface SnapshotOptions extends HubOptions {
  /** Which repo-relative paths to fetch; default all. */
  allow?: (path: string) => boolean;
}

interface Context extends HubRequestContext {
  readonly offline: boolean;
  readonly cache: RepoCache;
  readonly progress: ProgressOut | null;
}

function context(repoId: string, opts: HubOptions = {}): Context {
  const env = opts.env ?? process.env;
  const repoType = opts.repoType ?? "model";
  return {
    endpoint: hubEndpoint(env),
    token: hubToken(env),
    repoId,
    repoType,
    revision: opts.revision ?? "main",
    offline: hubOffline(env),
    cache: new RepoCache(hubCacheDir(env), repoId, repoType),
    progress: opts.progress === undefined ? process.stderr : opts.progress,
  };
}

function offlineMiss(c: Context, what: string): HubError {
  return new HubError(`HF_HUB_OFFLINE is set and ${what} of ${c.repoType} ${c.repoId} (revision ${c.revision}) is not in the cache ${c.cache.dir}`,
    { file: c.cache.dir }, "unset HF_HUB_OFFLINE to download it, or copy a cache that has it into HF_HUB_CACHE");
}

/** Repo-relative paths of every file at the revision (offline: the files the cached snapshot holds). */
export async function hubListFiles(repoId: string, opts?: HubOptions): Promise<string[]> {
  const c = context(repoId, opts);
  if (c.offline) {
    const commit = c.cache.commitOf(c.revision);
    if (commit === undefined || !existsSync(c.cache.snapshotDir(commit))) throw offlineMiss(c, "a snapshot");
    return c.cache.listSnapshot(commit);
  }
  return listTree(c, c.revision);
}

// GET /api/{type}s/{repo}/tree/{revision}?recursive=true, following the Link: <…>; rel="next" pages.
async function listTree(c: Context, revision: string): Promise<string[]> {
  const files: string[] = [];
  let url: string | undefined = apiUrl(c, `tree/${encodeURIComponent(revision)}?recursive=true&expand=false`);
  while (url !== undefined) {
    const res = await hubFetchFollow(c, url);
    await throwForStatus(c, res, url);
    const page: unknown = await res.json();
    if (!Array.isArray(page)) throw new HubError(`expected a JSON array of tree entries, got ${typeof page}`, { file: url });
    for (const e of page as unknown[]) {
      const entry = e as { type?: unknown; path?: unknown };
      if (entry.type === "file" && typeof entry.path === "string") files.push(entry.path);
    }
    const next = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get("link") ?? "");
    url = next?.[1] !== undefined ? new URL(next[1], url).toString() : undefined;
  }
  return files.sort();
}

/** Local path of `file` in the cache snapshot, downloading it first if the cache lacks it. */
export async function hubDownload(repoId: string, file: string, opts?: HubOptions): Promise<string> {
  const c = context(repoId, opts);
  // Paths come from callers and from the server's listing: none may climb out of the snapshot folder.
  if (file.split("/").some((p) => p === "" || p === "." || p === ".." || p.includes("\\")))
    throw new HubError(`"${file}" is not a repo-relative file path of ${c.repoType} ${c.repoId}`, { file }, 'use a path like "data/train.jsonl"');
  const commit = c.cache.commitOf(c.revision);
  if (commit !== undefined) {
    const cached = c.cache.snapshotFile(commit, file);
    if (existsSync(cached)) return cached;
  }
  if (c.offline) throw offlineMiss(c, commit === undefined ? `the revision (no ref for "${c.revision}")` : `file "${file}"`);
  return download(c, file);
}

interface FileMetadata {
  commit: string;
  etag: string;
  sizeBytes: number | undefined;
  /** Where the bytes are: the resolve URL, or the CDN URL an LFS file redirects to. */
  location: string;
}

// HEAD on the resolve URL, as huggingface_hub's get_hf_file_metadata: relative redirects (renamed repos) are
// followed; an absolute one (LFS on a CDN) is where the bytes are, and its response carries the metadata.
async function fileMetadata(c: Context, file: string): Promise<FileMetadata> {
  let url = resolveUrl(c, c.revision, file);
  let res = await hubFetch(c, url, "HEAD");
  for (let hop = 0; isRedirect(res) && (res.headers.get("location") as string).startsWith("/"); hop++) {
    if (hop === 10) throw new HubError(`too many redirects from ${url}`, { file: url });
    url = new URL(res.headers.get("location") as string, url).toString();
    res = await hubFetch(c, url, "HEAD");
  }
  const location = isRedirect(res) ? new URL(res.headers.get("location") as string, url).toString() : url;
  if (!isRedirect(res)) await throwForStatus(c, res, url, file);
  const h = res.headers;
  const commit = h.get("x-repo-commit");
  const etag = (h.get("x-linked-etag") ?? h.get("etag"))?.replace(/^W\//, "").replace(/"/g, "");
  if (commit === null || etag === undefined || etag === "")
    throw new HubError(`${url}: the server sent no ${commit === null ? "X-Repo-Commit" : "ETag"} header`, { file: url },
      "HF_ENDPOINT must point at a Hugging Face hub (or a mirror that sends its headers)");
  const size = Number(h.get("x-linked-size") ?? h.get("content-length") ?? NaN);
  return { commit, etag, sizeBytes: Number.isFinite(size) ? size : undefined, location };
}

async function download(c: Context, file: string): Promise<string> {
  const meta = await fileMetadata(c, file);
  const blob = c.cache.blobPath(meta.etag);
  if (!existsSync(blob)) await fetchToFile(c, meta, file, blob);
  const local = c.cache.linkSnapshot(meta.commit, file, meta.etag);
  c.cache.writeRef(c.revision, meta.commit);
  return local;
}

// Streams the bytes to blobs/<etag>.<pid>.incomplete and renames it into place once the size checks out.
async function fetchToFile(c: Context, meta: FileMetadata, file: string, blob: string): Promise<void> {
  const res = await hubFetchFollow(c, meta.location);
  await throwForStatus(c, res, meta.location, file);
  mkdirSync(path.dirname(blob), { recursive: true });
  const tmp = `${blob}.${process.pid}.incomplete`;
  const big = meta.sizeBytes === undefined || meta.sizeBytes >= PROGRESS_MIN_BYTES;
  const progress = big && c.progress !== null ? new DownloadProgress(`${c.repoId}/${file}`, meta.sizeBytes, c.progress) : undefined;
  const fh = await open(tmp, "w");
  let written = 0;
  try {
    if (res.body !== null) {
      for await (const chunk of res.body) {
        await fh.write(chunk);
        written += chunk.byteLength;
        progress?.add(chunk.byteLength);
      }
    }
  } catch (e) {
    await fh.close();
    rmSync(tmp, { force: true });
    throw new HubError(`download of ${file} from ${c.repoId} broke off after ${written} bytes: ${(e as Error).message}`,
      { file: meta.location }, "retry; set HF_HUB_OFFLINE=1 to use only the local cache");
  }
  await fh.close();
  if (meta.sizeBytes !== undefined && written !== meta.sizeBytes) {
    rmSync(tmp, { force: true });
    throw new HubError(`download of ${file} from ${c.repoId}: expected ${meta.sizeBytes} bytes, got ${written}`, { file: meta.location }, "retry the download");
  }
  progress?.done();
  renameSync(tmp, blob);
}

/**
 * Local snapshot folder holding every file of the revision that `allow` accepts (default: all). Online it asks the
 * hub for the revision's commit and file list (two small requests) and downloads only the files the cache lacks;
 * offline it returns the cached snapshot folder as it is.
 */
export async function hubSnapshot(repoId: string, opts?: SnapshotOptions): Promise<string> {
  const c = context(repoId, opts);
  if (c.offline) {
    const commit = c.cache.commitOf(c.revision);
    if (commit === undefined || !existsSync(c.cache.snapshotDir(commit))) throw offlineMiss(c, "a snapshot");
    return c.cache.snapshotDir(commit);
  }
  const commit = await revisionCommit(c);
  const allow = opts?.allow ?? (() => true);
  const files = (await listTree(c, commit)).filter(allow);
  const atCommit = { ...opts, revision: commit };
  for (const f of files) {
    if (!existsSync(c.cache.snapshotFile(commit, f))) await hubDownload(repoId, f, atCommit);
  }
  mkdirSync(c.cache.snapshotDir(commit), { recursive: true });
  c.cache.writeRef(c.revision, commit);
  return c.cache.snapshotDir(commit);
}

// GET /api/{type}s/{repo}/revision/{revision} → { sha }.
async function revisionCommit(c: Context): Promise<string> {
  const url = apiUrl(c, `revision/${encodeURIComponent(c.revision)}`);
  const res = await hubFetchFollow(c, url);
  await throwForStatus(c, res, url);
  const info = (await res.json()) as { sha?: unknown };
  if (typeof info.sha !== "string") throw new HubError(`expected a "sha" string in the revision info, got ${typeof info.sha}`, { file: url });
  return info.sha;
}
