// Public surface of src/hub: the Hugging Face cache layout and downloads. Lowest layer beside engine.
export { hubDownload, hubListFiles, hubSnapshot, type HubOptions, type SnapshotOptions } from "./hub.js";
export { hfHome, hubCacheDir, hubEndpoint, hubOffline, hubToken, type HubEnv } from "./env.js";
export { looksLikeHubId, repoFolderName, type RepoType } from "./repo-id.js";
export type { ProgressOut } from "./progress.js";
