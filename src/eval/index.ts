// Public surface of src/eval: `rewardlab eval`'s library. A benchmark's rows (preference pairs, RewardBench,
// RewardBench 2) scored by a reward model, and the figures computed from the scores: accuracy with a bootstrap
// interval, length bias, calibration, RewardBench section scores. Eval sits beside report and serve, above train;
// it writes eval.json and scores.jsonl, and src/report renders the page from those files.

// one evaluation, start to end
export { runEval, EVAL_JSON, SCORES_JSONL, type EvalOptions, type EvalResult } from "./run-eval.js";
export { writeRewardStats } from "./write-stats.js";

// rows and scores
export { BENCHMARKS, marginOf, type Benchmark, type EvalRow, type EvalText, type ScoredRow } from "./types.js";
export { readEvalRows, detectBenchmark, rawText, chatText, type ReadRowsOptions, type RenderText } from "./rows.js";
export { scoreRows, leftTruncate, type EncodeText, type ScoreRowsOptions } from "./score-rows.js";
export { readScores, scoreLine, rowCorrect } from "./scores-file.js";

// figures
export { bootstrapMeanInterval, quantileSorted, type BootstrapOptions, type Interval } from "./bootstrap.js";
export { calibration, sigmoid, type Calibration, type CalibrationBin } from "./calibration.js";
export { lengthBias, type LengthBias, type LengthBucket, type LengthPair } from "./length-bias.js";
export { pairMetrics, rewardStats, type PairMetrics } from "./pair-metrics.js";
export {
  rewardbenchScores, REWARDBENCH_SUBSETS, REWARDBENCH_SECTIONS, type RewardBenchScores, type RewardBenchSection,
  type SectionScore, type SubsetScore,
} from "./rewardbench.js";
export { rewardbench2Scores, bestOfCredit, tiesScore, REWARDBENCH2_SUBSETS, type RewardBench2Scores, type TiesScore } from "./rewardbench2.js";
