// rewardlab study: one training spec over several models, one after another (same data order, same seed), each
// into <out>/runs/<name>/, then one report over all of them (report.html, report.md, charts/, summary.json).
// Per model it also records what the report's "why" section needs in run.json: FLOPs per token by layer kind,
// the machine's measured matmul peak, the achieved FLOP/s, and a time breakdown by op kind from profiled steps.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { InputError } from "../errors.js";
import { isPreparedDir, localTokenizerSource, recordEosRule } from "../data/index.js";
import { LORA_DEFAULT_TARGETS, MODEL_TYPES, type ModelConfig } from "../models/index.js";
import { runEval } from "../eval/index.js";
import { collectRuns, writeEvalPage, writeReport } from "../report/index.js";
import { loadTokenizer, saveTokenizerFiles } from "../tokenizer/index.js";
import {
  applyRewardConfigFlags, formatDuration, loadStudySpec, measureMatmulPeak, modelTraining, numTrainingSteps,
  openPairSet, profileTrainingSteps, resolveModelSource, rewardConfigFlags, studyPreset, train, trainingFlopsPerToken,
  STUDY_PRESETS, type ModelSource, type PairSet, type RewardConfig, type StepProfile, type StudyModel, type StudySpec, type TrainingMode,
} from "../train/index.js";
import { list, parseArgs, requireStr, str, type FlagSpecs } from "./args.js";
import type { Command } from "./command.js";
import { evalSummary } from "./eval.js";
import { progressReporter } from "./progress.js";

const FLAGS: FlagSpecs = {
  config: { kind: "string", help: "study spec (.json, .yaml): models, data, eval_data, profile_steps, training" },
  preset: { kind: "string", help: `a built-in spec: ${Object.keys(STUDY_PRESETS).join(", ")} (default: default, when no --config)` },
  out: { kind: "string", help: "output folder: runs/<model>/, report.html, report.md, charts/, summary.json" },
  "eval-data": { kind: "list", help: "after training, run `rewardlab eval` of every model on these data (benchmark auto) into runs/<model>/eval[-N]/" },
  ...rewardConfigFlags(),
};

const say = (s: string): void => { process.stderr.write(`${s}\n`); };

