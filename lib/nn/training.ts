/**
 * A custom epoch/batch training loop for tfjs-layers models (not `model.fit`): Adam, mean squared
 * error (autoencoders: the target is the input) or categorical cross-entropy (classifiers: the
 * target is a label), a seeded validation split, per-epoch history, early stopping on validation loss
 * with the best weights restored, a throttled one-line progress display, and Ctrl-C (SIGINT) that
 * stops cleanly after the current batch, keeping the best weights.
 *
 * Images stay `Uint8Array` pixels; each batch is converted to float32 `/255` when it is used (never
 * binarised, never a float copy of the whole data set).
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";
import { InputError } from "../errors.ts";
import { createRandom, seededPermutation } from "../util/random.ts";

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

/** Options for {@linkcode trainModel}. */
export interface TrainOptions {
  /** `mse`: reconstruct the input (autoencoder); `crossentropy`: predict `labels` (softmax output). Default `mse`. */
  loss?: LossName;
  /** Number of classes for `crossentropy`. Default 10. */
  numClasses?: number;
  /** Maximum number of epochs. Default 10. */
  epochs?: number;
  /** Images per batch. Default 128. */
  batchSize?: number;
  /** Adam learning rate. Default 0.001. */
  learningRate?: number;
  /** Multiply the learning rate by this factor after every epoch (1 = constant). Default 1. */
  learningRateDecay?: number;
  /** Fraction of `data` held out (seeded) for validation when `validationData` is not given. Default 0.1. */
  validationSplit?: number;
  /** An explicit validation set (then `validationSplit` is ignored). */
  validationData?: TrainingData;
  /** Seed of the validation split and the per-epoch shuffles. Default 0. */
  seed?: number;
  /** Stop after this many epochs without a validation-loss improvement. Default `Infinity` (off). */
  patience?: number;
  /** Smallest decrease of validation loss that counts as an improvement. Default 0. */
  minDelta?: number;
  /** Restore the weights of the epoch with the lowest validation loss at the end. Default true. */
  restoreBestWeights?: boolean;
  /** Show a one-line progress display on stderr. Default: when stderr is a terminal. */
  progress?: boolean;
  /** Label shown at the start of the progress line. Default `train`. */
  label?: string;
  /** Stop after the current batch on Ctrl-C (SIGINT); a second Ctrl-C exits. Default true. */
  handleInterrupt?: boolean;
  /**
   * Data augmentation for `crossentropy`: translate each training image by a random (seeded) number
   * of pixels in -maxShift..maxShift along each axis. Default 0 (off). Ignored for `mse`.
   */
  augmentShift?: number;
  /** Called after each epoch with its record (e.g. to plot live in a notebook). */
  onEpochEnd?: (record: EpochRecord) => void;
}

/** One epoch of training. */
export interface EpochRecord {
  /** 1-based epoch number. */
  epoch: number;
  /** Mean training loss over the epoch's batches (weighted by batch size, training mode). */
  trainLoss: number;
  /** Validation loss after the epoch (inference mode); NaN without validation data. */
  valLoss: number;
  /** Training accuracy (crossentropy only). */
  trainAccuracy?: number;
  /** Validation accuracy (crossentropy only). */
  valAccuracy?: number;
  /** Seconds for the epoch (training + validation). */
  seconds: number;
  /** Training images per second (training batches only). */
  imagesPerSecond: number;
}

/** Result of {@linkcode trainModel}. */
export interface TrainResult {
  /** One record per completed epoch. */
  history: EpochRecord[];
  /** Epoch (1-based) with the lowest validation loss; 0 if none completed. */
  bestEpoch: number;
  /** The lowest validation loss (NaN if none). */
  bestValLoss: number;
  /** Training loss of the best epoch. */
  bestTrainLoss: number;
  /** Number of completed epochs. */
  epochsRun: number;
  /** True when early stopping ended training. */
  stoppedEarly: boolean;
  /** True when Ctrl-C ended training. */
  interrupted: boolean;
  /** Total seconds. */
  seconds: number;
  /** Mean training images per second over all epochs. */
  imagesPerSecond: number;
  /** Number of training and validation images. */
  trainCount: number;
  /** Number of validation images. */
  valCount: number;
}

