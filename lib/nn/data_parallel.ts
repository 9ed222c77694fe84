/**
 * Deterministic data-parallel training on several CPU cores. tfjs-wasm is single-threaded under Deno,
 * so each core gets its own Worker with its own wasm backend and a replica of the model.
 *
 * Every batch is split into a **fixed number of shards** (`shards`, default
 * {@linkcode DEFAULT_SHARDS}) that does not depend on the machine: shard `k` holds the images
 * `shardBounds(n, shards)[k]` of the batch and is claimed by whichever worker is free first (an atomic
 * counter; a shard's numbers do not depend on who computes it). Each shard's mean loss
 * and gradients are computed on their own, written to shared memory, and summed **in shard order**,
 * weighted by the shard's share of the batch (so the result is the gradient of the batch's mean
 * loss); every replica then applies the same fused Adam update and the replicas stay identical. The
 * same computation runs in the calling thread when `workers` is 0. Hence the numbers depend on
 * the seed and the number of shards, but not on the number of workers or cores: one process and any
 * number of workers give the same weights.
 *
 * The Workers come from the library's worker pool (`lib/util/worker_pool.ts`) and answer the typed
 * requests of `DataParallelProtocol` (`_data_parallel_worker.ts`). The training and validation images
 * are shared with the workers once (`SharedArrayBuffer`); a step sends only the batch's indices (plus
 * augmentation shifts, dropout seed and learning rate). The shard gradients come back through a shared,
 * double-buffered array, and each worker applies the update lazily at the start of its next request.
 * An error in a Worker fails the call that caused it with that error; a Worker that crashes fails the
 * call in progress and every later one (the replicas are no longer identical); `dispose()` closes the
 * pool, terminating the Workers.
 *
 * ```ts
 * const trainer = await createDataParallelTrainer(model, { train, validation }, { loss: "mse" });
 * try {
 *   const { loss } = await trainer.step({ indices: [0, 1, 2, 3], learningRate: 1e-3 });
 *   const val = await trainer.evaluate();
 *   await trainer.syncTo(model); // copy the trained weights back (for saving, predict, ...)
 * } finally {
 *   trainer.dispose();
 * }
 * ```
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";
import { createWorkerPool, defaultWorkerCount, sharedCopy } from "../util/worker_pool.ts";
import { type AdamSpec, createFlatAdam } from "./kernels/adam.ts";
import {
  dropoutLayers,
  EVALUATION_BATCH,
  evaluationBatch,
  flatWeights,
  type LossName,
  type LossSpec,
  reduceShards,
  shardBounds,
  shardDropoutSeed,
  shardGradients,
  type ShardResult,
  type TrainingData,
} from "./_shard_step.ts";
import type { DataParallelProtocol } from "./_data_parallel_worker.ts";

export { shardBounds };

/**
 * The number of shards a batch is split into by default. Results depend on it (and not on the
 * worker count), so it is fixed rather than taken from the machine. Every shard costs a fixed
 * overhead (kernel launches, gradient read-back and summation): per CPU-second, 2 shards of a batch
 * of 64 or 128 ran 3-6 % slower than 1 shard, 4 shards 14-19 % slower (2L 16-32 k5 autoencoder,
 * latent 10 and 200), so the default fits the 2-core machines this project targets; more cores
 * need `shards` ≥ cores (the numbers then change by float rounding).
 */
export const DEFAULT_SHARDS = 2;

/** Most workers {@linkcode trainingWorkerCount} proposes. */
export const MAX_WORKERS = 16;

/**
 * The default number of training workers: `LATENTLAB_WORKERS` when set (0 = train in the calling
 * thread), else the library's one default Worker count (`defaultWorkerCount` of the worker pool: all
 * cores), or 0 on a single core; never more than `shards`, because a worker without a shard would idle.
 */
export function trainingWorkerCount(shards = DEFAULT_SHARDS): number {
  let requested: number | undefined;
  try {
    const raw = Deno.env.get("LATENTLAB_WORKERS");
    if (raw !== undefined && raw.trim() !== "") requested = Number(raw);
  } catch { /* no --allow-env */ }
  if (requested !== undefined && !(Number.isInteger(requested) && requested >= 0)) {
    throw new RangeError(`LATENTLAB_WORKERS: "${requested}" is not an integer >= 0`);
  }
  if (requested !== undefined) return Math.min(requested, shards, MAX_WORKERS);
  const cores = defaultWorkerCount();
  return cores < 2 ? 0 : Math.min(cores, shards, MAX_WORKERS);
}

