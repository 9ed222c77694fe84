/**
 * The three searches of task B side by side, on the same queries: exhaustive nearest neighbours in
 * latent space ("Reduced", reported by their pixel-space distance), LSH in pixel space, and exact
 * search in pixel space ("True"). Each index is built once and warmed up (its first
 * {@linkcode WARM_UP} queries searched for {@linkcode WARM_UP_MS} ms, untimed); the reported times cover
 * the searches of all queries (build times are reported separately).
 * @module
 */
import { buildExactIndex } from "./exact.ts";
import { emptyLshResult, type LshOptions, mergeLshResult } from "./lsh.ts";
import { buildParallelLshIndex } from "./lsh_parallel.ts";
import { type ApproximationStats, approximationStats } from "./metrics.ts";
import { emptyQueryReport, type QueryReport, type SearchSummary } from "./output.ts";

/** Inputs of {@linkcode compareSearches}: pixels and latent vectors of the data set and the queries. */
export interface ComparisonInput {
  /** Data set pixels, `count × dim` uint8. */
  pixels: Uint8Array;
  /** Pixel dimension (rows × cols). */
  dim: number;
  /** Data set latent vectors, `count × latentDim` int16 (same order as `pixels`). */
  latent: Int16Array;
  /** Latent dimension. */
  latentDim: number;
  /** Query pixels, `queryCount × dim`. */
  queryPixels: Uint8Array;
  /** Query latent vectors, `queryCount × latentDim`. */
  queryLatent: Int16Array;
}

/** Options for {@linkcode compareSearches}. */
export interface ComparisonOptions {
  /** Neighbours per query (N, default 1). */
  neighbours?: number;
  /** LSH parameters (k, L, and the optional ones of {@linkcode LshOptions}). */
  lsh: LshOptions;
  /** Workers of the exact searches (default: all cores). */
  workers?: number;
  /** Queries per batch between progress reports (default 1000). */
  batch?: number;
  /** Progress callback: `stage` is "reduced", "lsh" or "true". */
  onProgress?: (stage: string, done: number, total: number) => void;
}

/** Times in milliseconds. */
export interface ComparisonTimes {
  /** Latent-space exhaustive search, all queries. */
  reduced: number;
  /** LSH search, all queries. */
  lsh: number;
  /** Exact pixel-space search, all queries. */
  exact: number;
  /** Building the latent index. */
  buildReduced: number;
  /** Building the LSH tables (including the width estimate). */
  buildLsh: number;
  /** Building the exact pixel index. */
  buildExact: number;
}

/** Result of {@linkcode compareSearches}. */
export interface ComparisonResult {
  /** Per-query neighbours and pixel-space distances. */
  reports: QueryReport[];
  /** Times. */
  times: ComparisonTimes;
  /** LSH vs exact (1st neighbour). */
  lshStats: ApproximationStats;
  /** Reduced vs exact (1st neighbour). */
  reducedStats: ApproximationStats;
  /** Distinct LSH candidates per query. */
  lshCandidates: Uint32Array;
  /** LSH candidates checked exactly per query. */
  lshChecked: Uint32Array;
  /** Checked LSH candidates whose full row was read (the others ruled out by lower bounds), per query. */
  lshRowsRead: Uint32Array;
  /** LSH buckets probed per query (own buckets, multi-probe and widening). */
  lshProbed: Uint32Array;
  /** Queries whose LSH search was widened (no candidate after multi-probe). */
  lshWidened: number;
  /** Queries without any LSH candidate. */
  lshNoCandidate: number;
  /** The LSH bucket width used and how it was chosen, with the other LSH settings. */
  lshWidth: {
    w: number;
    rule: string;
    k: number;
    L: number;
    probes: number;
    maxChecks: number;
    maxReads: number;
    family: string;
    block: number;
    candidates: number;
    maxBucket: number;
  };
  /** The summary lines written after the query blocks. */
  summary: SearchSummary;
}

/** Queries every index searches, untimed, before the timed searches (repeatedly, see WARM_UP_MS). */
export const WARM_UP = 200;
/** Milliseconds of warm-up searches per index. */
export const WARM_UP_MS = 500;

function pixelDistance(a: Uint8Array, aRow: number, b: Uint8Array, bRow: number, dim: number): number {
  let sum = 0;
  const ao = aRow * dim;
  const bo = bRow * dim;
  for (let t = 0; t < dim; t++) {
    const d = a[ao + t] - b[bo + t];
    sum += d < 0 ? -d : d;
  }
  return sum;
}

function format(value: number | null, digits = 6): string {
  return value === null ? "n/a" : value.toFixed(digits);
}

