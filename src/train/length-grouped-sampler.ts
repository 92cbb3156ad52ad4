// Length-grouped batch order (HF's LengthGroupedSampler / get_length_grouped_indices): cut the epoch's shuffled
// permutation into megabatches of `mult` batches, sort each megabatch by length (longest first, stable), and move
// the longest pair of the epoch to the very first batch so that the largest batch (peak memory) comes at once.
// Batches then hold pairs of similar length (little padding) while the order stays random at megabatch scale.
// The order is a pure function of the permutation and the lengths, so a run resumes from (epoch rng, batch index).

/** HF's default megabatch size in batches: min(N / (4·batch), 50), at least 1. */
export function defaultMegabatchMult(numPairs: number, batchSize: number): number {
  return Math.max(1, Math.min(Math.floor(numPairs / (4 * batchSize)), 50));
}

/** The epoch's pair order, grouped by length. `lengths[i]` is pair i's row length in the batch layout. */
export function lengthGroupedOrder(perm: readonly number[], lengths: ArrayLike<number>, batchSize: number,
  mult = defaultMegabatchMult(perm.length, batchSize)): number[] {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  const size = mult * batchSize, out: number[] = [];
  const starts: number[] = [];
  for (let lo = 0; lo < perm.length; lo += size) {
    const mega = perm.slice(lo, lo + size);
    // stable sort, longest first (Array.prototype.sort is stable)
    mega.sort((a, b) => (lengths[b] as number) - (lengths[a] as number));
    starts.push(out.length);
    out.push(...mega);
  }
  // swap the longest megabatch head into position 0
  let best = 0;
  for (let k = 1; k < starts.length; k++) {
    if ((lengths[out[starts[k] as number] as number] as number) > (lengths[out[starts[best] as number] as number] as number)) best = k;
  }
  const at = starts[best] as number;
  if (at > 0) [out[0], out[at]] = [out[at] as number, out[0] as number];
  return out;
}
