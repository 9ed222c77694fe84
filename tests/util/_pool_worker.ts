/**
 * Worker of `worker_pool_test.ts`: answers, fails and crashes on request.
 * @module
 */
import { serveWorker, withTransfer } from "../../lib/util/worker_pool.ts";

/** The test protocol. */
export type TestProtocol = {
  add: { request: { a: number; b: number }; reply: number };
  fail: { request: string; reply: never };
  crashLater: { request: string; reply: never };
  rejectUnawaited: { request: string; reply: never };
  exit: { request: number; reply: never };
  close: { request: null; reply: never };
  fill: { request: { array: Int32Array; value: number }; reply: null };
  bytes: { request: number; reply: Uint8Array };
  length: { request: Uint8Array; reply: number };
};

serveWorker<TestProtocol>({
  add: ({ a, b }) => a + b,
  fail: (message) => {
    throw new RangeError(message);
  },
  crashLater: (message) =>
    new Promise(() => {
      setTimeout(() => {
        throw new Error(message);
      }, 1);
    }),
  rejectUnawaited: (message) => {
    Promise.reject(new Error(message));
    return new Promise(() => {});
  },
  exit: (code) => Deno.exit(code),
  close: () => {
    self.close();
    return new Promise(() => {});
  },
  fill: ({ array, value }) => {
    array.fill(value);
    return null;
  },
  bytes: (n) => {
    const bytes = new Uint8Array(n).fill(7);
    return withTransfer(bytes, [bytes.buffer]);
  },
  length: (bytes) => bytes.length,
});