/** Result of {@linkcode evaluateModel}. */
export interface Evaluation {
  /** Mean loss. */
  loss: number;
  /** Accuracy (crossentropy only). */
  accuracy?: number;
}

/**
 * Builds a float32 batch tensor `[n, rows, cols, 1]` from the images at `indices` (pixels / 255).
 * With `shifts` (two integers per image: rows down, columns right), each image is translated and the
 * uncovered border filled with 0 (data augmentation).
 */
export function batchTensor(data: TrainingData, indices: ArrayLike<number>, shifts?: Int8Array): tf.Tensor4D {
  const { rows, cols } = data;
  const size = rows * cols;
  const values = new Float32Array(indices.length * size);
  for (let b = 0; b < indices.length; b++) {
    const offset = indices[b] * size;
    const target = b * size;
    if (!shifts || (shifts[2 * b] === 0 && shifts[2 * b + 1] === 0)) {
      for (let j = 0; j < size; j++) values[target + j] = data.pixels[offset + j] / 255;
      continue;
    }
    const dy = shifts[2 * b];
    const dx = shifts[2 * b + 1];
    for (let r = Math.max(0, dy); r < Math.min(rows, rows + dy); r++) {
      const source = offset + (r - dy) * cols;
      const destination = target + r * cols;
      for (let c = Math.max(0, dx); c < Math.min(cols, cols + dx); c++) {
        values[destination + c] = data.pixels[source + c - dx] / 255;
      }
    }
  }
  return tf.tensor4d(values, [indices.length, rows, cols, 1]);
}

function labelTensor(data: TrainingData, indices: ArrayLike<number>, numClasses: number): tf.Tensor2D {
  const labels = new Int32Array(indices.length);
  for (let b = 0; b < indices.length; b++) labels[b] = data.labels![indices[b]];
  return tf.tidy(() =>
    tf.cast(tf.oneHot(tf.tensor1d(labels, "int32"), numClasses), "float32") as tf.Tensor2D
  );
}

function lossOf(kind: LossName, target: tf.Tensor, prediction: tf.Tensor): tf.Scalar {
  if (kind === "mse") return tf.mean(tf.squaredDifference(prediction, target));
  const clipped = tf.clipByValue(prediction, 1e-7, 1 - 1e-7);
  return tf.neg(tf.mean(tf.sum(tf.mul(target, tf.log(clipped)), -1)));
}

function correctCount(target: tf.Tensor, prediction: tf.Tensor): tf.Scalar {
  return tf.sum(tf.cast(tf.equal(tf.argMax(prediction, -1), tf.argMax(target, -1)), "float32"));
}

function validateData(data: TrainingData, kind: LossName, numClasses: number, name: string): void {
  if (data.count <= 0) throw new InputError(`${name}: empty set (0 images)`);
  if (data.pixels.length !== data.count * data.rows * data.cols) {
    throw new InputError(
      `${name}: ${data.pixels.length} pixels for ${data.count} images of ${data.rows}x${data.cols}`,
    );
  }
  if (kind === "crossentropy") {
    if (!data.labels) throw new InputError(`${name}: labels are required for crossentropy`);
    if (data.labels.length !== data.count) {
      throw new InputError(`${name}: ${data.labels.length} labels for ${data.count} images`);
    }
    for (let i = 0; i < data.labels.length; i++) {
      if (data.labels[i] >= numClasses) {
        throw new InputError(
          `${name}: label ${data.labels[i]} at ${i} is >= the number of classes ${numClasses}`,
        );
      }
    }
  }
}

