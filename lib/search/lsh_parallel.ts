/**
 * The LSH index of `lsh.ts` on several cores: the tables are built once, by the first Worker, in a shared
 * WebAssembly memory with one scratch area per Worker; every Worker searches a contiguous slice of the
 * queries over the same tables. Results are identical to the single-thread index with the same options.
 * @module
 */
import type { L1Vectors } from "../kernels/l1.ts";
import type {
  LshIndex,
  LshIndexImage,
  LshIndexMeta,
  LshOptions,
  LshSearchOptions,
  LshSearchResult,
} from "./lsh.ts";

/** Options for {@linkcode buildParallelLshIndex}: the LSH options plus the number of Workers. */
export interface ParallelLshOptions extends LshOptions {
  /** Number of Workers (default: all cores). */
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

interface Reply {
  id: number;
  ok: boolean;
  error?: string;
  image?: LshIndexImage;
  result?: LshSearchResult;
}

/** Builds a {@linkcode ParallelLshIndex} over `data` (`count × dim` uint8 or int16 values). */
export async function buildParallelLshIndex(
  data: L1Vectors,
  dim: number,
  options: ParallelLshOptions,
): Promise<ParallelLshIndex> {
  const started = performance.now();
  const count = data.length / dim;
  const workerCount = Math.max(1, Math.floor(options.workers ?? navigator.hardwareConcurrency ?? 1));
  const { workers: _ignored, ...lshOptions } = options;
  const pool: Worker[] = [];
  const pending = new Map<number, { resolve(reply: Reply): void; reject(error: Error): void }>();
  let nextId = 1;
  for (let w = 0; w < workerCount; w++) {
    const worker = new Worker(new URL("./_lsh_worker.ts", import.meta.url).href, { type: "module" });
    worker.onmessage = (event: MessageEvent<Reply>) => {
      const entry = pending.get(event.data.id);
      if (!entry) return;
      pending.delete(event.data.id);
      if (event.data.ok) entry.resolve(event.data);
      else entry.reject(new Error(`LSH worker failed: ${event.data.error}`));
    };
    worker.onerror = (event: ErrorEvent) => {
      event.preventDefault();
      for (const entry of pending.values()) entry.reject(new Error(`LSH worker crashed: ${event.message}`));
      pending.clear();
    };
    pool.push(worker);
  }
  const call = (worker: Worker, message: Record<string, unknown>): Promise<Reply> => {
    const id = nextId++;
    return new Promise<Reply>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.postMessage({ ...message, id });
    });
  };
  let meta: LshIndexMeta;
  try {
    const built = await call(pool[0], {
      type: "build",
      data,
      dim,
      options: lshOptions,
      searchers: pool.length,
    });
    const image = built.image!;
    meta = image.meta;
    await Promise.all(pool.slice(1).map((worker, i) => call(worker, { type: "attach", image, slot: i + 1 })));
  } catch (error) {
    for (const worker of pool) worker.terminate();
    throw error;
  }
  const buildMs = performance.now() - started;
  let closed = false;

  async function search(queries: L1Vectors, searchOptions: LshSearchOptions = {}): Promise<LshSearchResult> {
    if (closed) throw new Error("ParallelLshIndex: closed");
    const nq = queries.length / dim;
    const neighbours = searchOptions.neighbours ?? 1;
    const t0 = performance.now();
    const active = Math.max(1, Math.min(pool.length, nq));
    const parts = await Promise.all(
      Array.from({ length: active }, (_, w) => {
        const first = Math.floor((nq * w) / active);
        const end = Math.floor((nq * (w + 1)) / active);
        return call(pool[w], {
          type: "search",
          queries: queries.slice(first * dim, end * dim),
          options: searchOptions,
        }).then((reply) => ({ first, result: reply.result! }));
      }),
    );
    const indices = new Int32Array(nq * neighbours);
    const distances = new Uint32Array(nq * neighbours);
    const candidates = new Uint32Array(nq);
    const checked = new Uint32Array(nq);
    const rowsRead = new Uint32Array(nq);
    const probed = new Uint32Array(nq);
    let noCandidate = 0;
    let widened = 0;
    for (const { first, result } of parts) {
      indices.set(result.indices, first * neighbours);
      distances.set(result.distances, first * neighbours);
      candidates.set(result.candidates, first);
      checked.set(result.checked, first);
      rowsRead.set(result.rowsRead, first);
      probed.set(result.probed, first);
      noCandidate += result.noCandidate;
      widened += result.widened;
    }
    return {
      neighbours,
      indices,
      distances,
      candidates,
      checked,
      rowsRead,
      probed,
      widened,
      noCandidate,
      ms: performance.now() - t0,
    };
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
      for (const worker of pool) worker.terminate();
    },
  };
}
