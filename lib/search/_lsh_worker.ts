/**
 * Worker side of the parallel LSH index: the first Worker builds the tables once in shared memory (with
 * one scratch area per Worker) and returns the index image; every Worker searches through its own
 * scratch area, so all of them read the same tables.
 * @module
 */
import { serveWorker, withTransfer } from "../util/worker_pool.ts";
import {
  attachLshIndex,
  buildLshImage,
  type LshIndex,
  type LshIndexImage,
  type LshOptions,
  type LshSearchOptions,
  type LshSearchResult,
} from "./lsh.ts";
import type { L1Vectors } from "../simd/l1.ts";

/** Request types of an LSH Worker. */
export type LshProtocol = {
  /** Builds the index for `searchers` Workers and searches with scratch area 0. */
  build: {
    request: { data: L1Vectors; dim: number; options: LshOptions; searchers: number };
    reply: LshIndexImage;
  };
  /** Searches the built index with scratch area `slot`. */
  attach: { request: { image: LshIndexImage; slot: number }; reply: null };
  /** Searches queries. */
  search: { request: { queries: L1Vectors; options: LshSearchOptions }; reply: LshSearchResult };
};

let index: LshIndex | undefined;

serveWorker<LshProtocol>({
  build({ data, dim, options, searchers }) {
    const image = buildLshImage(data, dim, options, searchers);
    index = attachLshIndex(image, 0);
    return image;
  },
  attach({ image, slot }) {
    index = attachLshIndex(image, slot);
    return null;
  },
  search({ queries, options }) {
    if (!index) throw new Error("LSH worker: search before build");
    const result = index.search(queries, options);
    return withTransfer(result, [
      result.indices.buffer as ArrayBuffer,
      result.distances.buffer as ArrayBuffer,
      result.candidates.buffer as ArrayBuffer,
      result.checked.buffer as ArrayBuffer,
      result.rowsRead.buffer as ArrayBuffer,
      result.probed.buffer as ArrayBuffer,
    ]);
  },
});