export const studyCommand: Command = {
  name: "study",
  usage: "rewardlab study [--config study.json|yaml | --preset NAME] [training flags] [--eval-data <path|hub-id|builtin>,...] --out <dir>",
  summary: "train several reward models on one spec, one after another, and write the comparison report",
  flags: FLAGS,
  async run(argv) {
    const a = parseArgs(argv, FLAGS, "study");
    if (a.positional.length > 0) throw new InputError(`unexpected argument "${a.positional[0]}"`, undefined, "see: rewardlab study --help");
    const out = path.resolve(requireStr(a, "out", "study"));
    const configFile = str(a, "config"), preset = str(a, "preset");
    if (configFile !== undefined && preset !== undefined) throw new InputError("give --config or --preset, not both");
    const base: StudySpec = configFile !== undefined ? loadStudySpec(configFile) : studyPreset(preset ?? "default");
    const spec: StudySpec = { ...base, training: applyRewardConfigFlags(base.training, a.flags) };
    mkdirSync(out, { recursive: true });
    writeFileSync(path.join(out, "study.json"), `${JSON.stringify(spec, null, 2)}\n`);
    const t0 = performance.now();

    // ---- plan: model configs, data, the machine's matmul peak, the estimated time ----
    const plans: ModelPlan[] = [];
    for (const m of spec.models) plans.push(await planModel(m, spec.training.seed));
    const data = new Map<string, DataSets>();
    for (const p of plans) {
      if (!data.has(p.tokenizer)) data.set(p.tokenizer, await prepareData(spec, p.tokenizer, path.join(out, "data", `tokenizer-${data.size + 1}`)));
    }
    say("measuring the matmul peak of this machine ([4096,768]·[768,3072], median of 5) …");
    const peak = await measureMatmulPeak({ threads: spec.training.threads ?? undefined });
    say(`matmul peak: ${peak.gflops.toFixed(1)} GFLOP/s`);
    for (const p of plans) {
      const d = data.get(p.tokenizer) as DataSets;
      const c = modelTraining(spec.training, p.spec);
      const steps = numTrainingSteps({ numPairs: d.train.length, ...c });
      const tokens = steps * c.per_device_train_batch_size * c.gradient_accumulation_steps * 2 * d.meanTokens;
      const f = trainingFlopsPerToken(p.config, d.meanTokens, trainingMode(c, p.config));
      say(`estimate for ${p.spec.name}: ${steps} steps × ${Math.round(tokens / steps)} tokens × ${fmtG(f.total)} FLOP/token = ` +
        `${fmtG(f.total * tokens)} FLOP → at least ${formatDuration(f.total * tokens / (peak.gflops * 1e9))} at the matmul peak`);
    }

    // ---- train each model ----
    const dirs: string[] = [];
    for (const [i, p] of plans.entries()) {
      const d = data.get(p.tokenizer) as DataSets;
      const runDir = path.join(out, "runs", p.spec.name);
      rmSync(runDir, { recursive: true, force: true });
      say(`[${i + 1}/${plans.length}] ${p.spec.name}: ${p.source}; ${d.train.length} train pairs, ${d.eval?.length ?? 0} eval pairs`);
      const model = p.load();
      for (const n of model.notes) say(`note: ${n}`);
      const padNote = model.padFromTokenizer(await loadTokenizer(p.tokenizer));
      if (padNote !== null) say(`note: ${padNote}`);
      const config: RewardConfig = { ...modelTraining(spec.training, p.spec), output_dir: runDir };
      let profile: StepProfile | null = null;
      if (spec.profile_steps > 0) {
        profile = await profileTrainingSteps(model, config, d.train, spec.profile_steps, path.join(out, "profile", p.spec.name));
        if (profile) {
          const steps = numTrainingSteps({ numPairs: d.train.length, ...config }), perStep = profile.seconds / profile.steps;
          say(`  profiled ${profile.steps} steps: ${perStep.toFixed(3)} s/step (${fmtShares(profile)}) → about ${formatDuration(steps * perStep)} for ${steps} steps, plus evals`);
        }
      }
      let baseModelDir = p.dir;
      if (config.use_lora && baseModelDir === null) {
        baseModelDir = path.join(runDir, "base-model"); // a fresh base must exist on disk for the adapter to refer to
        model.save(baseModelDir);
      }
      const res = await train({ model, modelSource: p.source, config, train: d.train, eval: d.eval, name: p.spec.name, baseModelDir });
      const tokenizerFiles = await localTokenizerSource(p.tokenizer);
      for (const target of [res.finalDir, res.mergedDir]) {
        if (target === null) continue;
        saveTokenizerFiles(tokenizerFiles, target);
        recordEosRule(target, d.appendedEos);
      }
      const run = completeRunJson(runDir, model.config, config, peak.gflops, profile, p);
      say(`  ${p.spec.name}: ${res.globalStep} steps in ${formatDuration(res.wallSeconds)}` +
        (res.lastEval ? `; eval accuracy ${pct(res.lastEval.eval_accuracy)} (longer wins ${pct(run["length_baseline_longer"])}, shorter wins ${pct(run["length_baseline_shorter"])})` : "") +
        `; ${fmtG(Number(run["achieved_gflops"]) * 1e9)}FLOP/s achieved`);
      dirs.push(runDir);
      const evalData = list(a, "eval-data") ?? [];
      for (const [k, data] of evalData.entries()) {
        const evalDir = path.join(runDir, evalData.length === 1 ? "eval" : `eval-${k + 1}`);
        const r = await runEval({
          model: res.mergedDir ?? res.finalDir, data, out: evalDir, maxLength: config.max_length ?? 512,
          batchSize: config.per_device_eval_batch_size, log: say, onProgress: progressReporter(`  eval ${p.spec.name} on ${data}`),
        });
        writeEvalPage(evalDir);
        for (const line of evalSummary(r)) say(`  ${line}`);
        say(`  eval page: ${path.join(evalDir, "eval.html")}`);
      }
    }

    // ---- report ----
    const { doc, files } = writeReport(collectRuns(dirs), out, spec.name !== null ? { title: spec.name } : {});
    console.log(doc.answer);
    console.log(`study done in ${formatDuration((performance.now() - t0) / 1000)}; report: ${path.join(out, "report.html")}, ${path.join(out, "report.md")}, ` +
      `${path.join(out, "summary.json")} (${files.length} files); runs: ${path.join(out, "runs")}`);
    return 0;
  },
};

interface ModelPlan extends ModelSource {
  readonly spec: StudyModel;
}

/** Resolves a model without loading its weights: its folder (downloaded when a hub id), config and tokenizer. */
async function planModel(m: StudyModel, seed: number): Promise<ModelPlan> {
  const spec = m.config !== null ? (m.config as Record<string, unknown>) : (m.model as string);
  const src = await resolveModelSource(spec, { seed, what: `model "${String(m.model)}" of ${m.name}`, tokenizer: m.tokenizer ?? undefined, source: `config:${m.name}` });
  return { ...src, spec: m };
}

