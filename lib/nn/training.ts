/**
 * A custom epoch/batch training loop for tfjs-layers models (not `model.fit`): Adam, mean squared
 * error (autoencoders: the target is the input) or categorical cross-entropy (classifiers: the
 * target is a label), a seeded validation split, per-epoch history, early stopping on validation loss
 * with the best weights restored, a throttled one-line progress display, and Ctrl-C (SIGINT) that
 * stops cleanly after the current batch, keeping the best weights.
 *
 * Images stay `Uint8Array` pixels; each batch is converted to float32 `/255` when it is used (never
 * binarised, never a float copy of the whole data set).
 *
 * The gradients are computed by a {@linkcode createDataParallelTrainer} trainer: every batch is split
 * into a fixed number of shards (`shards`), computed on `workers` Workers (default: all cores) or in
 * this thread, and summed in shard order, so the same seed and shards give the same numbers with any
 * number of workers, on any machine.
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";
import { InputError } from "../errors.ts";
import { createRandom, type Random, seededPermutation } from "../util/random.ts";
import { createDataParallelTrainer, DEFAULT_SHARDS, trainingWorkerCount } from "./data_parallel.ts";
import { checkSchedule, learningRateAt, type LearningRateSchedule, type ScheduleName } from "./schedule.ts";
import {
  batchTensor,
  EVALUATION_BATCH,
  evaluationBatch,
  type LossName,
  type TrainingData,
} from "./_shard_step.ts";

export { batchTensor, type LossName, type TrainingData };

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
  /** Multiply the learning rate by this factor after every epoch (1 = constant; `constant` schedule only). Default 1. */
  learningRateDecay?: number;
  /**
   * `constant` (with `learningRateDecay`) or `cosine`: linear warm-up over `warmupEpochs`, then cosine
   * annealing per step to `finalLearningRateFactor · learningRate` at the last epoch (see
   * `schedule.ts`). Default `constant`.
   */
  learningRateSchedule?: ScheduleName;
  /** Warm-up epochs of the `cosine` schedule (fractions allowed). Default 0.5. */
  warmupEpochs?: number;
  /** Final learning rate of the `cosine` schedule as a fraction of `learningRate`. Default 0.01. */
  finalLearningRateFactor?: number;
  /**
   * Shards per batch: the batch's gradient is the shard gradients summed in shard order. Results depend
   * on it (not on `workers`). Default `DEFAULT_SHARDS` (2).
   */
  shards?: number;
  /**
   * Workers computing the shards (0: this thread). Default: `LATENTLAB_WORKERS`, else all cores (0 on
   * one core), at most `shards`.
   */
  workers?: number;
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
  /** Data augmentation for `crossentropy`: mirror half the training images left-right (seeded). Default false. */
  augmentFlip?: boolean;
  /** Label smoothing ε of the `crossentropy` training targets (validation loss unsmoothed). Default 0. */
  labelSmoothing?: number;
  /**
   * Data augmentation for `crossentropy`: the probability that a training image gets one random
   * rectangle (2-25 % of its area, aspect ratio 1/3-3) set to 0 (random erasing). Default 0 (off).
   */
  augmentErase?: number;
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
  /** Learning rate of the epoch's last step. */
  learningRate: number;
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
  /** Workers that computed the gradients (0: the calling thread). */
  workers: number;
  /** Shards per batch. */
  shards: number;
  /** Backend the gradients were computed on. */
  backend: string;
}

/** Result of {@linkcode evaluateModel}. */
export interface Evaluation {
  /** Mean loss. */
  loss: number;
  /** Accuracy (crossentropy only). */
  accuracy?: number;
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
  const spec = { loss: options.loss ?? "mse", numClasses: options.numClasses ?? 10 };
  const batchSize = options.batchSize ?? EVALUATION_BATCH;
  let lossSum = 0;
  let correct = 0;
  for (let start = 0; start < data.count; start += batchSize) {
    const count = Math.min(batchSize, data.count - start);
    const r = evaluationBatch(model, data, { start, count }, spec);
    lossSum += r.loss * count;
    correct += r.correct;
    await Promise.resolve();
  }
  return spec.loss === "mse"
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

  const schedule: LearningRateSchedule = {
    kind: options.learningRateSchedule ?? "constant",
    peak: options.learningRate ?? 1e-3,
    decay: options.learningRateDecay ?? 1,
    warmupEpochs: options.warmupEpochs ?? 0.5,
    finalFactor: options.finalLearningRateFactor ?? 0.01,
  };
  try {
    checkSchedule(schedule);
  } catch (error) {
    throw new InputError((error as Error).message);
  }
  const shards = options.shards ?? DEFAULT_SHARDS;
  if (!Number.isInteger(shards) || shards < 1) {
    throw new InputError(`shards: ${shards} must be an integer >= 1`);
  }
  const workers = options.workers ?? trainingWorkerCount(shards);
  if (!Number.isInteger(workers) || workers < 0) {
    throw new InputError(`workers: ${workers} must be an integer >= 0`);
  }
  if (model.trainableWeights.length === 0) throw new Error("trainModel: the model has no trainable weights");

