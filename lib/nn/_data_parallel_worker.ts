/**
 * Worker side of `data_parallel.ts`: one model replica on its own tfjs backend. Messages (all replies
 * carry the request `id`; every request first applies the update pending from the previous step):
 * - `init` {topology, weights, adam, spec, backend, shards, trainableSize, slots, counters, train,
 *   validation} → {backend}
 * - `step` {parity, indices, shifts, flips, erase, bounds, weights, dropoutSeed, learningRate}: claims shards through
 *   `counters[parity]` (an atomic counter shared by all workers) until none is left, computes each
 *   claimed shard's loss and gradients, writes the gradients to the shard's slot of set `parity`, and
 *   remembers the update (reduced from all shards' slots at the next request) → {results}
 * - `evaluate` {batches} → {results} (loss and correct count of each evaluation batch)
 * - `weights` → {weights} (all weights, concatenated, `model.getWeights()` order)
 * - `apply` → {} (only applies the pending update)
 * @module
 */
/// <reference lib="deno.worker" />
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { type BackendName, initBackend } from "./backend.ts";
import { createFlatAdam, type FlatAdam } from "./kernels/adam.ts";
import {
  dropoutLayers,
  EVALUATION_BATCH,
  evaluationBatch,
  type LossSpec,
  reduceShards,
  shardDropoutSeed,
  shardGradients,
  type TrainingData,
} from "./_shard_step.ts";

let model: tfl.LayersModel;
let variables: tf.Variable[];
let adam: FlatAdam;
let spec: LossSpec;
let dropout: tfl.layers.Layer[];
let train: TrainingData;
let validation: TrainingData | undefined;
let slotSets: Float32Array[][]; // [parity][shard]
let counters: Int32Array;
let pending: { parity: number; weights: number[]; learningRate: number } | undefined;

function applyPending(): void {
  if (!pending) return;
  const { parity, weights, learningRate } = pending;
  pending = undefined;
  adam.applyFilled(
    (out) => reduceShards(slotSets[parity].slice(0, weights.length), weights, out),
    learningRate,
  );
}

function asData(shared: TrainingData | null): TrainingData | undefined {
  return shared ?? undefined;
}

self.onmessage = async (event: MessageEvent) => {
  const message = event.data;
  try {
    if (message.type === "init") {
      const info = await initBackend({ backend: message.backend as BackendName, quiet: true });
      spec = message.spec;
      train = asData(message.train)!;
      validation = asData(message.validation);
      model = await tfl.models.modelFromJSON(JSON.parse(message.topology));
      const weights = model.getWeights();
      let offset = 0;
      const values = weights.map((w) => {
        const t = tf.tensor(message.weights.subarray(offset, offset + w.size), w.shape);
        offset += w.size;
        return t;
      });
      model.setWeights(values);
      tf.dispose(values);
      variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
      const size = variables.reduce((n, v) => n + v.size, 0);
      if (size !== message.trainableSize) {
        throw new Error(`replica has ${size} trainable weights, the model ${message.trainableSize}`);
      }
      slotSets = [0, 1].map((parity) =>
        Array.from(
          { length: message.shards },
          (_, k) => new Float32Array(message.slots, ((parity * message.shards + k) * size) * 4, size),
        )
      );
      counters = message.counters;
      adam = createFlatAdam(variables, message.adam);
      dropout = dropoutLayers(model);
      self.postMessage({ id: message.id, backend: info.name });
      return;
    }
    applyPending();
    if (message.type === "step") {
      const results = [];
      const bounds = message.bounds as Array<[number, number]>;
      for (
        let k = Atomics.add(counters, message.parity, 1);
        k < bounds.length;
        k = Atomics.add(counters, message.parity, 1)
      ) {
        const [start, end] = bounds[k];
        const r = shardGradients(model, variables, {
          data: train,
          indices: message.indices.subarray(start, end),
          shifts: message.shifts?.subarray(2 * start, 2 * end),
          flips: message.flips?.subarray(start, end),
          erase: message.erase?.subarray(4 * start, 4 * end),
          dropoutSeed: shardDropoutSeed(message.dropoutSeed, k),
          spec,
          dropout,
        }, slotSets[message.parity][k]);
        results.push({ shard: k, ...r });
      }
      pending = { parity: message.parity, weights: message.weights, learningRate: message.learningRate };
      self.postMessage({ id: message.id, results });
    } else if (message.type === "evaluate") {
      const results = [];
      for (const b of message.batches as number[]) {
        const start = b * EVALUATION_BATCH;
        const count = Math.min(EVALUATION_BATCH, validation!.count - start);
        results.push({ shard: b, ...evaluationBatch(model, validation!, { start, count }, spec) });
      }
      self.postMessage({ id: message.id, results });
    } else if (message.type === "weights") {
      const weights = model.getWeights();
      const flat = new Float32Array(weights.reduce((n, w) => n + w.size, 0));
      let offset = 0;
      for (const w of weights) {
        flat.set(w.dataSync() as Float32Array, offset);
        offset += w.size;
      }
      self.postMessage({ id: message.id, weights: flat }, [flat.buffer]);
    } else if (message.type === "apply") {
      self.postMessage({ id: message.id });
    } else {
      throw new Error(`unknown message type ${message.type}`);
    }
  } catch (error) {
    self.postMessage({
      id: message.id,
      error: error instanceof Error ? error.stack ?? error.message : String(error),
    });
  }
};
