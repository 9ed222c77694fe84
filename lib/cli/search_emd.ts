/**
 * `deno task search_emd -d <dataset images> -q <query images> -l1 <dataset labels> -l2 <query labels>
 * -o <out> -EMD [--window 4] [--neighbours 10] [--queries N] [--solver fast|highs]`
 *
 * Exact 10-NN of each query under the Earth Mover's Distance (window signatures, Euclidean ground
 * distance; lower-bound pruning keeps it exact) and under Manhattan distance on pixels, and the
 * "correctness" of each: the fraction of the k neighbours with the query's label, averaged over
 * queries, with n and 95 % intervals. Progress goes to stderr; the report is written atomically.
 *
 * An all-zero image has no EMD signature (no mass): it is rejected, naming the file and image index.
 * @module
 */
import { InputError } from "../errors.ts";
import { writeFileAtomic } from "../io/atomic.ts";
import { type ImageSet, readImages, readLabels } from "../data/idx.ts";
import { boundProfilesOf } from "../emd/bounds.ts";
import { knnCorrectness } from "../emd/correctness.ts";
import { emdKnn, type EmdSolverKind } from "../emd/knn.ts";
import { formatSearchEmdOutput, type SearchEmdReport } from "../emd/output.ts";
import { firstZeroImage, signatureSetOf, windowGrid } from "../emd/signature.ts";
import { createL1Engine } from "../simd/mod.ts";
import { defaultWorkerCount } from "../util/worker_pool.ts";
import { defineTool, runMain } from "./_run.ts";
import { MAX_COUNT, MAX_SEED } from "./_flags.ts";

function progress(message: string): void {
  Deno.stderr.writeSync(new TextEncoder().encode(`search_emd: ${message}\n`));
}

function rejectZeroImage(images: ImageSet, path: string): void {
  const zero = firstZeroImage(images);
  if (zero >= 0) {
    throw new InputError(
      `${path}: image ${zero} is all zeros (no mass): its EMD signature is empty and the EMD is undefined`,
    );
  }
}

