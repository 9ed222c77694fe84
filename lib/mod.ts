/**
 * latentlab's public API: one import for notebooks and scripts, with what a notebook author needs
 * (data, the four tasks, displays with intervals, parameters) and none of the internals. Each folder's
 * own entry point (`lib/<folder>/mod.ts`) has more of its folder; the notebook platform (headless
 * execution, HTML reports, kernelspec) is `lib/notebook/mod.ts`.
 *
 * - data: IDX files, named data sets (`mnist-sample` built in), classes files, the latent-file scale,
 *   latent vectors as Parquet, task A's output paths, the random-projection stand-in
 * - A (nn): TensorFlow.js backend, conv autoencoder, training (data-parallel, schedules, per-data-set
 *   recipes), the sweep, latent files, classifier, figures
 * - B (search): exact L1 k-NN (WebAssembly SIMD, Workers), LSH, the three-way comparison, Python peers
 * - C (emd): signatures, HiGHS and the fast exact solver, lower bounds, pruned k-NN, correctness
 * - D (cluster): k-medians, exact medians and silhouette, partition evaluation and agreement
 * - notebooks: parameters, tables, figures, image grids, progress, 95 % intervals
 *
 * @example A new notebook's first cells (kept off the file system here)
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatInterval, imageAt, imageGridPng, notebookParams, wilsonInterval } from "./mod.ts";
 *
 * const params = notebookParams({ images: 2 }, { env: { LATENTLAB_IMAGES: "1" } });
 * const train = { count: 2, rows: 28, cols: 28, pixels: new Uint8Array(2 * 784).fill(9) };
 * const grid = imageGridPng(Array.from({ length: params.images }, (_, i) => imageAt(train, i)));
 * assert.ok(grid.length > 0);
 * assert.equal(formatInterval(wilsonInterval(9, 10)), "0.900 [0.596, 0.982] (n=10)");
 * ```
 * @module
 */

// Errors, files, randomness.
export { InputError } from "./errors.ts";
export { writeFileAtomic } from "./io/atomic.ts";
export { createRandom, type Random, seededPermutation } from "./util/random.ts";
export { PROJECT_ROOT } from "./util/project_root.ts";

// Data.
export {
  applyLatentScale,
  assignmentFromClasses,
  type ClassesFile,
  classesFromAssignment,
  type DatasetFiles,
  datasetFilesIn,
  datasetSlug,
  fitLatentScale,
  type ImageSet,
  invertLatentScale,
  LATENT_SCALE,
  latentDataFrame,
  latentFileToParquet,
  latentParquetPath,
  type LatentScale,
  type LatentSet,
  parseClassesFile,
  type RandomProjectionLatent,
  randomProjectionLatent,
  randomProjectionLatentSet,
  type RandomProjectionOptions,
  type RandomProjectionSetOptions,
  readClassesFile,
  readImages,
  type ReadImagesOptions,
  readLabels,
  readLatent,
  resolveDataset,
  type ResolveDatasetOptions,
  type TaskAPaths,
  taskAPaths,
  toLatentSet,
  writeClassesFile,
  writeImages,
  writeLabels,
  writeLatent,
  writeLatentParquet,
} from "./data/mod.ts";

// Statistics.
export {
  bootstrapMeanInterval,
  type BootstrapOptions,
  formatInterval,
  type Interval,
  wilsonInterval,
  type WilsonOptions,
} from "./stats/mod.ts";

// Notebooks: parameters and displays.
export {
  type CommonParams,
  notebookParams,
  type NotebookParamsOptions,
  type ParamValue,
} from "./notebook/mod.ts";
export {
  chromiumAvailable,
  createFigureExporter,
  createProgress,
  type DataFrame,
  display,
  type DisplayBundle,
  type Figure,
  type FigureExporter,
  imageAt,
  type ImageGridOptions,
  imageGridPng,
  inJupyter,
  type PlotlyBundleOptions,
  type Progress,
  type ProgressOptions,
  showFigure,
  showImageGrid,
  showPlotlyJs,
  showTable,
  showText,
  tableHtml,
  type TableOptions,
  tableText,
  writeTable,
  type WrittenTable,
} from "./report/mod.ts";

