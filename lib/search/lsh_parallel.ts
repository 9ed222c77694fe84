/**
 * The LSH index of `lsh.ts` on several cores: the tables are built once, by the first Worker, in a shared
 * WebAssembly memory with one scratch area per Worker; every Worker searches a contiguous slice of the
 * queries over the same tables. Results are identical to the single-thread index with the same options.
 * @module
 */
import type { L1Vectors } from "../simd/l1.ts";
import { createWorkerPool, defaultWorkerCount } from "../util/worker_pool.ts";
import {
  emptyLshResult,
  type LshIndex,
  type LshIndexMeta,
  type LshOptions,
  type LshSearchOptions,
  type LshSearchResult,
  mergeLshResult,
} from "./lsh.ts";
import type { LshProtocol } from "./_lsh_worker.ts";

/** Options for {@linkcode buildParallelLshIndex}: the LSH options plus the number of Workers. */
export interface ParallelLshOptions extends LshOptions {
  /** Number of Workers (default: `defaultWorkerCount()`, all cores). */
  workers?: number;
}

/** A parallel LSH index: the fields of {@linkcode LshIndex}, an async `search` and `close`. */
export interface ParallelLshIndex extends Omit<LshIndex, "search"> {
  /** Number of Workers. */
  readonly workers: number;
  /** Searches all queries, split across the Workers. */
  search(queries: L1Vectors, options?: LshSearchOptions): Promise<LshSearchResult>;
  /** Stops the Workers. */
  close(): void;
}

/** Builds a {@linkcode ParallelLshIndex} over `data` (`count × dim` uint8 or int16 values). */
export async function buildParallelLshIndex(
  data: L1Vectors,
  dim: number,
  options: ParallelLshOptions,
): Promise<ParallelLshIndex> {
  const started = performance.now();
  const count = data.length / dim;
  const workerCount = Math.max(1, Math.floor(options.workers ?? defaultWorkerCount()));
  const { workers: _ignored, ...lshOptions } = options;
  const pool = createWorkerPool<LshProtocol>(new URL("./_lsh_worker.ts", import.meta.url), {
    workers: workerCount,
    name: "LSH",
  });
  let meta: LshIndexMeta;
  try {
    const image = await pool.call(0, "build", { data, dim, options: lshOptions, searchers: workerCount });
    meta = image.meta;
    await Promise.all(
      Array.from({ length: workerCount - 1 }, (_, i) => pool.call(i + 1, "attach", { image, slot: i + 1 })),
    );
  } catch (error) {
    pool.close();
    throw error;
  }
  const buildMs = performance.now() - started;
  let closed = false;

  async function search(queries: L1Vectors, searchOptions: LshSearchOptions = {}): Promise<LshSearchResult> {
    if (closed) throw new Error("ParallelLshIndex: closed");
    const nq = queries.length / dim;
    const neighbours = searchOptions.neighbours ?? 1;
    const t0 = performance.now();
    const active = Math.max(1, Math.min(workerCount, nq));
    const parts = await Promise.all(
      Array.from({ length: active }, async (_, w) => {
        const first = Math.floor((nq * w) / active);
        const end = Math.floor((nq * (w + 1)) / active);
        const queriesOfWorker = queries.slice(first * dim, end * dim);
        return {
          first,
          result: await pool.call(w, "search", { queries: queriesOfWorker, options: searchOptions }),
        };
      }),
    );
    const merged = emptyLshResult(nq, neighbours);
    for (const { first, result } of parts) mergeLshResult(merged, result, first);
    merged.ms = performance.now() - t0;
    return merged;
  }

  return {
    ...meta,
    count,
    buildMs,
    workers: workerCount,
    search,
    close() {
      if (closed) return;
      closed = true;
      pool.close();
    },
  };
}