/** Options of {@linkcode createDataParallelTrainer}. */
export interface DataParallelOptions {
  /** `mse` (autoencoder, the target is the input) or `crossentropy` (labels). Default `mse`. */
  loss?: LossName;
  /** Number of classes for `crossentropy`. Default 10. */
  numClasses?: number;
  /** Label smoothing of the `crossentropy` training targets. Default 0. */
  labelSmoothing?: number;
  /** Shards per batch (fixes the numbers; see the module doc). Default {@linkcode DEFAULT_SHARDS}. */
  shards?: number;
  /** Workers; 0 computes in the calling thread. Default {@linkcode trainingWorkerCount}. */
  workers?: number;
  /** Adam learning rate when a step gives none. Default 1e-3. */
  learningRate?: number;
  /** Adam beta1. Default 0.9. */
  beta1?: number;
  /** Adam beta2. Default 0.999. */
  beta2?: number;
  /** Adam epsilon. Default 1e-7 (tfjs/Keras). */
  epsilon?: number;
  /** Backend of the workers. Default: the active tfjs backend. */
  backend?: string;
  /**
   * The Worker module, which serves `DataParallelProtocol` (tests substitute one that crashes).
   * Default: `_data_parallel_worker.ts`.
   */
  workerModule?: URL;
}

/** One optimisation step. */
export interface TrainerStep {
  /** Indices of the batch's images in the training data, in batch order. */
  indices: ArrayLike<number>;
  /** Augmentation: two integers per image (rows down, columns right), or none. */
  shifts?: Int8Array;
  /** Augmentation: one per image, non-zero = mirror left-right, or none. */
  flips?: Uint8Array;
  /** Augmentation: four per image (top, left, height, width; height 0 = none) set to 0, or none. */
  erase?: Uint8Array;
  /** Seed of the step's dropout masks (each shard derives its own). Default 1. */
  dropoutSeed?: number;
  /** Learning rate of this step's update. Default: the trainer's. */
  learningRate?: number;
}

/** The loss (and accuracy counts) of a step or an evaluation. */
export interface TrainerResult {
  /** Mean loss over the images (for a step: before its update). */
  loss: number;
  /** Correct predictions (crossentropy; 0 for mse). */
  correct: number;
  /** Number of images. */
  count: number;
}

/** Trains one model, in the calling thread or on Workers; see the module documentation. */
export interface DataParallelTrainer {
  /** Number of workers (0: the calling thread computes). */
  readonly workers: number;
  /** Shards per batch. */
  readonly shards: number;
  /** Backend the gradients are computed on. */
  readonly backend: string;
  /** One optimisation step on the batch; resolves to its loss before the update. */
  step(batch: TrainerStep): Promise<TrainerResult>;
  /** Loss of the current weights on the validation data (inference mode); undefined without it. */
  evaluate(): Promise<TrainerResult | undefined>;
  /** The current weights, in `model.getWeights()` order. */
  getWeights(): Promise<Float32Array[]>;
  /** Copies the current weights into `model` (same architecture and trainable layers). */
  syncTo(model: tfl.LayersModel): Promise<void>;
  /** Frees the optimizer state and terminates the workers; the trainer cannot be used afterwards. */
  dispose(): void;
}

/** Data given to a trainer. */
export interface TrainerData {
  /** Training images (and labels). */
  train: TrainingData;
  /** Validation images (and labels), for {@linkcode DataParallelTrainer.evaluate}. */
  validation?: TrainingData;
}

/**
 * Creates the trainer of `model` on `data`: Workers (each with a replica of the model's topology,
 * trainable flags and current weights, and its own Adam state) when `workers` ≥ 1, else the calling
 * thread, which then updates `model` itself. Call `dispose()` when done.
 */
export async function createDataParallelTrainer(
  model: tfl.LayersModel,
  data: TrainerData,
  options: DataParallelOptions = {},
): Promise<DataParallelTrainer> {
  const shards = options.shards ?? DEFAULT_SHARDS;
  if (!Number.isInteger(shards) || shards < 1) {
    throw new RangeError(`shards: ${shards} must be an integer >= 1`);
  }
  const workers = Math.min(options.workers ?? trainingWorkerCount(shards), shards, MAX_WORKERS);
  if (!Number.isInteger(workers) || workers < 0) {
    throw new RangeError(`workers: ${options.workers} must be an integer >= 0`);
  }
  const spec: LossSpec = {
    loss: options.loss ?? "mse",
    numClasses: options.numClasses ?? 10,
    labelSmoothing: options.labelSmoothing ?? 0,
  };
  const adam: AdamSpec = {
    learningRate: options.learningRate ?? 1e-3,
    beta1: options.beta1 ?? 0.9,
    beta2: options.beta2 ?? 0.999,
    epsilon: options.epsilon ?? 1e-7,
  };
  if (model.trainableWeights.length === 0) {
    throw new Error("DataParallelTrainer: the model has no trainable weights");
  }
  return workers >= 1
    ? await createWorkerTrainer(model, data, {
      spec,
      adam,
      shards,
      workers,
      backend: options.backend,
      workerModule: options.workerModule,
    })
    : createLocalTrainer(model, data, { spec, adam, shards });
}