/** Runs the three searches and computes the figures of the `search` tool. */
export async function compareSearches(
  input: ComparisonInput,
  options: ComparisonOptions,
): Promise<ComparisonResult> {
  const { pixels, dim, latent, latentDim, queryPixels, queryLatent } = input;
  const count = pixels.length / dim;
  const queryCount = queryPixels.length / dim;
  if (latent.length / latentDim !== count) {
    throw new RangeError(`compareSearches: ${latent.length / latentDim} latent vectors for ${count} images`);
  }
  if (queryLatent.length / latentDim !== queryCount) {
    throw new RangeError(
      `compareSearches: ${queryLatent.length / latentDim} latent queries for ${queryCount}`,
    );
  }
  const neighbours = options.neighbours ?? 1;
  const batch = options.batch ?? 1000;
  // Warm-up: every index searches the first WARM_UP queries, untimed, until WARM_UP_MS have passed, so
  // that the timed searches run compiled WebAssembly (V8 starts in its baseline tier) for all three alike.
  const warmUp = Math.min(WARM_UP, queryCount);
  const progress = options.onProgress ?? (() => {});
  // Warms `search` up, then runs it over all queries in batches: keeps each batch's answers, reports
  // progress as `stage` and returns the summed search milliseconds.
  const timedSearch = async <R extends { ms: number }>(
    stage: string,
    search: (first: number, count: number) => Promise<R>,
    keep: (result: R, first: number) => void,
  ): Promise<number> => {
    for (const started = performance.now(); performance.now() - started < WARM_UP_MS;) {
      await search(0, warmUp);
    }
    let ms = 0;
    for (let q0 = 0; q0 < queryCount; q0 += batch) {
      const n = Math.min(batch, queryCount - q0);
      const result = await search(q0, n);
      ms += result.ms;
      keep(result, q0);
      progress(stage, q0 + n, queryCount);
    }
    return ms;
  };

  // Reduced: exact search in latent space.
  const reducedIndex = await buildExactIndex(latent, latentDim, { workers: options.workers });
  const reducedIdx = new Int32Array(queryCount * neighbours);
  let reducedMs: number;
  try {
    reducedMs = await timedSearch(
      "reduced",
      (q0, n) =>
        reducedIndex.search(queryLatent.subarray(q0 * latentDim, (q0 + n) * latentDim), { k: neighbours }),
      (result, q0) => reducedIdx.set(result.indices, q0 * neighbours),
    );
  } finally {
    reducedIndex.close();
  }

  // LSH in pixel space (the same tables in every Worker; queries split across them).
  const lshIndex = await buildParallelLshIndex(pixels, dim, { ...options.lsh, workers: options.workers });
  const lsh = emptyLshResult(queryCount, neighbours);
  let lshMs: number;
  try {
    lshMs = await timedSearch(
      "lsh",
      (q0, n) => lshIndex.search(queryPixels.subarray(q0 * dim, (q0 + n) * dim), { neighbours }),
      (result, q0) => mergeLshResult(lsh, result, q0),
    );
  } finally {
    lshIndex.close();
  }

  // True: exact search in pixel space.
  const exactIndex = await buildExactIndex(pixels, dim, { workers: options.workers });
  const exactIdx = new Int32Array(queryCount * neighbours);
  const exactDist = new Uint32Array(queryCount * neighbours);
  let exactMs: number;
  try {
    exactMs = await timedSearch(
      "true",
      (q0, n) => exactIndex.search(queryPixels.subarray(q0 * dim, (q0 + n) * dim), { k: neighbours }),
      (result, q0) => {
        exactIdx.set(result.indices, q0 * neighbours);
        exactDist.set(result.distances, q0 * neighbours);
      },
    );
  } finally {
    exactIndex.close();
  }

  const reports: QueryReport[] = [];
  const first = {
    reduced: new Float64Array(queryCount),
    lsh: [] as Array<number | null>,
    exact: new Float64Array(queryCount),
  };
  for (let q = 0; q < queryCount; q++) {
    const report = emptyQueryReport(q);
    for (let r = 0; r < neighbours; r++) {
      const at = q * neighbours + r;
      report.reduced.push(reducedIdx[at]);
      report.reducedDistances.push(pixelDistance(queryPixels, q, pixels, reducedIdx[at], dim));
      const li = lsh.indices[at];
      report.lsh.push(li >= 0 ? li : null);
      report.lshDistances.push(li >= 0 ? lsh.distances[at] : null);
      report.exact.push(exactIdx[at]);
      report.exactDistances.push(exactDist[at]);
    }
    first.reduced[q] = report.reducedDistances[0];
    first.lsh.push(report.lshDistances[0]);
    first.exact[q] = report.exactDistances[0];
    reports.push(report);
  }
  const lshStats = approximationStats(first.lsh, first.exact);
  const reducedStats = approximationStats(Array.from(first.reduced), first.exact);
  let candidateSum = 0;
  let checkedSum = 0;
  let rowsReadSum = 0;
  let probedSum = 0;
  for (let q = 0; q < queryCount; q++) {
    candidateSum += lsh.candidates[q];
    checkedSum += lsh.checked[q];
    rowsReadSum += lsh.rowsRead[q];
    probedSum += lsh.probed[q];
  }
  const perQuery = (sum: number) => Number((sum / Math.max(1, queryCount)).toFixed(1));
  const times: ComparisonTimes = {
    reduced: reducedMs,
    lsh: lshMs,
    exact: exactMs,
    buildReduced: reducedIndex.buildMs,
    buildLsh: lshIndex.buildMs,
    buildExact: exactIndex.buildMs,
  };
  const summary: SearchSummary = {
    "tReduced": Number(reducedMs.toFixed(3)),
    "tLSH": Number(lshMs.toFixed(3)),
    "tTrue": Number(exactMs.toFixed(3)),
    "Approximation Factor LSH": format(lshStats.factor),
    "Approximation Factor Reduced": format(reducedStats.factor),
    "Recall@1 LSH": format(lshStats.recall),
    "Recall@1 Reduced": format(reducedStats.recall),
    "Queries without LSH candidates": lsh.noCandidate,
    "Queries": queryCount,
    "Neighbours per query": neighbours,
    "Queries scored in Approximation Factor LSH": lshStats.scored,
    "Queries scored in Approximation Factor Reduced": reducedStats.scored,
    "Queries with distanceTrue 0 and a larger approximate distance LSH": lshStats.zeroTrueDistance,
    "Queries with distanceTrue 0 and a larger approximate distance Reduced": reducedStats.zeroTrueDistance,
    "Queries widened by LSH (no candidate after multi-probe)": lsh.widened,
    "Mean LSH candidates per query": perQuery(candidateSum),
    "Mean LSH exact checks per query": perQuery(checkedSum),
    "Mean LSH rows read per query": perQuery(rowsReadSum),
    "Share of the data set checked by LSH": Number((checkedSum / Math.max(1, queryCount) / count).toFixed(6)),
    "Mean LSH buckets probed per query": perQuery(probedSum),
    "LSH lower bounds": lshIndex.bounds ? "block sums" : "none",
    "LSH family": lshIndex.family,
    "LSH block": lshIndex.block,
    "LSH k": lshIndex.k,
    "LSH L": lshIndex.L,
    "LSH w": Number(lshIndex.w.toFixed(6)),
    "LSH w rule": lshIndex.wRule,
    "LSH candidates target": lshIndex.candidates,
    "LSH candidates target rule": lshIndex.rules.candidates,
    "LSH probes": lshIndex.probes,
    "LSH probes rule": lshIndex.rules.probes,
    "LSH max checks": Number.isFinite(lshIndex.maxChecks) ? lshIndex.maxChecks : "all",
    "LSH max reads": Number.isFinite(lshIndex.maxReads) ? lshIndex.maxReads : "all",
    "LSH max bucket": Number.isFinite(lshIndex.maxBucket) ? lshIndex.maxBucket : "all",
    "LSH max bucket rule": lshIndex.rules.maxBucket,
    "LSH seed": lshIndex.seed,
    "tBuildReduced": Number(times.buildReduced.toFixed(3)),
    "tBuildLSH": Number(times.buildLsh.toFixed(3)),
    "tBuildTrue": Number(times.buildExact.toFixed(3)),
    "Warm-up per index (untimed)": `first ${warmUp} queries for ${WARM_UP_MS} ms`,
    "Workers": exactIndex.workers,
  };
  return {
    reports,
    times,
    lshStats,
    reducedStats,
    lshCandidates: lsh.candidates,
    lshChecked: lsh.checked,
    lshRowsRead: lsh.rowsRead,
    lshProbed: lsh.probed,
    lshWidened: lsh.widened,
    lshNoCandidate: lsh.noCandidate,
    lshWidth: {
      w: lshIndex.w,
      rule: lshIndex.wRule,
      k: lshIndex.k,
      L: lshIndex.L,
      probes: lshIndex.probes,
      maxChecks: lshIndex.maxChecks,
      maxReads: lshIndex.maxReads,
      family: lshIndex.family,
      block: lshIndex.block,
      candidates: lshIndex.candidates,
      maxBucket: lshIndex.maxBucket,
    },
    summary,
  };
}
