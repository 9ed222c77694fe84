import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import {
  batchTensor,
  eraseRectangles,
  evaluateModel,
  splitValidation,
  trainModel,
} from "../../lib/nn/training.ts";
import { createRandom } from "../../lib/util/random.ts";
import { Autoencoder } from "../../lib/nn/autoencoder.ts";
import { InputError } from "../../lib/errors.ts";
import { backend, digits } from "./_fixtures.ts";

Deno.test("batchTensor: pixels / 255, never binarised; shifts translate with zero fill", async () => {
  await backend();
  const data = {
    count: 2,
    rows: 2,
    cols: 3,
    pixels: Uint8Array.from([0, 1, 2, 3, 128, 255, 10, 20, 30, 40, 50, 60]),
  };
  const t = batchTensor(data, [1, 0]);
  assert.deepEqual(t.shape, [2, 2, 3, 1]);
  const v = await t.data();
  const expected = [10, 20, 30, 40, 50, 60, 0, 1, 2, 3, 128, 255].map((p) => p / 255);
  v.forEach((x, i) => assert.ok(Math.abs(x - expected[i]) < 1e-7, `${i}: ${x}`));
  const shifted = await batchTensor(data, [0], Int8Array.from([1, -1])).data();
  assert.deepEqual(Array.from(shifted, (x) => Math.round(x * 255)), [0, 0, 0, 1, 2, 0]);
  const flipped = await batchTensor(data, [0, 1], undefined, Uint8Array.from([1, 0])).data();
  assert.deepEqual(Array.from(flipped, (x) => Math.round(x * 255)), [
    2,
    1,
    0,
    255,
    128,
    3,
    10,
    20,
    30,
    40,
    50,
    60,
  ]);
  const both = await batchTensor(data, [0], Int8Array.from([0, 1]), Uint8Array.from([1])).data();
  assert.deepEqual(Array.from(both, (x) => Math.round(x * 255)), [1, 0, 0, 128, 3, 0]);
  const erased = await batchTensor(
    data,
    [1, 0],
    undefined,
    undefined,
    Uint8Array.from([1, 1, 1, 2, 0, 0, 0, 0]),
  )
    .data();
  assert.deepEqual(Array.from(erased, (x) => Math.round(x * 255)), [
    10,
    20,
    30,
    40,
    0,
    0,
    0,
    1,
    2,
    3,
    128,
    255,
  ]);
  t.dispose();
});

Deno.test("splitValidation: seeded, disjoint, complete", async () => {
  const data = await digits(50);
  const a = splitValidation(data, { fraction: 0.2, seed: 3 });
  const b = splitValidation(data, { fraction: 0.2, seed: 3 });
  assert.equal(a.validation.count, 10);
  assert.equal(a.train.count, 40);
  assert.deepEqual(a.validation.pixels, b.validation.pixels);
  assert.notDeepEqual(
    a.validation.pixels,
    splitValidation(data, { fraction: 0.2, seed: 4 }).validation.pixels,
  );
  const labels = [...a.train.labels!, ...a.validation.labels!].sort();
  assert.deepEqual(labels, [...data.labels!].sort());
  assert.throws(() => splitValidation(data, { fraction: 0.001, seed: 1 }), InputError);
});

Deno.test("trainModel: early stopping restores the best weights", async () => {
  await backend();
  const data = await digits(100);
  const ae = Autoencoder.create({ filters: [2, 2], latentDim: 2, seed: 5 });
  // A huge learning rate makes validation loss jump around, so early stopping triggers.
  const result = await trainModel(ae.model, data, {
    epochs: 12,
    batchSize: 20,
    learningRate: 0.5,
    patience: 1,
    progress: false,
    seed: 1,
    validationSplit: 0.2,
  });
  assert.ok(result.epochsRun <= 12);
  const best = Math.min(...result.history.map((h) => h.valLoss));
  assert.equal(result.bestValLoss, best);
  if (result.stoppedEarly) assert.equal(result.epochsRun, result.bestEpoch + 1);
  // The model now has the best epoch's weights: its validation loss equals the recorded best.
  const { validation } = splitValidation(data, { fraction: 0.2, seed: 1 });
  assert.ok(Math.abs((await evaluateModel(ae.model, validation)).loss - best) < 1e-6);
  assert.equal(tf.memory().numTensors > 0, true);
  ae.dispose();
});

Deno.test("trainModel: bad arguments are InputErrors", async () => {
  await backend();
  const ae = Autoencoder.create({ filters: [2, 2], latentDim: 2 });
  const data = await digits(10);
  await assert.rejects(trainModel(ae.model, data, { epochs: 0 }), InputError);
  await assert.rejects(trainModel(ae.model, data, { learningRateDecay: 0 }), InputError);
  await assert.rejects(trainModel(ae.model, { ...data, count: 0, pixels: new Uint8Array(0) }), InputError);
  await assert.rejects(
    trainModel(ae.model, { ...data, labels: undefined }, { loss: "crossentropy" }),
    InputError,
  );
  ae.dispose();
});

Deno.test("trainModel: learningRateDecay leaves epoch 1 alone and changes later epochs", async () => {
  await backend();
  const data = await digits(100);
  const run = async (learningRateDecay: number) => {
    const ae = Autoencoder.create({ filters: [2, 2], latentDim: 2, seed: 8 });
    const result = await trainModel(ae.model, data, {
      epochs: 2,
      batchSize: 25,
      learningRate: 0.01,
      learningRateDecay,
      progress: false,
      seed: 2,
    });
    ae.dispose();
    return result.history.map((h) => h.trainLoss);
  };
  const constant = await run(1);
  const decayed = await run(0.001);
  assert.equal(decayed[0], constant[0]);
  assert.notEqual(decayed[1], constant[1]);
});

Deno.test("eraseRectangles: seeded, inside the image, 2-25 % of it, about the given share of images", () => {
  const a = eraseRectangles(2000, { rows: 28, cols: 28, probability: 0.5 }, createRandom(4));
  const b = eraseRectangles(2000, { rows: 28, cols: 28, probability: 0.5 }, createRandom(4));
  assert.deepEqual(a, b);
  let erased = 0;
  for (let i = 0; i < 2000; i++) {
    const [top, left, height, width] = a.subarray(4 * i, 4 * i + 4);
    if (height === 0) continue;
    erased++;
    assert.ok(top + height <= 28 && left + width <= 28, `rectangle ${i} leaves the image`);
    const share = (height * width) / 784;
    assert.ok(share >= 0.01 && share <= 0.3, `rectangle ${i} covers ${share}`);
  }
  assert.ok(erased > 900 && erased < 1100, `${erased} of 2000 erased`);
  assert.ok(
    eraseRectangles(50, { rows: 28, cols: 28, probability: 0 }, createRandom(1)).every((v) => v === 0),
  );
});
