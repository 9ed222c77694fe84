/**
 * k-medians under the L1 (Manhattan) distance.
 *
 * - **Seeding** (k-means++ style, seeded RNG): the first median is a uniformly drawn point; each next
 *   one is drawn with probability ∝ D(x), the L1 distance from x to its nearest chosen median (D¹, not
 *   D²: for the L1 objective D¹ plays the role D² plays for squared Euclidean k-means). "Greedy"
 *   variant as in scikit-learn: `candidates` points are drawn per step and the one that lowers
 *   Σ D the most is kept (default 2 + ⌊ln k⌋).
 * - **Lloyd iterations**: assign every point to its nearest median (ties → smallest cluster index),
 *   repair empty clusters (each empty cluster takes the point farthest from its median, among points
 *   whose cluster keeps at least one other member), then set each cluster's median to its exact
 *   coordinate-wise lower median (see `median.ts`).
 * - **Stop** when no point changes cluster, when the objective improved by less than `tolerance`
 *   (relative, default 1e-5) in one iteration, or after `maxIterations` (default 100).
 *
 * The objective after each iteration (Σ L1 from each point to its cluster's median) never increases:
 * assignment to the nearest median, moving a farthest point into an empty cluster (its distance
 * becomes 0) and the median update each can only lower it.
 * @module
 */
import { createRandom, type Random } from "../util/random.ts";
import { createDistanceBackend, type DistanceBackend } from "./_distance.ts";
import { createMedianTracker } from "./_medians.ts";
import type { PointSet, PointValues } from "./points.ts";

/** Options for {@linkcode kMedians}. */
export interface KMediansOptions {
  /** Number of clusters, 1 ≤ k ≤ number of points. Required. */
  k: number;
  /** Largest number of Lloyd iterations. Default 100. */
  maxIterations?: number;
  /** Stop when (previous − current) / previous objective < tolerance. Default 1e-5. */
  tolerance?: number;
  /** Seed of the random generator used by the seeding. Default 0. */
  seed?: number;
  /** Candidates drawn per seeding step (greedy k-means++). Default 2 + ⌊ln k⌋. */
  candidates?: number;
  /** Start from these `k * dim` medians instead of seeding (same element type as the points). */
  initialMedians?: PointValues;
  /** Worker threads for the distance engine. Default `defaultWorkerCount()` (all cores; 0 for small sets). */
  workers?: number;
  /** Called after every iteration (for progress output). */
  onIteration?: (step: KMediansIteration) => void;
}

/** One Lloyd iteration in the history of a run. */
export interface KMediansIteration {
  /** 1-based iteration number. */
  iteration: number;
  /** Objective after this iteration's median update. */
  objective: number;
  /** Points that changed cluster in this iteration's assignment (all points in iteration 1). */
  changed: number;
  /** Empty clusters repaired in this iteration. */
  repaired: number;
  /** Seconds since the start of the run. */
  seconds: number;
}

/** Result of {@linkcode kMedians}. */
export interface KMediansResult {
  /** Cluster (0..k-1) of every point. */
  assignment: Int32Array;
  /** `k * dim` medians (lower coordinate-wise medians of the final clusters), same type as the points. */
  medians: PointValues;
  /** Points per cluster. */
  sizes: Int32Array;
  /** Σ L1 from each point to its cluster's median, in the space that was clustered. */
  objective: number;
  /** Iterations run. */
  iterations: number;
  /** True when it stopped on "no change" or the tolerance, false when it hit `maxIterations`. */
  converged: boolean;
  /** Per-iteration objective, changes, repairs and time. */
  history: KMediansIteration[];
  /** Wall-clock seconds of the whole run (engine start, seeding and iterations). */
  seconds: number;
  /** Seconds spent seeding (0 with `initialMedians`). */
  seedingSeconds: number;
  /** The seed used. */
  seed: number;
}

function allocateLike(values: PointValues, length: number): PointValues {
  return values instanceof Uint8Array ? new Uint8Array(length) : new Int16Array(length);
}