/** The `search_emd` tool. */
export const searchEmdTool = defineTool({
  name: "search_emd",
  summary: "Exact k-NN under the Earth Mover's Distance (window signatures, HiGHS-checked exact solver, " +
    "lower-bound pruning) vs Manhattan distance; writes the average label correctness of both with " +
    "95% intervals, times, and how many LPs were solved vs pruned.",
  flags: {
    dataset: {
      names: ["-d", "--dataset"],
      kind: "input",
      required: true,
      description: "Dataset images (IDX)",
    },
    queries: {
      names: ["-q", "--queries-file"],
      kind: "input",
      required: true,
      description: "Query images (IDX)",
    },
    dataLabels: {
      names: ["-l1", "--dataset-labels"],
      kind: "input",
      required: true,
      description: "Dataset labels (IDX)",
    },
    queryLabels: {
      names: ["-l2", "--query-labels"],
      kind: "input",
      required: true,
      description: "Query labels (IDX)",
    },
    out: { names: ["-o", "--out"], kind: "output", required: true, description: "Output file" },
    emd: {
      names: ["-EMD", "--emd"],
      kind: "boolean",
      description: "EMD mode (required, as in the original tool)",
    },
    window: {
      names: ["--window", "-window"],
      kind: "integer",
      default: 4,
      min: 1,
      max: 1024,
      description: "Window side in pixels (must divide the image size)",
    },
    neighbours: {
      names: ["--neighbours", "--neighbors", "-k"],
      kind: "integer",
      default: 10,
      min: 1,
      max: 1000,
      description: "Neighbours per query",
    },
    count: {
      names: ["--queries", "-N"],
      kind: "integer",
      min: 1,
      max: MAX_COUNT,
      description: "Use the first N queries (default: all)",
    },
    solver: {
      names: ["--solver"],
      kind: "string",
      default: "fast",
      choices: ["fast", "transport", "highs"],
      description: "EMD solver (transport = fast)",
    },
    bound: {
      names: ["--bound"],
      kind: "string",
      default: "projection",
      choices: ["projection", "centroid", "none"],
      description: "Lower bound for pruning",
    },
    workers: {
      names: ["--workers"],
      kind: "integer",
      min: 0,
      max: 64,
      description: "Workers (default: CPU cores; 0 = this thread)",
    },
    seed: {
      names: ["--seed"],
      kind: "integer",
      default: 1,
      min: 0,
      max: MAX_SEED,
      description: "Bootstrap seed",
    },
  },
  async run(flags) {
    if (!flags.emd) throw new InputError("-EMD: required flag is missing (see --help)");
    const datasetPath = flags.dataset;
    const queryPath = flags.queries;
    const outPath = flags.out;
    const { window, bound, seed } = flags;
    const k = flags.neighbours;
    const solver: EmdSolverKind = flags.solver === "highs" ? "highs" : "fast";
    const workers = flags.workers ?? defaultWorkerCount();

    const data = await readImages(datasetPath);
    const queries = await readImages(queryPath);
    if (data.rows !== queries.rows || data.cols !== queries.cols) {
      throw new InputError(
        `${queryPath}: images are ${queries.rows}x${queries.cols}, but the dataset ${datasetPath} has ${data.rows}x${data.cols}`,
      );
    }
    const dataLabels = await readLabels(flags.dataLabels, data.count);
    const queryLabels = await readLabels(flags.queryLabels, queries.count);
    const grid = windowGrid(data.rows, data.cols, window);
    if (k > data.count) {
      throw new InputError(`--neighbours: ${k} is larger than the dataset (${data.count} images)`);
    }
    const count = flags.count ?? queries.count;
    if (count > queries.count) {
      throw new InputError(`--queries: ${count} is more than the ${queries.count} images in ${queryPath}`);
    }
    rejectZeroImage(data, datasetPath);
    const usedQueries: ImageSet = {
      count,
      rows: queries.rows,
      cols: queries.cols,
      pixels: queries.pixels.subarray(0, count * queries.rows * queries.cols),
    };
    rejectZeroImage(usedQueries, queryPath);
    const queryIndices = Int32Array.from({ length: count }, (_, i) => i);

    // EMD.
    progress(
      `EMD ${count} queries x ${data.count} images, window ${window} (${grid.bins} windows), ` +
        `solver ${solver}, bound ${bound}, ${workers} workers`,
    );
    const setupStarted = performance.now();
    const sets = {
      data: signatureSetOf(data, { window, source: datasetPath, shared: workers > 0 }),
      queries: signatureSetOf(usedQueries, { window, source: queryPath, shared: workers > 0 }),
    };
    const dataBounds = bound === "none" ? undefined : boundProfilesOf(sets.data, { shared: workers > 0 });
    const queryBounds = bound === "none" ? undefined : boundProfilesOf(sets.queries, { shared: workers > 0 });
    let lastReport = performance.now();
    const emdStarted = performance.now();
    let searchStarted = 0;
    const emd = await emdKnn(sets, {
      k,
      bound,
      solver,
      workers,
      dataBounds,
      queryBounds,
      queryIndices,
      onProgress(done, total) {
        if (searchStarted === 0) searchStarted = performance.now();
        const now = performance.now();
        if (now - lastReport > 2000 || done === total) {
          lastReport = now;
          progress(`EMD ${done}/${total} queries (${((now - emdStarted) / 1000).toFixed(1)} s)`);
        }
      },
    });
    const emdSetup = performance.now() - setupStarted - emd.milliseconds;

    // Manhattan.
    progress(`Manhattan ${count} queries x ${data.count} images`);
    const l1SetupStarted = performance.now();
    const engine = await createL1Engine(data.pixels, data.rows * data.cols, {
      workers: Math.max(1, workers),
    });
    const l1Setup = performance.now() - l1SetupStarted;
    let l1: { indices: Uint32Array };
    const l1Started = performance.now();
    try {
      l1 = await engine.knn(usedQueries.pixels, k);
    } finally {
      engine.close();
    }
    const l1Milliseconds = performance.now() - l1Started;

    const resamples = 2000;
    const scoring = { k, dataLabels, queryLabels, queryIndices, seed, resamples };
    const emdScore = knnCorrectness(emd.neighbours, scoring);
    const l1Score = knnCorrectness(l1.indices, scoring);
    const report: SearchEmdReport = {
      emdCorrect: emdScore.bootstrap.estimate,
      manhattanCorrect: l1Score.bootstrap.estimate,
      queries: count,
      neighbours: k,
      emdBootstrap: emdScore.bootstrap,
      manhattanBootstrap: l1Score.bootstrap,
      emdWilson: emdScore.wilson,
      manhattanWilson: l1Score.wilson,
      emdMilliseconds: emd.milliseconds,
      manhattanMilliseconds: l1Milliseconds,
      emdSetupMilliseconds: emdSetup,
      manhattanSetupMilliseconds: l1Setup,
      solved: emd.solved,
      pruned: emd.pruned,
      window,
      windows: grid.bins,
      solver,
      bound,
      workers: emd.workers,
      seed,
      resamples,
      dataset: datasetPath,
      datasetCount: data.count,
      queryFile: queryPath,
      datasetLabels: flags.dataLabels,
      queryLabels: flags.queryLabels,
    };
    await writeFileAtomic(outPath, formatSearchEmdOutput(report));
    progress(
      `EMD ${report.emdCorrect.toFixed(4)} vs MANHATTAN ${report.manhattanCorrect.toFixed(4)}; ` +
        `${emd.solved} LPs solved, ${emd.pruned} pruned; wrote ${outPath}`,
    );
  },
});

if (import.meta.main) await runMain(searchEmdTool);
