import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { initBackend } from "../../lib/nn/backend.ts";
import {
  createDataParallelTrainer,
  type DataParallelOptions,
  type DataParallelTrainer,
  DEFAULT_SHARDS,
  shardBounds,
  trainingWorkerCount,
} from "../../lib/nn/data_parallel.ts";
import { Autoencoder } from "../../lib/nn/autoencoder.ts";
import { Classifier } from "../../lib/nn/classifier.ts";
import { type TrainingData, trainModel, type TrainResult } from "../../lib/nn/training.ts";
import { flatWeights, shardDropoutSeed } from "../../lib/nn/_shard_step.ts";
import { digits } from "./_fixtures.ts";

await initBackend({ backend: "wasm", quiet: true });

Deno.test("shardBounds covers every sample once, sizes differ by at most 1", () => {
  assert.deepEqual(shardBounds(10, 3), [[0, 4], [4, 7], [7, 10]]);
  assert.deepEqual(shardBounds(128, 2), [[0, 64], [64, 128]]);
  assert.deepEqual(shardBounds(1, 2), [[0, 1]]);
});

Deno.test("trainingWorkerCount: LATENTLAB_WORKERS, else all cores, never more than the shards", () => {
  const saved = Deno.env.get("LATENTLAB_WORKERS");
  try {
    Deno.env.set("LATENTLAB_WORKERS", "3");
    assert.equal(trainingWorkerCount(8), 3);
    assert.equal(trainingWorkerCount(2), 2);
    Deno.env.set("LATENTLAB_WORKERS", "0");
    assert.equal(trainingWorkerCount(), 0);
    Deno.env.set("LATENTLAB_WORKERS", "two");
    assert.throws(() => trainingWorkerCount(), /LATENTLAB_WORKERS/);
    Deno.env.delete("LATENTLAB_WORKERS");
    const cores = navigator.hardwareConcurrency;
    assert.equal(trainingWorkerCount(DEFAULT_SHARDS), cores < 2 ? 0 : Math.min(cores, DEFAULT_SHARDS));
  } finally {
    if (saved === undefined) Deno.env.delete("LATENTLAB_WORKERS");
    else Deno.env.set("LATENTLAB_WORKERS", saved);
  }
});

Deno.test("shard dropout seeds differ between shards and steps", () => {
  const seeds = new Set<number>();
  for (let step = 0; step < 50; step++) for (let k = 0; k < 4; k++) seeds.add(shardDropoutSeed(step, k));
  assert.equal(seeds.size, 200);
  assert.equal(shardDropoutSeed(7, 2), shardDropoutSeed(7, 2));
});

function maxDifference(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff = Math.max(diff, Math.abs(a[i] - b[i]));
  return diff;
}

function histories(result: TrainResult): number[][] {
  return result.history.map((h) => [h.trainLoss, h.valLoss, h.trainAccuracy ?? -1, h.valAccuracy ?? -1]);
}

const TINY = { filters: [4, 8], latentDim: 6, seed: 2 };

/** The first `count` digits, a TINY autoencoder and its trainer on them (validated on the same digits). */
async function tinyTrainer(
  count: number,
  options: DataParallelOptions,
): Promise<{ data: TrainingData; ae: Autoencoder; trainer: DataParallelTrainer }> {
  const data = await digits(count);
  const ae = Autoencoder.create(TINY);
  const trainer = await createDataParallelTrainer(ae.model, { train: data, validation: data }, options);
  return { data, ae, trainer };
}

async function trainAutoencoder(
  data: TrainingData,
  options: { workers: number; shards: number },
): Promise<{ weights: Float32Array; result: TrainResult }> {
  const ae = Autoencoder.create(TINY);
  try {
    const result = await trainModel(ae.model, data, {
      epochs: 2,
      batchSize: 20,
      learningRate: 3e-3,
      learningRateSchedule: "cosine",
      seed: 5,
      progress: false,
      ...options,
    });
    return { weights: flatWeights(ae.model), result };
  } finally {
    ae.dispose();
  }
}

