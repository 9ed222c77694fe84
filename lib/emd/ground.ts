/**
 * Ground distance between windows: the Euclidean distance between window centres, in pixels. Because
 * centres lie on a regular grid, the distance depends only on the row and column offsets between two
 * windows: `window * sqrt(dr^2 + dc^2)`; a small table indexed by `|dr| * gridCols + |dc|` holds them.
 * @module
 */
import type { Signature, WindowGrid } from "./signature.ts";

/** Distances by grid offset: entry `|dr| * gridCols + |dc|` is `window * sqrt(dr^2 + dc^2)`. */
export function offsetDistanceTable(grid: WindowGrid): Float64Array {
  const table = new Float64Array(grid.gridRows * grid.gridCols);
  for (let dr = 0; dr < grid.gridRows; dr++) {
    for (let dc = 0; dc < grid.gridCols; dc++) {
      table[dr * grid.gridCols + dc] = grid.window * Math.sqrt(dr * dr + dc * dc);
    }
  }
  return table;
}

/** Euclidean distance in pixels between the centres of windows `binA` and `binB`. */
export function groundDistance(grid: WindowGrid, binA: number, binB: number): number {
  const dr = Math.floor(binA / grid.gridCols) - Math.floor(binB / grid.gridCols);
  const dc = (binA % grid.gridCols) - (binB % grid.gridCols);
  return grid.window * Math.sqrt(dr * dr + dc * dc);
}

/** Options for {@linkcode groundDistanceMatrix}. */
export interface GroundDistanceOptions {
  /** A table from {@linkcode offsetDistanceTable} for the signatures' grid (computed when absent). */
  table?: Float64Array;
  /** Output buffer of at least `a.bins.length * b.bins.length` entries. */
  out?: Float64Array;
}

/**
 * The `n x m` ground distance matrix between the bins of `a` (rows) and `b` (columns), row-major.
 * Both signatures must use the same grid.
 */
export function groundDistanceMatrix(
  a: Signature,
  b: Signature,
  options: GroundDistanceOptions = {},
): Float64Array {
  const grid = a.grid;
  const table = options.table ?? offsetDistanceTable(grid);
  const n = a.bins.length;
  const m = b.bins.length;
  const out = options.out ?? new Float64Array(n * m);
  const gc = grid.gridCols;
  for (let i = 0; i < n; i++) {
    const bi = a.bins[i];
    const ri = Math.floor(bi / gc);
    const ci = bi - ri * gc;
    const row = i * m;
    for (let j = 0; j < m; j++) {
      const bj = b.bins[j];
      const rj = Math.floor(bj / gc);
      const cj = bj - rj * gc;
      const dr = ri > rj ? ri - rj : rj - ri;
      const dc = ci > cj ? ci - cj : cj - ci;
      out[row + j] = table[dr * gc + dc];
    }
  }
  return out;
}
