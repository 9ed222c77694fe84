/**
 * Exact k-nearest-neighbour search under the EMD, with lower-bound pruning.
 *
 * For each query: compute a lower bound to every data image (see `bounds.ts`), visit candidates in
 * increasing-bound order, solve the EMD of each visited candidate, and stop as soon as the next bound
 * (times `1 - BOUND_SLACK`) is not below the current k-th best EMD: no later candidate can enter the
 * k nearest, so the result equals brute force (up to ties at the k-th distance). Neighbours are ordered
 * by EMD, ties by lower index. Queries are spread over Workers (one query at a time, both cores busy).
 * @module
 */
import { BOUND_SLACK, type BoundKind, type BoundProfiles, boundProfilesOf, boundsToAll } from "./bounds.ts";
import { createHighsEmdSolver, type HighsEmdSolver } from "./highs_emd.ts";
import { offsetDistanceTable } from "./ground.ts";
import { signatureAt, type SignatureSet } from "./signature.ts";
import { createTransportSolver, type TransportSolver } from "./transport.ts";
import { createWorkerPool, defaultWorkerCount, sharedCopy } from "../util/worker_pool.ts";
import type { EmdKnnProtocol } from "./_knn_worker.ts";

/** Which exact solver computes each EMD. */
export type EmdSolverKind = "fast" | "highs";

/** The k nearest neighbours of one query. */
export interface EmdQueryResult {
  /** Data indices, nearest first (ties by lower index). */
  neighbours: Int32Array;
  /** Their EMDs. */
  distances: Float64Array;
  /** Number of EMDs solved for this query (the rest were pruned by the bound). */
  solved: number;
}

/** Everything one query's search needs (built once per process or Worker). */
export interface EmdSearchContext {
  /** Data signatures. */
  data: SignatureSet;
  /** Query signatures. */
  queries: SignatureSet;
  /** Bound profiles of the data (absent when `bound` is `"none"`). */
  dataBounds?: BoundProfiles;
  /** Bound profiles of the queries. */
  queryBounds?: BoundProfiles;
  /** Neighbours per query. */
  k: number;
  /** Bound used for pruning. */
  bound: BoundKind;
  /** The fast solver (used when `highs` is absent). */
  fast: TransportSolver;
  /** The HiGHS solver, when it is the one to use. */
  highs?: HighsEmdSolver;
  /** Scratch buffer for the cheap bounds. */
  scratch: Float64Array;
  /** Scratch buffer for the full bounds. */
  scratchFull: Float64Array;
  /** Scratch list of candidate indices. */
  candidates: Int32Array;
  /** Scratch marks (all zero between queries). */
  marks: Uint8Array;
}

/** Options for {@linkcode createSearchContext}. */
export interface SearchContextOptions {
  /** Neighbours per query. Default 10. */
  k?: number;
  /** Bound for pruning. Default `"projection"`. */
  bound?: BoundKind;
  /** Solver. Default `"fast"`. */
  solver?: EmdSolverKind;
  /** Precomputed bound profiles (e.g. shared with Workers). */
  dataBounds?: BoundProfiles;
  /** Precomputed query bound profiles. */
  queryBounds?: BoundProfiles;
}

/** Builds a search context in this thread (loads HiGHS when `solver` is `"highs"`). */
export async function createSearchContext(
  sets: { data: SignatureSet; queries: SignatureSet },
  options: SearchContextOptions = {},
): Promise<EmdSearchContext> {
  const bound = options.bound ?? "projection";
  const k = options.k ?? 10;
  if (!Number.isInteger(k) || k < 1 || k > sets.data.count) {
    throw new RangeError(`emd knn: k = ${k} must be in 1..${sets.data.count}`);
  }
  const grid = sets.data.grid;
  const needBounds = bound !== "none";
  return {
    data: sets.data,
    queries: sets.queries,
    dataBounds: needBounds ? options.dataBounds ?? boundProfilesOf(sets.data) : undefined,
    queryBounds: needBounds ? options.queryBounds ?? boundProfilesOf(sets.queries) : undefined,
    k,
    bound,
    fast: createTransportSolver(grid),
    highs: options.solver === "highs"
      ? await createHighsEmdSolver({ table: offsetDistanceTable(grid) })
      : undefined,
    scratch: new Float64Array(sets.data.count),
    scratchFull: new Float64Array(sets.data.count),
    candidates: new Int32Array(sets.data.count),
    marks: new Uint8Array(sets.data.count),
  };
}

