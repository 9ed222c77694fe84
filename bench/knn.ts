/**
 * `deno task bench:knn [--dataset mnist-sample|fashion-mnist] [--queries N] [--faiss-queries M]
 * [--lsh-k 14] [--lsh-L 80] [--probes 0] [--candidates C] [--max-checks M] [--block 4] [--w W]
 * [--max-bucket B] [--lsh-curve 100,200,500,1000,all] [--lsh-probes-curve 1,2]
 * [--lsh-reads-curve 6,8,10,12,16,24,32] [--reads-L 40] [--reads-candidates 0.6]
 * [--lsh-crowded-curve 1.25,1.5,2]
 * [--nnd-epsilons 0,0.05,0.1,0.2,0.3] [--reps 3]
 * [--workers W] [--no-peers] [--no-bounds] [--no-original] [--grid]`
 *
 * In one run on the same data:
 * - our exact L1 1-NN search (WebAssembly SIMD, Workers on all cores) vs faiss `IndexFlat(d, METRIC_L1)`
 *   (2 threads, via /usr/bin/python3; on the first M queries, the per-query time is compared and the
 *   full-set time extrapolated and labelled so), the plain TypeScript loop (a few queries) and the SIMD
 *   kernels on one Worker;
 * - our LSH with the benchmark's default parameters (k 14, L 80, no multi-probe, every candidate
 *   checked; w, the candidate target and the crowded-bucket limit from the index's data rules), and its
 *   curve over `--lsh-curve` limits on exact checks, `--lsh-probes-curve` multi-probe budgets and
 *   `--lsh-reads-curve` limits on the rows read per query (`maxReads`: the candidates with the smallest
 *   lower bounds; on an index with L = `--reads-L` tables and a candidate target of `--reads-candidates`
 *   times the default, the rest on the same index), and `--lsh-crowded-curve` crowded-bucket limits
 *   (`maxBucket`, as multiples of the index's default limit: fewer buckets skipped, more candidates, the
 *   high-recall end); these are measured before and again after the peers, and their times are the
 *   medians of both rounds;
 * - our LSH with the original project's parameters, `-k 4 -L 5`, everything else the `search` tool's
 *   defaults (unless `--no-original`);
 * - with `--grid`: every k in {1, 2, 4, 8, 14, 20} and L in {1, 5, 20, 60} with the defaults: queries
 *   without candidates, recall@1, candidates and ms/query;
 * - pynndescent (metric manhattan, default build parameters, `n_jobs` = Workers, queries spread over
 *   the same number of threads with `parallel_batch_queries`, searched with k 10 for every epsilon of
 *   `--nnd-epsilons`; epsilon 0.1 is its default).
 * Every LSH search is timed `--reps` times after a warm-up of a second (median reported); recall@1 counts a query
 * whose neighbour is at the exact distance. Times are wall-clock ms per query and, as "cpu ms/q", the
 * process's CPU time (all threads: our Workers, numba's or OpenMP's threads) per query, which other jobs
 * on a busy machine inflate less. Writes `results/bench/knn_<dataset>.json` and prints a table. Load
 * averages are recorded: timings on a shared 2-core machine are noisy.
 * @module
 */
import { join } from "node:path";
import process from "node:process";
import { parseArgs } from "node:util";
import { readImages } from "../lib/data/idx.ts";
import { PROJECT_ROOT, resolveDataset } from "../lib/data/datasets.ts";
import { writeFileAtomic } from "../lib/io/atomic.ts";
import { l1DistanceBlockReference } from "../lib/simd/l1.ts";
import { buildExactIndex } from "../lib/search/exact.ts";
import type { LshOptions, LshSearchOptions } from "../lib/search/lsh.ts";
import { buildParallelLshIndex, type ParallelLshIndex } from "../lib/search/lsh_parallel.ts";
import { approximationStats } from "../lib/search/metrics.ts";
import { runKnnPeers } from "../lib/search/peers.ts";
import { defaultWorkerCount } from "../lib/util/worker_pool.ts";
import { printHelpIfAsked } from "./_help.ts";

printHelpIfAsked(import.meta.url);

