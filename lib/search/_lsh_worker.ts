/**
 * Worker side of the parallel LSH index: the first Worker builds the tables once in shared memory (with
 * one scratch area per Worker) and returns the index image; every Worker searches through its own
 * scratch area, so all of them read the same tables.
 * @module
 */
import {
  attachLshIndex,
  buildLshImage,
  type LshIndex,
  type LshIndexImage,
  type LshOptions,
  type LshSearchOptions,
} from "./lsh.ts";
import type { L1Vectors } from "../kernels/l1.ts";

/** Messages to the worker. */
export type LshWorkerRequest =
  | { id: number; type: "build"; data: L1Vectors; dim: number; options: LshOptions; searchers: number }
  | { id: number; type: "attach"; image: LshIndexImage; slot: number }
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
      const image = buildLshImage(request.data, request.dim, request.options, request.searchers);
      index = attachLshIndex(image, 0);
      scope.postMessage({ id: request.id, ok: true, image });
      return;
    }
    if (request.type === "attach") {
      index = attachLshIndex(request.image, request.slot);
      scope.postMessage({ id: request.id, ok: true });
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