/** Weights of each shard: its share of the batch. */
function shardWeights(bounds: Array<[number, number]>, n: number): number[] {
  return bounds.map(([start, end]) => (end - start) / n);
}

function flatten(tensors: tf.Tensor[]): Float32Array[] {
  return tensors.map((t) => (t.dataSync() as Float32Array).slice());
}

function assign(model: tfl.LayersModel, values: Float32Array[]): void {
  const shapes = model.getWeights().map((w) => w.shape);
  if (
    shapes.length !== values.length || shapes.some((s, i) => tf.util.sizeFromShape(s) !== values[i].length)
  ) {
    throw new Error("DataParallelTrainer.syncTo: model has a different architecture");
  }
  const tensors = values.map((v, i) => tf.tensor(v, shapes[i]));
  model.setWeights(tensors);
  tf.dispose(tensors);
}

/** Sum of evaluation batches in batch order (the same as `evaluateModel`). */
function combineEvaluation(results: ShardResult[], count: number): TrainerResult {
  let lossSum = 0;
  let correct = 0;
  results.forEach((r, b) => {
    lossSum += r.loss * Math.min(EVALUATION_BATCH, count - b * EVALUATION_BATCH);
    correct += r.correct;
  });
  return { loss: lossSum / count, correct, count };
}

function createLocalTrainer(
  model: tfl.LayersModel,
  data: TrainerData,
  config: { spec: LossSpec; adam: AdamSpec; shards: number },
): DataParallelTrainer {
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const size = variables.reduce((n, v) => n + v.size, 0);
  const adam = createFlatAdam(variables, config.adam);
  const dropout = dropoutLayers(model);
  const savedSeeds = dropout.map((layer) => (layer as unknown as { seed?: number }).seed);
  const slots = Array.from({ length: config.shards }, () => new Float32Array(size));
  let disposed = false;
  const check = () => {
    if (disposed) throw new Error("DataParallelTrainer: used after dispose()");
  };
  return {
    workers: 0,
    shards: config.shards,
    backend: tf.getBackend(),
    // deno-lint-ignore require-await
    async step(batch: TrainerStep): Promise<TrainerResult> {
      check();
      const n = batch.indices.length;
      const bounds = shardBounds(n, config.shards);
      const weights = shardWeights(bounds, n);
      let loss = 0;
      let correct = 0;
      const indices = Int32Array.from(batch.indices);
      bounds.forEach(([start, end], k) => {
        const r = shardGradients(model, variables, {
          data: data.train,
          indices: indices.subarray(start, end),
          shifts: batch.shifts?.subarray(2 * start, 2 * end),
          flips: batch.flips?.subarray(start, end),
          erase: batch.erase?.subarray(4 * start, 4 * end),
          dropoutSeed: shardDropoutSeed(batch.dropoutSeed ?? 1, k),
          spec: config.spec,
          dropout,
        }, slots[k]);
        loss += weights[k] * r.loss;
        correct += r.correct;
      });
      adam.applyFilled(
        (out) => reduceShards(slots.slice(0, bounds.length), weights, out),
        batch.learningRate ?? config.adam.learningRate,
      );
      return { loss, correct, count: n };
    },
    // deno-lint-ignore require-await
    async evaluate(): Promise<TrainerResult | undefined> {
      check();
      const validation = data.validation;
      if (!validation) return undefined;
      const results: ShardResult[] = [];
      for (let start = 0; start < validation.count; start += EVALUATION_BATCH) {
        const count = Math.min(EVALUATION_BATCH, validation.count - start);
        results.push(evaluationBatch(model, validation, { start, count }, config.spec));
      }
      return combineEvaluation(results, validation.count);
    },
    // deno-lint-ignore require-await
    async getWeights(): Promise<Float32Array[]> {
      check();
      return flatten(model.getWeights());
    },
    // deno-lint-ignore require-await
    async syncTo(target: tfl.LayersModel): Promise<void> {
      check();
      if (target !== model) assign(target, flatten(model.getWeights()));
    },
    dispose(): void {
      if (disposed) return;
      disposed = true;
      adam.dispose();
      dropout.forEach((layer, i) => (layer as unknown as { seed?: number }).seed = savedSeeds[i]);
    },
  };
}

