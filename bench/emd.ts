/**
 * `deno task bench:emd [--datasets mnist-sample,fashion-mnist] [--pairs 200] [--highs-pairs 60]
 * [--reps 3] [--queries 20] [--pot-queries 2] [--knn-window 4]`
 *
 * Side by side, in one run on the same pairs: per-pair EMD solve time of HiGHS (our reference LP), the
 * fast exact solver, and POT's `ot.emd2` (network simplex in C++, via /usr/bin/python3) for window
 * sides 7, 4, 2, with ratios and agreement; then exact EMD 10-NN query time with pruning (Workers on
 * both cores) vs POT brute force. Per-pair times include building the ground-distance matrix on both
 * sides; they are given as the median wall time over pairs and as process CPU time per pair over a
 * whole pass (less sensitive to other jobs on a shared machine). Writes `results/bench/emd_<dataset>.json`
 * and prints a table. Load averages are recorded: timings on a shared machine are noisy.
 * @module
 */
import { join } from "node:path";
import process from "node:process";
import { parseArgs } from "node:util";
import { readImages } from "../lib/data/idx.ts";
import { resolveDataset } from "../lib/data/datasets.ts";
import { PROJECT_ROOT } from "../lib/util/project_root.ts";
import { createHighsEmdSolver } from "../lib/emd/highs_emd.ts";
import { offsetDistanceTable } from "../lib/emd/ground.ts";
import { emdKnn } from "../lib/emd/knn.ts";
import { signatureAt, signatureSetOf } from "../lib/emd/signature.ts";
import { createTransportSolver } from "../lib/emd/transport.ts";
import { writeFileAtomic } from "../lib/io/atomic.ts";
import { createRandom } from "../lib/util/random.ts";
import { printHelpIfAsked } from "./_help.ts";

printHelpIfAsked(import.meta.url);

const { values: flags } = parseArgs({
  args: Deno.args,
  options: {
    datasets: { type: "string", default: "mnist-sample,fashion-mnist" },
    pairs: { type: "string", default: "200" },
    "highs-pairs": { type: "string", default: "60" },
    reps: { type: "string", default: "3" },
    queries: { type: "string", default: "20" },
    "pot-queries": { type: "string", default: "2" },
    "knn-window": { type: "string", default: "4" },
    windows: { type: "string", default: "7,4,2" },
    seed: { type: "string", default: "1" },
  },
});

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const load = () => Deno.loadavg().map((x) => Number(x.toFixed(2)));

async function runPot(spec: unknown): Promise<Record<string, unknown>> {
  const specPath = await Deno.makeTempFile({ prefix: "emd_pot_", suffix: ".json" });
  try {
    await Deno.writeTextFile(specPath, JSON.stringify(spec));
    const output = await new Deno.Command("/usr/bin/python3", {
      args: [join(PROJECT_ROOT, "bench", "emd_pot.py"), specPath],
      stdout: "piped",
      stderr: "inherit",
    }).output();
    if (!output.success) throw new Error(`emd_pot.py failed (exit ${output.code})`);
    return JSON.parse(new TextDecoder().decode(output.stdout));
  } finally {
    await Deno.remove(specPath);
  }
}

const pairCount = Number(flags.pairs);
const highsPairs = Number(flags["highs-pairs"]);
const reps = Number(flags.reps);
const windows = flags.windows!.split(",").map(Number);
const knnWindow = Number(flags["knn-window"]);
const queryCount = Number(flags.queries);
const potQueries = Number(flags["pot-queries"]);

