/**
 * Internal: the L1 distance backend of the clustering code. All distances from a few query vectors
 * (medians, seeding candidates, silhouette blocks) to every point of one fixed point set, through the
 * project's L1 kernels: the parallel engine (WebAssembly SIMD, Workers on shared memory) for large
 * sets, the single-thread SIMD kernel for small ones (no Worker start-up cost).
 * @module
 */
import { createL1Engine, l1DistanceBlock } from "../simd/mod.ts";
import { defaultWorkerCount } from "../util/worker_pool.ts";
import type { PointSet, PointValues } from "./points.ts";

/** Distances from query vectors to all points of one set. */
export interface DistanceBackend {
  /** Number of points in the set. */
  readonly count: number;
  /** `out[q * count + j]` = L1 distance between query `q` and point `j` (exact integers). */
  distances(queries: PointValues): Promise<Uint32Array>;
  /** Releases Workers and memory. */
  close(): void;
}

/** Options for {@linkcode createDistanceBackend}. */
export interface DistanceBackendOptions {
  /**
   * Worker threads of the engine; 0 = compute on the calling thread. Default: `defaultWorkerCount()`
   * (all cores), or 0 for small sets.
   */
  workers?: number;
}

/** Sets with fewer values than this use the calling thread by default. */
const SMALL_SET_VALUES = 1 << 20;

/** Creates the distance backend for `points`. */
export async function createDistanceBackend(
  points: PointSet,
  options: DistanceBackendOptions = {},
): Promise<DistanceBackend> {
  const { values, dim, count } = points;
  const workers = options.workers ?? (values.length < SMALL_SET_VALUES ? 0 : defaultWorkerCount());
  if (workers === 0) {
    return {
      count,
      distances(queries: PointValues): Promise<Uint32Array> {
        return Promise.resolve(l1DistanceBlock(queries, values, dim));
      },
      close() {},
    };
  }
  const engine = await createL1Engine(values, dim, { workers });
  return {
    count,
    distances: (queries: PointValues) => engine.distances(queries),
    close: () => engine.close(),
  };
}