const flagConfig = {
  args: Deno.args,
  options: {
    dataset: { type: "string", default: "mnist-sample" },
    queries: { type: "string" },
    "faiss-queries": { type: "string" },
    "lsh-k": { type: "string", default: "14" },
    "lsh-L": { type: "string", default: "80" },
    probes: { type: "string", default: "0" },
    candidates: { type: "string" },
    "max-checks": { type: "string", default: "all" },
    block: { type: "string" },
    w: { type: "string" },
    "max-bucket": { type: "string" },
    "lsh-curve": { type: "string", default: "100,200,500,1000,all" },
    "lsh-probes-curve": { type: "string", default: "1,2" },
    "lsh-reads-curve": { type: "string", default: "6,8,10,12,16,24,32" },
    "reads-L": { type: "string", default: "40" },
    "reads-candidates": { type: "string", default: "0.6" },
    "lsh-crowded-curve": { type: "string", default: "1.25,1.5,2" },
    "nnd-epsilons": { type: "string", default: "0,0.05,0.1,0.2,0.3" },
    reps: { type: "string", default: "3" },
    workers: { type: "string" },
    "no-peers": { type: "boolean", default: false },
    "no-bounds": { type: "boolean", default: false },
    "no-original": { type: "boolean", default: false },
    grid: { type: "boolean", default: false },
  },
} as const;
/** The flags; a bad one gets one line naming it and exit 2 instead of a stack trace. */
function parseFlags() {
  try {
    return parseArgs(flagConfig).values;
  } catch (error) {
    console.error(`bench:knn: ${error instanceof Error ? error.message : error}`);
    Deno.exit(2);
  }
}
const flags = parseFlags();

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const load = () => Deno.loadavg().map((x) => Number(x.toFixed(2)));
/** CPU milliseconds of this process, all threads (Workers included). */
const cpuMs = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};
const log = (message: string) => console.error(`bench:knn: ${message}`);
/** Number kinds a flag can take. */
type NumberKind = "positive integer" | "non-negative integer" | "positive number" | "non-negative number";
/** A checker of flag values of `kind`: the value, or one line naming the flag and exit 2. */
const numberOf = (kind: NumberKind) => (flag: string, text: string) => {
  const value = Number(text.trim());
  const whole = kind.endsWith("integer") ? Number.isInteger(value) : Number.isFinite(value);
  if (!whole || (kind.startsWith("positive") ? value <= 0 : value < 0)) {
    console.error(`bench:knn: --${flag}: expected a ${kind}, got "${text}"`);
    Deno.exit(2);
  }
  return value;
};
const positiveInteger = numberOf("positive integer");
const nonNegativeInteger = numberOf("non-negative integer");
const positiveNumber = numberOf("positive number");
/** The text of flag `flag` (undefined when absent). */
const flagText = (flag: string) => {
  const value = (flags as Record<string, string | boolean | undefined>)[flag];
  return typeof value === "string" ? value : undefined;
};
/** A comma-separated list flag, each item checked by `parse`. */
const listOf = <T>(flag: string, parse: (flag: string, text: string) => T) =>
  (flagText(flag) ?? "").split(",").filter((x) => x.trim() !== "").map((x) => parse(flag, x));
// Checked before any work: every number flag (one line naming it and exit 2).
const optionalPositive = (flag: string, integer = false) => {
  const text = flagText(flag);
  if (text === undefined) return undefined;
  return integer ? positiveInteger(flag, text) : positiveNumber(flag, text);
};
/** A limit on checks: "all" or a positive integer. */
function checksFlag(flag: string, text: string) {
  return text.trim() === "all" ? Infinity : positiveInteger(flag, text);
}
const queryLimit = optionalPositive("queries", true);
const faissLimit = optionalPositive("faiss-queries", true);
const workers = optionalPositive("workers", true);
const reps = positiveInteger("reps", flags.reps!);
const lshK = positiveInteger("lsh-k", flags["lsh-k"]!);
const lshL = positiveInteger("lsh-L", flags["lsh-L"]!);
const readsL = positiveInteger("reads-L", flags["reads-L"]!);
const readsCandidates = positiveNumber("reads-candidates", flags["reads-candidates"]!);
const readsCurve = listOf("lsh-reads-curve", positiveInteger);
const checksCurve = listOf("lsh-curve", checksFlag);
const mainChecks = checksFlag("max-checks", flags["max-checks"]!);
const probesCurve = listOf("lsh-probes-curve", nonNegativeInteger);
const crowdedCurve = listOf("lsh-crowded-curve", positiveNumber);
const epsilons = listOf("nnd-epsilons", numberOf("non-negative number"));
const probesFlag = nonNegativeInteger("probes", flags.probes!);
const candidatesFlag = optionalPositive("candidates", true);
const blockFlag = optionalPositive("block", true);
const wFlag = optionalPositive("w");
const maxBucketFlag = optionalPositive("max-bucket", true);