  const history: EpochRecord[] = [];
  let bestWeights: Float32Array[] | undefined;
  let bestValLoss = Infinity;
  let bestEpoch = 0;
  let bestTrainLoss = NaN;
  let sinceBest = 0;
  let stoppedEarly = false;
  let trainImages = 0;
  let trainSeconds = 0;
  const batchesPerEpoch = Math.ceil(train.count / batchSize);
  const maxShift = kind === "crossentropy" ? Math.max(0, Math.floor(options.augmentShift ?? 0)) : 0;
  const flip = kind === "crossentropy" && (options.augmentFlip ?? false);
  const labelSmoothing = kind === "crossentropy" ? options.labelSmoothing ?? 0 : 0;
  const eraseProbability = kind === "crossentropy" ? options.augmentErase ?? 0 : 0;
  if (!(eraseProbability >= 0 && eraseProbability <= 1)) {
    throw new InputError(`erase probability: ${eraseProbability} must be in [0, 1]`);
  }
  if (!(labelSmoothing >= 0 && labelSmoothing < 1)) {
    throw new InputError(`label smoothing: ${labelSmoothing} must be in [0, 1)`);
  }
  const random = createRandom((seed * 104729 + 17) >>> 0);
  const dropoutRandom = createRandom((seed * 48271 + 11) >>> 0);
  const started = performance.now();
  let lastDraw = 0;
  let lastYield = performance.now();

  const trainer = await createDataParallelTrainer(model, { train, validation }, {
    loss: kind,
    numClasses,
    labelSmoothing,
    shards,
    workers,
    learningRate: schedule.peak,
  });

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

  try {
    for (let epoch = 1; epoch <= epochs && !interrupted; epoch++) {
      const epochStart = performance.now();
      const order = seededPermutation(train.count, (seed * 7919 + epoch) >>> 0);
      let lossSum = 0;
      let correct = 0;
      let seen = 0;
      let rate = schedule.peak;
      for (let b = 0; b < batchesPerEpoch && !interrupted; b++) {
        const indices = order.subarray(b * batchSize, Math.min(train.count, (b + 1) * batchSize));
        let shifts: Int8Array | undefined;
        if (maxShift > 0) {
          shifts = new Int8Array(2 * indices.length);
          for (let i = 0; i < shifts.length; i++) shifts[i] = random.int(2 * maxShift + 1) - maxShift;
        }
        let flips: Uint8Array | undefined;
        if (flip) {
          flips = new Uint8Array(indices.length);
          for (let i = 0; i < flips.length; i++) flips[i] = random.int(2);
        }
        const erase = eraseProbability > 0
          ? eraseRectangles(indices.length, {
            rows: train.rows,
            cols: train.cols,
            probability: eraseProbability,
          }, random)
          : undefined;
        rate = learningRateAt(schedule, {
          epoch: epoch - 1,
          step: b,
          stepsPerEpoch: batchesPerEpoch,
          epochs,
        });
        const result = await trainer.step({
          indices,
          shifts,
          flips,
          erase,
          dropoutSeed: Math.floor(dropoutRandom.next() * 2147483647),
          learningRate: rate,
        });
        const value = result.loss;
        correct += result.correct;
        if (!Number.isFinite(value)) {
          throw new Error(`${label}: loss became ${value} in epoch ${epoch}, batch ${b + 1}`);
        }
        lossSum += value * indices.length;
        seen += indices.length;
        const now = performance.now();
        if (showProgress && (now - lastDraw > 250 || b === batchesPerEpoch - 1)) {
          lastDraw = now;
          const elapsed = (now - epochStart) / 1000;
          const speed = seen / elapsed;
          const perEpoch = train.count / speed;
          const eta = (train.count - seen) / speed + (epochs - epoch) * perEpoch;
          writeStderr(
            `\r${label}: epoch ${epoch}/${epochs} batch ${b + 1}/${batchesPerEpoch} loss ${
              (lossSum / seen).toFixed(5)
            } ${speed.toFixed(0)} img/s ETA ${formatDuration(eta)}\x1b[K`,
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
      const evaluation = await trainer.evaluate();
      const record: EpochRecord = {
        epoch,
        trainLoss: lossSum / seen,
        valLoss: evaluation?.loss ?? NaN,
        seconds: (performance.now() - epochStart) / 1000,
        imagesPerSecond: seen / trainTime,
        learningRate: rate,
      };
      if (kind === "crossentropy") {
        record.trainAccuracy = correct / seen;
        if (evaluation) record.valAccuracy = evaluation.correct / evaluation.count;
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
        if (restoreBest) bestWeights = await trainer.getWeights();
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
      setWeightValues(model, bestWeights);
    } else {
      await trainer.syncTo(model);
    }
  } finally {
    if (listen) Deno.removeSignalListener("SIGINT", onInterrupt);
    trainer.dispose();
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
    workers: trainer.workers,
    shards,
    backend: trainer.backend,
  };
}

/**
 * Random-erasing rectangles for `count` images (four bytes each: top, left, height, width; height 0
 * = none): with `probability`, an area of 2-25 % of the image with an aspect ratio between 1/3 and 3
 * (log-uniform), placed uniformly inside it.
 */
export function eraseRectangles(
  count: number,
  options: { rows: number; cols: number; probability: number },
  random: Random,
): Uint8Array {
  const { rows, cols } = options;
  const out = new Uint8Array(4 * count);
  for (let i = 0; i < count; i++) {
    if (random.next() >= options.probability) continue;
    const area = (0.02 + 0.23 * random.next()) * rows * cols;
    const ratio = Math.exp(Math.log(1 / 3) + random.next() * Math.log(9));
    const height = Math.max(1, Math.min(rows, Math.round(Math.sqrt(area * ratio))));
    const width = Math.max(1, Math.min(cols, Math.round(Math.sqrt(area / ratio))));
    out[4 * i] = random.int(rows - height + 1);
    out[4 * i + 1] = random.int(cols - width + 1);
    out[4 * i + 2] = height;
    out[4 * i + 3] = width;
  }
  return out;
}

/** Sets `model`'s weights (in `getWeights()` order) from float32 arrays. */
function setWeightValues(model: tfl.LayersModel, values: Float32Array[]): void {
  const tensors = model.getWeights().map((w, i) => tf.tensor(values[i], w.shape));
  model.setWeights(tensors);
  tf.dispose(tensors);
}
