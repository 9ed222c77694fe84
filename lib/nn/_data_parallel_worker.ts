/**
 * Worker side of `data_parallel.ts`: one model replica on its own tfjs backend. Messages (all replies
 * carry the request `id`):
 * - `init` {topology, weights, optimizer, loss, backend} → {backend}
 * - `step` {apply?, x, y, shape} applies the pending averaged gradients (if any), then computes the
 *   loss and gradients of this shard → {loss, grads} (grads: all trainable weights, concatenated)
 * - `evaluate` {apply?, x, y, shape} → {loss}
 * - `weights` {apply?} → {weights} (all weights, concatenated, model.getWeights() order)
 * - `apply` {apply} → {} (only applies the pending gradients)
 * @module
 */
/// <reference lib="deno.worker" />
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { initBackend } from "./backend.ts";
import { createFusedAdam, type FusedAdam } from "./kernels/adam.ts";
import type { BackendName } from "./backend.ts";

interface OptimizerSpec {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

let model: tfl.LayersModel;
let optimizer: tf.AdamOptimizer | undefined;
let fused: FusedAdam | undefined;
let variables: tf.Variable[];
let lossName: "meanSquaredError" | "binaryCrossentropy";

function loss(y: tf.Tensor, prediction: tf.Tensor): tf.Scalar {
  return lossName === "binaryCrossentropy"
    ? tf.mean(tfl.metrics.binaryCrossentropy(y, prediction)) as tf.Scalar
    : tf.losses.meanSquaredError(y, prediction) as tf.Scalar;
}

function applyGradients(flat: Float32Array): void {
  if (fused) {
    fused.applyGradients(flat);
    return;
  }
  const named: Array<{ name: string; tensor: tf.Tensor }> = [];
  let offset = 0;
  for (const variable of variables) {
    named.push({
      name: variable.name,
      tensor: tf.tensor(flat.subarray(offset, offset + variable.size), variable.shape),
    });
    offset += variable.size;
  }
  optimizer!.applyGradients(named);
  tf.dispose(named.map((entry) => entry.tensor));
}

function batch(
  message: { x: Float32Array; y: Float32Array | null; shape: number[] },
): [tf.Tensor, tf.Tensor] {
  const shape = [message.x.length / message.shape.reduce((a, b) => a * b, 1), ...message.shape];
  const x = tf.tensor(message.x, shape);
  const outShape = [shape[0], ...model.outputs[0].shape.slice(1) as number[]];
  const y = message.y === null ? x : tf.tensor(message.y, outShape);
  return [x, y];
}

self.onmessage = async (event: MessageEvent) => {
  const message = event.data;
  try {
    if (message.type === "init") {
      const info = await initBackend({ backend: message.backend as BackendName, quiet: true });
      lossName = message.loss;
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
      const spec = message.optimizer as OptimizerSpec;
      variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
      fused = createFusedAdam(variables, spec);
      if (!fused) optimizer = tf.train.adam(spec.learningRate, spec.beta1, spec.beta2, spec.epsilon);
      self.postMessage({ id: message.id, backend: info.name });
      return;
    }
    if (message.apply) applyGradients(message.apply);
    if (message.type === "step") {
      const [x, y] = batch(message);
      const { value, grads } = tf.variableGrads(
        () => loss(y, model.apply(x, { training: true }) as tf.Tensor),
        variables,
      );
      const flat = new Float32Array(variables.reduce((n, v) => n + v.size, 0));
      let offset = 0;
      for (const variable of variables) {
        flat.set(grads[variable.name].dataSync() as Float32Array, offset);
        offset += variable.size;
      }
      const lossValue = value.dataSync()[0];
      tf.dispose([value, ...Object.values(grads), x, y]);
      self.postMessage({ id: message.id, loss: lossValue, grads: flat }, [flat.buffer]);
    } else if (message.type === "evaluate") {
      const [x, y] = batch(message);
      const value = tf.tidy(() => loss(y, model.predict(x) as tf.Tensor));
      const lossValue = value.dataSync()[0];
      tf.dispose([value, x, y]);
      self.postMessage({ id: message.id, loss: lossValue });
    } else if (message.type === "weights") {
      const weights = model.getWeights();
      const flat = new Float32Array(weights.reduce((n, w) => n + w.size, 0));
      let offset = 0;
      for (const w of weights) {
        flat.set(w.dataSync() as Float32Array, offset);
        offset += w.size;
      }
      self.postMessage({ id: message.id, weights: flat }, [flat.buffer]);
    } else if (message.type !== "apply") {
      throw new Error(`unknown message type ${message.type}`);
    } else {
      self.postMessage({ id: message.id });
    }
  } catch (error) {
    self.postMessage({
      id: message.id,
      error: error instanceof Error ? error.stack ?? error.message : String(error),
    });
  }
};
