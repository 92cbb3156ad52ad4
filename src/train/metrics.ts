// Metrics kept per mode the way TRL's RewardTrainer keeps them: each step appends one value per key, each log
// averages every key (a plain mean over the steps, as TRL's `sum(val) / len(val)`) and clears that mode. Eval keys
// come out prefixed "eval_". `num_tokens` is TRL's running total of train tokens, set rather than appended.

export type MetricsMode = "train" | "eval";

export class MetricsAccumulator {
  private readonly values: Record<MetricsMode, Map<string, number[]>> = { train: new Map(), eval: new Map() };

  /** Append one value per key (one step's metrics). */
  append(mode: MetricsMode, record: Readonly<Record<string, number>>): void {
    const m = this.values[mode];
    for (const [k, v] of Object.entries(record)) {
      const list = m.get(k);
      if (list) list.push(v);
      else m.set(k, [v]);
    }
  }

  /** Replace a key's values with one value (TRL: `self._metrics[mode]["num_tokens"] = [self._total_train_tokens]`). */
  set(mode: MetricsMode, key: string, value: number): void {
    this.values[mode].set(key, [value]);
  }

  /** Mean of each key since the last log, eval keys prefixed "eval_"; clears the mode. */
  average(mode: MetricsMode): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [k, list] of this.values[mode]) {
      let sum = 0;
      for (const v of list) sum += v;
      out[mode === "eval" ? `eval_${k}` : k] = sum / list.length;
    }
    this.values[mode].clear();
    return out;
  }

  /** Number of values appended to `key` since the last log. */
  count(mode: MetricsMode, key: string): number {
    return this.values[mode].get(key)?.length ?? 0;
  }
}

export interface PairBatchMetrics {
  /** Fraction of pairs with r_chosen > r_rejected (ties count as wrong, as in TRL). */
  accuracy: number;
  /** mean(r_chosen − r_rejected). */
  margin: number;
  /** Over all 2B rewards. */
  min_reward: number;
  mean_reward: number;
  max_reward: number;
  /** Pairs with r_chosen == r_rejected. */
  ties: number;
}

/** TRL's per-step reward metrics for one batch. `chosen[i]` and `rejected[i]` belong to pair i. */
export function pairBatchMetrics(chosen: ArrayLike<number>, rejected: ArrayLike<number>): PairBatchMetrics {
  const n = chosen.length;
  if (rejected.length !== n || n === 0) throw new RangeError(`pairBatchMetrics: ${n} chosen vs ${rejected.length} rejected rewards`);
  let correct = 0, ties = 0, marginSum = 0, sum = 0, min = Infinity, max = -Infinity;
  for (let i = 0; i < n; i++) {
    const c = chosen[i] as number, r = rejected[i] as number;
    if (c > r) correct++;
    else if (c === r) ties++;
    marginSum += c - r;
    sum += c + r;
    min = Math.min(min, c, r);
    max = Math.max(max, c, r);
  }
  return { accuracy: correct / n, margin: marginSum / n, min_reward: min, mean_reward: sum / (2 * n), max_reward: max, ties };
}

/** Streaming count / mean / population std (Welford), e.g. of every reward seen in an evaluation. */
export class RunningStats {
  private n = 0;
  private mean_ = 0;
  private m2 = 0;

  push(x: number): void {
    this.n++;
    const d = x - this.mean_;
    this.mean_ += d / this.n;
    this.m2 += d * (x - this.mean_);
  }

  pushAll(xs: ArrayLike<number>): void {
    for (let i = 0; i < xs.length; i++) this.push(xs[i] as number);
  }

  get count(): number {
    return this.n;
  }
  get mean(): number {
    return this.n === 0 ? NaN : this.mean_;
  }
  /** Population standard deviation (numpy's default, ddof 0). */
  get std(): number {
    return this.n === 0 ? NaN : Math.sqrt(this.m2 / this.n);
  }
}
