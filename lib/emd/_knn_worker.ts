/**
 * Worker side of `emdKnn`: receives the signature sets and bound profiles once (shared memory), then
 * answers one query at a time.
 * @module
 */
/// <reference lib="deno.worker" />
import {
  createSearchContext,
  type EmdSearchContext,
  type KnnWorkerReply,
  type KnnWorkerRequest,
  searchQuery,
} from "./knn.ts";

let context: EmdSearchContext | undefined;

function reply(message: KnnWorkerReply): void {
  self.postMessage(message);
}

self.onmessage = async (event: MessageEvent<KnnWorkerRequest>) => {
  const request = event.data;
  try {
    if (request.type === "init") {
      context = await createSearchContext({ data: request.data, queries: request.queries }, {
        k: request.k,
        bound: request.bound,
        solver: request.solver,
        dataBounds: request.dataBounds,
        queryBounds: request.queryBounds,
      });
      reply({ type: "ready" });
      return;
    }
    if (!context) throw new Error("query before init");
    const result = await searchQuery(context, request.q);
    reply({ type: "result", slot: request.slot, ...result });
  } catch (error) {
    reply({ type: "error", message: error instanceof Error ? error.stack ?? error.message : String(error) });
  }
};
