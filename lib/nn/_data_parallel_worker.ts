/**
 * Worker side of `data_parallel.ts`: one model replica on its own tfjs backend, served through the
 * worker pool ({@linkcode DataParallelProtocol}). Every request but `init` first applies the update
 * pending from the previous step, so the replicas stay identical.
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { serveWorker, withTransfer } from "../util/worker_pool.ts";
import { type BackendName, initBackend } from "./backend.ts";
import { type AdamSpec, createFlatAdam, type FlatAdam } from "./kernels/adam.ts";
import {
  dropoutLayers,
  EVALUATION_BATCH,
  evaluationBatch,
  flatWeights,
  type LossSpec,
  reduceShards,
  shardDropoutSeed,
  shardGradients,
  type ShardResult,
  type TrainingData,
} from "./_shard_step.ts";

/** What a replica is built from (sent once, to every Worker). */
export interface ReplicaInit {
  /** The model's topology (`model.toJSON(null, false)`). */
  topology: string;
  /** All weights, concatenated in `model.getWeights()` order. */
  weights: Float32Array;
  /** Adam hyperparameters. */
  adam: AdamSpec;
  /** The loss. */
  spec: LossSpec;
  /** tfjs backend of the replica. */
  backend: string;
  /** Shards per batch. */
  shards: number;
  /** Number of trainable weights (checked against the replica). */
  trainableSize: number;
  /** Gradient slots: two sets (step parity) of one float32 slot of `trainableSize` per shard. */
  slots: SharedArrayBuffer;
  /** One shard counter per step parity, shared by all Workers. */
  counters: Int32Array;
  /** Training images (pixels and labels on `SharedArrayBuffer`s). */
  train: TrainingData;
  /** Validation images, for `evaluate`. */
  validation: TrainingData | null;
}

/** One optimisation step, the same request for every Worker. */
export interface ReplicaStep {
  /** Step parity: which set of slots and which counter the step uses. */
  parity: number;
  /** Indices of the batch's images, in batch order. */
  indices: Int32Array;
  /** Augmentation: two integers per image (rows down, columns right), or null. */
  shifts: Int8Array | null;
  /** Augmentation: one per image, non-zero = mirror left-right, or null. */
  flips: Uint8Array | null;
  /** Augmentation: four per image (top, left, height, width) set to 0, or null. */
  erase: Uint8Array | null;
  /** Each shard's `[start, end)` in the batch. */
  bounds: Array<[number, number]>;
  /** Each shard's weight in the sum (its share of the batch). */
  weights: number[];
  /** Seed of the step's dropout masks (each shard derives its own). */
  dropoutSeed: number;
  /** Learning rate of the step's update. */
  learningRate: number;
}

/** The loss and correct count of one shard (step) or evaluation batch (evaluate), by its index. */
export type IndexedResult = { shard: number } & ShardResult;

/** Request types of a data-parallel Worker. */
export type DataParallelProtocol = {
  /** Builds the replica (its own backend, model, Adam state, views on the shared slots). */
  init: { request: ReplicaInit; reply: { backend: string } };
  /**
   * Claims shards through the step's shared counter until none is left, computes each claimed shard's
   * loss and gradients into its slot, and keeps the update (reduced from all shards' slots in shard
   * order) for the next request.
   */
  step: { request: ReplicaStep; reply: IndexedResult[] };
  /** Loss and correct count of these evaluation batches of the validation images (inference mode). */
  evaluate: { request: { batches: number[] }; reply: IndexedResult[] };
  /** All weights, concatenated in `model.getWeights()` order. */
  weights: { request: null; reply: Float32Array };
  /** Only applies the pending update. */
  apply: { request: null; reply: null };
};

interface Replica {
  model: tfl.LayersModel;
  variables: tf.Variable[];
  adam: FlatAdam;
  spec: LossSpec;
  dropout: tfl.layers.Layer[];
  train: TrainingData;
  validation: TrainingData | undefined;
  /** `[parity][shard]` views of the shared gradient slots. */
  slotSets: Float32Array[][];
  counters: Int32Array;
}

let replica: Replica | undefined;
let pending: { parity: number; weights: number[]; learningRate: number } | undefined;

/** The replica, its pending update applied. */
function ready(): Replica {
  if (!replica) throw new Error("data-parallel worker: request before init");
  if (pending) {
    const { parity, weights, learningRate } = pending;
    pending = undefined;
    const sets = replica.slotSets[parity];
    replica.adam.applyFilled(
      (out) => reduceShards(sets.slice(0, weights.length), weights, out),
      learningRate,
    );
  }
  return replica;
}

serveWorker<DataParallelProtocol>({
  async init(message) {
    const info = await initBackend({ backend: message.backend as BackendName, quiet: true });
    const model = await tfl.models.modelFromJSON(JSON.parse(message.topology));
    let offset = 0;
    const values = model.getWeights().map((w) => {
      const t = tf.tensor(message.weights.subarray(offset, offset + w.size), w.shape);
      offset += w.size;
      return t;
    });
    model.setWeights(values);
    tf.dispose(values);
    const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const size = variables.reduce((n, v) => n + v.size, 0);
    if (size !== message.trainableSize) {
      throw new Error(`replica has ${size} trainable weights, the model ${message.trainableSize}`);
    }
    const slotSets = [0, 1].map((parity) =>
      Array.from(
        { length: message.shards },
        (_, k) => new Float32Array(message.slots, (parity * message.shards + k) * size * 4, size),
      )
    );
    replica = {
      model,
      variables,
      adam: createFlatAdam(variables, message.adam),
      spec: message.spec,
      dropout: dropoutLayers(model),
      train: message.train,
      validation: message.validation ?? undefined,
      slotSets,
      counters: message.counters,
    };
    return { backend: info.name };
  },
  step(message) {
    const r = ready();
    const results: IndexedResult[] = [];
    const { bounds, parity } = message;
    for (
      let k = Atomics.add(r.counters, parity, 1);
      k < bounds.length;
      k = Atomics.add(r.counters, parity, 1)
    ) {
      const [start, end] = bounds[k];
      const result = shardGradients(r.model, r.variables, {
        data: r.train,
        indices: message.indices.subarray(start, end),
        shifts: message.shifts?.subarray(2 * start, 2 * end),
        flips: message.flips?.subarray(start, end),
        erase: message.erase?.subarray(4 * start, 4 * end),
        dropoutSeed: shardDropoutSeed(message.dropoutSeed, k),
        spec: r.spec,
        dropout: r.dropout,
      }, r.slotSets[parity][k]);
      results.push({ shard: k, ...result });
    }
    pending = { parity, weights: message.weights, learningRate: message.learningRate };
    return results;
  },
  evaluate({ batches }) {
    const r = ready();
    const validation = r.validation;
    if (!validation) throw new Error("data-parallel worker: no validation data");
    return batches.map((b) => {
      const start = b * EVALUATION_BATCH;
      const count = Math.min(EVALUATION_BATCH, validation.count - start);
      return { shard: b, ...evaluationBatch(r.model, validation, { start, count }, r.spec) };
    });
  },
  weights() {
    const flat = flatWeights(ready().model);
    return withTransfer(flat, [flat.buffer]);
  },
  apply() {
    ready();
    return null;
  },
});
