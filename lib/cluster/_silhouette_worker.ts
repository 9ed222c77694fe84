/**
 * Internal: Worker that computes the table sums of the silhouette for one range of points.
 * @module
 */
import { serveWorker, withTransfer } from "../util/worker_pool.ts";
import { tableWork, type TableWorkRequest } from "./_silhouette_table.ts";

/** Request types of a silhouette Worker. */
export type SilhouetteProtocol = {
  /** Per point of the range, per cluster: Σ of L1 distances to the cluster's members. */
  sums: { request: TableWorkRequest; reply: Float64Array };
};

serveWorker<SilhouetteProtocol>({
  sums(request) {
    const sums = tableWork(request);
    return withTransfer(sums, [sums.buffer as ArrayBuffer]);
  },
});
