/**
 * `deno task bench:lsh-ab <checkout A> <checkout B> [--dataset fashion-mnist] [--queries 2000]
 * [--k 14] [--L 80] [--candidates C] [--max-reads R] [--rounds 8]`
 *
 * A/B of the LSH query path of two checkouts of this repository (e.g. a `git worktree` of an older
 * commit and the working tree): both build the same index (single thread, probes 0) over the data set's
 * training images; then, after a warm-up, the two search all queries alternately, `--rounds` times each,
 * and the medians of their CPU times per query are printed with their ratio, and whether both found the
 * same neighbours. Interleaving puts both under the same drift of a shared machine's speed; run it twice
 * with A and B swapped, as the first in each round tends to be slower.
 * @module
 */
import process from "node:process";
import { parseArgs } from "node:util";
import { resolve } from "node:path";
import { printHelpIfAsked } from "./_help.ts";

printHelpIfAsked(import.meta.url);

function fail(message: string): never {
  console.error(`bench:lsh-ab: ${message}`);
  Deno.exit(2);
}

function parse() {
  try {
    return parseArgs({
      args: Deno.args,
      allowPositionals: true,
      options: {
        dataset: { type: "string", default: "fashion-mnist" },
        queries: { type: "string", default: "2000" },
        k: { type: "string", default: "14" },
        L: { type: "string", default: "80" },
        candidates: { type: "string" },
        "max-reads": { type: "string" },
        rounds: { type: "string", default: "8" },
      },
    });
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
}

/** A positive integer flag value, or one line naming the flag and exit 2. */
function positiveInteger(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) fail(`--${flag}: expected a positive integer, got "${text}"`);
  return value;
}

const { values: flags, positionals } = parse();
if (positionals.length !== 2) fail("give two checkouts of the repository to compare (see the module docs)");
const trees = positionals.map((tree) => resolve(tree));
for (const tree of trees) {
  try {
    await Deno.stat(`${tree}/lib/search/lsh.ts`);
  } catch {
    fail(`${tree}: not a checkout of this repository (no lib/search/lsh.ts)`);
  }
}
const queryCount = positiveInteger("queries", flags.queries)!;
const k = positiveInteger("k", flags.k)!;
const L = positiveInteger("L", flags.L)!;
const candidates = positiveInteger("candidates", flags.candidates);
const maxReads = positiveInteger("max-reads", flags["max-reads"]);
const rounds = positiveInteger("rounds", flags.rounds)!;

const { resolveDataset } = await import(`${trees[1]}/lib/data/datasets.ts`);
const { readImages } = await import(`${trees[1]}/lib/data/idx.ts`);
const files = await resolveDataset(flags.dataset!);
const train = await readImages(files.trainImages);
const test = await readImages(files.testImages, { limit: queryCount });
const dim = train.rows * train.cols;
const queries = test.pixels;
const indexes = [];
for (const tree of trees) {
  const { buildLshIndex } = await import(`${tree}/lib/search/lsh.ts`);
  indexes.push(
    buildLshIndex(train.pixels, dim, {
      k,
      L,
      candidates,
      probes: 0,
      seed: 1,
      shape: [train.rows, train.cols],
    }),
  );
}
const options = maxReads === undefined ? {} : { maxReads };
for (const index of indexes) {
  for (const started = performance.now(); performance.now() - started < 700;) {
    index.search(queries.subarray(0, Math.min(300, test.count) * dim), options);
  }
}
const cpu: number[][] = [[], []];
let same = true;
for (let round = 0; round < rounds; round++) {
  const found = indexes.map((index, side) => {
    const before = process.cpuUsage();
    const result = index.search(queries, options);
    const used = process.cpuUsage(before);
    cpu[side].push((used.user + used.system) / 1000 / test.count);
    return result;
  });
  for (let q = 0; q < test.count; q++) if (found[0].indices[q] !== found[1].indices[q]) same = false;
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];
const [a, b] = cpu.map(median);
console.log(
  `${files.name}, k ${k}, L ${L}${candidates ? `, candidates ${candidates}` : ""}${
    maxReads ? `, maxReads ${maxReads}` : ""
  }, ${test.count} queries, ${rounds} rounds: A ${a.toFixed(4)} B ${b.toFixed(4)} cpu ms/query, ` +
    `B/A ${(b / a).toFixed(3)}, same neighbours: ${same}`,
);
