/**
 * The library's one pool of Workers: typed request/reply calls addressed to one Worker, a Worker's
 * error carried back to the call that caused it, a crashed or ended Worker failing its calls instead of
 * leaving them pending, `close()`, and one default Worker count ({@linkcode defaultWorkerCount}, all
 * cores) for every parallel part of the library.
 *
 * A protocol names each request type with the shape of its request and of its reply:
 *
 * ```ts ignore
 * // _sum_worker.ts: the Worker side.
 * import { serveWorker } from "../util/worker_pool.ts";
 * export type SumProtocol = { sum: { request: Float64Array; reply: number } };
 * serveWorker<SumProtocol>({ sum: (values) => values.reduce((a, b) => a + b, 0) });
 *
 * // The host side.
 * const pool = createWorkerPool<SumProtocol>(new URL("./_sum_worker.ts", import.meta.url), { name: "sum" });
 * try {
 *   const total = await pool.call(0, "sum", Float64Array.of(1, 2, 3)); // 6
 * } finally {
 *   pool.close();
 * }
 * ```
 *
 * Shared memory: a `WebAssembly.Memory({ shared: true })` or a typed array on a `SharedArrayBuffer`
 * in a request or reply is shared with the Worker, not copied ({@linkcode sharedCopy} makes one); other
 * buffers are copied unless listed in `transfer` (host side) or returned through
 * {@linkcode withTransfer} (Worker side).
 *
 * Failures: an error thrown (or a promise rejected) by a Worker's handler rejects that call with the
 * Worker's error (same class for the built-in error types, message and the Worker's stack) and the
 * Worker goes on serving. An uncaught error in the Worker (a timer, a rejected promise nobody awaited,
 * a module that fails to load), a message that cannot be read, or a Worker that ends (`self.close()`,
 * `Deno.exit()`) rejects every pending call of that Worker with an error naming the pool, the Worker
 * and the cause, and every later call to it at once. `close()` terminates all Workers and rejects what
 * is still pending.
 * @module
 */

/** The number of Workers every parallel part of the library uses unless told otherwise: all cores. */
export function defaultWorkerCount(): number {
  return Math.max(1, Math.floor(navigator.hardwareConcurrency ?? 1));
}

/**
 * A Worker protocol: each request type's request and reply shapes. Requests and replies must be
 * structured-clonable (shared memory is shared).
 */
export type WorkerProtocol = Record<string, { request: unknown; reply: unknown }>;

/** Options for {@linkcode createWorkerPool}. */
export interface WorkerPoolOptions {
  /** Number of Workers (≥ 1). Default {@linkcode defaultWorkerCount}. */
  workers?: number;
  /** Name used in error messages, e.g. `"L1"` gives "L1 Worker 1 crashed: …". Default `"pool"`. */
  name?: string;
}

/** Workers running one module, called by index; see the module documentation. */
export interface WorkerPool<P extends WorkerProtocol> {
  /** Number of Workers. */
  readonly size: number;
  /**
   * Sends `request` of type `type` to Worker `worker` (0 ≤ worker < size) and resolves with its reply.
   * Buffers in `transfer` move to the Worker instead of being copied.
   */
  call<T extends keyof P & string>(
    worker: number,
    type: T,
    request: P[T]["request"],
    transfer?: Transferable[],
  ): Promise<P[T]["reply"]>;
  /** Sends the same request to every Worker; resolves with their replies in Worker order. */
  callAll<T extends keyof P & string>(type: T, request: P[T]["request"]): Promise<P[T]["reply"][]>;
  /** Terminates the Workers and rejects the calls still pending. Calls after it are rejected. */
  close(): void;
}

/** Message from the host to a Worker. */
interface CallMessage {
  id: number;
  type: string;
  request: unknown;
}

/** Message from a Worker to the host. */
type ReplyMessage =
  | { id: number; ok: true; reply: unknown }
  | { id: number; ok: false; error: unknown }
  | { ended: true };

interface Pending {
  resolve(reply: unknown): void;
  reject(error: Error): void;
}

/** Host side of one Worker: its pending calls, and why it can no longer answer (when it cannot). */
class PoolMember {
  readonly worker: Worker;
  readonly pending = new Map<number, Pending>();
  failure: Error | undefined;

  constructor(url: URL, label: string) {
    this.worker = new Worker(url.href, { type: "module" });
    this.worker.onmessage = (event: MessageEvent<ReplyMessage>) => {
      const message = event.data;
      if ("ended" in message) {
        this.fail(new Error(`${label} ended`));
        return;
      }
      const entry = this.pending.get(message.id);
      if (!entry) return;
      this.pending.delete(message.id);
      if (message.ok) entry.resolve(message.reply);
      else entry.reject(asError(message.error));
    };
    this.worker.onerror = (event: ErrorEvent) => {
      event.preventDefault();
      this.fail(new Error(`${label} crashed: ${event.message}`));
    };
    this.worker.onmessageerror = () => {
      this.fail(new Error(`${label} sent a message that could not be read`));
    };
  }

  /** Rejects every pending call with `error`; later calls are rejected with it at once. */
  fail(error: Error): void {
    this.failure ??= error;
    for (const entry of this.pending.values()) entry.reject(error);
    this.pending.clear();
  }
}

