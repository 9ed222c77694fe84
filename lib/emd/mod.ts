/**
 * Earth Mover's Distance between images (task C).
 *
 * - {@linkcode signatureSetOf} / {@linkcode signatureOf}: window signatures (mass 1, window centres).
 * - {@linkcode groundDistanceMatrix}: Euclidean ground distances between window centres, in pixels.
 * - {@linkcode createHighsEmdSolver}: the reference EMD, a linear program solved by HiGHS.
 * - {@linkcode createTransportSolver}: the fast exact solver (network simplex, exact integer flows).
 * - {@linkcode boundProfilesOf}, {@linkcode centroidBound}, {@linkcode projectionBound}: lower bounds.
 * - {@linkcode emdKnn}: exact pruned k-NN over Workers.
 * - {@linkcode knnCorrectness}: task C's evaluation of a k-NN search (label correctness, 95 % intervals).
 * - {@linkcode formatSearchEmdOutput} / {@linkcode parseSearchEmdOutput}: the `search_emd` report.
 *
 * ```ts
 * const data = signatureSetOf(images, { window: 4 });
 * const solver = createTransportSolver(data.grid);
 * const emd = solver.emd(signatureAt(data, 0), signatureAt(data, 1));
 * ```
 * @module
 */
export {
  binCol,
  binRow,
  firstZeroImage,
  type Signature,
  signatureAt,
  signatureOf,
  type SignatureOptions,
  type SignatureSet,
  signatureSetOf,
  type SignatureSetOptions,
  weightsOf,
  WINDOW_SIDES,
  type WindowGrid,
  windowGrid,
  ZeroMassError,
} from "./signature.ts";
export {
  groundDistance,
  groundDistanceMatrix,
  type GroundDistanceOptions,
  offsetDistanceTable,
} from "./ground.ts";
export {
  createHighsEmdSolver,
  emdLinearProgram,
  type EmdSolution,
  type Highs,
  type HighsEmdSolver,
  type HighsEmdSolverOptions,
  modelStatusName,
  type TransportProblem,
  transportProblemOf,
} from "./highs_emd.ts";
export {
  createTransportSolver,
  type TransportSolver,
  type TransportSolverOptions,
  type TransportStats,
} from "./transport.ts";
export {
  BOUND_SLACK,
  type BoundKind,
  type BoundOperand,
  type BoundProfileOptions,
  type BoundProfiles,
  boundProfilesOf,
  boundsToAll,
  type BoundsToAllOptions,
  centroidBound,
  centroidOf,
  DEFAULT_DIRECTIONS,
  projectionBound,
  type ProjectionBoundOptions,
} from "./bounds.ts";
export {
  createSearchContext,
  distancesToAll,
  emdKnn,
  type EmdKnnOptions,
  type EmdKnnResult,
  type EmdQueryResult,
  type EmdSearchContext,
  type EmdSolverKind,
  type SearchContextOptions,
  searchQuery,
} from "./knn.ts";
export { knnCorrectness, type KnnCorrectness, type KnnCorrectnessOptions } from "./correctness.ts";
export { formatSearchEmdOutput, parseSearchEmdOutput, type Range, type SearchEmdReport } from "./output.ts";
