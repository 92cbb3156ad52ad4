// run.json (the run-folder contract at the top of src/report/collect.ts): what a run was and what it measured.
// FLOPs per token are counted from the parameter shapes: 2 per multiply-add of each matmul weight, plus the two
// attention matmuls (q·kᵀ and p·v, 2·2·T·C per layer); training = forward + backward, where the backward costs
// 2× the forward for trained weights and 1× (input gradient only) for frozen ones (LoRA base).
import { writeFileSync } from "node:fs";
import path from "node:path";
import type { RewardModel } from "../models/index.js";

export const RUN_JSON = "run.json";

export interface FlopsPerToken {
  total: number;
  by_kind: Record<string, number>;
}

function kindOf(name: string): string | null {
  if (name === "score.weight") return "head";
  if (/\.(attn\.c_attn|attn\.c_proj|self_attn\.[qkvo]_proj|self_attn\.out_proj)\.weight$/.test(name)) return "attention_proj";
  if (/\.(mlp\.c_fc|mlp\.c_proj|fc1|fc2|mlp\.(gate|up|down)_proj)\.weight$/.test(name)) return "mlp";
  if (/project_(in|out)\.weight$/.test(name)) return "projections";
  return null; // embeddings (lookups), LayerNorms, biases: no matmul FLOPs counted
}

/** Training FLOPs per token at mean sequence length `T` (full fine-tuning or LoRA with `loraParams` adapter weights). */
export function flopsPerToken(model: RewardModel, T: number, lora: { params: number } | null): FlopsPerToken {
  const byKind: Record<string, number> = {};
  let layers = 0, width = 0;
  for (const s of model.weights.specs) {
    const kind = kindOf(s.name);
    if (/\.(attn\.c_attn|self_attn\.q_proj)\.weight$/.test(s.name)) { layers++; width = s.shape[0] as number; }
    if (kind === null) continue;
    const n = (s.shape[0] as number) * (s.shape[1] as number);
    const trained = lora === null || kind === "head";
    byKind[kind] = (byKind[kind] ?? 0) + 2 * n * (trained ? 3 : 2);
  }
  if (model.config.model_type === "opt") width = model.config.hidden_size;
  byKind["attention_scores"] = 2 * 2 * T * width * layers * 3; // both matmuls, forward + backward (inputs only)
  if (lora) byKind["lora"] = 2 * lora.params * 3;
  const total = Object.values(byKind).reduce((a, b) => a + b, 0);
  return { total, by_kind: byKind };
}

/** The model config's scalar fields (run.json "config"). */
export function configSummary(model: RewardModel): Record<string, string | number | boolean | null> {
  const out: Record<string, string | number | boolean | null> = {};
  for (const [k, v] of Object.entries(model.config)) {
    if (v === null || typeof v === "string" || typeof v === "number" || typeof v === "boolean") out[k] = v;
  }
  return out;
}

export function writeRunJson(dir: string, info: Record<string, unknown>): string {
  const file = path.join(dir, RUN_JSON);
  const clean = Object.fromEntries(Object.entries(info).map(([k, v]) => [k, typeof v === "number" && !Number.isFinite(v) ? null : v]));
  writeFileSync(file, `${JSON.stringify(clean, null, 2)}\n`);
  return file;
}
