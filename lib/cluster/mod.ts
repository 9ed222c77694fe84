/**
 * Clustering under the L1 distance: k-medians, exact coordinate-wise medians, the exact L1 silhouette,
 * partition agreement, and the `cluster` tool's configuration and output files.
 *
 * ```ts
 * const result = await kMedians(pointsFromImages(images), { k: 10, seed: 0 });
 * const { objective, silhouette } = await evaluatePartition(pointsFromImages(images), result.assignment);
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
