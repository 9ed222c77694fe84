/**
 * Clustering under the L1 distance: k-medians, exact coordinate-wise medians, the exact L1 silhouette,
 * partition agreement, and the `cluster` tool's configuration and output files.
 *
 * @example k-medians on two obvious groups, evaluated in the same space
 * ```ts
 * import assert from "node:assert/strict";
 * import { evaluatePartition, kMedians } from "./mod.ts";
 *
 * const points = { count: 6, dim: 2, values: Uint8Array.of(0, 0, 1, 1, 2, 0, 200, 200, 201, 199, 199, 200) };
 * const result = await kMedians(points, { k: 2, seed: 0 });
 * assert.equal(new Set(result.assignment.subarray(0, 3)).size, 1);
 * assert.notEqual(result.assignment[0], result.assignment[3]);
 * const evaluation = await evaluatePartition(points, result.assignment);
 * assert.equal(evaluation.objective, result.objective);
 * assert.ok(evaluation.silhouette.overall > 0.9);
 * ```
 * @module
 */
export {
  checkAssignment,
  type PointSet,
  pointsFromImages,
  pointsFromLatent,
  type PointValues,
  selectPoints,
} from "./points.ts";
export {
  lowerMedian,
  type PartitionMedians,
  partitionMedians,
  type PartitionMediansOptions,
} from "./median.ts";
export {
  assignToMedians,
  type AssignToMediansOptions,
  defaultSeedingCandidates,
  kMedians,
  type KMediansIteration,
  type KMediansOptions,
  type KMediansResult,
  type NearestMedians,
} from "./kmedians.ts";
export {
  SILHOUETTE_TABLE_LIMIT,
  silhouetteL1,
  type SilhouetteMethod,
  type SilhouetteOptions,
  type SilhouetteResult,
} from "./silhouette.ts";
export { evaluatePartition, type EvaluatePartitionOptions, type PartitionEvaluation } from "./evaluate.ts";
export { adjustedRandIndex, type Contingency, contingencyTable, purity } from "./agreement.ts";
export {
  CLUSTER_CONFIG_DEFAULTS,
  type ClusterConfig,
  formatClusterConfig,
  parseClusterConfig,
  type ParseClusterConfigOptions,
  readClusterConfig,
} from "./config.ts";
export {
  type ClusterLine,
  type ClusterOutput,
  type ClusterSection,
  formatClusterOutput,
  formatClusterSection,
  parseClusterOutput,
  readClusterOutput,
  SECTION_TITLES,
  type SectionTitle,
} from "./output.ts";