const files = await resolveDataset(flags.dataset!);
const train = await readImages(files.trainImages);
const test = await readImages(files.testImages);
const dim = train.rows * train.cols;
const shape: [number, number] = [train.rows, train.cols];
const queryCount = Math.min(test.count, queryLimit ?? test.count);
const queries = test.pixels.subarray(0, queryCount * dim);
const heavy = train.count * queryCount > 1e8;
const faissQueries = Math.min(queryCount, faissLimit ?? (heavy ? 1000 : queryCount));
const result: Record<string, unknown> = {
  dataset: flags.dataset,
  n: train.count,
  dim,
  queries: queryCount,
  date: new Date().toISOString(),
  deno: Deno.version.deno,
  v8: Deno.version.v8,
  cpus: navigator.hardwareConcurrency,
  load_before: load(),
};
log(`${flags.dataset}: ${train.count} x ${queryCount} queries, dim ${dim}, load ${load().join(" ")}`);

// ---- our exact search
const exact = await buildExactIndex(train.pixels, dim, { workers });
await exact.search(queries.subarray(0, Math.min(queryCount, 256) * dim)); // warm-up (wasm tiers, Workers)
const exactRuns: number[] = [];
const exactCpu: number[] = [];
let cpu0 = cpuMs();
let truth = await exact.search(queries);
exactCpu.push(cpuMs() - cpu0);
exactRuns.push(truth.ms);
for (let r = 1; r < (heavy ? 1 : reps); r++) {
  cpu0 = cpuMs();
  truth = await exact.search(queries);
  exactCpu.push(cpuMs() - cpu0);
  exactRuns.push(truth.ms);
}
exact.close();
const exactMsPerQuery = median(exactRuns) / queryCount;
const exactCpuMsPerQuery = median(exactCpu) / queryCount;
result.exact = {
  workers: exact.workers,
  build_ms: exact.buildMs,
  runs_ms: exactRuns,
  ms_per_query: exactMsPerQuery,
  cpu_runs_ms: exactCpu,
  cpu_ms_per_query: exactCpuMsPerQuery,
  m_distances_per_s: (train.count / exactMsPerQuery) / 1000,
  load: load(),
};
log(`exact: ${exactMsPerQuery.toFixed(4)} ms/query (${exact.workers} workers)`);

// ---- the same SIMD kernels on one Worker (data placed once), and the plain TypeScript loop
const oneWorkerQueries = Math.min(queryCount, heavy ? 500 : 1000);
const single = await buildExactIndex(train.pixels, dim, { workers: 1 });
await single.search(queries.subarray(0, Math.min(oneWorkerQueries, 64) * dim));
const singleRun = await single.search(queries.subarray(0, oneWorkerQueries * dim));
single.close();
const simdMs = singleRun.ms / oneWorkerQueries;
let same = true;
for (let q = 0; q < oneWorkerQueries; q++) if (singleRun.distances[q] !== truth.distances[q]) same = false;
const few = heavy ? 8 : 32;
const t0 = performance.now();
const plain = l1DistanceBlockReference(queries.subarray(0, few * dim), train.pixels, dim);
const plainMs = (performance.now() - t0) / few;
for (let q = 0; q < few; q++) {
  let best = Infinity;
  for (let j = 0; j < train.count; j++) best = Math.min(best, plain[q * train.count + j]);
  if (best !== truth.distances[q]) same = false;
}
result.plain_ts = { queries: few, ms_per_query: plainMs, m_distances_per_s: train.count / plainMs / 1000 };
result.simd_1worker = {
  queries: oneWorkerQueries,
  ms_per_query: simdMs,
  m_distances_per_s: train.count / simdMs / 1000,
  nearest_equal_to_workers_and_plain: same,
};
log(
  `plain TS loop ${plainMs.toFixed(2)} ms/query, SIMD 1 worker ${
    simdMs.toFixed(3)
  } ms/query (same nearest: ${same})`,
);

