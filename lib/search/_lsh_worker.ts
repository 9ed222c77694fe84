/**
 * Worker side of the parallel LSH index: builds its own copy of the tables (same seed, so identical to
 * every other copy) and answers searches for slices of the queries.
 * @module
 */
import { buildLshIndex, type LshIndex, type LshOptions, type LshSearchOptions } from "./lsh.ts";
import type { L1Vectors } from "../kernels/l1.ts";

/** Messages to the worker. */
export type LshWorkerRequest =
  | { id: number; type: "build"; data: L1Vectors; dim: number; options: LshOptions }
  | { id: number; type: "search"; queries: L1Vectors; options: LshSearchOptions };

interface WorkerScope {
  onmessage: ((event: MessageEvent<LshWorkerRequest>) => void) | null;
  postMessage(message: unknown, transfer?: Transferable[]): void;
}
const scope = self as unknown as WorkerScope;
let index: LshIndex | undefined;

scope.onmessage = (event: MessageEvent<LshWorkerRequest>) => {
  const request = event.data;
  try {
    if (request.type === "build") {
      index = buildLshIndex(request.data, request.dim, request.options);
      const { search: _search, ...meta } = index;
      scope.postMessage({ id: request.id, ok: true, meta });
      return;
    }
    if (!index) throw new Error("LSH worker: search before build");
    const result = index.search(request.queries, request.options);
    scope.postMessage({ id: request.id, ok: true, result }, [
      result.indices.buffer as ArrayBuffer,
      result.distances.buffer as ArrayBuffer,
      result.candidates.buffer as ArrayBuffer,
      result.checked.buffer as ArrayBuffer,
      result.rowsRead.buffer as ArrayBuffer,
      result.probed.buffer as ArrayBuffer,
    ]);
  } catch (error) {
    scope.postMessage({
      id: request.id,
      ok: false,
      error: error instanceof Error ? error.stack ?? error.message : String(error),
    });
  }
};
