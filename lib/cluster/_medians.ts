/**
 * Internal: exact coordinate-wise medians of clusters, kept up to date as points move between
 * clusters. Two strategies with one interface:
 *
 * - uint8 points: one 256-bin histogram per (cluster, coordinate) plus the per-(cluster, coordinate)
 *   sum, updated incrementally when a point moves; a median is found by scanning the bins (linear in
 *   the value range, independent of the cluster size).
 * - int16 points: the members' values of each coordinate are gathered and the median is found by
 *   quickselect (expected linear time in the cluster size).
 *
 * The median of m values is the **lower median**, the value of rank ⌊(m−1)/2⌋ (0-based) in sorted
 * order. For even m every value between the two middle ones minimises Σ|x − μ|, so the lower median
 * gives exactly the same objective as the mean of the two middle values, while staying an integer of
 * the data's own type (so the integer L1 kernels apply to medians too).
 * @module
 */
import type { PointSet, PointValues } from "./points.ts";

/** Keeps the coordinate-wise medians of `k` clusters of one point set. */
export interface MedianTracker {
  /**
   * Moves points: `points[j]` goes from cluster `from[j]` (−1: from no cluster) to cluster `to[j]`,
   * for j < `length`.
   */
  moveAll(points: Int32Array, from: Int32Array, to: Int32Array, length: number): void;
  /**
   * Writes the median of cluster `c` into `medians[c*dim .. (c+1)*dim)` and returns Σ over its members
   * of the L1 distance to that median. An empty cluster's median is left as it is and 0 is returned.
   */
  update(c: number, medians: PointValues): number;
  /** Current size of cluster `c`. */
  size(c: number): number;
}

/** Creates the tracker suited to the point type (histograms for uint8, quickselect for int16). */
export function createMedianTracker(points: PointSet, k: number): MedianTracker {
  return points.values instanceof Uint8Array
    ? new HistogramTracker(points.values, points.dim, k)
    : new SelectTracker(points.values, points.count, points.dim, k);
}

class HistogramTracker implements MedianTracker {
  readonly #values: Uint8Array;
  readonly #dim: number;
  readonly #k: number;
  /**
   * Counts of the values 1..255 at `((c * dim + t) * 256 + v)`: one cluster's counts are contiguous,
   * and moves are applied cluster by cluster so that only that cluster's counts are hot. Zeros are
   * not counted (count = size − the others): pixel data is mostly background, and skipping it halves
   * the work and avoids hammering one bin.
   */
  readonly #histogram: Uint32Array;
  readonly #sizes: Int32Array;

  constructor(values: Uint8Array, dim: number, k: number) {
    this.#values = values;
    this.#dim = dim;
    this.#k = k;
    this.#histogram = new Uint32Array(k * dim * 256);
    this.#sizes = new Int32Array(k);
  }

  moveAll(points: Int32Array, from: Int32Array, to: Int32Array, length: number): void {
    const sizes = this.#sizes;
    for (let j = 0; j < length; j++) {
      if (from[j] >= 0) sizes[from[j]]--;
      if (to[j] >= 0) sizes[to[j]]++;
    }
    this.#apply(points, from, length, -1);
    this.#apply(points, to, length, 1);
  }

