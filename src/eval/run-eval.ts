// One evaluation, start to end: load the model and tokenizer, read the benchmark's rows, score them (reusing
// scores.jsonl with resume), compute every figure, write <out>/eval.json, and with writeStats the reward mean/std
// into the model's config.json. The page (eval.html, eval.md) is rendered from eval.json by src/report.
import { existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { PairEncoder, SkipCounts, trainedEosRule } from "../data/index.js";
import { InputError } from "../errors.js";
import { RewardModel } from "../models/index.js";
import { loadTokenizer, type ChatTemplate } from "../tokenizer/index.js";
import { pairMetrics, rewardStats, type PairMetrics } from "./pair-metrics.js";
import { rewardbenchScores, type RewardBenchScores } from "./rewardbench.js";
import { rewardbench2Scores, type RewardBench2Scores } from "./rewardbench2.js";
import { chatText, detectBenchmark, rawText, readEvalRows } from "./rows.js";
import { appendScores, checkAndRecordSetup, readScores } from "./scores-file.js";
import { scoreRows } from "./score-rows.js";
import type { Benchmark, ScoredRow } from "./types.js";
import { statsTarget, writeRewardStats } from "./write-stats.js";

export interface EvalOptions {
  /** model folder, adapter folder or hub id */
  readonly model: string;
  /** data file, folder, hub id or builtin */
  readonly data: string;
  readonly out: string;
  /** default "auto": a file whose records have "subset" is RewardBench (string answers) or RewardBench 2 (lists) */
  readonly benchmark?: Benchmark | "auto";
  /** RewardBench rows: "raw" (prompt, blank line, answer as text) or a template file; default the tokenizer's
   *  chat template (prompt as the user's message, answer as the assistant's), raw when it has none */
  readonly chatTemplate?: string;
  readonly tokenizer?: string;
  /** tokens kept per text (left truncation); default 512, lowered to the model's positions with a note */
  readonly maxLength?: number;
  readonly batchSize?: number;
  /** split of a folder or hub dataset; default "test", "filtered" for rewardbench */
  readonly split?: string;
  readonly skipInvalid?: boolean;
  /** reuse <out>/scores.jsonl; without it an existing scores.jsonl is an error */
  readonly resume?: boolean;
  readonly writeStats?: boolean;
  /** bootstrap seed; default 0 */
  readonly seed?: number;
  readonly log?: (line: string) => void;
  readonly onProgress?: (done: number, total: number) => void;
}

/** eval.json, field for field. */
export interface EvalResult {
  readonly format: "rewardlab-eval";
  readonly version: 1;
  readonly benchmark: Benchmark;
  readonly model: string;
  readonly model_type: string;
  readonly data: string;
  readonly tokenizer: string;
  readonly chat_template: string;
  readonly max_length: number;
  readonly rows: number;
  readonly texts: number;
  readonly skipped: Record<string, number>;
  /** texts cut from the left to max_length */
  readonly truncated_texts: number;
  /** rows taken from an earlier scores.jsonl */
  readonly reused_rows: number;
  readonly reward_mean: number;
  readonly reward_std: number;
  /** pairs and rewardbench: the pairwise figures */
  readonly pairs: PairMetrics | null;
  readonly rewardbench: RewardBenchScores | null;
  readonly rewardbench2: RewardBench2Scores | null;
  /** config.json that received mean/std (--write-stats), else null */
  readonly stats_written_to: string | null;
  readonly seconds: number;
  readonly notes: readonly string[];
}

export const EVAL_JSON = "eval.json";
export const SCORES_JSONL = "scores.jsonl";
export const SCORES_META_JSON = "scores.meta.json";

export async function runEval(opts: EvalOptions): Promise<EvalResult> {
  const t0 = performance.now();
  const log = opts.log ?? ((s: string) => console.error(s));
  const out = path.resolve(opts.out);
  const scoresFile = path.join(out, SCORES_JSONL);
  if (existsSync(scoresFile) && !opts.resume) {
    throw new InputError("already exists", { file: scoresFile }, "pass --resume to reuse its scores, or choose another --out");
  }
  const benchmark = opts.benchmark === undefined || opts.benchmark === "auto" ? await detectBenchmark(opts.data) : opts.benchmark;
  const { model, dir } = await RewardModel.fromPretrained(opts.model);
  for (const n of model.notes) log(`note: ${n}`);
  if (opts.writeStats) statsTarget(dir);
  const tokSource = opts.tokenizer ?? dir;
  const tok = await loadTokenizer(tokSource);
  const padNote = model.padFromTokenizer(tok);
  if (padNote !== null) log(`note: ${padNote}`);
  const raw = opts.chatTemplate === "raw";
  // the model is scored on what it was trained on: its EOS rule for text, its (or the given) chat template for chat
  const encoder = PairEncoder.create(tok, tokSource, { appendEosToken: trainedEosRule(dir), chatTemplate: raw ? undefined : opts.chatTemplate });
  const positions = model.maxPositions;
  const requested = opts.maxLength ?? 512;
  const maxLength = Math.min(requested, positions);
  const notes: string[] = [];
  const benchRows = benchmark !== "pairs";
  const useTemplate = benchRows && !raw && encoder.template !== null;
  if (benchRows && !raw && !useTemplate) notes.push(`the tokenizer ${tokSource} has no chat template: prompt and answer are scored as plain text (--chat-template raw)`);
  const chatTemplate = !benchRows ? "as the data gives it" : useTemplate ? `chat template of ${(encoder.template as ChatTemplate).describe()}` : "raw";
  if (maxLength < requested) notes.push(`max length ${requested} is above the model's ${positions} positions; texts are cut to ${positions} tokens`);

  const skipped = new SkipCounts();
  const rows = await readEvalRows(opts.data, { benchmark, render: useTemplate ? chatText : rawText, split: opts.split, skipInvalid: opts.skipInvalid, skipped });
  if (rows.length === 0) throw new InputError(`no rows to evaluate (${skipped.summary(0)})`, { file: opts.data });
  const read = rows.length + skipped.total;
  mkdirSync(out, { recursive: true });
  // a local model as an absolute path, so `rewardlab report` finds the run it belongs to from any directory
  const modelRef = existsSync(opts.model) ? path.resolve(opts.model) : opts.model;
  checkAndRecordSetup(path.join(out, SCORES_META_JSON), { model: modelRef, tokenizer: tokSource, data: opts.data, benchmark, chat_template: chatTemplate, max_length: maxLength }, opts.resume === true);
  const done = opts.resume ? readScores(scoresFile) : new Map<string, ScoredRow>();
  // reused rows are written back first, then new rows are appended chunk by chunk, so an interruption loses at
  // most one chunk; once all are scored the file is rewritten in data order
  const reused = rows.flatMap((r) => {
    const prev = done.get(r.id);
    return prev !== undefined && prev.rewards.length === r.texts.length ? [prev] : [];
  });
  writeFileSync(scoresFile, "");
  appendScores(scoresFile, reused, benchmark);
  const scored = await scoreRows(model, rows, {
    encode: (t, field) => encoder.encode(t.format, t.value, field), bosTokenId: tok.bosTokenId,
    maxLength, batchSize: opts.batchSize ?? 8, padTokenId: model.padTokenId, done,
    skipInvalid: opts.skipInvalid, skipped,
    onScored: (chunk) => appendScores(scoresFile, chunk, benchmark),
    onProgress: opts.onProgress,
  });
  await model.release();
  if (skipped.total > 0) notes.push(skipped.summary(read));
  writeFileSync(`${scoresFile}.tmp`, "");
  appendScores(`${scoresFile}.tmp`, scored, benchmark);
  renameSync(`${scoresFile}.tmp`, scoresFile);

  const rewards = rewardStats(scored);
  const pairwise = benchmark !== "rewardbench2";
  const truncated = scored.reduce((a, r) => a + r.truncated, 0);
  if (truncated > 0) notes.push(`${truncated} of ${scored.reduce((a, r) => a + r.rewards.length, 0)} texts were longer than ${maxLength} tokens and cut from the left`);
  let statsFile: string | null = null;
  if (opts.writeStats) statsFile = writeRewardStats(dir, rewards.mean, rewards.std);
  const result: EvalResult = {
    format: "rewardlab-eval", version: 1, benchmark, model: modelRef, model_type: model.modelType, data: opts.data,
    tokenizer: tokSource, chat_template: chatTemplate, max_length: maxLength, rows: scored.length,
    texts: scored.reduce((a, r) => a + r.rewards.length, 0), skipped: skipped.toJSON(), truncated_texts: truncated,
    reused_rows: reused.length, reward_mean: rewards.mean, reward_std: rewards.std,
    pairs: pairwise ? pairMetrics(scored, opts.seed ?? 0) : null,
    rewardbench: benchmark === "rewardbench" ? rewardbenchScores(scored) : null,
    rewardbench2: benchmark === "rewardbench2" ? rewardbench2Scores(scored) : null,
    stats_written_to: statsFile, seconds: (performance.now() - t0) / 1000, notes,
  };
  writeFileSync(path.join(out, EVAL_JSON), `${JSON.stringify(result, null, 2)}\n`);
  return result;
}