// ---- our LSH
/** One LSH measurement: the median of `reps` timed searches after a warm-up, and the quality figures. */
async function measureLsh(index: ParallelLshIndex, searchOptions: LshSearchOptions, times = reps) {
  // Warm-up: at least a second of searching, so that the Workers run compiled WebAssembly.
  for (const started = performance.now(); performance.now() - started < 1000;) {
    await index.search(queries.subarray(0, Math.min(queryCount, 500) * dim), searchOptions);
  }
  const runs: number[] = [];
  const cpu: number[] = [];
  let found = await index.search(queries, searchOptions);
  for (let r = 0; r < times; r++) {
    const started = cpuMs();
    found = await index.search(queries, searchOptions);
    cpu.push(cpuMs() - started);
    runs.push(found.ms);
  }
  const stats = approximationStats(
    Array.from(found.indices, (i, q) => (i >= 0 ? found.distances[q] : null)),
    truth.distances,
  );
  const sum = (values: Uint32Array) => values.reduce((a, b) => a + b, 0);
  const msPerQuery = median(runs) / queryCount;
  const maxChecks = searchOptions.maxChecks ?? index.maxChecks;
  return {
    setting: `checks<=${Number.isFinite(maxChecks) ? maxChecks : "all"}${
      searchOptions.maxReads !== undefined && Number.isFinite(searchOptions.maxReads)
        ? ` reads<=${searchOptions.maxReads}`
        : ""
    }${searchOptions.probes !== undefined ? ` probes=${searchOptions.probes}` : ""}${
      searchOptions.maxBucket !== undefined ? ` maxBucket=${searchOptions.maxBucket}` : ""
    }`,
    search_options: searchOptions,
    max_checks: Number.isFinite(maxChecks) ? maxChecks : "all",
    runs_ms: runs,
    ms_per_query: msPerQuery,
    cpu_runs_ms: cpu,
    cpu_ms_per_query: median(cpu) / queryCount,
    recall_at_1: stats.recall,
    hits: stats.hits,
    approximation_factor: stats.factor,
    no_candidate: found.noCandidate,
    widened: found.widened,
    mean_candidates: sum(found.candidates) / queryCount,
    mean_checked: sum(found.checked) / queryCount,
    share_checked: sum(found.checked) / queryCount / train.count,
    mean_rows_read: sum(found.rowsRead) / queryCount,
    mean_probed: sum(found.probed) / queryCount,
    speedup_vs_our_exact: exactMsPerQuery / msPerQuery,
    load: load(),
  };
}

/**
 * More timed searches of a measured point (after the peers ran, so that both sides meet the same load
 * drift): its time becomes the median of all its runs.
 */
async function remeasure(index: ParallelLshIndex, point: LshPoint) {
  const again = await measureLsh(index, point.search_options);
  point.runs_ms.push(...again.runs_ms);
  point.ms_per_query = median(point.runs_ms) / queryCount;
  point.cpu_runs_ms.push(...again.cpu_runs_ms);
  point.cpu_ms_per_query = median(point.cpu_runs_ms) / queryCount;
  point.speedup_vs_our_exact = exactMsPerQuery / point.ms_per_query;
}

/** The index's settings, for the JSON. */
function settingsOf(index: ParallelLshIndex) {
  return {
    workers: index.workers,
    family: index.family,
    block: index.block,
    k: index.k,
    L: index.L,
    w: index.w,
    w_rule: index.wRule,
    candidates: index.candidates,
    probes: index.probes,
    max_bucket: Number.isFinite(index.maxBucket) ? index.maxBucket : "all",
    rules: index.rules,
    bounds: index.bounds,
    build_ms: index.buildMs,
  };
}