Deno.test("autoencoder: the same seed and shards give the same weights in one process and on 1 or 2 workers", async () => {
  const data = await digits(150);
  const local = await trainAutoencoder(data, { workers: 0, shards: 3 });
  assert.equal(local.result.workers, 0);
  const one = await trainAutoencoder(data, { workers: 1, shards: 3 });
  const two = await trainAutoencoder(data, { workers: 2, shards: 3 });
  assert.equal(one.result.workers, 1);
  assert.equal(two.result.workers, 2);
  assert.equal(two.result.shards, 3);
  const start = flatWeights(Autoencoder.create(TINY).model);
  assert.ok(maxDifference(local.weights, start) > 1e-3, "training did not change the weights");
  // Same operations in the same order: identical, not merely close.
  assert.equal(maxDifference(one.weights, two.weights), 0, "1 vs 2 workers");
  assert.equal(maxDifference(local.weights, two.weights), 0, "one process vs 2 workers");
  assert.deepEqual(histories(one.result), histories(two.result));
  assert.deepEqual(histories(local.result), histories(two.result));
});

Deno.test("shards only change float rounding: 1 and 4 shards give nearly the same weights", async () => {
  const data = await digits(120);
  const one = await trainAutoencoder(data, { workers: 0, shards: 1 });
  const four = await trainAutoencoder(data, { workers: 0, shards: 4 });
  const start = flatWeights(Autoencoder.create(TINY).model);
  const moved = maxDifference(one.weights, start);
  const diff = maxDifference(one.weights, four.weights);
  assert.ok(diff > 0, "4 shards should round differently from 1");
  assert.ok(diff <= 1e-3 * moved, `weights differ by ${diff} (moved ${moved})`);
});

Deno.test("one shard in one process is the plain full-batch Adam step (tf.train.adam)", async () => {
  const { data, ae: a, trainer } = await tinyTrainer(64, { workers: 0, shards: 1, learningRate: 1e-2 });
  const b = Autoencoder.create(TINY);
  const optimizer = tf.train.adam(1e-2);
  try {
    for (let step = 0; step < 3; step++) {
      const indices = Array.from({ length: 16 }, (_, i) => (step * 16 + i) % 64);
      const got = (await trainer.step({ indices })).loss;
      const x = tf.tensor4d(
        Float32Array.from(indices.flatMap((i) => Array.from(data.pixels.subarray(i * 784, (i + 1) * 784))))
          .map((v) => v / 255),
        [16, 28, 28, 1],
      );
      const want = optimizer.minimize(
        () =>
          tf.mean(tf.squaredDifference(b.model.apply(x, { training: true }) as tf.Tensor, x)) as tf.Scalar,
        true,
      )!;
      assert.ok(Math.abs(got - want.dataSync()[0]) <= 1e-6, `loss ${got} vs ${want.dataSync()[0]}`);
      tf.dispose([x, want]);
    }
    const diff = maxDifference(flatWeights(a.model), flatWeights(b.model));
    assert.ok(diff <= 1e-6, `weights differ by ${diff}`);
    const evaluated = (await trainer.evaluate())!;
    assert.equal(evaluated.count, 64);
    const inFlight = trainer.getWeights();
    await inFlight;
  } finally {
    trainer.dispose();
    optimizer.dispose();
    a.dispose();
    b.dispose();
  }
  await assert.rejects(() => trainer.step({ indices: [0] }), /after dispose/);
});

Deno.test("workers: one request at a time; validation loss equals the model's own evaluation", async () => {
  const { data, ae, trainer } = await tinyTrainer(80, { workers: 2, shards: 2 });
  try {
    await trainer.step({ indices: Array.from({ length: 10 }, (_, i) => i), learningRate: 5e-3 });
    const inFlight = trainer.evaluate();
    await assert.rejects(() => trainer.step({ indices: [1, 2] }), /await the previous call/);
    const evaluated = (await inFlight)!;
    await trainer.syncTo(ae.model);
    const direct = tf.tidy(() => {
      const x = tf.tensor4d(Float32Array.from(data.pixels, (v) => v / 255), [80, 28, 28, 1]);
      return tf.mean(tf.squaredDifference(ae.model.predict(x) as tf.Tensor, x)).dataSync()[0];
    });
    assert.ok(Math.abs(evaluated.loss - direct) <= 1e-6 * direct, `evaluate ${evaluated.loss} vs ${direct}`);
  } finally {
    trainer.dispose();
    ae.dispose();
  }
});

