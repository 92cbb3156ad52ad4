// Public surface of src/report: run folders → typed records (collect), records → report files (render, write).
// Other layers import only from this file. The run-folder contract is the interface; the one import from train is
// its TensorBoard event reader (tensorboard-log.ts), and rendering imports nothing from train.

// collecting: the run-folder contract is documented at the top of collect.ts
export { attachEvals, collectRun, collectRuns, readMetrics, readRunJson } from "./collect.js";
export type { EvalPoint, RunInfo, RunRecord, TrainPoint, TrainerState } from "./collect.js";
export { findTrainerState, readTrainerState } from "./trainer-state.js";

// figures and sentences
export { summarize, summaryJson, SUMMARY_JSON_FIELDS, type ModelSummary } from "./summary.js";
export { explainPair, headline, timeExplanations } from "./findings.js";

// rendering
export { ema, evalChart, lineChart, lossChart, type Curve, type LineChartSpec, type LineSeries, type RefLine } from "./charts.js";
export { groupedBarChart, stackedBarChart, type BarGroupSpec, type StackedBarSpec } from "./bar-charts.js";
export { buildDoc, type DocOptions } from "./doc.js";
export type { Block, Cell, ReportDoc, Section } from "./blocks.js";
export { renderHtml } from "./html.js";
export { renderMarkdown } from "./markdown.js";
export { writeReport, type ReportOptions, type WrittenReport } from "./write.js";

// eval folders (eval.json, written by `rewardlab eval`): their page, and finding them inside run folders
export { readEvalFile, findEvalDirs, isEvalDir, type EvalFile, type EvalPairs, type EvalBench } from "./eval-file.js";
export { buildEvalDoc, evalAnswer } from "./eval-doc.js";
export { writeEvalPage } from "./eval-page.js";