/** Returns the images at `indices` as a new {@linkcode TrainingData} (pixels copied as bytes). */
export function subset(data: TrainingData, indices: ArrayLike<number>): TrainingData {
  const size = data.rows * data.cols;
  const pixels = new Uint8Array(indices.length * size);
  const labels = data.labels ? new Uint8Array(indices.length) : undefined;
  for (let i = 0; i < indices.length; i++) {
    pixels.set(data.pixels.subarray(indices[i] * size, (indices[i] + 1) * size), i * size);
    if (labels) labels[i] = data.labels![indices[i]];
  }
  return { count: indices.length, rows: data.rows, cols: data.cols, pixels, labels };
}

/**
 * Splits `data` into train and validation parts with a seeded permutation: the last
 * `round(count * fraction)` images of the permutation are the validation set.
 */
export function splitValidation(
  data: TrainingData,
  options: { fraction: number; seed: number },
): { train: TrainingData; validation: TrainingData } {
  const valCount = Math.round(data.count * options.fraction);
  if (valCount <= 0 || valCount >= data.count) {
    throw new InputError(
      `validation split ${options.fraction} of ${data.count} images leaves an empty train or validation set`,
    );
  }
  const order = seededPermutation(data.count, options.seed);
  const trainIdx = order.subarray(0, data.count - valCount).slice().sort();
  const valIdx = order.subarray(data.count - valCount).slice().sort();
  return { train: subset(data, trainIdx), validation: subset(data, valIdx) };
}

/** Options for {@linkcode evaluateModel}. */
export interface EvaluateOptions {
  /** Loss kind. Default `mse`. */
  loss?: LossName;
  /** Number of classes (crossentropy). Default 10. */
  numClasses?: number;
  /** Images per inference batch. Default 256. */
  batchSize?: number;
}

/** Computes the mean loss (and accuracy for crossentropy) of `model` on `data`, in inference mode. */
export async function evaluateModel(
  model: tfl.LayersModel,
  data: TrainingData,
  options: EvaluateOptions = {},
): Promise<Evaluation> {
  const kind = options.loss ?? "mse";
  const numClasses = options.numClasses ?? 10;
  const batchSize = options.batchSize ?? 256;
  let lossSum = 0;
  let correct = 0;
  for (let start = 0; start < data.count; start += batchSize) {
    const n = Math.min(batchSize, data.count - start);
    const indices = Array.from({ length: n }, (_, i) => start + i);
    const [loss, right] = tf.tidy(() => {
      const x = batchTensor(data, indices);
      const target = kind === "mse" ? x : labelTensor(data, indices, numClasses);
      const prediction = model.apply(x, { training: false }) as tf.Tensor;
      return [
        lossOf(kind, target, prediction),
        kind === "mse" ? tf.scalar(0) : correctCount(target, prediction),
      ];
    });
    lossSum += (await loss.data())[0] * n;
    correct += (await right.data())[0];
    loss.dispose();
    right.dispose();
  }
  return kind === "mse"
    ? { loss: lossSum / data.count }
    : { loss: lossSum / data.count, accuracy: correct / data.count };
}

/** Formats seconds as `1m05s` / `12s`. */
function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.max(0, Math.round(seconds));
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
}

const encoder = new TextEncoder();

function writeStderr(text: string): void {
  try {
    Deno.stderr.writeSync(encoder.encode(text));
  } catch { /* stderr closed */ }
}

/**
 * Trains `model` with a custom epoch/batch loop and returns the per-epoch history. The model's
 * trainable weights (layers with `trainable = false` are left alone) are updated by Adam. With
 * `restoreBestWeights` (default) the model ends with the weights of its best validation epoch, also
 * after early stopping or Ctrl-C; the caller saves it.
 */