const lshOptions: LshOptions = {
  k: lshK,
  L: lshL,
  probes: probesFlag,
  candidates: candidatesFlag,
  maxChecks: mainChecks,
  block: blockFlag,
  w: wFlag,
  maxBucket: maxBucketFlag,
  seed: 1,
  shape,
  bounds: !flags["no-bounds"],
};
const lsh = await buildParallelLshIndex(train.pixels, dim, { ...lshOptions, workers });
const lshMain = await measureLsh(lsh, {});
// The reads curve on an index with L = --reads-L tables (the bounds, not collision counts, rank the rows read) and
// --reads-candidates times the default candidate target (fewer candidates to bound: the fastest low-recall points).
const readsTarget = Math.max(1, Math.round(readsCandidates * lsh.candidates));
const readsIndex = readsL === lshOptions.L && readsTarget === lsh.candidates
  ? lsh
  : await buildParallelLshIndex(train.pixels, dim, {
    ...lshOptions,
    L: readsL,
    candidates: readsTarget,
    workers,
  });
const indexOfSpec = (spec: LshSearchOptions) => (spec.maxReads !== undefined ? readsIndex : lsh);
const curve: LshPoint[] = [];
const curveSpecs: LshSearchOptions[] = [
  ...checksCurve.map((maxChecks) => ({ maxChecks })),
  ...readsCurve.map((maxReads) => ({ maxReads })),
  ...probesCurve.map((probes) => ({ probes })),
  ...crowdedCurve.map((factor) => ({ maxBucket: Math.max(1, Math.round(factor * lsh.maxBucket)) })),
];
for (const spec of curveSpecs) {
  const isMain = spec.probes === undefined && spec.maxReads === undefined && spec.maxBucket === undefined &&
    spec.maxChecks === lsh.maxChecks;
  const point = isMain ? lshMain : await measureLsh(indexOfSpec(spec), spec);
  curve.push(point);
  log(
    `LSH curve, ${point.setting}: ${point.ms_per_query.toFixed(4)} ms/query, recall@1 ${
      point.recall_at_1.toFixed(4)
    }`,
  );
}
log(
  `LSH k ${lshOptions.k} L ${lshOptions.L}: ${lshMain.ms_per_query.toFixed(4)} ms/query, recall@1 ${
    lshMain.recall_at_1.toFixed(4)
  }, AF ${lshMain.approximation_factor?.toFixed(4)}, ${lshMain.speedup_vs_our_exact.toFixed(1)}x our exact`,
);

type LshPoint = Awaited<ReturnType<typeof measureLsh>>;

// ---- the original project's parameters, -k 4 -L 5, with the search tool's defaults
let originalPoint: LshPoint | undefined;
if (!flags["no-original"]) {
  const original = await buildParallelLshIndex(train.pixels, dim, { k: 4, L: 5, seed: 1, shape, workers });
  originalPoint = await measureLsh(original, {});
  result.lsh_original = { ...settingsOf(original), ...originalPoint };
  original.close();
  const o = originalPoint;
  log(
    `LSH -k 4 -L 5 (defaults): ${o.ms_per_query.toFixed(4)} ms/query, recall@1 ${
      o.recall_at_1.toFixed(4)
    }, AF ${o.approximation_factor?.toFixed(4)}, no candidates ${o.no_candidate}`,
  );
}

// ---- the (k, L) grid with defaults
const grid: LshPoint[] = [];
if (flags.grid) {
  for (const k of [1, 2, 4, 8, 14, 20]) {
    for (const L of [1, 5, 20, 60]) {
      const index = await buildParallelLshIndex(train.pixels, dim, { k, L, seed: 1, shape, workers });
      const point = await measureLsh(index, {}, 1);
      grid.push(point);
      (result.lsh_grid as unknown[] ?? (result.lsh_grid = [])).push({ ...settingsOf(index), ...point });
      index.close();
      log(
        `grid k ${k} L ${L}: no candidates ${point.no_candidate}, recall@1 ${point.recall_at_1.toFixed(4)}, ${
          point.mean_candidates.toFixed(0)
        } candidates, ${point.ms_per_query.toFixed(4)} ms/query`,
      );
    }
  }
}

