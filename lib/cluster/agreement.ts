/**
 * Agreement between two partitions of the same points (e.g. a clustering and the true labels):
 * contingency table, adjusted Rand index (Hubert & Arabie 1985) and purity.
 * @module
 */

/** Contingency table of two labelings: `counts[a * columns + b]` = #points with label a and label b. */
export interface Contingency {
  /** Number of distinct labels of the first labeling (1 + its largest label). */
  rows: number;
  /** Number of distinct labels of the second labeling (1 + its largest label). */
  columns: number;
  /** Row-major counts. */
  counts: Float64Array;
}

/** Builds the contingency table of two labelings of the same points (labels: integers ≥ 0). */
export function contingencyTable(first: ArrayLike<number>, second: ArrayLike<number>): Contingency {
  if (first.length !== second.length) {
    throw new RangeError(`labelings have different lengths (${first.length} and ${second.length})`);
  }
  let rows = 0;
  let columns = 0;
  for (let i = 0; i < first.length; i++) {
    if (!(first[i] >= 0) || !(second[i] >= 0)) throw new RangeError(`negative or missing label at ${i}`);
    rows = Math.max(rows, first[i] + 1);
    columns = Math.max(columns, second[i] + 1);
  }
  const counts = new Float64Array(rows * columns);
  for (let i = 0; i < first.length; i++) counts[first[i] * columns + second[i]]++;
  return { rows, columns, counts };
}

function pairs(n: number): number {
  return (n * (n - 1)) / 2;
}

/**
 * Adjusted Rand index of two labelings: 1 for identical partitions, ≈ 0 for independent ones
 * (same formula as scikit-learn's `adjusted_rand_score`; 1 when both are a single cluster).
 */
export function adjustedRandIndex(first: ArrayLike<number>, second: ArrayLike<number>): number {
  const { rows, columns, counts } = contingencyTable(first, second);
  const n = first.length;
  let index = 0;
  const rowSums = new Float64Array(rows);
  const columnSums = new Float64Array(columns);
  for (let a = 0; a < rows; a++) {
    for (let b = 0; b < columns; b++) {
      const c = counts[a * columns + b];
      index += pairs(c);
      rowSums[a] += c;
      columnSums[b] += c;
    }
  }
  const rowPairs = rowSums.reduce((s, x) => s + pairs(x), 0);
  const columnPairs = columnSums.reduce((s, x) => s + pairs(x), 0);
  const expected = (rowPairs * columnPairs) / pairs(n);
  const maximum = (rowPairs + columnPairs) / 2;
  if (maximum === expected) return 1;
  return (index - expected) / (maximum - expected);
}

/** Purity of `clusters` against `labels`: Σ over clusters of its most frequent label's count, / n. */
export function purity(clusters: ArrayLike<number>, labels: ArrayLike<number>): number {
  const { rows, columns, counts } = contingencyTable(clusters, labels);
  let total = 0;
  for (let a = 0; a < rows; a++) {
    let best = 0;
    for (let b = 0; b < columns; b++) best = Math.max(best, counts[a * columns + b]);
    total += best;
  }
  return total / clusters.length;
}
