/**
 * Data-parallel training on several CPU cores. tfjs-wasm is single-threaded under Deno, so each core
 * gets its own Worker with its own wasm backend and a replica of the model. One
 * {@linkcode DataParallelTrainer.step} splits the batch into one shard per worker; each worker computes
 * the loss and the gradients of its shard; the gradients are averaged (weighted by shard size, so the
 * result is the gradient of the full-batch mean loss) and every worker applies the same Adam update,
 * so the replicas stay identical. The result equals single-process training on the same batches up to
 * float32 rounding.
 *
 * Use from a training loop:
 * ```ts
 * const trainer = await createDataParallelTrainer(model, { learningRate: 1e-3 });
 * try {
 *   for (const [x] of batches) history.push(await trainer.step(x)); // autoencoder: target = input
 *   const valLoss = await trainer.evaluate(xVal);
 *   await trainer.syncTo(model); // copy the trained weights back (for saving, predict, ...)
 * } finally {
 *   trainer.dispose();
 * }
 * ```
 * The trainer owns its own Adam state: `model`'s optimizer (if compiled) is not used or updated.
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";
import type { BackendName } from "./backend.ts";

/** Options of {@linkcode createDataParallelTrainer}. */
export interface DataParallelOptions {
  /** Number of workers (default: `navigator.hardwareConcurrency`, at least 1, at most 8). */
  workers?: number;
  /** Adam learning rate (default 1e-3). */
  learningRate?: number;
  /** Adam beta1 (default 0.9). */
  beta1?: number;
  /** Adam beta2 (default 0.999). */
  beta2?: number;
  /** Adam epsilon (default 1e-7, the tfjs/Keras default). */
  epsilon?: number;
  /** Loss (default `"meanSquaredError"`). */
  loss?: "meanSquaredError" | "binaryCrossentropy";
  /** Backend of the workers (default `"wasm"`). */
  backend?: BackendName;
}

/** A batch: a tensor, or raw float32 values with the per-sample shape (e.g. `[28, 28, 1]`). */
export type DataParallelBatch = tf.Tensor | { values: Float32Array; sampleShape: number[] };

/** Trains one model on several Workers; see the module documentation. */
export interface DataParallelTrainer {
  /** Number of workers. */
  readonly workers: number;
  /** Backend the workers run on. */
  readonly backend: string;
  /**
   * One optimisation step on batch `x` with target `y` (default: `x`, an autoencoder); resolves to the
   * batch's mean loss before the update.
   */
  step(x: DataParallelBatch, y?: DataParallelBatch): Promise<number>;
  /** Mean loss of the current weights on `x` against `y` (default `x`), computed in the workers. */
  evaluate(x: DataParallelBatch, y?: DataParallelBatch): Promise<number>;
  /** The current weights, in `model.getWeights()` order. */
  getWeights(): Promise<Float32Array[]>;
  /** Copies the current weights into `model` (same architecture as the trainer's). */
  syncTo(model: tfl.LayersModel): Promise<void>;
  /** Terminates the workers; the trainer cannot be used afterwards. */
  dispose(): void;
}

interface Reply {
  id: number;
  error?: string;
  loss?: number;
  grads?: Float32Array;
  weights?: Float32Array;
  backend?: string;
}

function toValues(batch: DataParallelBatch): { values: Float32Array; sampleShape: number[] } {
  if (batch instanceof tf.Tensor) {
    return { values: batch.dataSync() as Float32Array, sampleShape: batch.shape.slice(1) };
  }
  return batch;
}

/** Splits `n` samples into `parts` contiguous shards as equal as possible: [start, end) pairs. */
export function shardBounds(n: number, parts: number): Array<[number, number]> {
  const bounds: Array<[number, number]> = [];
  let start = 0;
  for (let k = 0; k < parts; k++) {
    const end = start + Math.floor(n / parts) + (k < n % parts ? 1 : 0);
    if (end > start) bounds.push([start, end]);
    start = end;
  }
  return bounds;
}

/**
 * Starts `options.workers` Workers, each with a replica of `model` (its topology and current weights)
 * and its own Adam optimizer, and returns the trainer. Call `dispose()` when done.
 */
