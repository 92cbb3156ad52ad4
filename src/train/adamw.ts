// AdamW exactly as torch.optim.AdamW (amsgrad off, maximize off), as pure functions over flat Float32Arrays with
// named state (llm.c style). Each element is computed in float64 from the float32 inputs and rounded once on store:
//   step += 1
//   p *= 1 - lr·wd                                   (decoupled weight decay, before the moments)
//   m = β1·m + (1−β1)·g ;  v = β2·v + (1−β2)·g²
//   p -= lr/(1−β1^step) · m / (sqrt(v)/sqrt(1−β2^step) + eps)
// Parameter groups are ranges of the flat buffer, each with its own weight decay; elements in no group are frozen.
// Gradient clipping is folded in as a gradient scale: g is read as fround(g·scale), the value clip_grad_norm_ would
// have stored, so clipping costs no pass of its own. The moments live on SharedArrayBuffers so that worker threads
// can update slices of them (optimizer-threads.ts).

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
  return { m: sharedFloat32(numParams), v: sharedFloat32(numParams), step: 0 };
}

/** A zeroed Float32Array on a SharedArrayBuffer (worker threads can write it; onnxruntime-node cannot read it). */
export function sharedFloat32(n: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(4 * n));
}

/**
 * One optimizer step over every group (default: the whole buffer with hyper.weightDecay), on this thread, with the
 * gradients scaled by gradScale (clipScale's factor). Increments state.step once.
 */
export function adamwStep(params: Float32Array, grads: Float32Array, state: AdamWState, hyper: AdamWHyper,
  groups: readonly ParamGroup[] = [{ offset: 0, length: params.length, weightDecay: hyper.weightDecay }], gradScale = 1): void {
  if (grads.length !== params.length || state.m.length !== params.length || state.v.length !== params.length) {
    throw new RangeError(`adamwStep: params ${params.length}, grads ${grads.length}, m ${state.m.length}, v ${state.v.length} differ`);
  }
  state.step += 1;
  for (const g of groups) {
    if (g.offset < 0 || g.offset + g.length > params.length) {
      throw new RangeError(`adamwStep: group [${g.offset}, ${g.offset + g.length}) outside ${params.length} params`);
    }
    adamwUpdate(params, grads, state.m, state.v, state.step, hyper, g.weightDecay, g.offset, g.offset + g.length, gradScale);
  }
}

/**
 * The element loop over [lo, hi) for a given (already incremented) step. Blocks of BLOCK elements whose gradient and
 * both moments are all zero (embedding rows no batch has touched yet) only decay: the full update would leave m and v
 * at 0 and subtract exactly 0 from p, so skipping it gives the same bits. The zero test reads the buffers as float64
 * words (two elements per load); a float64 word that reads as ±0 holds two float32 zeros (of either sign).
 */
export function adamwUpdate(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, step: number,
  h: AdamWHyper, weightDecay: number, lo: number, hi: number, gradScale = 1): void {
  const k: UpdateConstants = { gradScale,
    beta1: h.beta1, beta2: h.beta2, c1: 1 - h.beta1, c2: 1 - h.beta2, eps: h.eps, decay: 1 - h.lr * weightDecay,
    stepSize: h.lr / (1 - Math.pow(h.beta1, step)), invBc2Sqrt: 1 / Math.sqrt(1 - Math.pow(h.beta2, step)),
  };
  const views = [p, g, m, v].every((a) => a.byteOffset % 8 === 0)
    ? { g: words(g), m: words(m), v: words(v) } : null;
  // blocks aligned to multiples of BLOCK; the ragged ends (and unaligned buffers) take the plain loop
  const first = views ? Math.min(hi, Math.ceil(lo / BLOCK) * BLOCK) : hi;
  const last = views ? Math.max(first, Math.floor(hi / BLOCK) * BLOCK) : hi;
  updateRange(p, g, m, v, k, lo, first);
  if (views) {
    for (let b = first; b < last; b += BLOCK) {
      if (allZero(views.g, b >> 1) && allZero(views.m, b >> 1) && allZero(views.v, b >> 1)) {
        if (k.decay !== 1) for (let i = b; i < b + BLOCK; i++) p[i] = (p[i] as number) * k.decay;
      } else {
        updateRange(p, g, m, v, k, b, b + BLOCK);
      }
    }
  }
  updateRange(p, g, m, v, k, last, hi);
}

/** Elements per zero-test block (a GPT-2 embedding row is 768 = 12 blocks). */
const BLOCK = 64;

interface UpdateConstants {
  readonly gradScale: number;
  readonly beta1: number; readonly beta2: number; readonly c1: number; readonly c2: number; readonly eps: number;
  readonly decay: number; readonly stepSize: number; readonly invBc2Sqrt: number;
}

function words(a: Float32Array): Float64Array {
  return new Float64Array(a.buffer, a.byteOffset, a.length >> 1);
}

/** Whether the BLOCK / 2 words from `w0` are all ±0 (NaN bit patterns count as nonzero). */
function allZero(w: Float64Array, w0: number): boolean {
  for (let i = w0; i < w0 + BLOCK / 2; i++) if ((w[i] as number) !== 0) return false;
  return true;
}

function updateRange(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, k: UpdateConstants,
  lo: number, hi: number): void {
  const { gradScale, beta1, beta2, c1, c2, eps, decay, stepSize, invBc2Sqrt } = k;
  for (let i = lo; i < hi; i++) {
    const gi = Math.fround((g[i] as number) * gradScale); // exact when gradScale is 1
    const mi = beta1 * (m[i] as number) + c1 * gi;
    const vi = beta2 * (v[i] as number) + c2 * gi * gi;
    m[i] = mi;
    v[i] = vi;
    // one division, not two: sqrt and divide share a unit, and this loop waits on it (~15% faster)
    p[i] = (p[i] as number) * decay - (stepSize * mi) / (Math.sqrt(vi) * invBc2Sqrt + eps);
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
