// LoRA as PEFT defines it, applied while the graph is built (the model files are not forked):
//   y = W x + b + (lora_alpha / r) · B(A x)          A [r, in] (lora_A.weight), B [out, r] (lora_B.weight)
// `LoraGraph` is a Graph whose matmul recognises a targeted weight as the model uses it — GPT-2's Conv1D as
// x·W (W stored [in, out], PEFT fan_in_fan_out) and OPT's / the Llama family's nn.Linear as x·Wᵀ (W stored
// [out, in]) — and adds the
// low-rank path next to it. Base weights stay frozen params (no weight-gradient matmuls); A, B and the
// modules_to_save (the score head) are trained. Adapters are saved the way PEFT saves them: adapter_config.json and
// adapter_model.safetensors with keys "base_model.model.<module>.lora_A.weight" and "base_model.model.score.weight".
// Legend: r rank, in / out the wrapped layer's input / output features.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { leafName, type Node } from "../engine/index.js";
import { CheckpointError, InputError } from "../errors.js";
import { QuantGraph, type QuantSettings } from "./quantized-base.js";
import { openSafetensors, readTensorF32, writeSafetensors, type TensorToWrite } from "./safetensors.js";
import type { ParamSpec, Weights } from "./weights.js";

export const ADAPTER_CONFIG_NAME = "adapter_config.json";
export const ADAPTER_WEIGHTS_NAME = "adapter_model.safetensors";
/** PEFT's prefix of every saved key: PeftModel.base_model (LoraModel) .model (the transformers model). */
export const PEFT_PREFIX = "base_model.model.";

/** PEFT's default target_modules for the architectures we support (peft TRANSFORMERS_MODELS_TO_LORA_TARGET_MODULES_MAPPING). */
export const LORA_DEFAULT_TARGETS: Readonly<Record<string, readonly string[]>> = {
  gpt2: ["c_attn"], opt: ["q_proj", "v_proj"],
  llama: ["q_proj", "v_proj"], mistral: ["q_proj", "v_proj"], qwen2: ["q_proj", "v_proj"], qwen3: ["q_proj", "v_proj"],
};
/** PeftModelForSequenceClassification adds these to modules_to_save; a reward model has `score`. */
export const SEQ_CLS_MODULES_TO_SAVE = ["classifier", "score"] as const;

export interface LoraSettings {
  readonly r: number;
  readonly alpha: number;
  readonly dropout: number;
  /** module names (last dotted components) to wrap, e.g. ["c_attn"] */
  readonly targetModules: readonly string[];
}

/** One wrapped layer. */
export interface LoraTarget {
  /** HF module name, e.g. "transformer.h.0.attn.c_attn" */
  readonly module: string;
  /** "conv1d": weight [in, out] used as x·W (GPT-2); "linear": weight [out, in] used as x·Wᵀ (OPT) */
  readonly kind: "conv1d" | "linear";
  readonly inFeatures: number;
  readonly outFeatures: number;
  /** graph / Weights names of A and B (PEFT keys without the base_model.model. prefix) */
  readonly a: string;
  readonly b: string;
}

/** The layers of a model that `settings.targetModules` selects (PEFT: the module name ends with ".<target>"). */
export function loraTargets(specs: readonly ParamSpec[], modelType: string, settings: LoraSettings): LoraTarget[] {
  const kind = modelType === "gpt2" ? "conv1d" : "linear";
  const out: LoraTarget[] = [];
  for (const s of specs) {
    if (!s.name.endsWith(".weight") || s.shape.length !== 2) continue;
    const module = s.name.slice(0, -".weight".length);
    const last = module.slice(module.lastIndexOf(".") + 1);
    if (!settings.targetModules.includes(last)) continue;
    const [d0, d1] = s.shape as [number, number];
    const [inFeatures, outFeatures] = kind === "conv1d" ? [d0, d1] : [d1, d0];
    out.push({ module, kind, inFeatures, outFeatures, a: `${module}.lora_A.weight`, b: `${module}.lora_B.weight` });
  }
  // PEFT refuses targets it cannot find; a misspelt or foreign name (c_attn on Llama) would train nothing there
  const found = new Set(out.map((t) => t.module.slice(t.module.lastIndexOf(".") + 1)));
  const unknown = settings.targetModules.filter((t) => !found.has(t));
  if (unknown.length > 0) {
    const names = [...new Set(specs.filter((s) => s.shape.length === 2 && s.name.endsWith(".weight") && s.name.includes("."))
      .map((s) => s.name.slice(0, -".weight".length).split(".").pop() as string))].filter((n) => !/embed|wte|wpe|^score$/.test(n));
    throw new InputError(`lora_target_modules: ${unknown.map((u) => `"${u}"`).join(", ")} match${unknown.length > 1 ? "" : "es"} no layer of this ${modelType} model`,
      undefined, `choose from ${names.join(", ")}`);
  }
  return out;
}

