// Public surface of src/serve: rewards over HTTP (GET /health, /info, /metrics; POST /score, /get_reward) on node:http. Serve sits
// beside report, above train; other layers import only this file.

// the server
export { startRewardServer, type ServeOptions, type RewardServer } from "./server.js";

// loading and scoring as `rewardlab score` does (model + tokenizer + right truncation); requests share forward passes
export { RewardScorer, type ScorerOptions } from "./scorer.js";
export { Batcher, type BatcherOptions, type PassStats } from "./batcher.js";
export { bundleRows, largePassFactor, packRows, planPasses, planWave, rowsCost, PASS_OVERHEAD_TOKENS, type PendingText, type PackedRow, type PackingOptions } from "./packing.js";
export { ServerMetrics } from "./metrics.js";
export { rewardStats } from "./normalize.js";

// request and response shapes
export {
  parseScoreRequest, parseGetRewardRequest, RequestError, type GetRewardRequest, type GetRewardResponse, type ScoreRequest, type ScoreResponse, type ServerInfo, type ErrorBody,
} from "./schema.js";
