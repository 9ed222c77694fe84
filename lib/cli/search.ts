/**
 * `deno task search -d <orig dataset> -i <latent dataset> -q <orig queries> -s <latent queries>
 *  -k <int> -L <int> -o <out> [-N 1] [-w W]`: for every query, the nearest neighbour in latent space
 * (reported by its pixel-space distance), by LSH and by exact search in pixel space, with times,
 * approximation factors, recall@1 and the number of queries without LSH candidates. Progress goes to
 * stderr; the output file is written at the end, atomically (see `lib/search/output.ts` for the format).
 * @module
 */
import { dirname, resolve } from "node:path";
import { type CliTool, runMain } from "./_run.ts";
import { InputError } from "../errors.ts";
import { readImages, readLatent } from "../data/idx.ts";
import { writeFileAtomic } from "../io/atomic.ts";
import { compareSearches } from "../search/compare.ts";
import { formatQueryBlock, formatSummary } from "../search/output.ts";

async function ensureOutputFolder(path: string): Promise<void> {
  const folder = dirname(resolve(path));
  try {
    const info = await Deno.stat(folder);
    if (!info.isDirectory) throw new InputError(`-o: ${folder} is not a folder`);
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`-o: output folder ${folder} does not exist`);
  }
  try {
    if ((await Deno.stat(path)).isDirectory) throw new InputError(`-o: ${path} is a folder`);
  } catch (error) {
    if (error instanceof InputError) throw error;
  }
}

/** The `search` tool. */
export const searchTool: CliTool = {
  name: "search",
  summary:
    "Nearest neighbours (L1) of each query: exhaustive in latent space (Reduced), LSH and exact (True) " +
    "in pixel space. Writes per-query neighbours and pixel-space distances, total times (ms), approximation " +
    "factors, recall@1 and the count of queries without LSH candidates. LSH defaults fit k and L: a query " +
    "aims at --candidates candidates (default min(n, 24 sqrt(n)) for n dataset images); without -w the width " +
    "is chosen from the data so that the median query's own buckets hold half of them; multi-probe tops " +
    "up queries with fewer; a query still without candidates is widened (more probes, then the smallest " +
    "crowded bucket, then the nearest cell of one hash function), so every query gets candidates.",
  flags: [
    {
      key: "dataset",
      names: ["-d", "--dataset"],
      type: "string",
      required: true,
      description: "Dataset images (IDX uint8)",
    },
    {
      key: "latent",
      names: ["-i", "--latent"],
      type: "string",
      required: true,
      description: "Latent dataset (IDX int16 N x 1 x D)",
    },
    {
      key: "queries",
      names: ["-q", "--queries"],
      type: "string",
      required: true,
      description: "Query images (IDX uint8)",
    },
    {
      key: "latentQueries",
      names: ["-s", "--latent-queries"],
      type: "string",
      required: true,
      description: "Latent queries",
    },
    {
      key: "k",
      names: ["-k"],
      type: "integer",
      required: true,
      min: 1,
      max: 1024,
      description: "LSH hash functions per table",
    },
    {
      key: "L",
      names: ["-L"],
      type: "integer",
      required: true,
      min: 1,
      max: 10000,
      description: "LSH tables",
    },
    { key: "out", names: ["-o", "--out"], type: "string", required: true, description: "Output file" },
    { key: "N", names: ["-N"], type: "integer", default: 1, min: 1, description: "Neighbours per query" },
    {
      key: "w",
      names: ["-w"],
      type: "number",
      description:
        "LSH bucket width (> 0; default: chosen from the data for k and L: the median query's own buckets hold half of --candidates)",
    },
    {
      key: "probes",
      names: ["--probes"],
      type: "integer",
      min: 0,
      max: 4096,
      description:
        "LSH multi-probe budget in buckets per table (query-directed order over all tables; a query stops once it has --candidates; default: max(4 L, 128) / L)",
    },
    {
      key: "candidates",
      names: ["--candidates"],
      type: "integer",
      min: 1,
      description:
        "LSH: candidates a query aims at (default: min(n, 24 sqrt(n)) for n dataset images; 5,879 for 60,000)",
    },
    {
      key: "block",
      names: ["--block"],
      type: "integer",
      min: 1,
      max: 1024,
      description: "LSH: side of the pixel blocks whose sums are hashed (1 = single pixels; default 4)",
    },
    {
      key: "maxChecks",
      names: ["--max-checks"],
      type: "integer",
      min: 1,
      description: "LSH: check at most this many candidates per query (most frequent first; default all)",
    },
    {
      key: "maxBucket",
      names: ["--max-bucket"],
      type: "integer",
      min: 1,
      description: "LSH: skip buckets with more members than this (crowded; default: 4 x candidates / L)",
    },
    {
      key: "noBounds",
      names: ["--no-bounds"],
      type: "boolean",
      description:
        "LSH: read every checked candidate's row (default: skip rows that lower bounds from 4x4 and 2x2 block sums rule out; same results)",
    },
    {
      key: "family",
      names: ["--family"],
      type: "string",
      default: "grid",
      choices: ["grid", "cauchy"],
      description: "LSH hash family: shifted grids or Cauchy projections, both on block sums",
    },
    { key: "seed", names: ["--seed"], type: "integer", default: 1, min: 0, description: "LSH seed" },
    {
      key: "workers",
      names: ["--workers"],
      type: "integer",
      min: 1,
      max: 64,
      description: "Workers for exact search (default: all cores)",
    },
    {
      key: "limit",
      names: ["--limit"],
      type: "integer",
      min: 1,
      description: "Use only the first N queries",
    },
  ],
  async run(flags) {
    const started = performance.now();
    const w = flags.w as number | undefined;
    if (w !== undefined && !(w > 0)) throw new InputError(`-w: ${w} is out of range (must be > 0)`);
    const out = flags.out as string;
    await ensureOutputFolder(out);
    const datasetPath = flags.dataset as string;
    const latentPath = flags.latent as string;
    const queryPath = flags.queries as string;
    const latentQueryPath = flags.latentQueries as string;
    const limit = flags.limit as number | undefined;
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
    const N = flags.N as number;
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
        k: flags.k as number,
        L: flags.L as number,
        w,
        probes: flags.probes as number | undefined,
        candidates: flags.candidates as number | undefined,
        block: flags.block as number | undefined,
        maxChecks: flags.maxChecks as number | undefined,
        maxBucket: flags.maxBucket as number | undefined,
        family: flags.family as "grid" | "cauchy",
        seed: flags.seed as number,
        shape: [dataset.rows, dataset.cols],
        bounds: !flags.noBounds,
      },
      workers: flags.workers as number | undefined,
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
};

if (import.meta.main) await runMain(searchTool);
