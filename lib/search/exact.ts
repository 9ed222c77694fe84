/**
 * Exact L1 k-nearest-neighbour index: built once over a data set (uint8 pixels or int16 latent
 * values, never converted to floats), queried many times. Uses the parallel WebAssembly SIMD engine
 * of `lib/simd/` (Workers sharing one wasm memory).
 * @module
 */
import { createL1Engine, type L1Engine, type L1Vectors } from "../simd/mod.ts";

/** Options for {@linkcode buildExactIndex}. */
export interface ExactIndexOptions {
  /** Number of Workers (default: all cores). */
  workers?: number;
}

/** Neighbours of a batch of queries: `neighbours` per query, row-major. */
export interface NeighbourLists {
  /** Neighbours per query. */
  neighbours: number;
  /** Data indices (ascending distance, ties by lower index); -1 where fewer were found. */
  indices: Int32Array;
  /** L1 distances matching `indices` (0 where the index is -1; check the index). */
  distances: Uint32Array;
}

/** Result of an exact search. */
export interface ExactSearchResult extends NeighbourLists {
  /** Wall time of the search in milliseconds. */
  ms: number;
}

/** Options for {@linkcode ExactIndex.search}. */
export interface ExactSearchOptions {
  /** Neighbours per query (1 ≤ k ≤ count; default 1). */
  k?: number;
}

/** An exact L1 index (see the module docs). Call `close()` when done. */
export interface ExactIndex {
  /** Number of data vectors. */
  readonly count: number;
  /** Vector dimension. */
  readonly dim: number;
  /** Number of Workers. */
  readonly workers: number;
  /** Milliseconds spent building (copying the data into wasm memory, starting Workers). */
  readonly buildMs: number;
  /** The k nearest data vectors of each query (same element type as the data). */
  search(queries: L1Vectors, options?: ExactSearchOptions): Promise<ExactSearchResult>;
  /** Stops the Workers. */
  close(): void;
}

/** Builds an {@linkcode ExactIndex} over `data` (`count × dim` values). */
export async function buildExactIndex(
  data: L1Vectors,
  dim: number,
  options: ExactIndexOptions = {},
): Promise<ExactIndex> {
  const started = performance.now();
  const engine: L1Engine = await createL1Engine(data, dim, { workers: options.workers });
  const buildMs = performance.now() - started;
  return {
    count: engine.count,
    dim,
    workers: engine.workers,
    buildMs,
    async search(queries, searchOptions = {}) {
      const k = searchOptions.k ?? 1;
      const t0 = performance.now();
      const result = await engine.knn(queries, k);
      const ms = performance.now() - t0;
      return {
        neighbours: k,
        indices: new Int32Array(result.indices.buffer, result.indices.byteOffset, result.indices.length),
        distances: result.distances,
        ms,
      };
    },
    close: () => engine.close(),
  };
}