async function trainClassifier(
  data: TrainingData,
  workers: number,
  epochs: { head: number; fineTune: number },
): Promise<{ weights: Float32Array; encoder: Float32Array; start: Float32Array; seeds: unknown[] }> {
  const ae = Autoencoder.create(TINY);
  const classifier = Classifier.fromAutoencoder(ae, {
    headEpochs: epochs.head,
    fineTuneEpochs: epochs.fineTune,
    batchSize: 16,
    augmentShift: 2,
    augmentFlip: true,
    labelSmoothing: 0.1,
    augmentErase: 0.5,
    dropout: 0.3,
    shards: 3,
    seed: 4,
    fineTuneSchedule: "cosine",
  });
  const start = flatWeights(ae.encoder);
  try {
    await classifier.fit(data, { progress: false, workers });
    return {
      weights: flatWeights(classifier.model),
      encoder: flatWeights(ae.encoder),
      start,
      seeds: classifier.model.layers.filter((l) => l.getClassName() === "Dropout").map((l) =>
        (l as unknown as { seed: unknown }).seed
      ),
    };
  } finally {
    classifier.dispose();
  }
}

Deno.test("classifier on workers (cross-entropy, frozen then fine-tuned encoder, shifts, flips, erasing, smoothing, dropout) = one process", async () => {
  const data = await digits(120);
  const local = await trainClassifier(data, 0, { head: 1, fineTune: 2 });
  const one = await trainClassifier(data, 1, { head: 1, fineTune: 2 });
  const two = await trainClassifier(data, 2, { head: 1, fineTune: 2 });
  assert.equal(maxDifference(one.weights, two.weights), 0, "1 vs 2 workers");
  assert.equal(maxDifference(local.weights, two.weights), 0, "one process vs 2 workers");
  assert.ok(maxDifference(two.encoder, two.start) > 1e-4, "fine-tuning did not change the encoder");
  assert.deepEqual(two.seeds, [4], "the dropout layer's configured seed is restored");
  // Stage 1 alone: the frozen encoder stays exactly as it was, on workers too.
  const frozen = await trainClassifier(data, 2, { head: 2, fineTune: 0 });
  assert.equal(maxDifference(frozen.encoder, frozen.start), 0, "the frozen encoder moved");
});

Deno.test("workers: a Worker's error fails the call with that error, and the Workers are closed", async () => {
  const data = await digits(20);
  const ae = Autoencoder.create(TINY);
  try {
    await assert.rejects(
      () => createDataParallelTrainer(ae.model, { train: data }, { workers: 1, backend: "bogus" }),
      /LATENTLAB_BACKEND: "bogus" is not one of/,
    );
  } finally {
    ae.dispose();
  }
});

Deno.test("workers: a crashed Worker fails the step in progress and every later call; dispose() closes", async () => {
  const { ae, trainer } = await tinyTrainer(40, {
    workers: 2,
    shards: 2,
    workerModule: new URL("./_crashing_data_parallel_worker.ts", import.meta.url),
  });
  try {
    assert.equal(trainer.workers, 2);
    const crash = /data-parallel Worker \d crashed: .*replica lost/;
    await assert.rejects(() => trainer.step({ indices: [0, 1, 2, 3] }), crash);
    await assert.rejects(() => trainer.evaluate(), crash);
    await assert.rejects(() => trainer.getWeights(), crash);
  } finally {
    trainer.dispose();
    ae.dispose();
  }
  await assert.rejects(() => trainer.evaluate(), /after dispose/);
});

Deno.test("workers: dispose() during a step rejects it instead of leaving it pending", async () => {
  const data = await digits(40);
  const ae = Autoencoder.create(TINY);
  const trainer = await createDataParallelTrainer(ae.model, { train: data }, { workers: 1, shards: 2 });
  try {
    const step = trainer.step({ indices: Array.from({ length: 32 }, (_, i) => i) });
    trainer.dispose();
    await assert.rejects(() => step, /data-parallel worker pool: closed/);
  } finally {
    trainer.dispose();
    ae.dispose();
  }
});
