/**
 * Evaluation of a partition in one space (for the `cluster` tool: always pixel space): each
 * cluster's coordinate-wise median, the objective Σ L1 to those medians, and the exact L1 silhouette.
 * @module
 */
import { partitionMedians } from "./median.ts";
import type { PointSet, PointValues } from "./points.ts";
import { silhouetteL1, type SilhouetteMethod, type SilhouetteResult } from "./silhouette.ts";

/** Options for {@linkcode evaluatePartition}. */
export interface EvaluatePartitionOptions {
  /** Number of clusters; labels are `0..k-1`. Default: 1 + the largest label. */
  k?: number;
  /** Silhouette method (see `silhouetteL1`). Default `"auto"`. */
  silhouetteMethod?: SilhouetteMethod;
}

/** A partition's medians, objective and silhouette. */
export interface PartitionEvaluation {
  /** Points per cluster. */
  sizes: Int32Array;
  /** `k * dim` medians (lower coordinate-wise medians; zeros for empty clusters). */
  medians: PointValues;
  /** Σ L1 from each point to its cluster's median. */
  objective: number;
  /** Exact L1 silhouette. */
  silhouette: SilhouetteResult;
  /** Seconds for the medians and objective. */
  mediansSeconds: number;
}

/** Evaluates the partition `assignment` of `points` (medians, objective, exact silhouette). */
export async function evaluatePartition(
  points: PointSet,
  assignment: ArrayLike<number>,
  options: EvaluatePartitionOptions = {},
): Promise<PartitionEvaluation> {
  const started = performance.now();
  const medians = partitionMedians(points, assignment, { k: options.k });
  const mediansSeconds = (performance.now() - started) / 1000;
  const silhouette = await silhouetteL1(points, assignment, {
    k: medians.sizes.length,
    method: options.silhouetteMethod,
  });
  return {
    sizes: medians.sizes,
    medians: medians.medians,
    objective: medians.objective,
    silhouette,
    mediansSeconds,
  };
}
