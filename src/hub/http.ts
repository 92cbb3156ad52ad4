// Requests to the hub with Node's global fetch: the token header, redirects followed by hand (so the token never
// leaves the endpoint's origin) and HTTP statuses turned into HubErrors that say what to do.
import { HubError } from "../errors.js";
import type { RepoType } from "./repo-id.js";

export interface HubRequestContext {
  readonly endpoint: string;
  readonly token: string | undefined;
  readonly repoId: string;
  readonly repoType: RepoType;
  readonly revision: string;
}

const OFFLINE_HINT = "check the network (and HTTPS_PROXY); to use only the local cache, set HF_HUB_OFFLINE=1";

/** `{endpoint}/{prefix}{repo}` as the resolve URLs spell it ("datasets/" for datasets, nothing for models). */
export function repoUrl(c: HubRequestContext): string {
  return `${c.endpoint}/${c.repoType === "dataset" ? "datasets/" : ""}${c.repoId}`;
}

export function resolveUrl(c: HubRequestContext, revision: string, file: string): string {
  return `${repoUrl(c)}/resolve/${encodeURIComponent(revision)}/${file.split("/").map(encodeURIComponent).join("/")}`;
}

export function apiUrl(c: HubRequestContext, tail: string): string {
  return `${c.endpoint}/api/${c.repoType}s/${c.repoId}/${tail}`;
}

function describe(c: HubRequestContext): string {
  return `${c.repoType} ${c.repoId}`;
}

/** One request; network failures become a HubError that suggests HF_HUB_OFFLINE. Redirects are not followed. */
export async function hubFetch(c: HubRequestContext, url: string, method: "GET" | "HEAD" = "GET"): Promise<Response> {
  const sameOrigin = new URL(url).origin === new URL(c.endpoint).origin;
  const headers: Record<string, string> = { "accept-encoding": "identity", "user-agent": "rewardlab" };
  if (c.token !== undefined && sameOrigin) headers.authorization = `Bearer ${c.token}`;
  try {
    return await fetch(url, { method, headers, redirect: "manual" });
  } catch (e) {
    const cause = e instanceof Error && e.cause instanceof Error ? e.cause : e;
    const code = (cause as { code?: unknown }).code;
    const why = typeof code === "string" ? code : cause instanceof Error ? cause.message : String(cause);
    throw new HubError(`cannot reach ${new URL(url).origin} (${why}) for ${describe(c)}`, { file: url }, OFFLINE_HINT);
  }
}

export function isRedirect(res: Response): boolean {
  return res.status >= 300 && res.status < 400 && res.headers.has("location");
}

/** GET or HEAD following every redirect (up to 10); the token goes only to the endpoint's origin. */
export async function hubFetchFollow(c: HubRequestContext, url: string, method: "GET" | "HEAD" = "GET"): Promise<Response> {
  let current = url;
  for (let hop = 0; hop < 10; hop++) {
    const res = await hubFetch(c, current, method);
    if (!isRedirect(res)) return res;
    await res.body?.cancel();
    current = new URL(res.headers.get("location") as string, current).toString();
  }
  throw new HubError(`too many redirects from ${url}`, { file: url });
}

/** Throws the HubError for a failed response; `file` set means the request was for that file of the repo. */
export async function throwForStatus(c: HubRequestContext, res: Response, url: string, file?: string): Promise<void> {
  if (res.ok) return;
  await res.body?.cancel();
  const where = { file: url };
  const code = res.headers.get("x-error-code") ?? "";
  if (res.status === 401 || res.status === 403) {
    const hint =
      c.token === undefined
        ? `if ${c.repoId} is private or gated, set HF_TOKEN (or put a token in <HF_HOME>/token); check the repo id too, the hub answers ${res.status} for repos that do not exist`
        : `the token (HF_TOKEN or <HF_HOME>/token) was refused for ${c.repoId}: check that it has read access, and accept the terms on the repo's page if it is gated`;
    throw new HubError(`${describe(c)} on ${c.endpoint}: access denied (HTTP ${res.status}${code ? `, ${code}` : ""})`, where, hint);
  }
  if (res.status === 404) {
    const kind = code !== "" ? code : file !== undefined ? await probeMissing(c) : "RepoNotFound";
    if (kind === "RevisionNotFound")
      throw new HubError(`revision "${c.revision}" not found in ${describe(c)} on ${c.endpoint}`, where, "check the branch, tag or commit name");
    if (kind === "RepoNotFound" || file === undefined)
      throw new HubError(`${c.repoId} not found on ${c.endpoint}`, where,
        c.repoType === "model" ? "check the repo id; a dataset repo needs repo type \"dataset\"" : "check the repo id; a model repo needs repo type \"model\"");
    throw new HubError(`file "${file}" not in ${describe(c)} at revision ${c.revision} (${c.endpoint})`, where,
      `the repo's files are listed at ${repoUrl(c)}/tree/${c.revision}`);
  }
  throw new HubError(`${describe(c)}: HTTP ${res.status} ${res.statusText} from ${c.endpoint}`, where,
    res.status >= 500 ? "the hub may be down; retry later or set HF_HUB_OFFLINE=1 to use the local cache" : undefined);
}

// A 404 on a file without X-Error-Code: ask the revision API whether the repo exists at all.
async function probeMissing(c: HubRequestContext): Promise<string> {
  const res = await hubFetchFollow(c, apiUrl(c, `revision/${encodeURIComponent(c.revision)}`));
  await res.body?.cancel();
  return res.ok ? "EntryNotFound" : "RepoNotFound";
}
