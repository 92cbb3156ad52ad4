// `rewardlab export-trl`: one folder that runs a study spec (or one run config) on TRL + accelerate elsewhere.
//   data/<tokenizer-k>/train.parquet, test.parquet   rewardlab's tokenization as chosen_ids / rejected_ids (+ margin)
//   models/<name>/                                   a config: model's rewardlab init, saved as an HF folder
//   configs/<name>.yaml                              TRL arguments (ScriptArguments + RewardConfig + ModelConfig)
//   accelerate/single.yaml, ddp.yaml, zero2.yaml, zero3.yaml
//   launch_trl.py, README.md, export.json            launch lines by name, warnings (semantic differences)
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { stringify as toYaml } from "yaml";
import { InputError } from "../../errors.js";
import { localTokenizerSource } from "../../data/index.js";
import { saveTokenizerFiles } from "../../tokenizer/index.js";
import { pairSlice, type PairSet } from "../batches.js";
import { openPairSet, resolveModelSource } from "../setup.js";
import { modelTraining, type StudySpec } from "../study-spec.js";
import { accelerateConfig, ACCELERATE_SETUPS } from "./accelerate.js";
import { exportReadme, LAUNCHER, LAUNCHER_NAME } from "./launcher.js";
import { writeTrlParquet } from "./parquet.js";
import { trlArgs, trlWarnings } from "./trl-config.js";

export const EXPORT_JSON = "export.json";
// PyYAML (YAML 1.1) reads a bare no / NO as false: every string is quoted, so "no" stays the string TRL expects
const YAML_OPTIONS = { defaultStringType: "QUOTE_DOUBLE", defaultKeyType: "PLAIN" } as const;
export const LAUNCH_NAMES = ["cpu", "single", "ddp", "zero2", "zero3"] as const;
export type LaunchName = (typeof LAUNCH_NAMES)[number];

export interface ExportTrlOptions {
  readonly spec: StudySpec;
  readonly out: string;
  /** processes (GPUs) of the ddp and ZeRO lines; default 8, as TRL's accelerate configs */
  readonly numProcesses?: number;
  /** the line to recommend: ddp, or a DeepSpeed ZeRO stage */
  readonly deepspeed?: "zero2" | "zero3" | null;
  readonly bf16?: boolean;
  readonly overwrite?: boolean;
  readonly log?: (line: string) => void;
}

export interface ExportedModel {
  readonly name: string;
  /** configs/<name>.yaml, relative to the export folder */
  readonly config: string;
  /** model_name_or_path as TRL gets it */
  readonly model: string;
  /** runs/<name>: where TRL writes its output_dir */
  readonly output_dir: string;
  readonly data: string;
  readonly train_pairs: number;
  readonly eval_pairs: number;
  readonly launch: Record<LaunchName, string>;
}

export interface ExportJson {
  readonly format: "rewardlab-trl-export";
  readonly version: 1;
  readonly trl: "1.13";
  readonly recommended: LaunchName;
  readonly num_processes: number;
  /** per launch name, one line per model in spec order; run from the export folder */
  readonly launch: Record<LaunchName, string[]>;
  readonly models: ExportedModel[];
  readonly warnings: string[];
}