/** A [r, in] and B [out, r] of every target, in module order (A then B, as PEFT's state dict lists them). */
export function loraParamSpecs(targets: readonly LoraTarget[], r: number): ParamSpec[] {
  return targets.flatMap((t) => [
    { name: t.a, shape: [r, t.inFeatures], init: { kind: "zeros" } as const },
    { name: t.b, shape: [t.outFeatures, r], init: { kind: "zeros" } as const },
  ]);
}

/**
 * PEFT's reset_lora_parameters (init_lora_weights=True): A ~ kaiming_uniform(a=√5) = U(−1/√in, 1/√in), B = 0, so
 * the wrapped model starts equal to the base model. `uniform` draws from [0, 1).
 */
export function initLoraParams(w: Weights, targets: readonly LoraTarget[], uniform: () => number): void {
  for (const t of targets) {
    const a = w.get(t.a), bound = 1 / Math.sqrt(t.inFeatures);
    for (let i = 0; i < a.length; i++) a[i] = (2 * uniform() - 1) * bound;
    w.get(t.b).fill(0);
  }
}

/**
 * A Graph that adds the LoRA path to targeted matmuls while `wrapping` is true (set it false before autodiff); with
 * `quant`, the frozen base weights run quantized (QuantGraph: QLoRA), the score head kept fp32.
 */
export class LoraGraph extends QuantGraph {
  private readonly byWeight: Map<string, LoraTarget>;

  constructor(targets: readonly LoraTarget[], readonly r: number, readonly scale: number, quant: QuantSettings | null = null) {
    super(quant, SEQ_CLS_MODULES_TO_SAVE);
    this.byWeight = new Map(targets.map((t) => [`${t.module}.weight`, t]));
  }

  override matmul(x: Node, w: Node): Node {
    const y = super.matmul(x, w);
    const t = this.wrapping ? this.targetOf(w) : undefined;
    if (t === undefined) return y;
    const a = this.leafByName(t.a) ?? this.param(t.a, [this.r, t.inFeatures]);
    const b = this.leafByName(t.b) ?? this.param(t.b, [t.outFeatures, this.r]);
    const xa = super.matmul(x, this.transpose(a, [1, 0]));                        // [..., r]
    const xab = super.matmul(xa, this.transpose(b, [1, 0]));                      // [..., out]
    return this.add(y, this.scale === 1 ? xab : this.mul(xab, this.scalar(this.scale)));
  }

  private targetOf(w: Node): LoraTarget | undefined {
    if (w.op === "param") {
      const t = this.byWeight.get(leafName(w));
      return t?.kind === "conv1d" ? t : undefined;
    }
    const src = w.inputs[0];
    if (w.op === "transpose" && src?.op === "param" && String(w.attrs["perm"]) === "1,0") {
      const t = this.byWeight.get(leafName(src));
      return t?.kind === "linear" ? t : undefined;
    }
    return undefined;
  }
}

// ---- PEFT files ----

/** adapter_config.json as PEFT's LoraConfig writes it (the fields that matter for loading). */
export interface PeftAdapterConfig {
  peft_type: "LORA";
  task_type: "SEQ_CLS";
  base_model_name_or_path: string | null;
  r: number;
  lora_alpha: number;
  lora_dropout: number;
  target_modules: string[];
  modules_to_save: string[];
  fan_in_fan_out: boolean;
  bias: "none";
  inference_mode: boolean;
  init_lora_weights: boolean;
  use_rslora: boolean;
  use_dora: boolean;
  [key: string]: unknown;
}

export function peftAdapterConfig(modelType: string, s: LoraSettings, baseModel: string | null): PeftAdapterConfig {
  return {
    alpha_pattern: {}, auto_mapping: null, base_model_name_or_path: baseModel, bias: "none",
    fan_in_fan_out: modelType === "gpt2", inference_mode: true, init_lora_weights: true, layers_pattern: null,
    layers_to_transform: null, lora_alpha: s.alpha, lora_dropout: s.dropout, modules_to_save: [...SEQ_CLS_MODULES_TO_SAVE],
    peft_type: "LORA", r: s.r, rank_pattern: {}, revision: null, target_modules: [...s.targetModules].sort(),
    task_type: "SEQ_CLS", use_dora: false, use_rslora: false,
  };
}