export async function createDataParallelTrainer(
  model: tfl.LayersModel,
  options: DataParallelOptions = {},
): Promise<DataParallelTrainer> {
  const count = Math.max(1, Math.min(8, options.workers ?? navigator.hardwareConcurrency ?? 1));
  const topology = JSON.stringify(model.toJSON(null, false));
  const current = model.getWeights();
  const weightSizes = current.map((w) => w.size);
  const weights = new Float32Array(weightSizes.reduce((a, b) => a + b, 0));
  let offset = 0;
  for (const w of current) {
    weights.set(w.dataSync() as Float32Array, offset);
    offset += w.size;
  }
  const workers: Worker[] = [];
  const waiting = new Map<number, { resolve(reply: Reply): void; reject(error: Error): void }>();
  let nextId = 0;
  let pending: Float32Array | null = null; // averaged gradients not yet applied by the workers
  let disposed = false;

  function send(
    worker: Worker,
    message: Record<string, unknown>,
    transfer: Transferable[] = [],
  ): Promise<Reply> {
    const id = nextId++;
    return new Promise((resolve, reject) => {
      waiting.set(id, { resolve, reject });
      worker.postMessage({ ...message, id }, transfer);
    });
  }

  for (let k = 0; k < count; k++) {
    const worker = new Worker(new URL("./_data_parallel_worker.ts", import.meta.url).href, {
      type: "module",
    });
    worker.onmessage = (event: MessageEvent<Reply>) => {
      const entry = waiting.get(event.data.id);
      if (!entry) return;
      waiting.delete(event.data.id);
      if (event.data.error) entry.reject(new Error(`data-parallel worker ${k}: ${event.data.error}`));
      else entry.resolve(event.data);
    };
    worker.onerror = (event) => {
      event.preventDefault();
      for (const entry of waiting.values()) {
        entry.reject(new Error(`data-parallel worker ${k}: ${event.message}`));
      }
      waiting.clear();
    };
    workers.push(worker);
  }
  const optimizer = {
    learningRate: options.learningRate ?? 1e-3,
    beta1: options.beta1 ?? 0.9,
    beta2: options.beta2 ?? 0.999,
    epsilon: options.epsilon ?? 1e-7,
  };
  let backend = "";
  try {
    const replies = await Promise.all(workers.map((worker) =>
      send(worker, {
        type: "init",
        topology,
        weights,
        optimizer,
        loss: options.loss ?? "meanSquaredError",
        backend: options.backend ?? "wasm",
      })
    ));
    backend = replies[0].backend ?? "";
  } catch (error) {
    for (const worker of workers) worker.terminate();
    throw error;
  }

  let busy = false;

  /** Runs one request at a time: calls must be awaited before the next (the replicas are shared). */
  async function exclusive<T>(work: () => Promise<T>): Promise<T> {
    if (disposed) throw new Error("DataParallelTrainer: used after dispose()");
    if (busy) throw new Error("DataParallelTrainer: await the previous call before starting another");
    busy = true;
    try {
      return await work();
    } finally {
      busy = false;
    }
  }

  /** Sends one shard of x (and y) to each worker, with the pending gradients; returns shard sizes. */
  function scatter(
    type: "step" | "evaluate",
    x: DataParallelBatch,
    y?: DataParallelBatch,
  ): { sizes: number[]; replies: Promise<Reply>[] } {
    const xs = toValues(x);
    const ys = y === undefined ? undefined : toValues(y);
    const xSample = xs.sampleShape.reduce((a, b) => a * b, 1);
    const n = xs.values.length / xSample;
    if (!Number.isInteger(n) || n < 1) throw new Error("DataParallelTrainer: empty or malformed batch");
    const ySample = ys ? ys.values.length / n : 0;
    const bounds = shardBounds(n, workers.length);
    const apply = pending;
    pending = null;
    const replies = bounds.map(([start, end], k) => {
      const shardX = xs.values.slice(start * xSample, end * xSample);
      const shardY = ys ? ys.values.slice(start * ySample, end * ySample) : null;
      const transfer: Transferable[] = [shardX.buffer];
      if (shardY) transfer.push(shardY.buffer);
      return send(workers[k], { type, apply, x: shardX, y: shardY, shape: xs.sampleShape }, transfer);
    });
    // Workers that got no shard (batch smaller than the worker count) still apply the update.
    for (let k = bounds.length; k < workers.length; k++) {
      if (apply) replies.push(send(workers[k], { type: "apply", apply }));
    }
    return { sizes: bounds.map(([start, end]) => end - start), replies };
  }

  const trainer: DataParallelTrainer = {
    workers: workers.length,
    backend,
    step(x: DataParallelBatch, y?: DataParallelBatch): Promise<number> {
      return exclusive(async () => {
        const { sizes, replies } = scatter("step", x, y);
        const results = await Promise.all(replies);
        const total = sizes.reduce((a, b) => a + b, 0);
        const sum = new Float32Array(results[0].grads!.length);
        let loss = 0;
        sizes.forEach((size, k) => {
          const weight = size / total;
          const grads = results[k].grads!;
          for (let i = 0; i < sum.length; i++) sum[i] += weight * grads[i];
          loss += weight * results[k].loss!;
        });
        pending = sum;
        return loss;
      });
    },
    evaluate(x: DataParallelBatch, y?: DataParallelBatch): Promise<number> {
      return exclusive(async () => {
        const { sizes, replies } = scatter("evaluate", x, y);
        const results = await Promise.all(replies);
        const total = sizes.reduce((a, b) => a + b, 0);
        return sizes.reduce((loss, size, k) => loss + (size / total) * results[k].loss!, 0);
      });
    },
    getWeights(): Promise<Float32Array[]> {
      return exclusive(async () => {
        const apply = pending;
        pending = null;
        // Every replica applies the pending update; they are identical, so one reports its weights.
        const replies = await Promise.all(
          workers.map((worker, k) => send(worker, { type: k === 0 ? "weights" : "apply", apply })),
        );
        const flat = replies[0].weights!;
        const out: Float32Array[] = [];
        let at = 0;
        for (const size of weightSizes) {
          out.push(flat.slice(at, at + size));
          at += size;
        }
        return out;
      });
    },
    async syncTo(target: tfl.LayersModel): Promise<void> {
      const values = await trainer.getWeights();
      const shapes = target.getWeights().map((w) => w.shape);
      if (
        shapes.length !== values.length ||
        shapes.some((shape, i) => tf.util.sizeFromShape(shape) !== values[i].length)
      ) {
        throw new Error("DataParallelTrainer.syncTo: model has a different architecture");
      }
      const tensors = values.map((v, i) => tf.tensor(v, shapes[i]));
      target.setWeights(tensors);
      tf.dispose(tensors);
    },
    dispose(): void {
      if (disposed) return;
      disposed = true;
      for (const worker of workers) worker.terminate();
      for (const entry of waiting.values()) entry.reject(new Error("DataParallelTrainer disposed"));
      waiting.clear();
    },
  };
  return trainer;
}
