// Loading HF checkpoint folders into Weights and saving them back as save_pretrained does.
// Key normalisation (hub keys without "transformer." / "model.", ignorable buffers and lm_head) is per architecture
// (`KeyRules`, from the model file); every missing key, unexpected key and shape mismatch goes into ONE error.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { CheckpointError } from "../errors.js";
import { openSafetensorsCheckpoint, readTensorF32, saveSafetensorsCheckpoint, DEFAULT_MAX_SHARD_BYTES, type SafetensorsFile,
  type SaveDtype } from "./safetensors.js";
import { openTorchBin, readTorchTensorF32, type TorchCheckpoint } from "./torch-bin.js";
import { Weights, type ParamSpec } from "./weights.js";

export interface KeyRules {
  /** checkpoint keys that may hold `name`, in order of preference (e.g. with and without "transformer.") */
  aliases(name: string): string[];
  /** checkpoint keys dropped on purpose (attention-mask buffers, lm_head); each dropped key gets a note */
  readonly ignore: RegExp;
  /** parameters created fresh when absent (the classification head), as transformers does */
  readonly freshIfMissing: ReadonlySet<string>;
  /** names the config field behind each dim of a parameter, for shape errors, e.g. ["vocab_size", "n_embd"] */
  dimFields(name: string): readonly (string | null)[];
}

interface SourceTensor { readonly shape: readonly number[]; read(dst: Float32Array): void; readonly file: string }

/** Every tensor of the folder's weight files: model.safetensors (or its shards), else pytorch_model.bin (or shards). */
export function openCheckpointTensors(dir: string): Map<string, SourceTensor> {
  const out = new Map<string, SourceTensor>();
  const st: SafetensorsFile[] | null = openSafetensorsCheckpoint(dir);
  if (st) {
    for (const f of st) for (const t of f.tensors.values()) out.set(t.name, { shape: t.shape, file: f.file, read: (d) => readTensorF32(f, t.name, d) });
    return out;
  }
  const bins: string[] = [];
  const single = path.join(dir, "pytorch_model.bin"), indexFile = path.join(dir, "pytorch_model.bin.index.json");
  if (existsSync(single)) bins.push(single);
  else if (existsSync(indexFile)) {
    const map = (JSON.parse(readFileSync(indexFile, "utf8")) as { weight_map?: Record<string, string> }).weight_map ?? {};
    bins.push(...[...new Set(Object.values(map))].sort().map((s) => path.join(dir, s)));
  } else {
    throw new CheckpointError("no weights found (model.safetensors, model.safetensors.index.json, pytorch_model.bin)", { file: dir },
      "point --model at a folder written by save_pretrained");
  }
  for (const b of bins) {
    const ck: TorchCheckpoint = openTorchBin(b);
    for (const t of ck.tensors.values()) out.set(t.name, { shape: t.shape, file: b, read: (d) => readTorchTensorF32(ck, t.name, d) });
  }
  return out;
}

const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((x, i) => x === b[i]);

function mismatch(spec: ParamSpec, found: readonly number[], rules: KeyRules, config: Record<string, unknown>): string {
  const fields = rules.dimFields(spec.name);
  if (found.length === spec.shape.length) {
    for (let d = 0; d < found.length; d++) {
      const field = fields[d];
      if (found[d] !== spec.shape[d] && field) {
        const what = found.length === 1 ? "elements" : d === 0 ? "rows" : "columns";
        return `config.json: ${field} is ${String(config[field] ?? spec.shape[d])} but ${spec.name} has ${found[d]} ${what}`;
      }
    }
  }
  return `${spec.name}: checkpoint has shape [${found.join(", ")}], config.json implies [${spec.shape.join(", ")}]`;
}

export interface LoadedWeights {
  readonly weights: Weights;
  /** things the user should know (fresh head, dropped lm_head); the CLI prints them */
  readonly notes: string[];
}

/** Loads the folder's weights into a fresh Weights laid out by `specs`; throws one error listing every problem. */
export function loadWeights(dir: string, specs: readonly ParamSpec[], rules: KeyRules, config: Record<string, unknown>,
  seed = 42): LoadedWeights {
  const src = openCheckpointTensors(dir);
  const weights = new Weights(specs);
  const used = new Set<string>();
  const missing: string[] = [], fresh: string[] = [], shapeErrors: string[] = [];
  const plan: [ParamSpec, string][] = [];
  for (const spec of specs) {
    const key = rules.aliases(spec.name).find((k) => src.has(k));
    if (key === undefined) {
      (rules.freshIfMissing.has(spec.name) ? fresh : missing).push(spec.name);
      continue;
    }
    used.add(key);
    const shape = (src.get(key) as SourceTensor).shape;
    if (same(shape, spec.shape)) plan.push([spec, key]);
    else shapeErrors.push(mismatch(spec, shape, rules, config));
  }
  const ignored: string[] = [], unexpected: string[] = [];
  for (const k of src.keys()) if (!used.has(k)) (rules.ignore.test(k) ? ignored : unexpected).push(k);
  if (missing.length + unexpected.length + shapeErrors.length > 0) {
    const parts: string[] = [];
    if (missing.length) parts.push(`missing keys (${missing.length}): ${missing.join(", ")}`);
    if (unexpected.length) parts.push(`unexpected keys (${unexpected.length}): ${unexpected.join(", ")}`);
    if (shapeErrors.length) parts.push(`shape mismatches (${shapeErrors.length}): ${shapeErrors.join("; ")}`);
    throw new CheckpointError(`checkpoint does not match config.json: ${parts.join(" | ")}`, { file: dir },
      "check that config.json belongs to these weights (model_type, sizes) and that num_labels is 1");
  }
  for (const [spec, key] of plan) (src.get(key) as SourceTensor).read(weights.get(spec.name));
  const notes: string[] = [];
  if (fresh.length) {
    weights.initialize(seed, fresh);
    notes.push(`${fresh.join(", ")} not in the checkpoint: newly initialized (seed ${seed}); train the model before trusting its rewards`);
  }
  if (ignored.length) notes.push(`ignored checkpoint keys not used by a reward model: ${ignored.join(", ")}`);
  return { weights, notes };
}

/** Writes the weights as model.safetensors (sharded above maxShardBytes), in HF names, as F32 or BF16. */
export function saveWeights(dir: string, weights: Weights, maxShardBytes = DEFAULT_MAX_SHARD_BYTES, dtype: SaveDtype = "F32"): string[] {
  const tensors = weights.specs.map((s) => ({ name: s.name, shape: s.shape, data: weights.get(s.name) }));
  return saveSafetensorsCheckpoint(dir, tensors, maxShardBytes, dtype);
}
