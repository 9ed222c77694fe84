/**
 * Quality figures of approximate nearest neighbours against the exact ones (1st neighbour).
 *
 * Approximation factor: the mean over queries of `dist(approx) / dist(true)` (pixel-space L1). A query
 * whose exact distance is 0 (a duplicate of a data image) contributes 1 when the approximate distance
 * is also 0; when it is not, the ratio is undefined: that query is left out of the mean and counted in
 * `zeroTrueDistance`. Queries without an approximate neighbour (LSH found no candidate) are left out
 * and counted in `missing`. The mean is `null` when no query remains (never NaN).
 *
 * Recall@1: the fraction of all queries whose approximate 1st neighbour is at the exact 1st-neighbour
 * distance (ties count as hits); queries without a neighbour are misses.
 * @module
 */

/** Approximation-factor and recall figures. */
export interface ApproximationStats {
  /** Number of queries. */
  queries: number;
  /** Mean of dist(approx)/dist(true) over the scored queries, or null when none was scored. */
  factor: number | null;
  /** Queries in the mean. */
  scored: number;
  /** Largest ratio among scored queries (null when none). */
  maxFactor: number | null;
  /** Queries without an approximate neighbour (left out of the mean). */
  missing: number;
  /** Queries with dist(true) = 0 < dist(approx) (ratio undefined, left out of the mean). */
  zeroTrueDistance: number;
  /** Recall@1 over all queries (missing queries count as misses). */
  recall: number;
  /** Queries whose approximate neighbour is at the exact distance. */
  hits: number;
  /** The per-query ratios (NaN where the query was left out), for intervals and plots. */
  ratios: Float64Array;
}

/**
 * Compares approximate 1st-neighbour distances (`null` or a negative value = no neighbour) with the
 * exact ones (same query order).
 */
export function approximationStats(
  approx: ArrayLike<number | null>,
  exact: ArrayLike<number>,
): ApproximationStats {
  const n = exact.length;
  if (approx.length !== n) throw new RangeError(`approximationStats: ${approx.length} vs ${n} queries`);
  const ratios = new Float64Array(n).fill(NaN);
  let sum = 0;
  let scored = 0;
  let missing = 0;
  let zeroTrueDistance = 0;
  let hits = 0;
  let maxFactor: number | null = null;
  for (let q = 0; q < n; q++) {
    const a = approx[q];
    const e = exact[q];
    if (a === null || a < 0) {
      missing++;
      continue;
    }
    if (a === e) hits++;
    let ratio: number;
    if (e === 0) {
      if (a !== 0) {
        zeroTrueDistance++;
        continue;
      }
      ratio = 1;
    } else ratio = a / e;
    ratios[q] = ratio;
    sum += ratio;
    scored++;
    if (maxFactor === null || ratio > maxFactor) maxFactor = ratio;
  }
  return {
    queries: n,
    factor: scored > 0 ? sum / scored : null,
    scored,
    maxFactor,
    missing,
    zeroTrueDistance,
    recall: n > 0 ? hits / n : 0,
    hits,
    ratios,
  };
}
