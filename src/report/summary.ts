// Per-model figures (what summary.json holds and the tables show) and the sentences generated from them. Each figure
// is read from run.json first, then from metrics.jsonl / trainer_state.json; null means no file recorded it.
import type { RunRecord } from "./collect.js";

export interface ModelSummary {
  name: string;
  model_type: string | null;
  source: "rewardlab" | "hf";
  params_total: number | null;
  params_trainable: number | null;
  steps: number | null;
  tokens_seen: number | null;
  /** token positions the model computed: tokens_seen less what prefix sharing saved */
  tokens_computed: number | null;
  pairs_seen: number | null;
  wall_seconds: number | null;
  pairs_per_second: number | null;
  tokens_per_second: number | null;
  final_eval_loss: number | null;
  best_eval_loss: number | null;
  final_eval_accuracy: number | null;
  best_eval_accuracy: number | null;
  length_baseline_longer: number | null;
  length_baseline_shorter: number | null;
  eval_pairs: number | null;
  peak_rss_bytes: number | null;
  flops_per_token: number | null;
  achieved_gflops: number | null;
  matmul_peak_gflops: number | null;
  /** "lora" or "full" when run.json records it; runs are compared on time within one tuning */
  tuning: "lora" | "full" | null;
  reference_wall_seconds: number | null;
  reference_source: string | null;
}

function first(...vs: (number | undefined | null)[]): number | null {
  for (const v of vs) if (v !== undefined && v !== null) return v;
  return null;
}

function ratioOf(a: number | null, b: number | null): number | undefined {
  return a !== null && b !== null && b > 0 ? a / b : undefined;
}

export function summarize(run: RunRecord): ModelSummary {
  const i = run.info;
  const ts = run.trainerState;
  const lastTrain = run.train[run.train.length - 1];
  const lastEval = run.eval[run.eval.length - 1];
  const evalAcc = run.eval.map((e) => e.eval_accuracy).filter((a): a is number => a !== undefined);
  const evalLoss = run.eval.map((e) => e.eval_loss);
  const lastElapsed = Math.max(-Infinity, ...[...run.train, ...run.eval].map((p) => p.elapsed_seconds ?? -Infinity));
  const wall = first(i?.wall_seconds, ts?.train_runtime, Number.isFinite(lastElapsed) ? lastElapsed : undefined);
  const tokens = first(i?.tokens_seen, ts?.num_input_tokens_seen || undefined);
  const pairs = first(i?.pairs_seen);
  const fpt = first(i?.flops_per_token?.total);
  return {
    name: run.name,
    model_type: run.modelType ?? null,
    source: run.kind,
    params_total: first(i?.params_total),
    params_trainable: first(i?.params_trainable),
    steps: first(i?.steps, ts?.global_step, lastTrain?.step),
    tokens_seen: tokens,
    tokens_computed: first(i?.tokens_computed, tokens),
    pairs_seen: pairs,
    wall_seconds: wall,
    pairs_per_second: first(i?.pairs_per_second, ts?.train_samples_per_second, ratioOf(pairs, wall)),
    tokens_per_second: first(i?.tokens_per_second, ratioOf(tokens, wall)),
    final_eval_loss: first(i?.final_eval_loss, lastEval?.eval_loss),
    best_eval_loss: evalLoss.length > 0 ? Math.min(...evalLoss) : null,
    final_eval_accuracy: first(i?.final_eval_accuracy, lastEval?.eval_accuracy),
    best_eval_accuracy: first(i?.best_eval_accuracy, evalAcc.length > 0 ? Math.max(...evalAcc) : undefined),
    length_baseline_longer: first(i?.length_baseline_longer),
    length_baseline_shorter: first(i?.length_baseline_shorter),
    eval_pairs: first(i?.eval_pairs),
    peak_rss_bytes: first(i?.peak_rss_bytes),
    flops_per_token: fpt,
    achieved_gflops: first(i?.achieved_gflops, fpt !== null && tokens !== null && wall ? (fpt * (first(i?.tokens_computed, tokens) ?? 0)) / wall / 1e9 : undefined),
    matmul_peak_gflops: first(i?.matmul_peak_gflops),
    tuning: i?.lora === undefined ? null : i.lora ? "lora" : "full",
    reference_wall_seconds: i?.reference?.wall_seconds ?? null,
    reference_source: i?.reference?.source ?? null,
  };
}

/** The fields summary.json holds for each model, in this order. */
export const SUMMARY_JSON_FIELDS = [
  "name", "params_total", "params_trainable", "steps", "pairs_seen", "wall_seconds", "pairs_per_second",
  "tokens_per_second", "final_eval_loss", "final_eval_accuracy", "best_eval_accuracy", "length_baseline_longer",
  "length_baseline_shorter", "peak_rss_bytes", "flops_per_token",
] as const satisfies readonly (keyof ModelSummary)[];

export function summaryJson(models: readonly ModelSummary[]): { models: Record<string, string | number | null>[] } {
  return {
    models: models.map((m) => {
      const row: Record<string, string | number | null> = {};
      for (const k of SUMMARY_JSON_FIELDS) row[k] = m[k];
      return row;
    }),
  };
}