for (const name of flags.datasets!.split(",")) {
  const files = await resolveDataset(name);
  const images = await readImages(files.trainImages);
  const queries = await readImages(files.testImages);
  const random = createRandom(Number(flags.seed));
  const pairs: [number, number][] = Array.from(
    { length: pairCount },
    () => [random.int(images.count), random.int(images.count)],
  );
  console.error(`bench:emd ${name}: ${images.count} images, ${pairCount} pairs, load ${load().join(" ")}`);

  const pot = await runPot({
    images: files.trainImages,
    query_images: files.testImages,
    pairs,
    windows,
    reps,
    knn: { window: knnWindow, k: 10, queries: potQueries },
  });
  const potPairs = pot.pairs as Record<
    string,
    { us_median: number; us_runs: number[]; cpu_us_per_pair: number; cpu_us_runs: number[]; values: number[] }
  >;

  const rows: Record<string, unknown>[] = [];
  for (const window of windows) {
    const set = signatureSetOf(images, { window });
    const fast = createTransportSolver(set.grid);
    const highs = await createHighsEmdSolver({ table: offsetDistanceTable(set.grid) });
    const signaturePairs = pairs.map(([i, j]) => [signatureAt(set, i), signatureAt(set, j)] as const);
    // Warm-up (JIT and WebAssembly tiers), then timed repetitions: each pair timed on its own.
    for (let w = 0; w < 3; w++) for (const [a, b] of signaturePairs) fast.emd(a, b);
    const fastRuns: number[] = [];
    const fastCpuRuns: number[] = [];
    const fastValues = new Float64Array(pairCount);
    let pivots = 0;
    let bins = 0;
    for (let r = 0; r < reps; r++) {
      const times: number[] = [];
      const cpuStarted = process.cpuUsage();
      signaturePairs.forEach(([a, b], t) => {
        const started = performance.now();
        fastValues[t] = fast.emd(a, b);
        times.push(performance.now() - started);
        if (r === 0) {
          pivots += fast.last.pivots;
          bins += a.mass.length + b.mass.length;
        }
      });
      const cpu = process.cpuUsage(cpuStarted);
      fastCpuRuns.push((cpu.user + cpu.system) / pairCount);
      fastRuns.push(1000 * median(times));
    }
    const highsCount = Math.min(highsPairs, pairCount);
    // WebAssembly starts in a slow tier: warm HiGHS up for ~1.5 s before timing it.
    const warmUntil = performance.now() + 1500;
    for (let t = 0; performance.now() < warmUntil && t < 300; t++) {
      await highs.solve(...signaturePairs[t % pairCount]);
    }
    const highsTimes: number[] = [];
    let maxHighsDiff = 0;
    for (let t = 0; t < highsCount; t++) {
      const started = performance.now();
      const reference = await highs.solve(...signaturePairs[t]);
      highsTimes.push(performance.now() - started);
      maxHighsDiff = Math.max(
        maxHighsDiff,
        Math.abs(reference.cost - fastValues[t]) / Math.max(reference.cost, 1e-300),
      );
    }
    const potRow = potPairs[String(window)];
    let maxPotDiff = 0;
    potRow.values.forEach((v, t) =>
      maxPotDiff = Math.max(maxPotDiff, Math.abs(v - fastValues[t]) / Math.max(v, 1e-300))
    );
    const fastUs = median(fastRuns);
    const highsUs = 1000 * median(highsTimes);
    rows.push({
      window,
      windows: set.grid.bins,
      mean_nonempty: bins / (2 * pairCount),
      mean_pivots: pivots / pairCount,
      fast_us: fastUs,
      fast_us_runs: fastRuns,
      highs_us: highsUs,
      highs_pairs: highsCount,
      pot_us: potRow.us_median,
      pot_us_runs: potRow.us_runs,
      fast_speed_vs_pot: potRow.us_median / fastUs,
      fast_cpu_us: median(fastCpuRuns),
      fast_cpu_us_runs: fastCpuRuns,
      pot_cpu_us: potRow.cpu_us_per_pair,
      pot_cpu_us_runs: potRow.cpu_us_runs,
      fast_cpu_speed_vs_pot: potRow.cpu_us_per_pair / median(fastCpuRuns),
      fast_speedup_vs_highs: highsUs / fastUs,
      max_rel_diff_fast_highs: maxHighsDiff,
      max_rel_diff_fast_pot: maxPotDiff,
    });
  }

  // k-NN with pruning (Workers) vs POT brute force.
  const knnSets = {
    data: signatureSetOf(images, { window: knnWindow, shared: true }),
    queries: signatureSetOf({
      ...queries,
      count: queryCount,
      pixels: queries.pixels.subarray(0, queryCount * 784),
    }, {
      window: knnWindow,
      shared: true,
    }),
  };
  const loadBeforeKnn = load();
  const knn = await emdKnn(knnSets, { k: 10, workers: 2 });
  const potKnn = pot.knn as { ms_per_query: number; distances: number[][]; queries: number } | undefined;
  let knnMaxDiff = 0;
  potKnn?.distances.forEach((row, q) =>
    row.forEach((d, r) =>
      knnMaxDiff = Math.max(knnMaxDiff, Math.abs(d - knn.distances[q * 10 + r]) / Math.max(d, 1e-300))
    )
  );
  const knnRow = {
    window: knnWindow,
    queries: queryCount,
    workers: knn.workers,
    ms_per_query: knn.milliseconds / queryCount,
    solved_per_query: knn.solved / queryCount,
    pruned_fraction: knn.pruned / (knn.pruned + knn.solved),
    pot_brute_force_queries: potKnn?.queries ?? 0,
    pot_brute_force_ms_per_query: potKnn?.ms_per_query,
    speedup_vs_pot_brute_force: potKnn ? potKnn.ms_per_query / (knn.milliseconds / queryCount) : undefined,
    max_rel_diff_vs_pot_10nn_distances: knnMaxDiff,
    load_before: loadBeforeKnn,
    load_after: load(),
  };
  const result = {
    dataset: name,
    files,
    images: images.count,
    pairs: pairCount,
    reps,
    seed: Number(flags.seed),
    deno: Deno.version.deno,
    pot: pot.pot,
    cpus: navigator.hardwareConcurrency,
    load_pot: [pot.load_before, pot.load_after],
    load_end: load(),
    per_pair: rows,
    knn: knnRow,
    date: new Date().toISOString(),
  };
  await Deno.mkdir(join(PROJECT_ROOT, "results", "bench"), { recursive: true });
  const outPath = join(PROJECT_ROOT, "results", "bench", `emd_${name}.json`);
  await writeFileAtomic(outPath, JSON.stringify(result, null, 2) + "\n");

  console.log(
    `\nEMD per pair, ${name} (${pairCount} pairs; HiGHS on the first ${
      Math.min(highsPairs, pairCount)
    }), load ${load().join(" ")}`,
  );
  console.log(
    "window | windows | non-empty | HiGHS us | fast us | POT us | fast/POT speed | CPU us/pair fast, POT (speed) | " +
      "fast vs HiGHS | max rel diff (HiGHS, POT)",
  );
  for (const r of rows as Record<string, number>[]) {
    const cells = [
      String(r.window).padStart(6),
      String(r.windows).padStart(7),
      r.mean_nonempty.toFixed(1).padStart(9),
      r.highs_us.toFixed(0).padStart(8),
      r.fast_us.toFixed(1).padStart(7),
      r.pot_us.toFixed(1).padStart(6),
      `${r.fast_speed_vs_pot.toFixed(2)}x`.padStart(14),
      `${r.fast_cpu_us.toFixed(1)}, ${r.pot_cpu_us.toFixed(1)} (${r.fast_cpu_speed_vs_pot.toFixed(2)}x)`
        .padStart(30),
      `${r.fast_speedup_vs_highs.toFixed(0)}x`.padStart(13),
      `${r.max_rel_diff_fast_highs.toExponential(1)}, ${r.max_rel_diff_fast_pot.toExponential(1)}`,
    ];
    console.log(cells.join(" | "));
  }
  console.log(
    `10-NN window ${knnWindow}: ${
      knnRow.ms_per_query.toFixed(1)
    } ms/query with pruning (${knnRow.workers} workers, ` +
      `${knnRow.solved_per_query.toFixed(0)} solves/query, ${
        (100 * knnRow.pruned_fraction).toFixed(2)
      }% pruned) vs POT brute force ` +
      `${
        knnRow.pot_brute_force_ms_per_query?.toFixed(0)
      } ms/query (${knnRow.pot_brute_force_queries} queries): ` +
      `${knnRow.speedup_vs_pot_brute_force?.toFixed(1)}x; 10-NN distances max rel diff vs POT ${
        knnMaxDiff.toExponential(1)
      }`,
  );
  console.log(`wrote ${outPath}`);
}
