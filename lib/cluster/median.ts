/**
 * Exact coordinate-wise medians of a partition, and the k-medians objective (Σ L1 from each point to
 * its cluster's median).
 *
 * **Median definition:** the median of m values is the lower median, the value of rank ⌊(m−1)/2⌋
 * (0-based) in sorted order. For even m every value between the two middle values minimises Σ|x − μ|,
 * so the objective is exactly the one a "mean of the two middle values" median gives, and medians stay
 * integers of the data's own type. uint8 points use 256-bin histograms per coordinate (linear time);
 * int16 points use quickselect (expected linear time).
 * @module
 */
import { createMedianTracker, selectRank } from "./_medians.ts";
import { checkAssignment, type PointSet, type PointValues } from "./points.ts";

/** Options for {@linkcode partitionMedians}. */
export interface PartitionMediansOptions {
  /** Number of clusters; labels are `0..k-1`. Default: 1 + the largest label. */
  k?: number;
}

/** The medians of a partition and its objective. */
export interface PartitionMedians {
  /** `k * dim` values: cluster c's median at `[c*dim, (c+1)*dim)`; zeros for an empty cluster. */
  medians: PointValues;
  /** Number of points per cluster. */
  sizes: Int32Array;
  /** Σ over clusters of {@linkcode clusterObjectives} (exact integer, as a number). */
  objective: number;
  /** Per cluster: Σ L1 from its members to its median. */
  clusterObjectives: Float64Array;
}

/** Computes each cluster's coordinate-wise (lower) median and the objective of the partition. */
export function partitionMedians(
  points: PointSet,
  assignment: ArrayLike<number>,
  options: PartitionMediansOptions = {},
): PartitionMedians {
  let k = options.k ?? 0;
  if (options.k === undefined) {
    for (let i = 0; i < assignment.length; i++) k = Math.max(k, assignment[i] + 1);
  }
  checkAssignment(assignment, points.count, k);
  const tracker = createMedianTracker(points, k);
  const all = new Int32Array(points.count);
  for (let i = 0; i < points.count; i++) all[i] = i;
  tracker.moveAll(all, new Int32Array(points.count).fill(-1), Int32Array.from(assignment), points.count);
  const medians = points.values instanceof Uint8Array
    ? new Uint8Array(k * points.dim)
    : new Int16Array(k * points.dim);
  const sizes = new Int32Array(k);
  const clusterObjectives = new Float64Array(k);
  let objective = 0;
  for (let c = 0; c < k; c++) {
    sizes[c] = tracker.size(c);
    clusterObjectives[c] = tracker.update(c, medians);
    objective += clusterObjectives[c];
  }
  return { medians, sizes, objective, clusterObjectives };
}

/** The lower median (rank ⌊(m−1)/2⌋) of a non-empty list of numbers; does not modify the input. */
export function lowerMedian(values: ArrayLike<number>): number {
  if (values.length === 0) throw new RangeError("lowerMedian: no values");
  const copy = Float64Array.from(values);
  return selectRank(copy, copy.length, (copy.length - 1) >> 1);
}