/** The error a Worker sent back: an Error as it was cloned, anything else wrapped. */
function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

/**
 * Starts `options.workers` Workers running the module at `url` (which calls {@linkcode serveWorker}
 * with the handlers of protocol `P`). Call `close()` when done.
 */
export function createWorkerPool<P extends WorkerProtocol>(
  url: URL,
  options: WorkerPoolOptions = {},
): WorkerPool<P> {
  const size = options.workers ?? defaultWorkerCount();
  if (!Number.isInteger(size) || size < 1) {
    throw new RangeError(`worker pool: workers must be a positive integer, got ${size}`);
  }
  const name = options.name ?? "pool";
  const members: PoolMember[] = [];
  try {
    for (let w = 0; w < size; w++) members.push(new PoolMember(url, `${name} Worker ${w}`));
  } catch (error) {
    for (const member of members) member.worker.terminate();
    throw error;
  }
  let nextId = 1;
  let closed = false;

  function call<T extends keyof P & string>(
    worker: number,
    type: T,
    request: P[T]["request"],
    transfer: Transferable[] = [],
  ): Promise<P[T]["reply"]> {
    if (closed) return Promise.reject(new Error(`${name} worker pool: closed`));
    const member = members[worker];
    if (member === undefined) {
      return Promise.reject(new RangeError(`${name} worker pool: no Worker ${worker} (size ${size})`));
    }
    if (member.failure) return Promise.reject(member.failure);
    const id = nextId++;
    return new Promise<P[T]["reply"]>((resolve, reject) => {
      member.pending.set(id, { resolve: resolve as (reply: unknown) => void, reject });
      try {
        member.worker.postMessage({ id, type, request } satisfies CallMessage, transfer);
      } catch (error) {
        member.pending.delete(id);
        reject(error);
      }
    });
  }

  return {
    size,
    call,
    callAll: (type, request) => Promise.all(members.map((_, w) => call(w, type, request))),
    close() {
      if (closed) return;
      closed = true;
      for (const member of members) {
        member.worker.terminate();
        member.fail(new Error(`${name} worker pool: closed`));
      }
    },
  };
}

/** A reply with the buffers to transfer (move) to the host instead of copying; see {@linkcode withTransfer}. */
export class Transferring<R> {
  /** Wraps `reply` with its `transfer` list. */
  constructor(readonly reply: R, readonly transfer: Transferable[]) {}
}

/** Returns `reply` so that the buffers in `transfer` move to the host instead of being copied. */
export function withTransfer<R>(reply: R, transfer: Transferable[]): Transferring<R> {
  return new Transferring(reply, transfer);
}

/** The handlers of protocol `P` in a Worker: one function per request type, sync or async. */
export type WorkerHandlers<P extends WorkerProtocol> = {
  [T in keyof P]: (
    request: P[T]["request"],
  ) => P[T]["reply"] | Transferring<P[T]["reply"]> | Promise<P[T]["reply"] | Transferring<P[T]["reply"]>>;
};

interface WorkerScope {
  onmessage: ((event: MessageEvent<CallMessage>) => void) | null;
  postMessage(message: ReplyMessage, transfer?: Transferable[]): void;
  addEventListener(type: "unload", listener: () => void): void;
  close(): void;
}

/**
 * Worker side: answers the pool's calls with `handlers` (call once, at the top of the Worker module).
 * A handler's error is sent back to its call; the Worker tells the host when it ends, so that the
 * host fails its pending calls.
 */
export function serveWorker<P extends WorkerProtocol>(handlers: WorkerHandlers<P>): void {
  const scope = globalThis as unknown as WorkerScope;
  const tellEnded = () => scope.postMessage({ ended: true });
  scope.addEventListener("unload", tellEnded); // Deno.exit()
  const close = scope.close.bind(scope);
  scope.close = () => {
    tellEnded();
    close();
  };
  scope.onmessage = async (event: MessageEvent<CallMessage>) => {
    const { id, type, request } = event.data;
    try {
      const handler = handlers[type];
      if (handler === undefined) throw new TypeError(`worker: no handler for request type "${type}"`);
      const result = await handler(request);
      if (result instanceof Transferring) {
        scope.postMessage({ id, ok: true, reply: result.reply }, result.transfer);
      } else scope.postMessage({ id, ok: true, reply: result });
    } catch (error) {
      try {
        scope.postMessage({ id, ok: false, error });
      } catch {
        scope.postMessage({ id, ok: false, error: String(error) }); // not clonable: its text
      }
    }
  };
}

/**
 * A copy of `array` on a `SharedArrayBuffer` (or `array` itself when it already is on one), so that
 * Workers read it without a copy of their own.
 */
export function sharedCopy<
  T extends Float64Array | Float32Array | Int32Array | Uint32Array | Uint16Array | Uint8Array,
>(
  array: T,
): T {
  if (array.buffer instanceof SharedArrayBuffer) return array;
  const copy = new (array.constructor as { new (buffer: SharedArrayBuffer): T })(
    new SharedArrayBuffer(array.byteLength),
  );
  copy.set(array as never);
  return copy;
}
