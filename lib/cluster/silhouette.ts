/**
 * Exact silhouette (Rousseeuw 1987) under the L1 distance.
 *
 * For point i in cluster A: a(i) = mean L1 distance to the *other* members of A; b(i) = the smallest,
 * over the other non-empty clusters C, of the mean L1 distance from i to the members of C;
 * s(i) = (b − a) / max(a, b), with s(i) = 0 when A is a singleton (and when a = b = 0). Results: s(i)
 * per point, the mean of s over each cluster's points, and the mean over all points.
 *
 * Everything reduces to S(i, C) = Σ_{j∈C} |x_i − x_j|₁, i.e. per coordinate t to
 * Σ_{j∈C} |x_it − x_jt|. Two exact methods:
 *
 * - `"table"` (integer data with a small value range, e.g. uint8 pixels): for every cluster C,
 *   coordinate t and value v, F(C, t, v) = Σ_{j∈C} |v − x_jt| is tabulated from a per-coordinate
 *   histogram with prefix counts and sums (O(k·d·range)); then S(i, C) = Σ_t F(C, t, x_it) costs
 *   O(d·k) per point. Total O(n·d·k + k·d·range) instead of O(n²·d), with the same integer sums as the
 *   pairwise definition (so the same a, b and s bit for bit). Memory: k·d·range float64.
 * - `"pairwise"` (any data): the O(n²) distances, blockwise (a block of points against all points at
 *   a time, through the L1 distance engine), accumulating per-cluster sums; never an n×n matrix.
 *
 * `"auto"` (default) picks `"table"` when the table has at most 2²⁵ entries, else `"pairwise"`.
 * @module
 */
import { createDistanceBackend } from "./_distance.ts";
import { checkAssignment, type PointSet } from "./points.ts";
import { buildSilhouetteTable, tableWork, type ValueRanges, valueRanges } from "./_silhouette_table.ts";
import type { SilhouetteProtocol } from "./_silhouette_worker.ts";
import { createWorkerPool, defaultWorkerCount } from "../util/worker_pool.ts";

/** How the per-cluster distance sums are computed (see the module documentation). */
export type SilhouetteMethod = "auto" | "table" | "pairwise";

/** Options for {@linkcode silhouetteL1}. */
export interface SilhouetteOptions {
  /** Number of clusters; labels are `0..k-1`. Default: 1 + the largest label. */
  k?: number;
  /** Method. Default `"auto"`. */
  method?: SilhouetteMethod;
  /** Points per block in the pairwise method. Default: as many as keep a block under 4 Mi distances. */
  blockSize?: number;
  /**
   * Worker threads (table method: for large sets; pairwise: the distance engine's). Default
   * `defaultWorkerCount()` (all cores).
   */
  workers?: number;
  /** Table method: points × dim from which the sums are split over `workers` Workers. Default 2²⁴. */
  parallelThreshold?: number;
}

/** Result of {@linkcode silhouetteL1}. */
export interface SilhouetteResult {
  /** s(i) for every point. */
  samples: Float64Array;
  /** Mean of s over each cluster's points (NaN for an empty cluster). */
  clusters: Float64Array;
  /** Mean of s over all points. */
  overall: number;
  /** Points per cluster. */
  sizes: Int32Array;
  /** The method that was used. */
  method: "table" | "pairwise";
  /** Wall-clock seconds. */
  seconds: number;
}

/** Largest number of table entries the `"auto"` method accepts. */
export const SILHOUETTE_TABLE_LIMIT = 2 ** 25;

