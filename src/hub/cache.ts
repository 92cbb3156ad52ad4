// The huggingface_hub cache layout, read and written:
//   <cache>/models--org--name/refs/<revision>          a commit sha
//   <cache>/models--org--name/blobs/<etag>             file contents, named by the server's ETag
//   <cache>/models--org--name/snapshots/<sha>/<path>   relative symlink to ../../blobs/<etag>
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { isCommitSha, repoFolderName, type RepoType } from "./repo-id.js";

export class RepoCache {
  readonly dir: string;
  constructor(cacheDir: string, repoId: string, repoType: RepoType) {
    this.dir = path.join(cacheDir, repoFolderName(repoId, repoType));
  }

  refPath(revision: string): string {
    return path.join(this.dir, "refs", ...revision.split("/"));
  }

  /** The commit a revision points to in the cache: the revision itself for a sha, else refs/<revision>. */
  commitOf(revision: string): string | undefined {
    if (isCommitSha(revision)) return revision;
    const ref = this.refPath(revision);
    if (!existsSync(ref)) return undefined;
    const sha = readFileSync(ref, "utf8").trim();
    return sha === "" ? undefined : sha;
  }

  snapshotDir(commit: string): string {
    return path.join(this.dir, "snapshots", commit);
  }

  snapshotFile(commit: string, file: string): string {
    return path.join(this.snapshotDir(commit), ...file.split("/"));
  }

  blobPath(etag: string): string {
    return path.join(this.dir, "blobs", etag);
  }

  /** Records that `revision` now means `commit` (a sha needs no ref). */
  writeRef(revision: string, commit: string): void {
    if (revision === commit) return;
    const ref = this.refPath(revision);
    if (existsSync(ref) && readFileSync(ref, "utf8").trim() === commit) return;
    mkdirSync(path.dirname(ref), { recursive: true });
    const tmp = `${ref}.${process.pid}.tmp`;
    writeFileSync(tmp, commit);
    renameSync(tmp, ref);
  }

  /** Points snapshots/<commit>/<file> at blobs/<etag> with a relative symlink (a copy where symlinks are refused). */
  linkSnapshot(commit: string, file: string, etag: string): string {
    const target = this.snapshotFile(commit, file);
    const blob = this.blobPath(etag);
    mkdirSync(path.dirname(target), { recursive: true });
    rmSync(target, { force: true });
    try {
      symlinkSync(path.relative(path.dirname(target), blob), target);
    } catch {
      copyFileSync(blob, target);
    }
    return target;
  }

  /** Repo-relative paths of the files present in a snapshot folder (symlinks whose blob exists). */
  listSnapshot(commit: string): string[] {
    const root = this.snapshotDir(commit);
    const out: string[] = [];
    const walk = (dir: string, prefix: string): void => {
      for (const name of readdirSync(dir).sort()) {
        const p = path.join(dir, name);
        if (!existsSync(p)) continue; // a dangling link: the blob was deleted
        if (statSync(p).isDirectory()) walk(p, `${prefix}${name}/`);
        else out.push(`${prefix}${name}`);
      }
    };
    if (existsSync(root)) walk(root, "");
    return out;
  }
}
