/**
 * `deno task bench:knn [--dataset mnist-sample|fashion-mnist] [--queries N] [--faiss-queries M]
 * [--lsh-k 14] [--lsh-L 60] [--probes 0] [--max-checks 500] [--w W] [--reps R] [--no-peers] [--no-bounds] [--max-bucket B]`
 *
 * In one run on the same data: our exact L1 1-NN search (WebAssembly SIMD, Workers on all cores) vs
 * faiss `IndexFlat(d, METRIC_L1)` (2 threads, via /usr/bin/python3; on the first M queries, the
 * per-query time is compared and the full-set time extrapolated and labelled so), the plain TypeScript
 * loop (a few queries) and the SIMD kernels on one Worker; our LSH (recall@1, approximation factor,
 * ms/query, speed-up over our exact search) beside pynndescent (metric manhattan, default parameters).
 * Writes `results/bench/knn_<dataset>.json` and prints a table. Load averages are recorded: timings on a
 * shared 2-core machine are noisy.
 * @module
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { readImages } from "../lib/data/idx.ts";
import { PROJECT_ROOT, resolveDataset } from "../lib/data/datasets.ts";
import { writeFileAtomic } from "../lib/io/atomic.ts";
import { l1DistanceBlockReference } from "../lib/kernels/l1.ts";
import { buildExactIndex } from "../lib/search/exact.ts";
import { buildParallelLshIndex } from "../lib/search/lsh_parallel.ts";
import { approximationStats } from "../lib/search/metrics.ts";
import { runKnnPeers } from "../lib/search/peers.ts";
import { printHelpIfAsked } from "./_help.ts";

printHelpIfAsked(import.meta.url);

const { values: flags } = parseArgs({
  args: Deno.args,
  options: {
    dataset: { type: "string", default: "mnist-sample" },
    queries: { type: "string" },
    "faiss-queries": { type: "string" },
    "lsh-k": { type: "string", default: "14" },
    "lsh-L": { type: "string", default: "60" },
    probes: { type: "string", default: "0" },
    "max-checks": { type: "string", default: "500" },
    w: { type: "string" },
    reps: { type: "string", default: "3" },
    workers: { type: "string" },
    "no-peers": { type: "boolean", default: false },
    "no-bounds": { type: "boolean", default: false },
    "max-bucket": { type: "string" },
  },
});

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const load = () => Deno.loadavg().map((x) => Number(x.toFixed(2)));
const log = (message: string) => console.error(`bench:knn: ${message}`);

const files = await resolveDataset(flags.dataset!);
const train = await readImages(files.trainImages);
const test = await readImages(files.testImages);
const dim = train.rows * train.cols;
const queryCount = Math.min(test.count, Number(flags.queries ?? test.count));
const queries = test.pixels.subarray(0, queryCount * dim);
const reps = Number(flags.reps);
const workers = flags.workers ? Number(flags.workers) : undefined;
const heavy = train.count * queryCount > 1e8;
const faissQueries = Math.min(queryCount, Number(flags["faiss-queries"] ?? (heavy ? 1000 : queryCount)));
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
let truth = await exact.search(queries);
exactRuns.push(truth.ms);
for (let r = 1; r < (heavy ? 1 : reps); r++) {
  truth = await exact.search(queries);
  exactRuns.push(truth.ms);
}
exact.close();
const exactMsPerQuery = median(exactRuns) / queryCount;
result.exact = {
  workers: exact.workers,
  build_ms: exact.buildMs,
  runs_ms: exactRuns,
  ms_per_query: exactMsPerQuery,
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
const lshOptions = {
  k: Number(flags["lsh-k"]),
  L: Number(flags["lsh-L"]),
  probes: Number(flags.probes),
  maxChecks: Number(flags["max-checks"]) || Infinity,
  w: flags.w ? Number(flags.w) : undefined,
  seed: 1,
  shape: [train.rows, train.cols] as [number, number],
  bounds: !flags["no-bounds"],
  maxBucket: flags["max-bucket"] ? Number(flags["max-bucket"]) : undefined,
};
const lsh = await buildParallelLshIndex(train.pixels, dim, { ...lshOptions, workers });
await lsh.search(queries.subarray(0, Math.min(queryCount, 200) * dim)); // warm-up
const lshResult = await lsh.search(queries);
lsh.close();
const lshDist = Array.from(lshResult.indices, (i, q) => (i >= 0 ? lshResult.distances[q] : null));
const lshStats = approximationStats(lshDist, truth.distances);
const lshMsPerQuery = lshResult.ms / queryCount;
let candidates = 0;
let checked = 0;
let rowsRead = 0;
for (let q = 0; q < queryCount; q++) {
  candidates += lshResult.candidates[q];
  checked += lshResult.checked[q];
  rowsRead += lshResult.rowsRead[q];
}
result.lsh = {
  workers: lsh.workers,
  family: lsh.family,
  k: lsh.k,
  L: lsh.L,
  w: lsh.w,
  w_rule: lsh.wRule,
  probes: lsh.probes,
  max_checks: Number.isFinite(lsh.maxChecks) ? lsh.maxChecks : "all",
  max_bucket: Number.isFinite(lsh.maxBucket) ? lsh.maxBucket : "all",
  build_ms: lsh.buildMs,
  ms_per_query: lshMsPerQuery,
  recall_at_1: lshStats.recall,
  approximation_factor: lshStats.factor,
  no_candidate: lshResult.noCandidate,
  mean_candidates: candidates / queryCount,
  mean_checked: checked / queryCount,
  mean_rows_read: rowsRead / queryCount,
  bounds: lsh.bounds,
  speedup_vs_our_exact: exactMsPerQuery / lshMsPerQuery,
  load: load(),
};
log(
  `LSH: ${lshMsPerQuery.toFixed(4)} ms/query, recall@1 ${lshStats.recall.toFixed(4)}, AF ${
    lshStats.factor?.toFixed(4)
  }, ` +
    `${(exactMsPerQuery / lshMsPerQuery).toFixed(1)}x faster than exact`,
);

// ---- peers
if (!flags["no-peers"]) {
  log(`faiss (${faissQueries} queries) and pynndescent (${queryCount} queries) via /usr/bin/python3 ...`);
  try {
    const peers = await runKnnPeers(files.trainImages, files.testImages, {
      faissQueries,
      nndQueries: queryCount,
      reps: heavy ? 1 : reps,
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
      all_queries_s: faiss.msPerQuery * queryCount / 1000,
      all_queries_extrapolated: faiss.queries < queryCount,
      distances_equal_ours: equal,
      our_speedup: faiss.msPerQuery / exactMsPerQuery,
    };
    if (peers.pynndescent) {
      const nnd = peers.pynndescent;
      const stats = approximationStats(nnd.distances, truth.distances.subarray(0, nnd.queries));
      result.pynndescent = {
        params: nnd.params,
        build_s: nnd.buildS,
        jit_warmup_s: nnd.jitWarmupS,
        ms_per_query: nnd.msPerQuery,
        recall_at_1: stats.recall,
        approximation_factor: stats.factor,
        our_lsh_time_ratio: nnd.msPerQuery / lshMsPerQuery,
      };
    }
    result.peer_load = { before: peers.loadBefore, after: peers.loadAfter };
  } catch (error) {
    result.peers_error = error instanceof Error ? error.message : String(error);
    log(String(result.peers_error));
  }
}
result.load_after = load();

const outDir = join(PROJECT_ROOT, "results", "bench");
await Deno.mkdir(outDir, { recursive: true });
const outPath = join(outDir, `knn_${flags.dataset}.json`);
await writeFileAtomic(outPath, JSON.stringify(result, null, 2) + "\n");

// deno-lint-ignore no-explicit-any
const r = result as any;
const rows: Array<[string, string, string]> = [
  ["method", "ms/query", "notes"],
  [
    "ours exact (wasm SIMD, workers)",
    exactMsPerQuery.toFixed(4),
    `${r.exact.workers} workers, ${r.exact.m_distances_per_s.toFixed(1)} M dist/s`,
  ],
  ["ours SIMD, 1 worker", simdMs.toFixed(4), `${oneWorkerQueries} queries`],
  ["plain TypeScript loop", plainMs.toFixed(3), `${few} queries`],
];
if (r.faiss) {
  rows.push([
    `faiss IndexFlat L1 (${r.faiss.threads} thr)`,
    r.faiss.ms_per_query.toFixed(4),
    `${r.faiss.queries_measured} queries${
      r.faiss.all_queries_extrapolated ? " (all extrapolated)" : ""
    }; ours ${r.faiss.our_speedup.toFixed(1)}x faster; distances equal: ${r.faiss.distances_equal_ours}`,
  ]);
}
rows.push([
  `ours LSH k=${lsh.k} L=${lsh.L} checks<=${r.lsh.max_checks}`,
  lshMsPerQuery.toFixed(4),
  `recall@1 ${lshStats.recall.toFixed(4)}, AF ${lshStats.factor?.toFixed(4)}, ${
    r.lsh.speedup_vs_our_exact.toFixed(1)
  }x our exact, no-cand ${lshResult.noCandidate}`,
]);
if (r.pynndescent) {
  rows.push([
    "pynndescent (manhattan, default)",
    r.pynndescent.ms_per_query.toFixed(4),
    `recall@1 ${r.pynndescent.recall_at_1.toFixed(4)}, AF ${
      r.pynndescent.approximation_factor?.toFixed(4)
    }, build ${r.pynndescent.build_s.toFixed(1)} s`,
  ]);
}
const width = [0, 1].map((c) => Math.max(...rows.map((row) => row[c].length)));
console.log(
  `\nknn ${flags.dataset}: ${train.count} x ${queryCount} queries (load ${r.load_before.join(" ")} -> ${
    r.load_after.join(" ")
  })`,
);
for (const row of rows) console.log(`${row[0].padEnd(width[0])}  ${row[1].padStart(width[1])}  ${row[2]}`);
console.log(`wrote ${outPath}`);
