// All parameters of a model in ONE Float32Array, as named views with their shapes next to their names (llm.c's
// single parameter allocation). HF names and HF layouts, so loading and saving need no renaming table.

/** How a parameter is initialised when it is created fresh (HF _init_weights). */
export type ParamInit =
  | { readonly kind: "normal"; readonly std: number }
  | { readonly kind: "zeros" }
  | { readonly kind: "ones" };

export interface ParamSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly init: ParamInit;
}

export const numelOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

export class Weights {
  /** the one backing store: every parameter is a view into it, in spec order */
  readonly data: Float32Array;
  private readonly index = new Map<string, { spec: ParamSpec; offset: number; view: Float32Array }>();

  constructor(readonly specs: readonly ParamSpec[], data?: Float32Array) {
    const total = specs.reduce((a, s) => a + numelOf(s.shape), 0);
    if (data !== undefined && data.length !== total) throw new RangeError(`Weights: data has ${data.length} values, specs need ${total}`);
    this.data = data ?? new Float32Array(total);
    let offset = 0;
    for (const spec of specs) {
      if (this.index.has(spec.name)) throw new RangeError(`Weights: duplicate parameter ${spec.name}`);
      const n = numelOf(spec.shape);
      this.index.set(spec.name, { spec, offset, view: this.data.subarray(offset, offset + n) });
      offset += n;
    }
  }

  has(name: string): boolean { return this.index.has(name); }
  get names(): string[] { return this.specs.map((s) => s.name); }
  get numel(): number { return this.data.length; }

  /** The parameter's values (a view into `data`). */
  get(name: string): Float32Array { return this.entry(name).view; }
  shape(name: string): readonly number[] { return this.entry(name).spec.shape; }
  offset(name: string): number { return this.entry(name).offset; }

  private entry(name: string): { spec: ParamSpec; offset: number; view: Float32Array } {
    const e = this.index.get(name);
    if (!e) throw new RangeError(`Weights: no parameter "${name}"`);
    return e;
  }

  /** Fills `names` (default: all) from their `init` rules with a seeded normal generator. */
  initialize(seed: number, names: readonly string[] = this.names): void {
    const rng = new NormalRng(seed);
    for (const name of names) {
      const { spec, view } = this.entry(name);
      if (spec.init.kind === "zeros") view.fill(0);
      else if (spec.init.kind === "ones") view.fill(1);
      else for (let i = 0; i < view.length; i++) view[i] = rng.next() * spec.init.std;
    }
  }
}

/** Seeded standard normal values: splitmix32 uniforms through Box–Muller (deterministic across platforms). */
export class NormalRng {
  private state: number;
  private spare: number | null = null;
  constructor(seed: number) { this.state = seed >>> 0; }
  uniform(): number {
    this.state = (this.state + 0x9e3779b9) >>> 0;
    let z = this.state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (((z ^ (z >>> 16)) >>> 0) + 0.5) / 4294967296;
  }
  next(): number {
    if (this.spare !== null) { const s = this.spare; this.spare = null; return s; }
    const r = Math.sqrt(-2 * Math.log(this.uniform())), t = 2 * Math.PI * this.uniform();
    this.spare = r * Math.sin(t);
    return r * Math.cos(t);
  }
}