export async function trainModel(
  model: tfl.LayersModel,
  data: TrainingData,
  options: TrainOptions = {},
): Promise<TrainResult> {
  const kind = options.loss ?? "mse";
  const numClasses = options.numClasses ?? 10;
  const epochs = options.epochs ?? 10;
  const batchSize = options.batchSize ?? 128;
  const seed = options.seed ?? 0;
  const patience = options.patience ?? Infinity;
  const minDelta = options.minDelta ?? 0;
  const restoreBest = options.restoreBestWeights ?? true;
  const label = options.label ?? "train";
  let showProgress = options.progress;
  if (showProgress === undefined) {
    try {
      showProgress = Deno.stderr.isTerminal();
    } catch {
      showProgress = false;
    }
  }
  if (!Number.isInteger(epochs) || epochs < 1) {
    throw new InputError(`epochs: ${epochs} must be an integer >= 1`);
  }
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new InputError(`batch size: ${batchSize} must be an integer >= 1`);
  }
  validateData(data, kind, numClasses, "training data");

  let train = data;
  let validation = options.validationData;
  if (validation) validateData(validation, kind, numClasses, "validation data");
  else if ((options.validationSplit ?? 0.1) > 0) {
    ({ train, validation } = splitValidation(data, { fraction: options.validationSplit ?? 0.1, seed }));
  }

  const learningRate = options.learningRate ?? 1e-3;
  const decay = options.learningRateDecay ?? 1;
  if (!(decay > 0 && decay <= 1)) throw new InputError(`learning rate decay: ${decay} must be in (0, 1]`);
  const optimizer = tf.train.adam(learningRate);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  if (variables.length === 0) throw new Error("trainModel: the model has no trainable weights");

  let interrupted = false;
  let interruptCount = 0;
  const onInterrupt = () => {
    interruptCount += 1;
    if (interruptCount > 1) Deno.exit(130);
    interrupted = true;
    writeStderr(`\n${label}: Ctrl-C: stopping after this batch (press again to quit now)\n`);
  };
  const listen = (options.handleInterrupt ?? true) && Deno.build.os !== "windows";
  if (listen) Deno.addSignalListener("SIGINT", onInterrupt);

  const history: EpochRecord[] = [];
  let bestWeights: tf.Tensor[] | undefined;
  let bestValLoss = Infinity;
  let bestEpoch = 0;
  let bestTrainLoss = NaN;
  let sinceBest = 0;
  let stoppedEarly = false;
  let trainImages = 0;
  let trainSeconds = 0;
  const batchesPerEpoch = Math.ceil(train.count / batchSize);
  const maxShift = kind === "crossentropy" ? Math.max(0, Math.floor(options.augmentShift ?? 0)) : 0;
  const random = createRandom((seed * 104729 + 17) >>> 0);
  const started = performance.now();
  let lastDraw = 0;
  let lastYield = performance.now();

  try {
    for (let epoch = 1; epoch <= epochs && !interrupted; epoch++) {
      const epochStart = performance.now();
      // AdamOptimizer reads its (protected) learningRate on every step.
      (optimizer as unknown as { learningRate: number }).learningRate = learningRate * decay ** (epoch - 1);
      const order = seededPermutation(train.count, (seed * 7919 + epoch) >>> 0);
      let lossSum = 0;
      let correct = 0;
      let seen = 0;
      for (let b = 0; b < batchesPerEpoch && !interrupted; b++) {
        const indices = order.subarray(b * batchSize, Math.min(train.count, (b + 1) * batchSize));
        let shifts: Int8Array | undefined;
        if (maxShift > 0) {
          shifts = new Int8Array(2 * indices.length);
          for (let i = 0; i < shifts.length; i++) shifts[i] = random.int(2 * maxShift + 1) - maxShift;
        }
        const x = batchTensor(train, indices, shifts);
        const target = kind === "mse" ? x : labelTensor(train, indices, numClasses);
        let right: tf.Scalar | undefined;
        const loss = optimizer.minimize(
          () => {
            const prediction = model.apply(x, { training: true }) as tf.Tensor;
            if (kind === "crossentropy") right = tf.keep(correctCount(target, prediction));
            return lossOf(kind, target, prediction);
          },
          true,
          variables,
        )!;
        const value = (await loss.data())[0];
        if (right) {
          correct += (await right.data())[0];
          right.dispose();
        }
        loss.dispose();
        if (target !== x) target.dispose();
        x.dispose();
        if (!Number.isFinite(value)) {
          throw new Error(`${label}: loss became ${value} in epoch ${epoch}, batch ${b + 1}`);
        }
        lossSum += value * indices.length;
        seen += indices.length;
        const now = performance.now();
        if (showProgress && (now - lastDraw > 250 || b === batchesPerEpoch - 1)) {
          lastDraw = now;
          const elapsed = (now - epochStart) / 1000;
          const rate = seen / elapsed;
          const perEpoch = train.count / rate;
          const eta = (train.count - seen) / rate + (epochs - epoch) * perEpoch;
          writeStderr(
            `\r${label}: epoch ${epoch}/${epochs} batch ${b + 1}/${batchesPerEpoch} loss ${
              (lossSum / seen).toFixed(5)
            } ${rate.toFixed(0)} img/s ETA ${formatDuration(eta)}\x1b[K`,
          );
        }
        if (now - lastYield > 100) {
          // Let the SIGINT listener (and other tasks) run.
          await new Promise((resolve) => setTimeout(resolve, 0));
          lastYield = performance.now();
        }
      }
      if (seen < train.count) break; // interrupted inside the epoch: it does not count
      const trainTime = (performance.now() - epochStart) / 1000;
      trainImages += seen;
      trainSeconds += trainTime;
      const evaluation = validation
        ? await evaluateModel(model, validation, { loss: kind, numClasses })
        : { loss: NaN, accuracy: undefined };
      const record: EpochRecord = {
        epoch,
        trainLoss: lossSum / seen,
        valLoss: evaluation.loss,
        seconds: (performance.now() - epochStart) / 1000,
        imagesPerSecond: seen / trainTime,
      };
      if (kind === "crossentropy") {
        record.trainAccuracy = correct / seen;
        if (validation) record.valAccuracy = evaluation.accuracy;
      }
      history.push(record);
      if (showProgress) {
        writeStderr(
          `\r${label}: epoch ${epoch}/${epochs} loss ${record.trainLoss.toFixed(5)} val ${
            record.valLoss.toFixed(5)
          }${record.valAccuracy !== undefined ? ` val acc ${(100 * record.valAccuracy).toFixed(2)}%` : ""} ${
            record.imagesPerSecond.toFixed(0)
          } img/s ${record.seconds.toFixed(1)}s\x1b[K\n`,
        );
      }
      options.onEpochEnd?.(record);
      const monitored = validation ? record.valLoss : record.trainLoss;
      if (monitored < bestValLoss - minDelta || bestEpoch === 0) {
        bestValLoss = monitored;
        bestEpoch = epoch;
        bestTrainLoss = record.trainLoss;
        sinceBest = 0;
        if (restoreBest) {
          bestWeights?.forEach((t) => t.dispose());
          bestWeights = model.getWeights().map((w) => tf.keep(w.clone()));
        }
      } else {
        sinceBest += 1;
        if (sinceBest >= patience) {
          stoppedEarly = true;
          if (showProgress) writeStderr(`${label}: early stop: no improvement for ${patience} epochs\n`);
          break;
        }
      }
    }
    // The live weights differ from the best ones after a worse epoch or a partial (interrupted) epoch.
    if (restoreBest && bestWeights && (bestEpoch !== history.length || interrupted)) {
      model.setWeights(bestWeights);
    }
  } finally {
    if (listen) Deno.removeSignalListener("SIGINT", onInterrupt);
    bestWeights?.forEach((t) => t.dispose());
    optimizer.dispose();
  }
  return {
    history,
    bestEpoch,
    bestValLoss: bestEpoch > 0 && validation ? bestValLoss : NaN,
    bestTrainLoss,
    epochsRun: history.length,
    stoppedEarly,
    interrupted,
    seconds: (performance.now() - started) / 1000,
    imagesPerSecond: trainSeconds > 0 ? trainImages / trainSeconds : NaN,
    trainCount: train.count,
    valCount: validation?.count ?? 0,
  };
}
