/**
 * Internal: the table method of the exact L1 silhouette (see `silhouette.ts`). Builds, for every
 * coordinate t, shifted value u = x − min[t] and cluster c, the table
 * F(c, t, u) − F(c, t, 0) with F(c, t, u) = Σ_{j∈c} |u − (x_jt − min[t])|, then sums the table
 * over each point's coordinates. Values equal to min[t] (0 for pixels: the background) cost nothing.
 * @module
 */
import type { PointValues } from "./points.ts";

/** Per-coordinate value ranges: coordinate t's shifted values 0..width-1 sit at `offset[t] + u`. */
export interface ValueRanges {
  /** Smallest value per coordinate (0 for uint8). */
  minimum: Int32Array;
  /** Start of each coordinate's values; `offset[dim]` = total. */
  offset: Int32Array;
  /** Σ of the coordinates' widths. */
  total: number;
}

/** The value ranges of a point set (uint8: 0..255 for every coordinate). */
export function valueRanges(values: PointValues, count: number, dim: number): ValueRanges {
  const minimum = new Int32Array(dim);
  const offset = new Int32Array(dim + 1);
  if (values instanceof Uint8Array) {
    for (let t = 0; t <= dim; t++) offset[t] = t * 256;
    return { minimum, offset, total: dim * 256 };
  }
  const maximum = new Int32Array(dim);
  minimum.fill(2 ** 31 - 1);
  maximum.fill(-(2 ** 31));
  for (let i = 0; i < count; i++) {
    for (let t = 0; t < dim; t++) {
      const v = values[i * dim + t];
      if (v < minimum[t]) minimum[t] = v;
      if (v > maximum[t]) maximum[t] = v;
    }
  }
  for (let t = 0; t < dim; t++) offset[t + 1] = offset[t] + (maximum[t] - minimum[t] + 1);
  return { minimum, offset, total: offset[dim] };
}

/** The table: `table[(offset[t] + u) * k + c]` = F(c, t, u) − F(c, t, 0); `baseSums[c]` = Σ_t F(c, t, 0). */
export interface SilhouetteTable {
  /** Differences to the base value, coordinate-major with the k clusters innermost. */
  table: Float64Array;
  /** Per cluster: Σ over coordinates of F(c, t, 0). */
  baseSums: Float64Array;
}

/** Builds the table from the partition (histograms cluster by cluster, then prefix counts and sums). */
export function buildSilhouetteTable(
  values: PointValues,
  dim: number,
  assignment: ArrayLike<number>,
  k: number,
  ranges: ValueRanges,
): SilhouetteTable {
  const count = assignment.length;
  const { minimum, offset, total } = ranges;
  // Points grouped by cluster, so that one cluster's histogram is hot at a time.
  const starts = new Int32Array(k + 1);
  for (let i = 0; i < count; i++) starts[assignment[i] + 1]++;
  for (let c = 0; c < k; c++) starts[c + 1] += starts[c];
  const order = new Int32Array(count);
  const next = starts.slice(0, k);
  for (let i = 0; i < count; i++) order[next[assignment[i]]++] = i;
  const histogram = new Float64Array(total); // one cluster at a time
  const table = new Float64Array(total * k);
  const baseSums = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    histogram.fill(0);
    for (let j = starts[c]; j < starts[c + 1]; j++) {
      const row = order[j] * dim;
      for (let t = 0; t < dim; t++) {
        const u = values[row + t] - minimum[t];
        if (u !== 0) histogram[offset[t] + u]++;
      }
    }
    const m = starts[c + 1] - starts[c];
    for (let t = 0; t < dim; t++) {
      const first = offset[t];
      const width = offset[t + 1] - first;
      let nonBase = 0;
      let sum = 0;
      for (let u = 1; u < width; u++) {
        const n = histogram[first + u];
        nonBase += n;
        sum += n * u;
      }
      // F(u) = u·#(≤u) − Σ(≤u) + (Σ − Σ(≤u)) − u·(m − #(≤u)); F(0) = Σ.
      baseSums[c] += sum;
      let below = m - nonBase;
      let belowSum = 0;
      for (let u = 1; u < width; u++) {
        const n = histogram[first + u];
        below += n;
        belowSum += n * u;
        table[(first + u) * k + c] = u * below - belowSum + (sum - belowSum) - u * (m - below) - sum;
      }
    }
  }
  return { table, baseSums };
}

/**
 * Adds, for points `first..end-1` of `values` (whose first row is point `first`), Σ_t table[...] to
 * `sums[(i - first) * k + c]`, which must start at `baseSums`. Coordinates are taken in blocks whose
 * table slice stays in cache.
 */
export function accumulateTableSums(
  values: PointValues,
  dim: number,
  pointCount: number,
  k: number,
  ranges: ValueRanges,
  table: Float64Array,
  sums: Float64Array,
): void {
  const { minimum, offset } = ranges;
  const blockEntries = 1 << 15;
  for (let t0 = 0; t0 < dim;) {
    let t1 = t0 + 1;
    while (t1 < dim && (offset[t1 + 1] - offset[t0]) * k <= blockEntries) t1++;
    for (let i = 0; i < pointCount; i++) {
      const row = i * dim;
      const out = i * k;
      for (let t = t0; t < t1; t++) {
        const u = values[row + t] - minimum[t];
        if (u === 0) continue;
        const base = (offset[t] + u) * k;
        for (let c = 0; c < k; c++) sums[out + c] += table[base + c];
      }
    }
    t0 = t1;
  }
}

/** Message to a silhouette Worker. */
export interface TableWorkRequest {
  /** Rows of the Worker's points. */
  values: PointValues;
  /** Dimension. */
  dim: number;
  /** Number of points in `values`. */
  pointCount: number;
  /** Number of clusters. */
  k: number;
  /** Value ranges. */
  ranges: ValueRanges;
  /** The table. */
  table: Float64Array;
  /** Per-cluster base sums. */
  baseSums: Float64Array;
}

/** Computes the per-point, per-cluster sums for one range of points (the Worker's job). */
export function tableWork(request: TableWorkRequest): Float64Array {
  const sums = new Float64Array(request.pointCount * request.k);
  for (let i = 0; i < request.pointCount; i++) sums.set(request.baseSums, i * request.k);
  accumulateTableSums(
    request.values,
    request.dim,
    request.pointCount,
    request.k,
    request.ranges,
    request.table,
    sums,
  );
  return sums;
}
