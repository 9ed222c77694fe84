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
 * @example The EMD between two 4×4 images (windows of side 2), and task C's correctness
 * ```ts
 * import assert from "node:assert/strict";
 * import { createTransportSolver, knnCorrectness, signatureAt, signatureSetOf } from "./mod.ts";
 *
 * const pixels = new Uint8Array(2 * 16);
 * pixels[0] = 255; // image 0: all its mass in the top-left window
 * pixels[16 + 15] = 255; // image 1: all its mass in the bottom-right window
 * const data = signatureSetOf({ count: 2, rows: 4, cols: 4, pixels }, { window: 2 });
 * const solver = createTransportSolver(data.grid);
 * // The mass moves between window centres (1, 1) and (3, 3): a distance of 2·√2 pixels.
 * assert.ok(Math.abs(solver.emd(signatureAt(data, 0), signatureAt(data, 1)) - 2 * Math.SQRT2) < 1e-9);
 *
 * // One query (label 3) whose two neighbours have labels 3 and 5: correctness 0.5.
 * const score = knnCorrectness([0, 1], { k: 2, dataLabels: [3, 5], queryLabels: [3] });
 * assert.equal(score.bootstrap.estimate, 0.5);
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
export { type KnnCorrectness, knnCorrectness, type KnnCorrectnessOptions } from "./correctness.ts";
export { formatSearchEmdOutput, parseSearchEmdOutput, type Range, type SearchEmdReport } from "./output.ts";