export async function exportTrl(o: ExportTrlOptions): Promise<ExportJson> {
  const out = path.resolve(o.out), spec = o.spec, c = spec.training;
  const numProcesses = o.numProcesses ?? 8, bf16 = o.bf16 ?? false, log = o.log ?? (() => undefined);
  if (!(Number.isInteger(numProcesses) && numProcesses >= 1)) throw new RangeError(`numProcesses must be an integer >= 1, got ${numProcesses}`);
  if (existsSync(out) && readdirSync(out).length > 0) {
    if (!o.overwrite) throw new InputError("output folder exists and is not empty", { file: out }, "pass --overwrite to replace it, or choose another --out");
    rmSync(out, { recursive: true, force: true });
  }
  mkdirSync(out, { recursive: true });
  const work = path.join(out, ".prepared"); // rewardlab's own prepared folders, removed once the Parquet is written
  const warnings = trlWarnings(c, { numProcesses, bf16 });
  if (spec.profile_steps > 0) warnings.push("profile_steps: the time breakdown by op kind is rewardlab's own (ONNX Runtime profiler); not exported");

  // ---- data: once per tokenizer ----
  const dataDirs = new Map<string, { dir: string; train: number; eval: number }>();
  const prepareData = async (tokenizer: string): Promise<{ dir: string; train: number; eval: number }> => {
    const known = dataDirs.get(tokenizer);
    if (known) return known;
    const rel = `data/tokenizer-${dataDirs.size + 1}`, dir = path.join(out, rel);
    mkdirSync(dir, { recursive: true });
    const open = async (source: string, split: string, limit: number | null): Promise<PairSet> => {
      log(`preparing ${source} (${split}) with tokenizer ${tokenizer} …`);
      const { pairs, prepared } = await openPairSet(source, { split, tokenizer, maxLength: c.max_length ?? 1_000_000,
        into: path.join(work, `${dataDirs.size + 1}-${split}`), encoding: { appendEosToken: c.append_eos_token } });
      if (prepared !== null) log(`  ${prepared.written} pairs; ${prepared.skipped.summary(prepared.read)}`);
      return limit !== null && limit < pairs.length ? pairSlice(pairs, 0, limit) : pairs;
    };
    const train = await writeTrlParquet(path.join(dir, "train.parquet"), await open(spec.data, spec.train_split, spec.max_train_pairs));
    const evalPairs = spec.eval_data === null ? 0
      : await writeTrlParquet(path.join(dir, "test.parquet"), await open(spec.eval_data, spec.eval_split, spec.max_eval_pairs));
    const entry = { dir: rel, train, eval: evalPairs };
    dataDirs.set(tokenizer, entry);
    return entry;
  };

  // ---- per model: the model folder, its TRL YAML, its launch lines ----
  const models: ExportedModel[] = [];
  for (const m of spec.models) {
    const mc = modelTraining(c, m); // the shared block under this model's own fields
    for (const w of trlWarnings(mc, { numProcesses, bf16 })) if (!warnings.includes(w)) warnings.push(w);
    const src = await resolveModelSource(m.config !== null ? { ...m.config } : (m.model as string),
      { seed: c.seed, what: `model "${String(m.model)}" of ${m.name}`, tokenizer: m.tokenizer ?? undefined, source: `config:${m.name}` });
    let modelPath: string;
    if (src.dir === null) {
      modelPath = `models/${m.name}`; // a fresh init exists only here: save it, with the tokenizer TRL loads beside it
      const model = src.load();
      model.save(path.join(out, modelPath));
      saveTokenizerFiles(await localTokenizerSource(src.tokenizer), path.join(out, modelPath));
    } else {
      modelPath = m.model as string;
      if (existsSync(modelPath)) warnings.push(`model ${m.name}: "${modelPath}" is a local folder; it must exist at that path where TRL runs (or be a hub id)`);
      if (src.tokenizer !== src.dir) warnings.push(`model ${m.name}: rewardlab tokenized with ${src.tokenizer}, TRL loads the tokenizer of ${modelPath} (for its pad token only; the ids are rewardlab's)`);
    }
    const data = await prepareData(src.tokenizer);
    const outputDir = `runs/${m.name}`, configFile = `configs/${m.name}.yaml`;
    const args = trlArgs(mc, { modelType: src.config.model_type, modelPath, dataDir: data.dir, hasEval: data.eval > 0, outputDir, bf16 });
    mkdirSync(path.join(out, "configs"), { recursive: true });
    writeFileSync(path.join(out, configFile), `# TRL ${m.name}: \`trl reward --config ${configFile}\` or ${LAUNCHER_NAME} --config ${configFile}\n${toYaml(args, YAML_OPTIONS)}`);
    const run = `${LAUNCHER_NAME} --config ${configFile}`;
    models.push({
      name: m.name, config: configFile, model: modelPath, output_dir: outputDir, data: data.dir, train_pairs: data.train, eval_pairs: data.eval,
      launch: {
        // `--cpu --num_processes 2` starts one process (accelerate 1.15 needs mpirun for that); torchrun's two ranks
        // with use_cpu make accelerate pick MULTI_CPU over gloo
        cpu: `accelerate launch --multi_gpu --num_processes 2 --num_machines 1 --mixed_precision no --dynamo_backend no ${run} --use_cpu true`,
        single: `accelerate launch --config_file accelerate/single.yaml ${run}`,
        ddp: `accelerate launch --config_file accelerate/ddp.yaml ${run}`,
        zero2: `accelerate launch --config_file accelerate/zero2.yaml ${run}`,
        zero3: `accelerate launch --config_file accelerate/zero3.yaml ${run}`,
      },
    });
  }
  rmSync(work, { recursive: true, force: true });

  // ---- accelerate configs, launcher, README, export.json ----
  mkdirSync(path.join(out, "accelerate"), { recursive: true });
  for (const setup of ACCELERATE_SETUPS) {
    writeFileSync(path.join(out, "accelerate", `${setup}.yaml`), toYaml(accelerateConfig(setup, { numProcesses, bf16 }), YAML_OPTIONS));
  }
  writeFileSync(path.join(out, LAUNCHER_NAME), LAUNCHER);
  const launch = Object.fromEntries(LAUNCH_NAMES.map((n) => [n, models.map((m) => m.launch[n])])) as Record<LaunchName, string[]>;
  const recommended: LaunchName = o.deepspeed ?? "ddp";
  const json: ExportJson = { format: "rewardlab-trl-export", version: 1, trl: "1.13", recommended, num_processes: numProcesses, launch, models, warnings };
  writeFileSync(path.join(out, "README.md"), exportReadme({
    models: models.map((m) => ({ name: m.name, config: m.config, model: m.model, trainPairs: m.train_pairs, evalPairs: m.eval_pairs })),
    launch, warnings, numProcesses, recommended,
  }));
  writeFileSync(path.join(out, EXPORT_JSON), `${JSON.stringify(json, null, 2)}\n`);
  return json;
}
