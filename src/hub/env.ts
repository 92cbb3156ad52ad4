// Where huggingface_hub keeps things, read from the environment the way huggingface_hub/constants.py reads it.
// Every function takes the environment as an argument so tests (and callers) can pass their own.
import { existsSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

/** An environment: process.env or a test's own table. */
export type HubEnv = Readonly<Record<string, string | undefined>>;

export const DEFAULT_ENDPOINT = "https://huggingface.co";

function nonEmpty(v: string | undefined): string | undefined {
  return v !== undefined && v.trim() !== "" ? v : undefined;
}

function expandHome(p: string, env: HubEnv): string {
  if (p === "~" || p.startsWith("~/")) return path.join(nonEmpty(env.HOME) ?? os.homedir(), p.slice(1));
  return p;
}

/** HF_HOME, else $XDG_CACHE_HOME/huggingface, else ~/.cache/huggingface. */
export function hfHome(env: HubEnv = process.env): string {
  const home = nonEmpty(env.HF_HOME);
  if (home !== undefined) return expandHome(home, env);
  const xdg = nonEmpty(env.XDG_CACHE_HOME) ?? path.join(nonEmpty(env.HOME) ?? os.homedir(), ".cache");
  return path.join(expandHome(xdg, env), "huggingface");
}

/** HF_HUB_CACHE (or the older HUGGINGFACE_HUB_CACHE), else <HF_HOME>/hub. */
export function hubCacheDir(env: HubEnv = process.env): string {
  const dir = nonEmpty(env.HF_HUB_CACHE) ?? nonEmpty(env.HUGGINGFACE_HUB_CACHE);
  return dir !== undefined ? expandHome(dir, env) : path.join(hfHome(env), "hub");
}

/** HF_ENDPOINT without a trailing slash. */
export function hubEndpoint(env: HubEnv = process.env): string {
  return (nonEmpty(env.HF_ENDPOINT) ?? DEFAULT_ENDPOINT).replace(/\/+$/, "");
}

/** HF_HUB_OFFLINE set to 1/ON/YES/TRUE, as huggingface_hub's _is_true reads it. */
export function hubOffline(env: HubEnv = process.env): boolean {
  return ["1", "ON", "YES", "TRUE"].includes((env.HF_HUB_OFFLINE ?? "").trim().toUpperCase());
}

/** HF_TOKEN, else HUGGING_FACE_HUB_TOKEN, else the file HF_TOKEN_PATH or <HF_HOME>/token (what `hf auth login` writes). */
export function hubToken(env: HubEnv = process.env): string | undefined {
  const fromEnv = nonEmpty(env.HF_TOKEN) ?? nonEmpty(env.HUGGING_FACE_HUB_TOKEN);
  if (fromEnv !== undefined) return fromEnv.trim();
  const file = expandHome(nonEmpty(env.HF_TOKEN_PATH) ?? path.join(hfHome(env), "token"), env);
  if (!existsSync(file)) return undefined;
  return nonEmpty(readFileSync(file, "utf8").trim());
}