interface DataSets {
  readonly train: PairSet;
  readonly eval: PairSet | null;
  /** mean tokens per side (chosen or rejected) of the training pairs */
  readonly meanTokens: number;
  /** whether the training texts got the eos token (recorded in each trained model folder) */
  readonly appendedEos: boolean;
}

async function prepareData(spec: StudySpec, tokenizer: string, into: string): Promise<DataSets> {
  const c = spec.training;
  let appendedEos = false;
  const open = async (source: string, split: string, dir: string, limit: number | null): Promise<PairSet> => {
    if (!isPreparedDir(source)) say(`preparing ${source} (${split}) with tokenizer ${tokenizer} …`);
    const { pairs: set, prepared: s, appendedEos: eos } = await openPairSet(source, { split, tokenizer, maxLength: c.max_length ?? 1_000_000, into: dir,
      encoding: { appendEosToken: c.append_eos_token } });
    appendedEos ||= eos;
    if (s !== null) say(`  ${s.written} pairs; ${s.skipped.summary(s.read)}`);
    if (limit === null || limit >= set.length) return set;
    const whole = set;
    return { length: limit, pair: (i) => whole.pair(i) };
  };
  const trainSet = await open(spec.data, spec.train_split, path.join(into, "train"), spec.max_train_pairs);
  const evalSet = spec.eval_data === null ? null : await open(spec.eval_data, spec.eval_split, path.join(into, "eval"), spec.max_eval_pairs);
  // mean over up to 4096 evenly spaced pairs: enough for FLOPs per token
  const n = Math.min(trainSet.length, 4096);
  let sum = 0;
  for (let k = 0; k < n; k++) {
    const p = trainSet.pair(Math.floor((k * trainSet.length) / n));
    sum += p.input_ids_chosen.length + p.input_ids_rejected.length;
  }
  return { train: trainSet, eval: evalSet, meanTokens: Math.max(1, sum / Math.max(1, 2 * n)), appendedEos };
}

function trainingMode(c: RewardConfig, config: ModelConfig): TrainingMode {
  return c.use_lora
    ? { kind: "lora", r: c.lora_r, targetModules: c.lora_target_modules ?? [...(LORA_DEFAULT_TARGETS[config.model_type] ?? [])] }
    : { kind: "full" };
}

/** Adds the study's measurements to the trainer's run.json (read, merge, write). */
function completeRunJson(runDir: string, config: ModelConfig, c: RewardConfig, peakGflops: number, profile: StepProfile | null,
  p: ModelPlan): Record<string, unknown> {
  const file = path.join(runDir, "run.json");
  const run = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  const tokens = Number(run["tokens_seen"]), pairs = Number(run["pairs_seen"]), wall = Number(run["wall_seconds"]);
  const computed = Number(run["tokens_computed"] ?? tokens); // what the FLOPs were spent on (prefix-shared: the prompt once)
  // the mean tokens per sequence of what was actually trained on
  const meanTokens = pairs > 0 ? tokens / (2 * pairs) : 1;
  const flops = trainingFlopsPerToken(config, Math.max(1, meanTokens), trainingMode(c, config));
  Object.assign(run, {
    flops_per_token: { total: flops.total, by_kind: flops.by_kind, forward: flops.forward.total, mean_tokens: meanTokens, training: flops.training },
    matmul_peak_gflops: peakGflops,
    achieved_gflops: wall > 0 ? (flops.total * computed) / wall / 1e9 : null,
    time_by_kind: profile?.timeByKind ?? null,
    profile: profile ? { steps: profile.steps, seconds: profile.seconds, pairs: profile.pairs, tokens: profile.tokens } : null,
    tokenizer: p.tokenizer,
    architecture: MODEL_TYPES[config.model_type]?.architecture ?? null,
    reference: p.spec.reference,
  });
  writeFileSync(file, `${JSON.stringify(run, null, 2)}\n`);
  return run;
}

function pct(x: unknown): string {
  return typeof x === "number" ? `${(100 * x).toFixed(1)}%` : "n/a";
}

function fmtG(x: number): string {
  if (!Number.isFinite(x)) return "n/a ";
  const units: [number, string][] = [[1e15, "P"], [1e12, "T"], [1e9, "G"], [1e6, "M"], [1e3, "k"]];
  for (const [v, u] of units) if (Math.abs(x) >= v) return `${(x / v).toPrecision(3)} ${u}`;
  return `${x.toPrecision(3)} `;
}

function fmtShares(p: StepProfile): string {
  return Object.entries(p.timeByKind).filter(([, s]) => s > 0).map(([k, s]) => `${k} ${((100 * s) / p.seconds).toFixed(0)}%`).join(", ");
}