/** Per point, per cluster: Σ of L1 distances to the cluster's members (`sums[i*k + c]`), by tables. */
async function clusterSumsByTable(
  points: PointSet,
  assignment: ArrayLike<number>,
  k: number,
  ranges: ValueRanges,
  workers: number,
  threshold: number,
): Promise<Float64Array> {
  const { dim, count, values } = points;
  const { table, baseSums } = buildSilhouetteTable(values, dim, assignment, k, ranges);
  const parts = count * dim < threshold ? 1 : Math.max(1, Math.min(workers, count));
  if (parts === 1) return tableWork({ values, dim, pointCount: count, k, ranges, table, baseSums });
  const bounds = Array.from({ length: parts + 1 }, (_, w) => Math.floor((count * w) / parts));
  const pool = createWorkerPool<SilhouetteProtocol>(new URL("./_silhouette_worker.ts", import.meta.url), {
    workers: parts,
    name: "silhouette",
  });
  try {
    const results = await Promise.all(
      bounds.slice(0, parts).map((first, w) =>
        pool.call(w, "sums", {
          values: values.subarray(first * dim, bounds[w + 1] * dim),
          dim,
          pointCount: bounds[w + 1] - first,
          k,
          ranges,
          table,
          baseSums,
        })
      ),
    );
    const sums = new Float64Array(count * k);
    results.forEach((part, w) => sums.set(part, bounds[w] * k));
    return sums;
  } finally {
    pool.close();
  }
}

async function clusterSumsPairwise(
  points: PointSet,
  assignment: ArrayLike<number>,
  k: number,
  options: SilhouetteOptions,
): Promise<Float64Array> {
  const { dim, count, values } = points;
  const block = Math.max(1, options.blockSize ?? Math.floor((4 * 1024 * 1024) / count));
  const sums = new Float64Array(count * k);
  const labels = Int32Array.from(assignment);
  const backend = await createDistanceBackend(points, { workers: options.workers });
  try {
    for (let start = 0; start < count; start += block) {
      const end = Math.min(count, start + block);
      const distances = await backend.distances(values.subarray(start * dim, end * dim));
      for (let q = start; q < end; q++) {
        const row = (q - start) * count;
        const out = q * k;
        for (let j = 0; j < count; j++) sums[out + labels[j]] += distances[row + j];
      }
    }
  } finally {
    backend.close();
  }
  return sums;
}

/**
 * Computes the exact L1 silhouette of the partition `assignment` of `points` (see the module
 * documentation). Needs at least two non-empty clusters.
 */
export async function silhouetteL1(
  points: PointSet,
  assignment: ArrayLike<number>,
  options: SilhouetteOptions = {},
): Promise<SilhouetteResult> {
  const started = performance.now();
  const { count } = points;
  let k = options.k ?? 0;
  if (options.k === undefined) {
    for (let i = 0; i < assignment.length; i++) k = Math.max(k, assignment[i] + 1);
  }
  checkAssignment(assignment, count, k);
  const sizes = new Int32Array(k);
  for (let i = 0; i < count; i++) sizes[assignment[i]]++;
  if (sizes.filter((s) => s > 0).length < 2) {
    throw new RangeError("silhouette needs at least 2 non-empty clusters");
  }
  const requested = options.method ?? "auto";
  let method: "table" | "pairwise" = requested === "pairwise" ? "pairwise" : "table";
  let ranges: ValueRanges | undefined;
  if (method === "table") {
    ranges = valueRanges(points.values, points.count, points.dim);
    if (ranges.total * k > SILHOUETTE_TABLE_LIMIT && requested === "auto") method = "pairwise";
  }
  const sums = method === "table"
    ? await clusterSumsByTable(
      points,
      assignment,
      k,
      ranges!,
      options.workers ?? defaultWorkerCount(),
      options.parallelThreshold ?? 2 ** 24,
    )
    : await clusterSumsPairwise(points, assignment, k, options);
  const samples = new Float64Array(count);
  const clusterTotals = new Float64Array(k);
  let total = 0;
  for (let i = 0; i < count; i++) {
    const own = assignment[i];
    let s = 0;
    if (sizes[own] > 1) {
      const a = sums[i * k + own] / (sizes[own] - 1);
      let b = Infinity;
      for (let c = 0; c < k; c++) {
        if (c === own || sizes[c] === 0) continue;
        const mean = sums[i * k + c] / sizes[c];
        if (mean < b) b = mean;
      }
      const scale = a > b ? a : b;
      s = scale > 0 ? (b - a) / scale : 0;
    }
    samples[i] = s;
    clusterTotals[own] += s;
    total += s;
  }
  const clusters = new Float64Array(k);
  for (let c = 0; c < k; c++) clusters[c] = sizes[c] > 0 ? clusterTotals[c] / sizes[c] : NaN;
  return {
    samples,
    clusters,
    overall: total / count,
    sizes,
    method,
    seconds: (performance.now() - started) / 1000,
  };
}