// A: autoencoder, sweep, training recipes, latent files, classifier.
export {
  applyRecipeOverrides,
  Autoencoder,
  type AutoencoderConfig,
  type AutoencoderRecipe,
  type BackendInfo,
  type BackendName,
  chooseBestConfig,
  Classifier,
  type ClassifierConfig,
  classifierConfigFromRecipe,
  type ClassifierRecipe,
  confusionMatrix,
  DEFAULT_ARCHITECTURE,
  DEFAULT_SHARDS,
  type EpochRecord,
  evaluateModel,
  findBestModel,
  type FindBestModelOptions,
  formatConfusionMatrix,
  type ImageView,
  initBackend,
  type InitBackendOptions,
  LATENT_DIMS,
  type LatentEncoder,
  latentModelConfig,
  type LatentModelEntry,
  type LatentModelsOptions,
  listModels,
  type ListModelsOptions,
  MAX_RELATIVE_GAP,
  type ModelEntry,
  MODELS_FOLDER,
  type Pca2d,
  pca2d,
  type PredictOptions,
  QUICK_CONFIG,
  quickTrain,
  type QuickTrainOptions,
  type RecipeOverrides,
  type ReducedSets,
  reduceImages,
  resolveAutoencoderConfig,
  runSweep,
  SCHEDULE_NAMES,
  type ScheduleName,
  type SweepOptions,
  type SweepResult,
  type SweepRow,
  sweepTable,
  testTimeViews,
  type TrainingData,
  type TrainingRecipe,
  trainingRecipe,
  trainingWorkerCount,
  trainLatentModels,
  trainModel,
  type TrainResult,
} from "./nn/mod.ts";
export {
  configLabel,
  confusionHeatmapFigure,
  type LatentFilesReport,
  latentScatterFigure,
  lossByLatentDimFigure,
  lossCurvesFigure,
  sweepGrid,
  type SweepSize,
  toPixels,
  writeLatentFiles,
} from "./nn/notebook_a.ts";

// B: search.
export { createL1Engine, type KnnResult, type L1Engine, type L1EngineOptions } from "./simd/mod.ts";
export {
  type ApproximationStats,
  approximationStats,
  buildExactIndex,
  buildLshIndex,
  buildParallelLshIndex,
  compareSearches,
  type ComparisonResult,
  defaultLshCandidates,
  type ExactIndex,
  type FaissPeerResult,
  formatQueryBlock,
  formatSummary,
  knnPeersAvailable,
  type KnnPeersResult,
  type LshIndex,
  type LshOptions,
  type LshSearchOptions,
  type LshSearchResult,
  type ParallelLshIndex,
  parseSearchOutput,
  type PynndescentPeerResult,
  runKnnPeers,
  type SearchOutput,
  type TimedLshResult,
  type TimedLshSetting,
  timeLshSearches,
} from "./search/mod.ts";

// C: Earth Mover's Distance.
export {
  boundProfilesOf,
  centroidBound,
  createHighsEmdSolver,
  createTransportSolver,
  emdKnn,
  type EmdKnnOptions,
  type EmdKnnResult,
  formatSearchEmdOutput,
  groundDistanceMatrix,
  type HighsEmdSolver,
  type KnnCorrectness,
  knnCorrectness,
  type KnnCorrectnessOptions,
  offsetDistanceTable,
  parseSearchEmdOutput,
  projectionBound,
  type SearchEmdReport,
  type Signature,
  signatureAt,
  signatureOf,
  type SignatureSet,
  signatureSetOf,
  type TransportSolver,
  WINDOW_SIDES,
  windowGrid,
} from "./emd/mod.ts";

// D: clustering.
export {
  adjustedRandIndex,
  type ClusterConfig,
  type ClusterOutput,
  contingencyTable,
  evaluatePartition,
  kMedians,
  type KMediansOptions,
  type KMediansResult,
  lowerMedian,
  parseClusterConfig,
  parseClusterOutput,
  type PartitionEvaluation,
  type PartitionMedians,
  partitionMedians,
  type PointSet,
  pointsFromImages,
  pointsFromLatent,
  purity,
  readClusterConfig,
  readClusterOutput,
  selectPoints,
  silhouetteL1,
  type SilhouetteResult,
} from "./cluster/mod.ts";
