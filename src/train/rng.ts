// A small seeded PRNG for data shuffling and fresh-weight init: xoshiro128** (Blackman & Vigna), seeded through
// splitmix32 so nearby seeds give unrelated streams. Its whole state is four uint32 words, so a checkpoint stores
// it as JSON and a resumed run draws exactly the numbers the uninterrupted run would have drawn.
import { CheckpointError } from "../errors.js";

export interface RngState {
  readonly algorithm: "xoshiro128**";
  readonly s: readonly [number, number, number, number];
}

export class Rng {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;

  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) throw new RangeError(`Rng: seed must be a safe integer, got ${seed}`);
    // splitmix32 over the low and high 32 bits of the seed
    let x = (seed >>> 0) ^ Math.imul(Math.floor(seed / 0x100000000) >>> 0, 0x9e3779b9);
    const next = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    [this.s0, this.s1, this.s2, this.s3] = [next(), next(), next(), next()];
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1; // the all-zero state is a fixed point
  }

  static fromState(state: RngState): Rng {
    const r = new Rng(0);
    r.restore(state);
    return r;
  }

  /** Next uint32. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform float64 in [0, 1) with 53 random bits. */
  next(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform integer in [0, n), unbiased (rejection sampling), n <= 2^32. */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > 0x100000000) throw new RangeError(`Rng.int: n must be in [1, 2^32], got ${n}`);
    const limit = 0x100000000 - (0x100000000 % n);
    let x = this.nextUint32();
    while (x >= limit) x = this.nextUint32();
    return x % n;
  }

  /** Fisher–Yates shuffle in place; returns the same array. */
  shuffle<T>(a: T[]): T[] {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i] as T;
      a[i] = a[j] as T;
      a[j] = t;
    }
    return a;
  }

  /** A random permutation of 0..n-1. */
  permutation(n: number): number[] {
    return this.shuffle(Array.from({ length: n }, (_, i) => i));
  }

  /** One normal draw (Box–Muller; the second value of the pair is discarded so the state stays four words). */
  normal(mean = 0, std = 1): number {
    const u1 = 1 - this.next(); // (0, 1]: log never sees 0
    const u2 = this.next();
    return mean + std * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** Fill `out` with normal draws, using both values of each Box–Muller pair. */
  fillNormal(out: Float32Array | Float64Array, mean = 0, std = 1): void {
    for (let i = 0; i < out.length; i += 2) {
      const r = Math.sqrt(-2 * Math.log(1 - this.next()));
      const theta = 2 * Math.PI * this.next();
      out[i] = mean + std * r * Math.cos(theta);
      if (i + 1 < out.length) out[i + 1] = mean + std * r * Math.sin(theta);
    }
  }

  state(): RngState {
    return { algorithm: "xoshiro128**", s: [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0] };
  }

  /** Restore a state from state() (e.g. read back from a checkpoint's JSON). Throws CheckpointError when malformed. */
  restore(state: unknown): void {
    const st = state as Partial<RngState> | null;
    const s = st?.s;
    const ok = st !== null && typeof st === "object" && st.algorithm === "xoshiro128**" && Array.isArray(s) && s.length === 4 &&
      s.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffffffff) && s.some((w) => w !== 0);
    if (!ok) {
      throw new CheckpointError(`expected an RNG state {"algorithm": "xoshiro128**", "s": [4 uint32, not all 0]}, got ${JSON.stringify(state)}`);
    }
    [this.s0, this.s1, this.s2, this.s3] = (s as number[]).map((w) => w | 0) as [number, number, number, number];
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
