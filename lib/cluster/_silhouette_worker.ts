/**
 * Internal: Worker that computes the table sums of the silhouette for one range of points.
 * @module
 */
import { tableWork, type TableWorkRequest } from "./_silhouette_table.ts";

interface WorkerScope {
  onmessage: ((event: MessageEvent<TableWorkRequest>) => void) | null;
  postMessage(message: { sums?: Float64Array; error?: string }, transfer?: Transferable[]): void;
}
const scope = self as unknown as WorkerScope;

scope.onmessage = (event: MessageEvent<TableWorkRequest>) => {
  try {
    const sums = tableWork(event.data);
    scope.postMessage({ sums }, [sums.buffer as ArrayBuffer]);
  } catch (error) {
    scope.postMessage({ error: error instanceof Error ? error.stack ?? error.message : String(error) });
  }
};