  /** Adds `sign` to the counts of cluster `clusters[j]` for every point `points[j]`, cluster by cluster. */
  #apply(points: Int32Array, clusters: Int32Array, length: number, sign: number): void {
    const k = this.#k;
    const dim = this.#dim;
    const values = this.#values;
    const histogram = this.#histogram;
    const starts = new Int32Array(k + 1);
    for (let j = 0; j < length; j++) if (clusters[j] >= 0) starts[clusters[j] + 1]++;
    for (let c = 0; c < k; c++) starts[c + 1] += starts[c];
    const order = new Int32Array(starts[k]);
    const next = starts.slice(0, k);
    for (let j = 0; j < length; j++) if (clusters[j] >= 0) order[next[clusters[j]]++] = points[j];
    for (let c = 0; c < k; c++) {
      const base = c * dim;
      for (let j = starts[c]; j < starts[c + 1]; j++) {
        const row = order[j] * dim;
        for (let t = 0; t < dim; t++) {
          const v = values[row + t];
          if (v !== 0) histogram[((base + t) << 8) + v] += sign;
        }
      }
    }
  }

  update(c: number, medians: PointValues): number {
    const m = this.#sizes[c];
    if (m === 0) return 0;
    const dim = this.#dim;
    const histogram = this.#histogram;
    const rank = (m - 1) >> 1;
    let objective = 0;
    for (let t = 0; t < dim; t++) {
      const base = (c * dim + t) << 8;
      let nonZero = 0;
      let total = 0;
      for (let v = 1; v < 256; v++) {
        const count = histogram[base + v];
        nonZero += count;
        total += count * v;
      }
      let below = m - nonZero; // number of values <= v, starting with the zeros
      let belowSum = 0; // their sum
      let v = 0;
      while (below <= rank) {
        v++;
        const count = histogram[base + v];
        below += count;
        belowSum += count * v;
      }
      medians[c * dim + t] = v;
      objective += v * below - belowSum + (total - belowSum) - v * (m - below);
    }
    return objective;
  }

  size(c: number): number {
    return this.#sizes[c];
  }
}

class SelectTracker implements MedianTracker {
  readonly #values: Int16Array;
  readonly #dim: number;
  readonly #assignment: Int32Array;
  readonly #sizes: Int32Array;
  #scratch: Int32Array;

  constructor(values: Int16Array, count: number, dim: number, k: number) {
    this.#values = values;
    this.#dim = dim;
    this.#assignment = new Int32Array(count).fill(-1);
    this.#sizes = new Int32Array(k);
    this.#scratch = new Int32Array(0);
  }

  moveAll(points: Int32Array, from: Int32Array, to: Int32Array, length: number): void {
    for (let j = 0; j < length; j++) {
      this.#assignment[points[j]] = to[j];
      if (from[j] >= 0) this.#sizes[from[j]]--;
      if (to[j] >= 0) this.#sizes[to[j]]++;
    }
  }

  update(c: number, medians: PointValues): number {
    const m = this.#sizes[c];
    if (m === 0) return 0;
    const dim = this.#dim;
    const values = this.#values;
    const assignment = this.#assignment;
    const members = new Int32Array(m);
    for (let i = 0, j = 0; j < m; i++) if (assignment[i] === c) members[j++] = i;
    if (this.#scratch.length < m) this.#scratch = new Int32Array(m);
    const scratch = this.#scratch;
    const rank = (m - 1) >> 1;
    let objective = 0;
    for (let t = 0; t < dim; t++) {
      for (let j = 0; j < m; j++) scratch[j] = values[members[j] * dim + t];
      const median = selectRank(scratch, m, rank);
      medians[c * dim + t] = median;
      for (let j = 0; j < m; j++) {
        const d = scratch[j] - median;
        objective += d < 0 ? -d : d;
      }
    }
    return objective;
  }

  size(c: number): number {
    return this.#sizes[c];
  }
}

/**
 * Returns the value of rank `rank` (0-based) among `values[0..length)`, reordering them in place
 * (quickselect: Hoare partition around a median-of-three pivot; expected linear time, and runs of
 * equal values are split evenly, so duplicates do not degrade it).
 */
export function selectRank(values: Int32Array | Float64Array, length: number, rank: number): number {
  if (rank < 0 || rank >= length) throw new RangeError(`selectRank: rank ${rank} outside 0..${length - 1}`);
  let lo = 0;
  let hi = length - 1;
  while (hi > lo) {
    const a = values[lo];
    const b = values[(lo + hi) >>> 1];
    const c = values[hi];
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : (a < c ? a : b < c ? c : b);
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i] < pivot) i++;
      while (values[j] > pivot) j--;
      if (i <= j) {
        const swap = values[i];
        values[i] = values[j];
        values[j] = swap;
        i++;
        j--;
      }
    }
    if (rank <= j) hi = j;
    else if (rank >= i) lo = i;
    else return values[rank];
  }
  return values[rank];
}