/** Writes adapter_config.json + adapter_model.safetensors. `tensors` use graph names (no PEFT prefix). */
export function savePeftAdapter(dir: string, config: PeftAdapterConfig, tensors: readonly TensorToWrite[]): string[] {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, ADAPTER_CONFIG_NAME), `${JSON.stringify(config, sortedKeys(config), 2)}\n`);
  writeSafetensors(path.join(dir, ADAPTER_WEIGHTS_NAME), tensors.map((t) => ({ ...t, name: PEFT_PREFIX + t.name })), { format: "pt" });
  return [ADAPTER_CONFIG_NAME, ADAPTER_WEIGHTS_NAME];
}

export interface LoadedAdapter {
  readonly config: PeftAdapterConfig;
  /** graph names (PEFT prefix removed) → values and shape */
  readonly tensors: Map<string, { shape: readonly number[]; data: Float32Array }>;
}

export function isAdapterDir(dir: string): boolean {
  return existsSync(path.join(dir, ADAPTER_CONFIG_NAME));
}

export function loadPeftAdapter(dir: string): LoadedAdapter {
  const cfgFile = path.join(dir, ADAPTER_CONFIG_NAME);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(cfgFile, "utf8"));
  } catch (e) {
    throw new CheckpointError(`cannot read adapter config: ${(e as Error).message}`, { file: cfgFile }, "point at a folder written by PEFT save_pretrained or rewardlab train --use-lora");
  }
  const c = raw as Partial<PeftAdapterConfig>;
  if (c.peft_type !== "LORA") throw new CheckpointError(`expected "LORA", got ${JSON.stringify(c.peft_type)}`, { file: cfgFile, field: "peft_type" });
  for (const f of ["r", "lora_alpha"] as const) {
    if (typeof c[f] !== "number" || !(c[f] > 0)) throw new CheckpointError(`expected a positive number, got ${JSON.stringify(c[f])}`, { file: cfgFile, field: f });
  }
  if (!Array.isArray(c.target_modules)) {
    throw new CheckpointError(`expected a list of module names, got ${JSON.stringify(c.target_modules)}`, { file: cfgFile, field: "target_modules" });
  }
  const file = path.join(dir, ADAPTER_WEIGHTS_NAME);
  if (!existsSync(file)) throw new CheckpointError("adapter folder has no adapter_model.safetensors", { file: dir });
  const st = openSafetensors(file);
  const tensors = new Map<string, { shape: readonly number[]; data: Float32Array }>();
  for (const t of st.tensors.values()) {
    const data = new Float32Array(t.shape.reduce((a, b) => a * b, 1));
    readTensorF32(st, t.name, data);
    tensors.set(t.name.startsWith(PEFT_PREFIX) ? t.name.slice(PEFT_PREFIX.length) : t.name, { shape: t.shape, data });
  }
  return { config: c as PeftAdapterConfig, tensors };
}

/**
 * Folds an adapter into base weights in place: W += (lora_alpha/r)·(B·A) (transposed for Conv1D), and copies the
 * saved modules (score.weight). Every adapter tensor must find its base parameter; mismatches go into one error.
 */
export function mergeLoraInto(base: Weights, adapter: LoadedAdapter, modelType: string): void {
  const scale = adapter.config.lora_alpha / adapter.config.r;
  const problems: string[] = [];
  for (const [name, t] of adapter.tensors) {
    if (name.includes(".lora_B.")) continue;
    if (!name.includes(".lora_A.")) {
      if (!base.has(name)) problems.push(`${name}: not a parameter of the base model`);
      else if (base.get(name).length !== t.data.length) problems.push(`${name}: ${t.data.length} values, base has ${base.get(name).length}`);
      else base.get(name).set(t.data);
      continue;
    }
    const module = name.slice(0, name.indexOf(".lora_A."));
    const b = adapter.tensors.get(`${module}.lora_B.weight`), wName = `${module}.weight`;
    if (b === undefined) { problems.push(`${name}: no matching lora_B`); continue; }
    if (!base.has(wName)) { problems.push(`${module}: not a layer of the base model`); continue; }
    const [r, inF] = t.shape as [number, number], outF = b.shape[0] as number;
    const w = base.get(wName), conv = modelType === "gpt2";
    if (w.length !== inF * outF || b.shape[1] !== r) { problems.push(`${module}: A [${t.shape}] B [${b.shape}] do not fit ${wName} [${base.shape(wName)}]`); continue; }
    for (let o = 0; o < outF; o++) {
      for (let i = 0; i < inF; i++) {
        let d = 0;
        for (let k = 0; k < r; k++) d += (b.data[o * r + k] as number) * (t.data[k * inF + i] as number);
        const idx = conv ? i * outF + o : o * inF + i;
        w[idx] = (w[idx] as number) + scale * d;
      }
    }
  }
  if (problems.length > 0) throw new CheckpointError(`adapter does not fit the base model: ${problems.join("; ")}`, undefined, "merge with the base model the adapter was trained on (--base)");
}

function sortedKeys(o: object): string[] {
  return Object.keys(o).sort();
}