function insertNeighbour(
  ids: Int32Array,
  dists: Float64Array,
  filled: number,
  k: number,
  id: number,
  d: number,
): number {
  // Keeps (dists, ids) sorted by distance then index; returns the new fill count.
  if (filled === k) {
    const lastD = dists[k - 1];
    if (d > lastD || (d === lastD && id > ids[k - 1])) return filled;
  } else {
    filled++;
  }
  let p = filled - 1;
  while (p > 0 && (dists[p - 1] > d || (dists[p - 1] === d && ids[p - 1] > id))) {
    dists[p] = dists[p - 1];
    ids[p] = ids[p - 1];
    p--;
  }
  dists[p] = d;
  ids[p] = id;
  return filled;
}

/**
 * The exact k nearest data images of query `q` under the EMD, with pruning. The bound is evaluated in
 * two stages: a cheap one (centroid and the two axis projections) for every image, then the full
 * bound only for the images that pass the cheap one; candidates are solved in increasing full-bound
 * order until the next bound reaches the k-th best EMD. The first k solves (the k smallest cheap
 * bounds) only seed the threshold.
 */
export async function searchQuery(context: EmdSearchContext, q: number): Promise<EmdQueryResult> {
  const { data, queries, k, fast, highs, bound } = context;
  const count = data.count;
  const query = signatureAt(queries, q);
  const keep = 1 - BOUND_SLACK;
  let solved = 0;
  const highsCost = async (j: number): Promise<number> =>
    (await highs!.solve(query, signatureAt(data, j))).cost;
  const ids = new Int32Array(k);
  const dists = new Float64Array(k).fill(Infinity);
  let filled = 0;
  // Stage 1: cheap bounds for every image.
  const cheap = context.scratch;
  const operand = { profiles: context.queryBounds!, index: q };
  if (bound === "none") cheap.fill(0, 0, count);
  else {boundsToAll(operand, context.dataBounds!, {
      kind: bound === "projection" ? "axes" : bound,
      out: cheap,
    });}
  // Seed the threshold with the k smallest cheap bounds (ties by index).
  const seeds = new Int32Array(k);
  const seedBounds = new Float64Array(k).fill(Infinity);
  let seeded = 0;
  for (let j = 0; j < count; j++) {
    if (seeded < k || cheap[j] < seedBounds[k - 1]) {
      seeded = insertNeighbour(seeds, seedBounds, seeded, k, j, cheap[j]);
    }
  }
  for (let t = 0; t < k; t++) {
    const j = seeds[t];
    const d = highs ? await highsCost(j) : fast.emd(query, signatureAt(data, j));
    solved++;
    filled = insertNeighbour(ids, dists, filled, k, j, d);
  }
  let threshold = dists[k - 1];
  // Stage 2: images that pass the cheap bound get the full bound.
  const isSeed = context.marks;
  for (let t = 0; t < k; t++) isSeed[seeds[t]] = 1;
  let candidateCount = 0;
  const candidates = context.candidates;
  for (let j = 0; j < count; j++) {
    if (cheap[j] * keep < threshold && isSeed[j] === 0) candidates[candidateCount++] = j;
  }
  for (let t = 0; t < k; t++) isSeed[seeds[t]] = 0;
  let order = candidates.subarray(0, candidateCount);
  let full = cheap;
  if (bound === "projection") {
    full = context.scratchFull;
    boundsToAll(operand, context.dataBounds!, { kind: "projection", out: full, only: order });
    let kept = 0;
    for (let t = 0; t < order.length; t++) if (full[order[t]] * keep < threshold) order[kept++] = order[t];
    order = order.subarray(0, kept);
  }
  // Stage 3: solve in increasing-bound order until the bound reaches the k-th best EMD. A binary heap
  // gives that order lazily (only the few hundred visited candidates are ever extracted).
  const heap = order;
  let size = heap.length;
  const less = (x: number, y: number) => full[x] < full[y] || (full[x] === full[y] && x < y);
  const siftDown = (start: number) => {
    let p = start;
    const item = heap[p];
    for (;;) {
      let child = 2 * p + 1;
      if (child >= size) break;
      if (child + 1 < size && less(heap[child + 1], heap[child])) child++;
      if (!less(heap[child], item)) break;
      heap[p] = heap[child];
      p = child;
    }
    heap[p] = item;
  };
  for (let p = (size >> 1) - 1; p >= 0; p--) siftDown(p);
  while (size > 0) {
    const j = heap[0];
    if (full[j] * keep >= threshold) break;
    heap[0] = heap[--size];
    siftDown(0);
    const d = highs ? await highsCost(j) : fast.emd(query, signatureAt(data, j));
    solved++;
    if (d <= threshold) {
      filled = insertNeighbour(ids, dists, filled, k, j, d);
      threshold = dists[k - 1];
    }
  }
  return { neighbours: ids, distances: dists, solved };
}

/** Brute force: the EMD from query `q` to every data image (reference for tests and benchmarks). */
export async function distancesToAll(context: EmdSearchContext, q: number): Promise<Float64Array> {
  const query = signatureAt(context.queries, q);
  const out = new Float64Array(context.data.count);
  for (let j = 0; j < out.length; j++) {
    out[j] = context.highs
      ? (await context.highs.solve(query, signatureAt(context.data, j))).cost
      : context.fast.emd(query, signatureAt(context.data, j));
  }
  return out;
}

