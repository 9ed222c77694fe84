/**
 * `deno task search -d <orig dataset> -i <latent dataset> -q <orig queries> -s <latent queries>
 *  -k <int> -L <int> -o <out> [-N 1] [-w W]`: for every query, the nearest neighbour in latent space
 * (reported by its pixel-space distance), by LSH and by exact search in pixel space, with times,
 * approximation factors, recall@1 and the number of queries without LSH candidates. Progress goes to
 * stderr; the output file is written at the end, atomically (see `lib/search/output.ts` for the format).
 * @module
 */
import { defineTool, runMain } from "./_run.ts";
import { MAX_COUNT, MAX_SEED } from "./_flags.ts";
import { InputError } from "../errors.ts";
import { readImages, readLatent } from "../data/idx.ts";
import { writeFileAtomic } from "../io/atomic.ts";
import { compareSearches } from "../search/compare.ts";
import { formatQueryBlock, formatSummary } from "../search/output.ts";

/** The `search` tool. */
export const searchTool = defineTool({
  name: "search",
  summary:
    "Nearest neighbours (L1) of each query: exhaustive in latent space (Reduced), LSH and exact (True) " +
    "in pixel space. Writes per-query neighbours and pixel-space distances, total times (ms), approximation " +
    "factors, recall@1 and the count of queries without LSH candidates. LSH defaults fit k and L: a query " +
    "aims at --candidates candidates (default min(n, 24 sqrt(n)) for n dataset images); without -w the width " +
    "is chosen from the data so that the median query's own buckets hold half of them; multi-probe tops " +
    "up queries with fewer; a query still without candidates is widened (more probes, then the smallest " +
    "crowded bucket, then the nearest cell of one hash function), so every query gets candidates.",
  flags: {
    dataset: {
      names: ["-d", "--dataset"],
      kind: "input",
      required: true,
      description: "Dataset images (IDX uint8)",
    },
    latent: {
      names: ["-i", "--latent"],
      kind: "input",
      required: true,
      description: "Latent dataset (IDX int16 N x 1 x D)",
    },
    queries: {
      names: ["-q", "--queries"],
      kind: "input",
      required: true,
      description: "Query images (IDX uint8)",
    },
    latentQueries: {
      names: ["-s", "--latent-queries"],
      kind: "input",
      required: true,
      description: "Latent queries",
    },
    k: {
      names: ["-k"],
      kind: "integer",
      required: true,
      min: 1,
      max: 1024,
      description: "LSH hash functions per table",
    },
    L: {
      names: ["-L"],
      kind: "integer",
      required: true,
      min: 1,
      max: 10000,
      description: "LSH tables",
    },
    out: { names: ["-o", "--out"], kind: "output", required: true, description: "Output file" },
    N: { names: ["-N"], kind: "integer", default: 1, min: 1, max: 1000, description: "Neighbours per query" },
    w: {
      names: ["-w"],
      kind: "number",
      min: 0,
      minExclusive: true,
      max: 1e9,
      description:
        "LSH bucket width (> 0; default: chosen from the data for k and L: the median query's own buckets hold half of --candidates)",
    },
    probes: {
      names: ["--probes"],
      kind: "integer",
      min: 0,
      max: 4096,
      description:
        "LSH multi-probe budget in buckets per table (query-directed order over all tables; a query stops once it has --candidates; default: max(4 L, 128) / L)",
    },
    candidates: {
      names: ["--candidates"],
      kind: "integer",
      min: 1,
      max: MAX_COUNT,
      description:
        "LSH: candidates a query aims at (default: min(n, 24 sqrt(n)) for n dataset images; 5,879 for 60,000)",
    },
    block: {
      names: ["--block"],
      kind: "integer",
      min: 1,
      max: 1024,
      description: "LSH: side of the pixel blocks whose sums are hashed (1 = single pixels; default 4)",
    },
    maxChecks: {
      names: ["--max-checks"],
      kind: "integer",
      min: 1,
      max: MAX_COUNT,
      description: "LSH: check at most this many candidates per query (most frequent first; default all)",
    },
    maxReads: {
      names: ["--max-reads"],
      kind: "integer",
      min: 1,
      max: MAX_COUNT,
      description:
        "LSH: read at most this many candidate rows in full per query, those with the smallest lower bounds " +
        "(approximate, faster; default: all, exact over the candidates; needs -N 1 and the bounds)",
    },
    maxBucket: {
      names: ["--max-bucket"],
      kind: "integer",
      min: 1,
      max: MAX_COUNT,
      description:
        "LSH: skip buckets with more members than this (crowded; default: 4 x candidates / L; raise it for a higher recall at a little more time)",
    },
    noBounds: {
      names: ["--no-bounds"],
      kind: "boolean",
      description:
        "LSH: read every checked candidate's row (default: skip rows that lower bounds from 4x4 and 2x2 block sums rule out; same results)",
    },
    family: {
      names: ["--family"],
      kind: "string",
      default: "grid",
      choices: ["grid", "cauchy"],
      description: "LSH hash family: shifted grids or Cauchy projections, both on block sums",
    },
    seed: { names: ["--seed"], kind: "integer", default: 1, min: 0, max: MAX_SEED, description: "LSH seed" },
    workers: {
      names: ["--workers"],
      kind: "integer",
      min: 1,
      max: 64,
      description: "Workers for exact search (default: all cores)",
    },
    limit: {
      names: ["--limit"],
      kind: "integer",
      min: 1,
      max: MAX_COUNT,
      description: "Use only the first N queries",
    },
  },
  async run(flags) {
    const started = performance.now();
    const { w, out, limit } = flags;
    if (flags.maxReads !== undefined && (flags.N !== 1 || flags.noBounds)) {
      throw new InputError(
        `--max-reads: needs the lower bounds of a nearest-neighbour search (-N 1, without --no-bounds)`,
      );
    }
    const datasetPath = flags.dataset;
    const latentPath = flags.latent;
    const queryPath = flags.queries;
    const latentQueryPath = flags.latentQueries;
    const [dataset, latent, queries, latentQueries] = await Promise.all([
      readImages(datasetPath),
      readLatent(latentPath),
      readImages(queryPath, { limit }),
      readLatent(latentQueryPath),
    ]);
    if (queries.rows !== dataset.rows || queries.cols !== dataset.cols) {
      throw new InputError(
        `${queryPath}: query images are ${queries.rows}x${queries.cols}, dataset ${datasetPath} has ${dataset.rows}x${dataset.cols}`,
      );
    }
    if (latent.count !== dataset.count) {
      throw new InputError(
        `${latentPath}: ${latent.count} latent vectors, but ${datasetPath} has ${dataset.count} images`,
      );
    }
    const latentQueryCount = limit !== undefined ? Math.min(limit, latentQueries.count) : latentQueries.count;
    if (latentQueryCount !== queries.count) {
      throw new InputError(
        `${latentQueryPath}: ${latentQueries.count} latent vectors, but ${queryPath} has ${queries.count} images`,
      );
    }
    if (latentQueries.dim !== latent.dim) {
      throw new InputError(
        `${latentQueryPath}: latent dimension ${latentQueries.dim}, ${latentPath} has ${latent.dim}`,
      );
    }
    const N = flags.N;
    if (N > dataset.count) {
      throw new InputError(`-N: ${N} is out of range (the dataset has ${dataset.count} images)`);
    }
    const dim = dataset.rows * dataset.cols;
    const loadedMs = performance.now() - started;
    let lastReport = 0;
    const result = await compareSearches({
      pixels: dataset.pixels,
      dim,
      latent: latent.values,
      latentDim: latent.dim,
      queryPixels: queries.pixels,
      queryLatent: latentQueries.values.subarray(0, queries.count * latent.dim),
    }, {
      neighbours: N,
      lsh: {
        k: flags.k,
        L: flags.L,
        w,
        probes: flags.probes,
        candidates: flags.candidates,
        block: flags.block,
        maxChecks: flags.maxChecks,
        maxReads: flags.maxReads,
        maxBucket: flags.maxBucket,
        family: flags.family,
        seed: flags.seed,
        shape: [dataset.rows, dataset.cols],
        bounds: !flags.noBounds,
      },
      workers: flags.workers,
      onProgress(stage, done, total) {
        const now = performance.now();
        if (done === total || now - lastReport > 2000) {
          lastReport = now;
          console.error(
            `search: ${stage} ${done}/${total} queries (${((now - started) / 1000).toFixed(1)} s)`,
          );
        }
      },
    });
    const parts = result.reports.map(formatQueryBlock);
    parts.push(formatSummary({ ...result.summary, "tLoad": Number(loadedMs.toFixed(3)) }));
    await writeFileAtomic(out, parts.join(""));
    const s = result.summary;
    console.error(
      `search: wrote ${out}: ${queries.count} queries, tTrue ${s["tTrue"]} ms, tLSH ${s["tLSH"]} ms, ` +
        `tReduced ${s["tReduced"]} ms, recall@1 LSH ${s["Recall@1 LSH"]}, AF LSH ${
          s["Approximation Factor LSH"]
        }, ` +
        `AF Reduced ${s["Approximation Factor Reduced"]}, no candidates ${
          s["Queries without LSH candidates"]
        }, LSH checked ${
          (100 * Number(s["Share of the data set checked by LSH"])).toFixed(2)
        } % of the dataset ` +
        `(total ${((performance.now() - started) / 1000).toFixed(1)} s)`,
    );
  },
});

if (import.meta.main) await runMain(searchTool);
