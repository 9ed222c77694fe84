/**
 * The parallel L1 engine: the data set is copied once into a shared `WebAssembly.Memory`, and Workers
 * running the SIMD kernels on that memory answer distance blocks and exact k-nearest-neighbour queries.
 * Each Worker takes a contiguous range of data rows; queries are processed in blocks against tiles of
 * data that stay in cache.
 *
 * ```ts
 * const engine = await createL1Engine(pixels, 784, { workers: 2 });
 * const { indices, distances } = await engine.knn(queryPixels, 10);
 * engine.close();
 * ```
 * @module
 */
import {
  align16,
  createSharedMemory,
  ensureMemory,
  kindOf,
  type L1Kind,
  type L1Vectors,
  layOutDataRows,
  rowCount,
  writeRows,
} from "./memory.ts";
import { instantiateL1Kernels, l1Module } from "./_l1_kernels.ts";
import { createWorkerPool, defaultWorkerCount } from "../util/worker_pool.ts";
import type { KnnRequest, L1Protocol, WorkRequest } from "./_protocol.ts";
import { mergeTopK } from "./_topk.ts";

/** Options for {@linkcode createL1Engine}. */
export interface L1EngineOptions {
  /** Number of Workers (default: `defaultWorkerCount()`, all cores). */
  workers?: number;
}

/** Result of {@linkcode L1Engine.knn}: `k` neighbours per query, row-major (query q at `q * k`). */
export interface KnnResult {
  /** Neighbours per query. */
  k: number;
  /** Data row indices, ascending by distance, ties by lower index. */
  indices: Uint32Array;
  /** Their L1 distances. */
  distances: Uint32Array;
}

/** An exact L1 engine over one data set (see the module docs). Calls are queued, one at a time. */
export interface L1Engine {
  /** Number of data rows. */
  readonly count: number;
  /** Vector dimension. */
  readonly dim: number;
  /** Element type of the data (`u8` or `i16`); queries must have the same type. */
  readonly kind: L1Kind;
  /** Number of Workers. */
  readonly workers: number;
  /**
   * All distances: `out[q * count + j]` = L1(query q, data row j). `queries` holds whole rows of
   * `dim` values of the data's type. Pass `out` to reuse a buffer.
   */
  distances(queries: L1Vectors, out?: Uint32Array): Promise<Uint32Array>;
  /** The `k` nearest data rows of every query (exact, ties broken by lower index); 1 ≤ k ≤ count. */
  knn(queries: L1Vectors, k: number): Promise<KnnResult>;
  /** Stops the Workers. The engine cannot be used afterwards. */
  close(): void;
}

/** Queries per kernel call in knn (a block of queries shares every data tile). */
const BLOCK_QUERIES = 128;
/** Target bytes of a knn scratch tile of distances per Worker. */
const SCRATCH_BYTES = 256 << 10;
/** Largest query batch placed in memory at once. */
const MAX_BATCH_BYTES = 64 << 20;

/**
 * Creates an {@linkcode L1Engine} over `data` (`count × dim` values, `Uint8Array` pixels or
 * `Int16Array` latent values). The data is copied once into shared wasm memory; call `close()` when done.
 */