/** Default number of greedy seeding candidates for k clusters: 2 + ⌊ln k⌋ (as scikit-learn). */
export function defaultSeedingCandidates(k: number): number {
  return 2 + Math.floor(Math.log(k));
}

function drawProportional(random: Random, weights: Float64Array, total: number): number {
  const n = weights.length;
  if (!(total > 0)) return random.int(n);
  const target = random.next() * total;
  let cumulative = 0;
  for (let i = 0; i < n; i++) {
    cumulative += weights[i];
    if (cumulative > target) return i;
  }
  for (let i = n - 1; i >= 0; i--) if (weights[i] > 0) return i; // rounding guard
  return n - 1;
}

async function seedMedians(
  points: PointSet,
  backend: DistanceBackend,
  k: number,
  candidates: number,
  random: Random,
): Promise<PointValues> {
  const { dim, count, values } = points;
  const medians = allocateLike(values, k * dim);
  const first = random.int(count);
  medians.set(values.subarray(first * dim, (first + 1) * dim), 0);
  const nearest = new Float64Array(count);
  const firstDistances = await backend.distances(medians.subarray(0, dim));
  for (let i = 0; i < count; i++) nearest[i] = firstDistances[i];
  const queries = allocateLike(values, candidates * dim);
  for (let c = 1; c < k; c++) {
    let total = 0;
    for (let i = 0; i < count; i++) total += nearest[i];
    const chosen: number[] = [];
    for (let l = 0; l < candidates; l++) {
      const i = drawProportional(random, nearest, total);
      chosen.push(i);
      queries.set(values.subarray(i * dim, (i + 1) * dim), l * dim);
    }
    const distances = await backend.distances(queries.subarray(0, candidates * dim));
    let best = 0;
    let bestPotential = Infinity;
    for (let l = 0; l < candidates; l++) {
      let potential = 0;
      const row = l * count;
      for (let i = 0; i < count; i++) {
        const d = distances[row + i];
        potential += d < nearest[i] ? d : nearest[i];
      }
      if (potential < bestPotential) {
        bestPotential = potential;
        best = l;
      }
    }
    const row = best * count;
    for (let i = 0; i < count; i++) if (distances[row + i] < nearest[i]) nearest[i] = distances[row + i];
    const point = chosen[best];
    medians.set(values.subarray(point * dim, (point + 1) * dim), c * dim);
  }
  return medians;
}

/** The nearest median of every point and the distance to it. */
export interface NearestMedians {
  /** Index of the nearest median (ties → smallest index). */
  assignment: Int32Array;
  /** L1 distance to it. */
  distances: Uint32Array;
}

function nearestFromDistances(distances: Uint32Array, k: number, count: number): NearestMedians {
  const assignment = new Int32Array(count);
  const best = distances.slice(0, count);
  for (let c = 1; c < k; c++) {
    const row = c * count;
    for (let i = 0; i < count; i++) {
      const d = distances[row + i];
      if (d < best[i]) {
        best[i] = d;
        assignment[i] = c;
      }
    }
  }
  return { assignment, distances: best };
}

/** Options for {@linkcode assignToMedians}. */
export interface AssignToMediansOptions {
  /** Worker threads for the distance engine. Default `defaultWorkerCount()` (all cores; 0 for small sets). */
  workers?: number;
}

/** Assigns every point to its nearest median (`medians`: `k * dim` values of the points' type). */
export async function assignToMedians(
  points: PointSet,
  medians: PointValues,
  options: AssignToMediansOptions = {},
): Promise<NearestMedians> {
  const k = medians.length / points.dim;
  if (!Number.isInteger(k) || k < 1) {
    throw new RangeError(`medians hold ${medians.length} values, dim ${points.dim}`);
  }
  const backend = await createDistanceBackend(points, { workers: options.workers });
  try {
    return nearestFromDistances(await backend.distances(medians), k, points.count);
  } finally {
    backend.close();
  }
}