// ---- peers
let nndPoints: {
  epsilon: number;
  ms_per_query: number;
  cpu_ms_per_query: number;
  recall_at_1: number;
  approximation_factor: number | null;
}[] = [];
let nndBuildS = NaN;
if (!flags["no-peers"]) {
  const jobs = workers ?? defaultWorkerCount();
  log(`faiss (${faissQueries} queries) and pynndescent (${queryCount} queries, ${jobs} threads) ...`);
  try {
    const peers = await runKnnPeers(files.trainImages, files.testImages, {
      faissQueries,
      nndQueries: queryCount,
      nndEpsilons: epsilons,
      nndJobs: jobs,
      nndParallelQueries: true,
      reps,
      faissReps: heavy ? 1 : reps,
      echoStderr: true,
    });
    const faiss = peers.faiss!;
    let equal = true;
    for (let q = 0; q < faiss.queries; q++) if (faiss.distances[q] !== truth.distances[q]) equal = false;
    result.faiss = {
      version: faiss.version,
      threads: faiss.threads,
      queries_measured: faiss.queries,
      runs_s: faiss.runsS,
      ms_per_query: faiss.msPerQuery,
      cpu_ms_per_query: faiss.cpuMsPerQuery,
      all_queries_s: faiss.msPerQuery * queryCount / 1000,
      all_queries_extrapolated: faiss.queries < queryCount,
      distances_equal_ours: equal,
      our_speedup: faiss.msPerQuery / exactMsPerQuery,
    };
    if (peers.pynndescent) {
      const nnd = peers.pynndescent;
      const stats = approximationStats(nnd.distances, truth.distances.subarray(0, nnd.queries));
      const points = nnd.points.map((point) => {
        const s = approximationStats(point.distances, truth.distances.subarray(0, point.queries));
        return {
          epsilon: point.epsilon,
          runs_s: point.runsS,
          ms_per_query: point.msPerQuery,
          cpu_ms_per_query: point.cpuMsPerQuery,
          recall_at_1: s.recall,
          approximation_factor: s.factor,
        };
      });
      nndPoints = points;
      nndBuildS = nnd.buildS;
      result.pynndescent = {
        version: nnd.version,
        params: nnd.params,
        build_s: nnd.buildS,
        jit_warmup_s: nnd.jitWarmupS,
        ms_per_query: nnd.msPerQuery,
        recall_at_1: stats.recall,
        approximation_factor: stats.factor,
        points,
        our_lsh_time_ratio: nnd.msPerQuery / lshMain.ms_per_query,
      };
    }
    result.peer_load = { before: peers.loadBefore, after: peers.loadAfter };
  } catch (error) {
    result.peers_error = error instanceof Error ? error.message : String(error);
    log(String(result.peers_error));
  }
}
// ---- our LSH once more, after the peers: every LSH time is the median over both rounds.
log("LSH, second round ...");
for (const point of new Set([lshMain, ...curve])) await remeasure(indexOfSpec(point.search_options), point);
result.lsh = { ...settingsOf(lsh), ...lshMain, curve, reads_index: settingsOf(readsIndex) };
lsh.close();
if (readsIndex !== lsh) readsIndex.close();
result.load_after = load();

const outDir = join(PROJECT_ROOT, "results", "bench");
await Deno.mkdir(outDir, { recursive: true });
const outPath = join(outDir, `knn_${flags.dataset}.json`);
await writeFileAtomic(outPath, JSON.stringify(result, null, 2) + "\n");

// deno-lint-ignore no-explicit-any
const r = result as any;
const lshNote = (point: LshPoint) =>
  `recall@1 ${point.recall_at_1.toFixed(4)}, AF ${point.approximation_factor?.toFixed(4)}, ${
    point.speedup_vs_our_exact.toFixed(1)
  }x our exact, no-cand ${point.no_candidate}, ${point.mean_candidates.toFixed(0)} cand, ${
    (100 * point.share_checked).toFixed(2)
  } % checked, ${point.mean_rows_read.toFixed(1)} rows read`;