/** Result of {@linkcode emdKnn}: `k` neighbours per query, row-major. */
export interface EmdKnnResult {
  /** Neighbours per query. */
  k: number;
  /** The query indices searched, in order. */
  queries: Int32Array;
  /** Data indices, `neighbours[t * k + r]` is the r-th neighbour of `queries[t]`. */
  neighbours: Int32Array;
  /** Their EMDs. */
  distances: Float64Array;
  /** EMDs solved per query. */
  solvedPerQuery: Int32Array;
  /** Total EMDs solved. */
  solved: number;
  /** Total candidate pairs skipped thanks to the lower bound. */
  pruned: number;
  /** Wall-clock milliseconds of the search (bounds, solves, Worker start-up excluded). */
  milliseconds: number;
  /** Number of Workers used (0: this thread). */
  workers: number;
}

/** Options for {@linkcode emdKnn}. */
export interface EmdKnnOptions extends SearchContextOptions {
  /** Worker count; 0 runs in this thread. Default `defaultWorkerCount()` (all cores). */
  workers?: number;
  /** Which queries to search (indices into the query set). Default: all. */
  queryIndices?: ArrayLike<number>;
  /** Called after each finished query with (done, total). */
  onProgress?: (done: number, total: number) => void;
}

function sharedSet(set: SignatureSet): SignatureSet {
  return {
    ...set,
    offsets: sharedCopy(set.offsets),
    bins: sharedCopy(set.bins),
    mass: sharedCopy(set.mass),
    totals: sharedCopy(set.totals),
  };
}

/** Exact EMD k-NN of the chosen queries against all data images, pruned, over Workers. */
export async function emdKnn(
  sets: { data: SignatureSet; queries: SignatureSet },
  options: EmdKnnOptions = {},
): Promise<EmdKnnResult> {
  const k = options.k ?? 10;
  const bound = options.bound ?? "projection";
  const solver = options.solver ?? "fast";
  const queryIndices = Int32Array.from(
    options.queryIndices ?? Array.from({ length: sets.queries.count }, (_, i) => i),
  );
  for (const q of queryIndices) {
    if (!(q >= 0 && q < sets.queries.count)) throw new RangeError(`emd knn: query index ${q} out of range`);
  }
  const total = queryIndices.length;
  const workerCount = Math.max(0, Math.floor(options.workers ?? defaultWorkerCount()));
  const neighbours = new Int32Array(total * k);
  const distances = new Float64Array(total * k);
  const solvedPerQuery = new Int32Array(total);
  let done = 0;
  const store = (slot: number, result: EmdQueryResult) => {
    neighbours.set(result.neighbours, slot * k);
    distances.set(result.distances, slot * k);
    solvedPerQuery[slot] = result.solved;
    done++;
    options.onProgress?.(done, total);
  };
  let milliseconds: number;
  if (workerCount === 0 || total === 0) {
    const context = await createSearchContext(sets, { ...options, k, bound, solver });
    const started = performance.now();
    for (let slot = 0; slot < total; slot++) store(slot, await searchQuery(context, queryIndices[slot]));
    milliseconds = performance.now() - started;
  } else {
    const data = sharedSet(sets.data);
    const queries = sharedSet(sets.queries);
    const dataBounds = bound === "none"
      ? undefined
      : options.dataBounds ?? boundProfilesOf(data, { shared: true });
    const queryBounds = bound === "none"
      ? undefined
      : options.queryBounds ?? boundProfilesOf(queries, { shared: true });
    const count = Math.min(workerCount, total);
    const pool = createWorkerPool<EmdKnnProtocol>(new URL("./_knn_worker.ts", import.meta.url), {
      workers: count,
      name: "EMD k-NN",
    });
    try {
      const contextOptions = { k, bound, solver, dataBounds, queryBounds };
      await pool.callAll("init", { sets: { data, queries }, options: contextOptions });
      const started = performance.now();
      // Each Worker takes the next query as soon as it has answered one.
      let next = 0;
      await Promise.all(Array.from({ length: count }, async (_, w) => {
        while (next < total) {
          const slot = next++;
          store(slot, await pool.call(w, "query", queryIndices[slot]));
        }
      }));
      milliseconds = performance.now() - started;
    } finally {
      pool.close();
    }
  }
  let solved = 0;
  for (const s of solvedPerQuery) solved += s;
  return {
    k,
    queries: queryIndices,
    neighbours,
    distances,
    solvedPerQuery,
    solved,
    pruned: total * sets.data.count - solved,
    milliseconds,
    workers: workerCount === 0 || total === 0 ? 0 : Math.min(workerCount, total),
  };
}