/**
 * Clusters `points` into `options.k` clusters with k-medians under L1 (see the module documentation
 * for seeding, empty-cluster repair, median definition and stopping rule).
 */
export async function kMedians(points: PointSet, options: KMediansOptions): Promise<KMediansResult> {
  const started = performance.now();
  const { count, dim, values } = points;
  const k = options.k;
  if (!Number.isInteger(k) || k < 1 || k > count) {
    throw new RangeError(`k = ${k} must be an integer in 1..${count} (the number of points)`);
  }
  const maxIterations = options.maxIterations ?? 100;
  if (!Number.isInteger(maxIterations) || maxIterations < 1) {
    throw new RangeError(`maxIterations = ${maxIterations} must be a positive integer`);
  }
  const tolerance = options.tolerance ?? 1e-5;
  const seed = options.seed ?? 0;
  const candidates = options.candidates ?? defaultSeedingCandidates(k);
  const backend = await createDistanceBackend(points, { workers: options.workers });
  try {
    let medians: PointValues;
    let seedingSeconds = 0;
    if (options.initialMedians) {
      if (
        options.initialMedians.length !== k * dim || options.initialMedians.constructor !== values.constructor
      ) {
        throw new RangeError(`initialMedians must be ${k} x ${dim} values of the points' type`);
      }
      medians = options.initialMedians.slice();
    } else {
      const seedingStart = performance.now();
      medians = await seedMedians(points, backend, k, candidates, createRandom(seed));
      seedingSeconds = (performance.now() - seedingStart) / 1000;
    }
    const tracker = createMedianTracker(points, k);
    const assignment = new Int32Array(count).fill(-1);
    const clusterObjectives = new Float64Array(k);
    const dirty = new Uint8Array(k);
    const sizes = new Int32Array(k);
    const movedPoints = new Int32Array(count);
    const movedFrom = new Int32Array(count);
    const movedTo = new Int32Array(count);
    const history: KMediansIteration[] = [];
    let previous = Infinity;
    let converged = false;
    let objective = Infinity;
    for (let iteration = 1; iteration <= maxIterations; iteration++) {
      const nearest = nearestFromDistances(await backend.distances(medians), k, count);
      const labels = nearest.assignment;
      sizes.fill(0);
      for (let i = 0; i < count; i++) sizes[labels[i]]++;
      let repaired = 0;
      for (let c = 0; c < k; c++) {
        if (sizes[c] > 0) continue;
        let far = -1;
        for (let i = 0; i < count; i++) {
          if (sizes[labels[i]] > 1 && (far < 0 || nearest.distances[i] > nearest.distances[far])) far = i;
        }
        sizes[labels[far]]--;
        labels[far] = c;
        nearest.distances[far] = 0;
        sizes[c] = 1;
        repaired++;
      }
      let changed = 0;
      dirty.fill(0);
      for (let i = 0; i < count; i++) {
        const from = assignment[i];
        const to = labels[i];
        if (from === to) continue;
        movedPoints[changed] = i;
        movedFrom[changed] = from;
        movedTo[changed] = to;
        if (from >= 0) dirty[from] = 1;
        dirty[to] = 1;
        assignment[i] = to;
        changed++;
      }
      tracker.moveAll(movedPoints, movedFrom, movedTo, changed);
      objective = 0;
      for (let c = 0; c < k; c++) {
        if (dirty[c]) clusterObjectives[c] = tracker.update(c, medians);
        objective += clusterObjectives[c];
      }
      const step = {
        iteration,
        objective,
        changed,
        repaired,
        seconds: (performance.now() - started) / 1000,
      };
      history.push(step);
      options.onIteration?.(step);
      if (changed === 0 || previous === 0 || (previous - objective) < tolerance * previous) {
        converged = true;
        break;
      }
      previous = objective;
    }
    return {
      assignment,
      medians,
      sizes,
      objective,
      iterations: history.length,
      converged,
      history,
      seconds: (performance.now() - started) / 1000,
      seedingSeconds,
      seed,
    };
  } finally {
    backend.close();
  }
}
