/**
 * Worker side of `emdKnn`: receives the signature sets and bound profiles once (shared memory), then
 * answers one query at a time.
 * @module
 */
import { serveWorker } from "../util/worker_pool.ts";
import {
  createSearchContext,
  type EmdQueryResult,
  type EmdSearchContext,
  type SearchContextOptions,
  searchQuery,
} from "./knn.ts";
import type { SignatureSet } from "./signature.ts";

/** Request types of an EMD k-NN Worker. */
export type EmdKnnProtocol = {
  /** The search context's inputs (signature sets and bound profiles in shared memory). */
  init: {
    request: { sets: { data: SignatureSet; queries: SignatureSet }; options: SearchContextOptions };
    reply: null;
  };
  /** The k nearest data images of one query (its index in the query set). */
  query: { request: number; reply: EmdQueryResult };
};

let context: EmdSearchContext | undefined;

serveWorker<EmdKnnProtocol>({
  async init({ sets, options }) {
    context = await createSearchContext(sets, options);
    return null;
  },
  query(q) {
    if (!context) throw new Error("EMD k-NN worker: query before init");
    return searchQuery(context, q);
  },
});
