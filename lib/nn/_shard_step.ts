/**
 * The computations that the in-process trainer and the data-parallel Workers share, so that both run
 * exactly the same operations in the same order (and so give the same float32 numbers): building a
 * batch from pixels, the losses, one shard's loss and gradients, the fixed-order reduction of the
 * shard gradients, and the inference-mode loss of one evaluation batch.
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";

/** Images (and, for classifiers, labels) to train or evaluate on. */
export interface TrainingData {
  /** Number of images. */
  count: number;
  /** Image height. */
  rows: number;
  /** Image width. */
  cols: number;
  /** `count * rows * cols` pixels, 0..255, image after image. */
  pixels: Uint8Array;
  /** One label per image (classifiers). */
  labels?: Uint8Array;
}

/** The loss to minimise. */
export type LossName = "mse" | "crossentropy";

/** Images per batch of {@linkcode evaluationBatch} (results do not depend on it, timings do). */
export const EVALUATION_BATCH = 256;

/**
 * Builds a float32 batch tensor `[n, rows, cols, 1]` from the images at `indices` (pixels / 255).
 * With `shifts` (two integers per image: rows down, columns right), each image is translated and the
 * uncovered border filled with 0; with `flips` (one per image, non-zero = mirror left-right), it is
 * mirrored first; with `erase` (four per image: top, left, height, width; height 0 = none), that
 * rectangle of the result is set to 0 (random erasing). All three are data augmentation.
 */
export function batchTensor(
  data: TrainingData,
  indices: ArrayLike<number>,
  shifts?: Int8Array,
  flips?: Uint8Array,
  erase?: Uint8Array,
): tf.Tensor4D {
  const { rows, cols } = data;
  const size = rows * cols;
  const values = new Float32Array(indices.length * size);
  for (let b = 0; b < indices.length; b++) {
    const offset = indices[b] * size;
    const target = b * size;
    const dy = shifts ? shifts[2 * b] : 0;
    const dx = shifts ? shifts[2 * b + 1] : 0;
    const flip = flips ? flips[b] !== 0 : false;
    if (dy === 0 && dx === 0 && !flip) {
      for (let j = 0; j < size; j++) values[target + j] = data.pixels[offset + j] / 255;
    } else {
      for (let r = Math.max(0, dy); r < Math.min(rows, rows + dy); r++) {
        const source = offset + (r - dy) * cols;
        const destination = target + r * cols;
        for (let c = Math.max(0, dx); c < Math.min(cols, cols + dx); c++) {
          const from = c - dx;
          values[destination + (flip ? cols - 1 - c : c)] = data.pixels[source + from] / 255;
        }
      }
    }
    if (erase && erase[4 * b + 2] > 0) {
      const [top, left, height, width] = erase.subarray(4 * b, 4 * b + 4);
      for (let r = top; r < Math.min(rows, top + height); r++) {
        values.fill(0, target + r * cols + left, target + r * cols + Math.min(cols, left + width));
      }
    }
  }
  return tf.tensor4d(values, [indices.length, rows, cols, 1]);
}

/**
 * One-hot float32 labels `[n, numClasses]` of the images at `indices`; with `smoothing` ε the targets
 * are `(1 − ε) · one-hot + ε / numClasses` (label smoothing).
 */
export function labelTensor(
  data: TrainingData,
  indices: ArrayLike<number>,
  numClasses: number,
  smoothing = 0,
): tf.Tensor2D {
  const labels = new Int32Array(indices.length);
  for (let b = 0; b < indices.length; b++) labels[b] = data.labels![indices[b]];
  return tf.tidy(() => {
    const oneHot = tf.cast(tf.oneHot(tf.tensor1d(labels, "int32"), numClasses), "float32") as tf.Tensor2D;
    return smoothing > 0 ? tf.add(tf.mul(oneHot, 1 - smoothing), smoothing / numClasses) : oneHot;
  });
}

/** Mean loss of a batch: MSE against the input, or categorical cross-entropy of softmax outputs. */
export function lossOf(kind: LossName, target: tf.Tensor, prediction: tf.Tensor): tf.Scalar {
  if (kind === "mse") return tf.mean(tf.squaredDifference(prediction, target));
  const clipped = tf.clipByValue(prediction, 1e-7, 1 - 1e-7);
  return tf.neg(tf.mean(tf.sum(tf.mul(target, tf.log(clipped)), -1)));
}

/** Number of rows whose largest prediction is the target's class. */
export function correctCount(target: tf.Tensor, prediction: tf.Tensor): tf.Scalar {
  return tf.sum(tf.cast(tf.equal(tf.argMax(prediction, -1), tf.argMax(target, -1)), "float32"));
}

/** The part of the tfjs-wasm backend that reads a tensor's values in place. */
interface WasmHeap {
  typedArrayFromHeap(info: tf.TensorInfo): ArrayLike<number>;
}

/** What a loss is computed against. */
export interface LossSpec {
  /** The loss. */
  loss: LossName;
  /** Number of classes (crossentropy). */
  numClasses: number;
  /** Label smoothing of the training targets (crossentropy; evaluation never smooths). Default 0. */
  labelSmoothing?: number;
}

/** Loss (mean over the shard) and number of correct predictions (crossentropy; else 0) of a shard. */
export interface ShardResult {
  /** Mean loss over the shard's images, before the update. */
  loss: number;
  /** Correct predictions in the shard (crossentropy only; 0 for mse). */
  correct: number;
}