export async function createL1Engine(
  data: L1Vectors,
  dim: number,
  options: L1EngineOptions = {},
): Promise<L1Engine> {
  const { kind, count, stride, ptr: dataPtr, end: dataSumPtr } = layOutDataRows(data, dim);
  if (count === 0) throw new RangeError("createL1Engine: empty data set");
  const workerCount = Math.max(1, Math.floor(options.workers ?? defaultWorkerCount()));
  const dataEnd = align16(dataSumPtr + count * 4);
  const memory = createSharedMemory(dataEnd + (1 << 20));
  writeRows(memory, dataPtr, data, dim, { first: 0, count });
  const module = l1Module();
  const local = instantiateL1Kernels(module, memory);
  const rowSums = kind === "u8" ? local.rowSumsU8 : local.rowSumsI16;
  rowSums(dataPtr, count, stride, dataSumPtr);
  const pool = createWorkerPool<L1Protocol>(new URL("./_l1_worker.ts", import.meta.url), {
    workers: workerCount,
    name: "L1",
  });
  try {
    await pool.callAll("init", { module, memory });
  } catch (error) {
    pool.close();
    throw error;
  }

  // Contiguous data ranges per Worker; small sets use fewer Workers.
  const active = Math.max(1, Math.min(workerCount, Math.floor(count / 16)));
  const ranges: Array<[number, number]> = [];
  for (let w = 0; w < active; w++) {
    ranges.push([Math.floor((count * w) / active), Math.floor((count * (w + 1)) / active)]);
  }
  const scratchRows = Math.max(16, Math.floor(SCRATCH_BYTES / (4 * BLOCK_QUERIES)));

  let queue: Promise<unknown> = Promise.resolve();
  let closed = false;
  function serialize<T>(task: () => Promise<T>): Promise<T> {
    if (closed) return Promise.reject(new Error("L1Engine: closed"));
    const result = queue.then(task);
    queue = result.catch(() => {});
    return result;
  }

  /** The fields of every work request: a batch of queries in memory against the data rows `range`. */
  function work(
    batch: { queryPtr: number; querySumPtr: number; queryCount: number },
    range: [number, number],
  ): WorkRequest {
    return { kind, ...batch, dataPtr, dataSumPtr, first: range[0], end: range[1], stride };
  }

  function checkQueries(queries: L1Vectors): number {
    if (kindOf(queries) !== kind) {
      throw new TypeError(
        `L1Engine: queries must be ${kind === "u8" ? "Uint8Array" : "Int16Array"} like the data`,
      );
    }
    return rowCount(queries, dim, "queries");
  }

  async function distances(queries: L1Vectors, out?: Uint32Array): Promise<Uint32Array> {
    const queryCount = checkQueries(queries);
    const result = out ?? new Uint32Array(queryCount * count);
    if (result.length < queryCount * count) {
      throw new RangeError(
        `L1Engine.distances: out holds ${result.length} values, needs ${queryCount * count}`,
      );
    }
    if (queryCount === 0) return result;
    const batch = Math.max(1, Math.min(queryCount, Math.floor(MAX_BATCH_BYTES / (stride + 4 * count))));
    const queryPtr = dataEnd;
    const querySumPtr = align16(queryPtr + batch * stride);
    const outPtr = align16(querySumPtr + batch * 4);
    ensureMemory(memory, outPtr + batch * count * 4);
    for (let q0 = 0; q0 < queryCount; q0 += batch) {
      const n = Math.min(batch, queryCount - q0);
      writeRows(memory, queryPtr, queries, dim, { first: q0, count: n });
      rowSums(queryPtr, n, stride, querySumPtr);
      const placed = { queryPtr, querySumPtr, queryCount: n };
      await Promise.all(
        ranges.map((range, w) =>
          pool.call(w, "distances", { ...work(placed, range), outPtr, outStride: count })
        ),
      );
      result.set(new Uint32Array(memory.buffer, outPtr, n * count), q0 * count);
    }
    return result;
  }

  async function knn(queries: L1Vectors, k: number): Promise<KnnResult> {
    const queryCount = checkQueries(queries);
    if (!Number.isInteger(k) || k < 1 || k > count) {
      throw new RangeError(`L1Engine.knn: k must be an integer in 1..${count}, got ${k}`);
    }
    const indices = new Uint32Array(queryCount * k);
    const dists = new Uint32Array(queryCount * k);
    if (queryCount === 0) return { k, indices, distances: dists };
    const resultBytes = (nq: number) => nq * k * 8;
    const batch = Math.max(
      1,
      Math.min(queryCount, Math.floor(MAX_BATCH_BYTES / (stride + ranges.length * k * 8))),
    );
    const queryPtr = dataEnd;
    const querySumPtr = align16(queryPtr + batch * stride);
    let ptr = align16(querySumPtr + batch * 4);
    const scratchPtrs: number[] = [];
    const resultPtrs: number[] = [];
    for (let w = 0; w < ranges.length; w++) {
      scratchPtrs.push(ptr);
      ptr = align16(ptr + BLOCK_QUERIES * scratchRows * 4);
      resultPtrs.push(ptr);
      ptr = align16(ptr + resultBytes(batch));
    }
    ensureMemory(memory, ptr);
    const merged = { k, dist: new Uint32Array(k), index: new Uint32Array(k) };
    for (let q0 = 0; q0 < queryCount; q0 += batch) {
      const n = Math.min(batch, queryCount - q0);
      writeRows(memory, queryPtr, queries, dim, { first: q0, count: n });
      rowSums(queryPtr, n, stride, querySumPtr);
      const placed = { queryPtr, querySumPtr, queryCount: n };
      await Promise.all(ranges.map((range, w) => {
        const request: KnnRequest = {
          ...work(placed, range),
          k,
          scratchPtr: scratchPtrs[w],
          scratchRows,
          blockQueries: BLOCK_QUERIES,
          resultPtr: resultPtrs[w],
        };
        return pool.call(w, "knn", request);
      }));
      const buffer = memory.buffer;
      const lists = resultPtrs.map((p) => ({
        dist: new Uint32Array(buffer, p, n * k),
        index: new Uint32Array(buffer, p + n * k * 4, n * k),
      }));
      for (let q = 0; q < n; q++) {
        const at = (q0 + q) * k;
        let current = {
          k,
          dist: lists[0].dist.subarray(q * k, q * k + k),
          index: lists[0].index.subarray(q * k, q * k + k),
        };
        for (let w = 1; w < lists.length; w++) {
          const other = {
            k,
            dist: lists[w].dist.subarray(q * k, q * k + k),
            index: lists[w].index.subarray(q * k, q * k + k),
          };
          mergeTopK(current, other, merged);
          current = { k, dist: merged.dist.slice(), index: merged.index.slice() };
        }
        dists.set(current.dist, at);
        indices.set(current.index, at);
      }
    }
    return { k, indices, distances: dists };
  }

  return {
    count,
    dim,
    kind,
    workers: workerCount,
    distances: (queries, out) => serialize(() => distances(queries, out)),
    knn: (queries, k) => serialize(() => knn(queries, k)),
    close() {
      if (closed) return;
      closed = true;
      pool.close();
    },
  };
}