const rows: Array<[string, string, string, string]> = [
  ["method", "ms/query", "cpu ms/q", "notes"],
  [
    "ours exact (wasm SIMD, workers)",
    exactMsPerQuery.toFixed(4),
    exactCpuMsPerQuery.toFixed(4),
    `${r.exact.workers} workers, ${r.exact.m_distances_per_s.toFixed(1)} M dist/s`,
  ],
  ["ours SIMD, 1 worker", simdMs.toFixed(4), "", `${oneWorkerQueries} queries`],
  ["plain TypeScript loop", plainMs.toFixed(3), "", `${few} queries`],
];
if (r.faiss) {
  rows.push([
    `faiss IndexFlat L1 (${r.faiss.threads} thr)`,
    r.faiss.ms_per_query.toFixed(4),
    r.faiss.cpu_ms_per_query.toFixed(4),
    `${r.faiss.queries_measured} queries${
      r.faiss.all_queries_extrapolated ? " (all extrapolated)" : ""
    }; ours ${r.faiss.our_speedup.toFixed(1)}x faster; distances equal: ${r.faiss.distances_equal_ours}`,
  ]);
}
const lshLabel = `ours LSH k=${lshOptions.k} L=${lshOptions.L}`;
const lshRow = (label: string, point: LshPoint): [string, string, string, string] => [
  label,
  point.ms_per_query.toFixed(4),
  point.cpu_ms_per_query.toFixed(4),
  lshNote(point),
];
for (const point of curve) {
  const label = point.search_options.maxReads !== undefined
    ? `ours LSH k=${readsIndex.k} L=${readsIndex.L} target=${readsIndex.candidates}`
    : lshLabel;
  rows.push(lshRow(`${label} ${point.setting}${point === lshMain ? " (default)" : ""}`, point));
}
if (!curve.includes(lshMain)) rows.push(lshRow(`${lshLabel} (default)`, lshMain));
if (originalPoint) rows.push(lshRow("ours LSH -k 4 -L 5 (search defaults)", originalPoint));
for (const point of nndPoints) {
  rows.push([
    `pynndescent eps ${point.epsilon}${point.epsilon === 0.1 ? " (default)" : ""}`,
    point.ms_per_query.toFixed(4),
    point.cpu_ms_per_query.toFixed(4),
    `recall@1 ${point.recall_at_1.toFixed(4)}, AF ${point.approximation_factor?.toFixed(4)}${
      point.epsilon === 0.1 ? `, build ${nndBuildS.toFixed(1)} s` : ""
    }`,
  ]);
}
const width = [0, 1, 2].map((c) => Math.max(...rows.map((row) => row[c].length)));
console.log(
  `\nknn ${flags.dataset}: ${train.count} x ${queryCount} queries (load ${r.load_before.join(" ")} -> ${
    r.load_after.join(" ")
  })`,
);
for (const row of rows) {
  console.log(
    `${row[0].padEnd(width[0])}  ${row[1].padStart(width[1])}  ${row[2].padStart(width[2])}  ${row[3]}`,
  );
}
if (grid.length > 0) {
  const unanswered = grid.reduce((sum, point) => sum + point.no_candidate, 0);
  const recalls = grid.map((point) => point.recall_at_1);
  console.log(
    `(k, L) grid with defaults, k in {1,2,4,8,14,20} x L in {1,5,20,60}: ${unanswered} queries without ` +
      `candidates in all; recall@1 from ${Math.min(...recalls).toFixed(3)} to ${
        Math.max(...recalls).toFixed(3)
      }`,
  );
}
const nndDefault = nndPoints.find((point) => point.epsilon === 0.1);
if (nndDefault) {
  console.log(
    `LSH default vs pynndescent default (eps 0.1): recall@1 ${lshMain.recall_at_1.toFixed(4)} vs ${
      nndDefault.recall_at_1.toFixed(4)
    }, ${lshMain.ms_per_query.toFixed(4)} vs ${
      nndDefault.ms_per_query.toFixed(4)
    } ms/query (pynndescent / ours ${(nndDefault.ms_per_query / lshMain.ms_per_query).toFixed(2)})`,
  );
}
console.log(`wrote ${outPath}`);