/** A copy of `data` on shared memory (pixels, labels), read by every Worker without a copy of its own. */
function share(data: TrainingData): TrainingData {
  return {
    count: data.count,
    rows: data.rows,
    cols: data.cols,
    pixels: sharedCopy(data.pixels),
    labels: data.labels && sharedCopy(data.labels),
  };
}

async function createWorkerTrainer(
  model: tfl.LayersModel,
  data: TrainerData,
  config: {
    spec: LossSpec;
    adam: AdamSpec;
    shards: number;
    workers: number;
    backend?: string;
    workerModule?: URL;
  },
): Promise<DataParallelTrainer> {
  const { shards } = config;
  const weightSizes = model.getWeights().map((w) => w.size);
  const weights = flatWeights(model);
  const trainableSize = model.trainableWeights.reduce(
    (n, w) => n + tf.util.sizeFromShape(w.shape as number[]),
    0,
  );
  // Two sets (step parity) of one gradient slot per shard, and a shard counter per set.
  const counters = new Int32Array(new SharedArrayBuffer(8));
  const pool = createWorkerPool<DataParallelProtocol>(
    config.workerModule ?? new URL("./_data_parallel_worker.ts", import.meta.url),
    { workers: config.workers, name: "data-parallel" },
  );
  let workerBackend: string;
  try {
    const replies = await pool.callAll("init", {
      topology: JSON.stringify(model.toJSON(null, false)),
      weights,
      adam: config.adam,
      spec: config.spec,
      backend: config.backend ?? tf.getBackend(),
      shards,
      trainableSize,
      slots: new SharedArrayBuffer(2 * shards * trainableSize * 4),
      counters,
      train: share(data.train),
      validation: data.validation ? share(data.validation) : null,
    });
    workerBackend = replies[0].backend;
  } catch (error) {
    pool.close();
    throw error;
  }
  const workers = pool.size;
  let disposed = false;
  let busy = false;
  let stepCount = 0;

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

  const trainer: DataParallelTrainer = {
    workers,
    shards,
    backend: workerBackend,
    step(batch: TrainerStep): Promise<TrainerResult> {
      return exclusive(async () => {
        const n = batch.indices.length;
        if (n < 1) throw new Error("DataParallelTrainer: empty batch");
        const bounds = shardBounds(n, shards);
        const weights = shardWeights(bounds, n);
        const parity = stepCount++ % 2;
        Atomics.store(counters, parity, 0);
        const replies = await pool.callAll("step", {
          parity,
          indices: Int32Array.from(batch.indices),
          shifts: batch.shifts ?? null,
          flips: batch.flips ?? null,
          erase: batch.erase ?? null,
          bounds,
          weights,
          dropoutSeed: batch.dropoutSeed ?? 1,
          learningRate: batch.learningRate ?? config.adam.learningRate,
        });
        const byShard: ShardResult[] = new Array(bounds.length);
        for (const results of replies) for (const r of results) byShard[r.shard] = r;
        let loss = 0;
        let correct = 0;
        byShard.forEach((r, k) => {
          loss += weights[k] * r.loss;
          correct += r.correct;
        });
        return { loss, correct, count: n };
      });
    },
    evaluate(): Promise<TrainerResult | undefined> {
      return exclusive(async () => {
        if (!data.validation) return undefined;
        const count = data.validation.count;
        const batches = Math.ceil(count / EVALUATION_BATCH);
        const replies = await Promise.all(Array.from({ length: workers }, (_, w) =>
          pool.call(w, "evaluate", {
            batches: Array.from({ length: batches }, (_, b) => b).filter((b) => b % workers === w),
          })));
        const results: ShardResult[] = new Array(batches);
        for (const batch of replies) for (const r of batch) results[r.shard] = r;
        return combineEvaluation(results, count);
      });
    },
    getWeights(): Promise<Float32Array[]> {
      return exclusive(async () => {
        // Every replica applies the pending update; they are identical, so one reports its weights.
        const [flat] = await Promise.all([
          pool.call(0, "weights", null),
          ...Array.from({ length: workers - 1 }, (_, w) => pool.call(w + 1, "apply", null)),
        ]);
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
      assign(target, await trainer.getWeights());
    },
    dispose(): void {
      if (disposed) return;
      disposed = true;
      pool.close();
    },
  };
  return trainer;
}