/** The Dropout layers of `model`, nested models included. */
export function dropoutLayers(model: tfl.LayersModel): tfl.layers.Layer[] {
  const found: tfl.layers.Layer[] = [];
  const visit = (layers: tfl.layers.Layer[]) => {
    for (const layer of layers) {
      if (layer.getClassName() === "Dropout") found.push(layer);
      const inner = (layer as unknown as { layers?: tfl.layers.Layer[] }).layers;
      if (Array.isArray(inner)) visit(inner);
    }
  };
  visit(model.layers);
  return found;
}

/**
 * The dropout seed of shard `shard` of a step whose seed is `stepSeed` (tfjs's Dropout draws the
 * same mask for the same seed and shape, so every shard of every step gets its own seed).
 */
export function shardDropoutSeed(stepSeed: number, shard: number): number {
  let h = Math.imul((stepSeed >>> 0) ^ 0x85ebca6b, 0x9e3779b1) ^ Math.imul(shard + 1, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return ((h ^ (h >>> 16)) >>> 0) % 2147483647 + 1;
}

/**
 * Loss and gradients of one shard (the images at `indices`, translated by `shifts` when given) in
 * training mode. The gradients of `variables` are written back to back into `out` (variable order).
 */
export function shardGradients(
  model: tfl.LayersModel,
  variables: tf.Variable[],
  shard: {
    data: TrainingData;
    indices: ArrayLike<number>;
    shifts?: Int8Array;
    flips?: Uint8Array;
    erase?: Uint8Array;
    dropoutSeed: number;
    spec: LossSpec;
    dropout: tfl.layers.Layer[];
  },
  out: Float32Array,
): ShardResult {
  const { data, indices, spec } = shard;
  for (const layer of shard.dropout) (layer as unknown as { seed: number }).seed = shard.dropoutSeed;
  const x = batchTensor(data, indices, shard.shifts, shard.flips, shard.erase);
  const target = spec.loss === "mse"
    ? x
    : labelTensor(data, indices, spec.numClasses, spec.labelSmoothing ?? 0);
  let right: tf.Scalar | undefined;
  const { value, grads } = tf.variableGrads(() => {
    const prediction = model.apply(x, { training: true }) as tf.Tensor;
    if (spec.loss === "crossentropy") right = tf.keep(correctCount(target, prediction));
    return lossOf(spec.loss, target, prediction);
  }, variables);
  let offset = 0;
  const backend = tf.getBackend() === "wasm" ? tf.backend() as unknown as WasmHeap : undefined;
  for (const variable of variables) {
    const g = grads[variable.name];
    // On wasm, copy straight from the heap (dataSync would copy twice).
    out.set(backend ? backend.typedArrayFromHeap(g) as Float32Array : g.dataSync() as Float32Array, offset);
    offset += variable.size;
  }
  const result = { loss: value.dataSync()[0], correct: right ? right.dataSync()[0] : 0 };
  tf.dispose([value, ...Object.values(grads), x]);
  if (target !== x) target.dispose();
  right?.dispose();
  return result;
}

/** All of `model`'s weights, concatenated in `model.getWeights()` order (float32). */
export function flatWeights(model: tfl.LayersModel): Float32Array<ArrayBuffer> {
  const weights = model.getWeights();
  const flat = new Float32Array(weights.reduce((n, w) => n + w.size, 0));
  let offset = 0;
  for (const w of weights) {
    flat.set(w.dataSync() as Float32Array, offset);
    offset += w.size;
  }
  return flat;
}

/**
 * The batch gradient from its shards' gradients: `out[i] = Σ_k weights[k] · shards[k][i]`, summed in
 * shard order in float64 and stored once as float32, so the same on every machine and for any
 * worker count.
 */
export function reduceShards(shards: Float32Array[], weights: number[], out: Float32Array): void {
  const n = out.length;
  if (shards.length === 1) {
    const [g] = shards;
    const w = weights[0];
    for (let i = 0; i < n; i++) out[i] = w * g[i];
  } else if (shards.length === 2) {
    const [g0, g1] = shards;
    const [w0, w1] = weights;
    for (let i = 0; i < n; i++) out[i] = w0 * g0[i] + w1 * g1[i];
  } else {
    for (let i = 0; i < n; i++) {
      let sum = 0;
      for (let k = 0; k < shards.length; k++) sum += weights[k] * shards[k][i];
      out[i] = sum;
    }
  }
}

/** Loss (mean over the batch) and correct predictions of evaluation batch `[start, start + n)`, inference mode. */
export function evaluationBatch(
  model: tfl.LayersModel,
  data: TrainingData,
  range: { start: number; count: number },
  spec: LossSpec,
): ShardResult {
  const indices = new Int32Array(range.count);
  for (let i = 0; i < range.count; i++) indices[i] = range.start + i;
  const [loss, right] = tf.tidy(() => {
    const x = batchTensor(data, indices);
    const target = spec.loss === "mse" ? x : labelTensor(data, indices, spec.numClasses);
    const prediction = model.apply(x, { training: false }) as tf.Tensor;
    return [
      lossOf(spec.loss, target, prediction),
      spec.loss === "mse" ? tf.scalar(0) : correctCount(target, prediction),
    ];
  });
  const result = { loss: loss.dataSync()[0], correct: right.dataSync()[0] };
  tf.dispose([loss, right]);
  return result;
}

/** Splits `n` samples into `parts` contiguous shards as equal as possible: [start, end) pairs, empty ones left out. */
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
