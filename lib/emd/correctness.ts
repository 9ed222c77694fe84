/**
 * Task C's evaluation of a k-NN search: its "correctness", the fraction of each query's k neighbours
 * that carry the query's label, averaged over the queries (spec section C), with its sample size and
 * 95 % intervals: a bootstrap interval of the mean over queries, and a Wilson interval over all
 * query–neighbour pairs. The same function scores the EMD and the Manhattan neighbours, in the
 * `search_emd` tool and in notebook `C_emd.ipynb`.
 * @module
 */
import { InputError } from "../errors.ts";
import { bootstrapMeanInterval, type Interval, wilsonInterval } from "../stats/intervals.ts";

/** Options for {@linkcode knnCorrectness}. */
export interface KnnCorrectnessOptions {
  /** Neighbours per query. */
  k: number;
  /** Label of each data set image (indexed by neighbour index). */
  dataLabels: ArrayLike<number>;
  /** Label of each query image (indexed by query index). */
  queryLabels: ArrayLike<number>;
  /** The query index of each row of neighbours. Default: row `t` is query `t`. */
  queryIndices?: ArrayLike<number>;
  /** Seed of the bootstrap resampling. Default 1. */
  seed?: number;
  /** Bootstrap resamples. Default 2000. */
  resamples?: number;
}

/** The correctness of a k-NN search with its intervals. */
export interface KnnCorrectness {
  /** Per query: the fraction of its k neighbours with its label. */
  perQuery: Float64Array;
  /** Query–neighbour pairs with the same label, over all queries. */
  matches: number;
  /** Percentile bootstrap interval of the mean of {@linkcode KnnCorrectness.perQuery} (n = queries). */
  bootstrap: Interval;
  /** Wilson interval of `matches` out of all query–neighbour pairs (n = queries × k). */
  wilson: Interval;
}

/**
 * Scores `neighbours` (`queries × k` data set indices, row after row, as `emdKnn` and the L1 engine
 * return them) against the labels: see the module doc.
 */
export function knnCorrectness(
  neighbours: ArrayLike<number>,
  options: KnnCorrectnessOptions,
): KnnCorrectness {
  const { k, dataLabels, queryLabels } = options;
  if (!Number.isInteger(k) || k < 1) {
    throw new InputError(`knnCorrectness: k must be an integer >= 1, got ${k}`);
  }
  if (neighbours.length % k !== 0 || neighbours.length === 0) {
    throw new InputError(
      `knnCorrectness: ${neighbours.length} neighbours are not a positive multiple of k = ${k}`,
    );
  }
  const count = neighbours.length / k;
  const queryIndices = options.queryIndices;
  if (queryIndices && queryIndices.length !== count) {
    throw new InputError(
      `knnCorrectness: ${queryIndices.length} query indices for ${count} rows of neighbours`,
    );
  }
  const perQuery = new Float64Array(count);
  let matches = 0;
  for (let t = 0; t < count; t++) {
    const label = queryLabels[queryIndices ? queryIndices[t] : t];
    let hit = 0;
    for (let r = 0; r < k; r++) if (dataLabels[neighbours[t * k + r]] === label) hit++;
    perQuery[t] = hit / k;
    matches += hit;
  }
  return {
    perQuery,
    matches,
    bootstrap: bootstrapMeanInterval(perQuery, {
      seed: options.seed ?? 1,
      resamples: options.resamples ?? 2000,
    }),
    wilson: wilsonInterval(matches, count * k),
  };
}
