// Hub repo ids and how the cache names their folders.

export type RepoType = "model" | "dataset";

// File endings that mark a local file name rather than a repo name ("pairs.jsonl" is a file, "Qwen2.5-0.5B" a repo).
const FILE_ENDINGS = /\.(jsonl|json|gz|bz2|xz|zst|zip|tar|parquet|arrow|csv|tsv|txt|md|yaml|yml|bin|pt|pth|safetensors|onnx|npz|npy)$/i;
// One name part as the hub allows it: letters, digits, "-", "_", "."; no leading or trailing "-"/"."; no "--" or "..".
const NAME_PART = /^[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,94}[A-Za-z0-9_])?$/;

/**
 * True for strings shaped like a hub repo id: "gpt2", "facebook/opt-350m", "Anthropic/hh-rlhf". False for paths
 * ("./x", "/abs", "a/b/c", "~/x") and for names that end like a file ("x.jsonl"). Purely syntactic: a caller that
 * also accepts local paths should check the file system first.
 */
export function looksLikeHubId(s: string): boolean {
  const parts = s.split("/");
  if (parts.length > 2 || s.length > 96) return false;
  if (FILE_ENDINGS.test(s)) return false;
  return parts.every((p) => NAME_PART.test(p) && !p.includes("--") && !p.includes(".."));
}

/** The cache folder of a repo: "models--facebook--opt-350m", "datasets--Anthropic--hh-rlhf". */
export function repoFolderName(repoId: string, repoType: RepoType): string {
  return [`${repoType}s`, ...repoId.split("/")].join("--");
}

/** A full 40-hex commit id, which huggingface_hub uses as a snapshot name without a ref. */
export function isCommitSha(revision: string): boolean {
  return /^[0-9a-f]{40}$/.test(revision);
}
