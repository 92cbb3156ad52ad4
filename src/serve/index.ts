// Public surface of src/serve: rewards over HTTP (GET /health, GET /info, POST /score) on node:http. Serve sits
// beside report, above train; other layers import only this file.

// the server
export { startRewardServer, type ServeOptions, type RewardServer } from "./server.js";

// loading and scoring as `rewardlab score` does (model + tokenizer + right truncation), one request at a time
export { RewardScorer, type ScorerOptions } from "./scorer.js";
export { Batcher, type BatcherOptions } from "./batcher.js";

// request and response shapes
export {
  parseScoreRequest, RequestError, type ScoreRequest, type ScoreResponse, type ServerInfo, type ErrorBody,
} from "./schema.js";
