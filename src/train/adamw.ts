// AdamW exactly as torch.optim.AdamW (amsgrad off, maximize off), as pure functions over flat Float32Arrays with
// named state (llm.c style). Each element is computed in float64 from the float32 inputs and rounded once on store:
//   step += 1
//   p *= 1 - lr·wd                                   (decoupled weight decay, before the moments)
//   m = β1·m + (1−β1)·g ;  v = β2·v + (1−β2)·g²
//   p -= lr/(1−β1^step) · m / (sqrt(v)/sqrt(1−β2^step) + eps)
// Parameter groups are ranges of the flat buffer, each with its own weight decay; elements in no group are frozen.

export interface AdamWHyper {
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  /** Default weight decay for adamwStep when no groups are given. */
  readonly weightDecay: number;
}

/** Optimizer state: first moment `m` ("exp_avg"), second moment `v` ("exp_avg_sq"), steps taken so far. */
export interface AdamWState {
  readonly m: Float32Array;
  readonly v: Float32Array;
  step: number;
}

/** A slice [offset, offset + length) of the flat parameter buffer with its weight decay. */
export interface ParamGroup {
  readonly offset: number;
  readonly length: number;
  readonly weightDecay: number;
}

export function adamwState(numParams: number): AdamWState {
  return { m: new Float32Array(numParams), v: new Float32Array(numParams), step: 0 };
}

/** One optimizer step over every group (default: the whole buffer with hyper.weightDecay). Increments state.step once. */
export function adamwStep(params: Float32Array, grads: Float32Array, state: AdamWState, hyper: AdamWHyper,
  groups: readonly ParamGroup[] = [{ offset: 0, length: params.length, weightDecay: hyper.weightDecay }]): void {
  if (grads.length !== params.length || state.m.length !== params.length || state.v.length !== params.length) {
    throw new RangeError(`adamwStep: params ${params.length}, grads ${grads.length}, m ${state.m.length}, v ${state.v.length} differ`);
  }
  state.step += 1;
  for (const g of groups) {
    if (g.offset < 0 || g.offset + g.length > params.length) {
      throw new RangeError(`adamwStep: group [${g.offset}, ${g.offset + g.length}) outside ${params.length} params`);
    }
    adamwUpdate(params, grads, state.m, state.v, state.step, hyper, g.weightDecay, g.offset, g.offset + g.length);
  }
}

/** The element loop over [lo, hi) for a given (already incremented) step. */
export function adamwUpdate(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, step: number,
  h: AdamWHyper, weightDecay: number, lo: number, hi: number): void {
  const { lr, beta1, beta2, eps } = h;
  const decay = 1 - lr * weightDecay;
  const stepSize = lr / (1 - Math.pow(beta1, step));
  const bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, step));
  for (let i = lo; i < hi; i++) {
    const gi = g[i] as number;
    const mi = beta1 * (m[i] as number) + (1 - beta1) * gi;
    const vi = beta2 * (v[i] as number) + (1 - beta2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    p[i] = (p[i] as number) * decay - (stepSize * mi) / (Math.sqrt(vi) / bc2Sqrt + eps);
  }
}

/**
 * HF Trainer's rule (get_decay_parameter_names): no weight decay for biases and LayerNorm weights.
 * LayerNorm modules are recognised by name: GPT-2 `ln_1`, `ln_2`, `ln_f`; OPT `*_layer_norm`; any `*norm` module.
 */
export function noDecay(name: string): boolean {
  const lower = name.toLowerCase();
  if (lower.includes("bias")) return true;
  const parts = lower.split(".");
  const module = parts.length >= 2 ? (parts[parts.length - 2] as string) : "";
  return /^ln_/.test(module) || module.includes("layernorm") || module.includes("layer_norm") || /(^|_)norm$/.test(module);
}

/**
 * Param groups for named views of one flat buffer: `weightDecay` for most, 0 for noDecay() names. Tensors marked
 * frozen (trainable false) get no group, so AdamW never touches them. Adjacent ranges with equal decay are merged.
 */
export function paramGroups(tensors: readonly { name: string; offset: number; length: number; trainable?: boolean }[],
  weightDecay: number): ParamGroup[] {
  const out: { offset: number; length: number; weightDecay: number }[] = [];
  for (const t of [...tensors].sort((a, b) => a.offset - b.offset)) {
    if (t.trainable === false || t.length === 0) continue;
    const wd = noDecay(t.name) ? 0 : weightDecay;
    const last = out[out.length - 1];
    if (last && last.offset + last.length === t.offset && last.weightDecay === wd) last.length += t.length;
    else out.push({ offset: t.offset, length: t.length, weightDecay: wd });
  }
  return out;
}
