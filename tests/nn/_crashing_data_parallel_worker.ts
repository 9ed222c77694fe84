/**
 * A data-parallel Worker that crashes on its first `step` (an uncaught error outside any request
 * handler), for the crash test of `data_parallel_test.ts`; `init` and the other requests are the real
 * Worker's.
 * @module
 */
import "../../lib/nn/_data_parallel_worker.ts";

const scope = globalThis as unknown as { onmessage: ((event: MessageEvent) => void) | null };
const serve = scope.onmessage!;
scope.onmessage = (event: MessageEvent<{ type: string }>) => {
  if (event.data.type !== "step") return serve(event);
  setTimeout(() => {
    throw new Error("replica lost");
  }, 0);
};
