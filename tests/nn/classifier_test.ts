import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { Autoencoder } from "../../lib/nn/autoencoder.ts";
import { Classifier, resolveClassifierConfig, testTimeViews } from "../../lib/nn/classifier.ts";
import type { TrainingData } from "../../lib/nn/training.ts";
import { InputError } from "../../lib/errors.ts";
import { backend, digits } from "./_fixtures.ts";

const TINY = { filters: [4, 8], latentDim: 6, seed: 2 };

/** Image `i` of `data` shifted down by dy, right by dx (zeros moved in), then mirrored if `flip`. */
function moved(data: TrainingData, i: number, dy: number, dx: number, flip: boolean): Float32Array {
  const { rows, cols } = data;
  const out = new Float32Array(rows * cols);
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < cols; x++) {
      const sy = y - dy;
      const sx = x - dx;
      if (sy < 0 || sy >= rows || sx < 0 || sx >= cols) continue;
      out[y * cols + (flip ? cols - 1 - x : x)] = data.pixels[i * rows * cols + sy * cols + sx] / 255;
    }
  }
  return out;
}

/** The model's probabilities for each image, one image at a time, on views built here. */
function meanOverViews(
  classifier: Classifier,
  data: TrainingData,
  views: { dy: number; dx: number; flip: boolean }[],
): Float32Array {
  const k = classifier.config.numClasses;
  const out = new Float32Array(data.count * k);
  for (let i = 0; i < data.count; i++) {
    for (const { dy, dx, flip } of views) {
      const p = tf.tidy(() =>
        (classifier.model.predict(
          tf.tensor4d(moved(data, i, dy, dx, flip), [1, data.rows, data.cols, 1]),
        ) as tf.Tensor)
          .dataSync()
      );
      for (let j = 0; j < k; j++) out[i * k + j] += p[j] / views.length;
    }
  }
  return out;
}

function assertClose(actual: Float32Array, expected: Float32Array, tolerance: number, what: string): void {
  assert.equal(actual.length, expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  assert.ok(worst <= tolerance, `${what}: largest difference ${worst}`);
}

function mirrored(data: TrainingData): TrainingData {
  const pixels = new Uint8Array(data.pixels.length);
  for (let i = 0; i < data.count; i++) {
    for (let y = 0; y < data.rows; y++) {
      for (let x = 0; x < data.cols; x++) {
        const base = i * data.rows * data.cols + y * data.cols;
        pixels[base + x] = data.pixels[base + data.cols - 1 - x];
      }
    }
  }
  return { ...data, pixels };
}

Deno.test("testTimeViews: the image, its four shifts, and their mirrors", () => {
  assert.deepEqual(testTimeViews({ testTimeShift: 0, testTimeFlip: false }), [{ dy: 0, dx: 0, flip: false }]);
  assert.deepEqual(testTimeViews({ testTimeShift: 0, testTimeFlip: true }), [
    { dy: 0, dx: 0, flip: false },
    { dy: 0, dx: 0, flip: true },
  ]);
  const views = testTimeViews({ testTimeShift: 2, testTimeFlip: true });
  assert.equal(views.length, 10);
  assert.deepEqual(views.slice(0, 5).map((v) => [v.dy, v.dx]), [[0, 0], [2, 0], [-2, 0], [0, 2], [0, -2]]);
  assert.ok(views.slice(5).every((v) => v.flip) && views.slice(0, 5).every((v) => !v.flip));
});

Deno.test("resolveClassifierConfig: test-time shift is a whole number of pixels >= 0", () => {
  assert.equal(resolveClassifierConfig({}).testTimeShift, 0, "off by default");
  assert.equal(resolveClassifierConfig({}).testTimeFlip, false, "off by default");
  for (const bad of [-1, 1.5, NaN]) {
    assert.throws(
      () => resolveClassifierConfig({ testTimeShift: bad }),
      (e) => e instanceof InputError && /testTimeShift/.test(e.message),
    );
  }
});

Deno.test("Classifier.predictProbabilities: the mean over the test-time views, checked image by image", async () => {
  await backend();
  const data = await digits(12);
  const ae = Autoencoder.create(TINY);
  const classifier = Classifier.fromAutoencoder(ae, { seed: 3, testTimeShift: 1, testTimeFlip: true });
  try {
    const views = testTimeViews(classifier.config);
    const averaged = await classifier.predictProbabilities(data, { batchSize: 5 });
    assertClose(averaged, meanOverViews(classifier, data, views), 1e-5, "10 views");
    const two = [{ dy: -2, dx: 1, flip: false }, { dy: 0, dx: 0, flip: true }];
    assertClose(
      await classifier.predictProbabilities(data, { views: two }),
      meanOverViews(classifier, data, two),
      1e-5,
      "a list",
    );
    await assert.rejects(() => classifier.predictProbabilities(data, { views: [] }), InputError);
    await assert.rejects(
      () => classifier.predictProbabilities(data, { views: [{ dy: 28, dx: 0, flip: false }] }),
      (e) => e instanceof InputError && /does not fit 28x28/.test(e.message),
    );
    const alone = await classifier.predictProbabilities(data, { views: "image" });
    assertClose(alone, meanOverViews(classifier, data, [views[0]]), 1e-5, "the image alone");
    let differs = 0;
    for (let i = 0; i < alone.length; i++) differs = Math.max(differs, Math.abs(alone[i] - averaged[i]));
    assert.ok(differs > 1e-4, "the views change the probabilities of an untrained model");
    // Mirroring every image permutes its views: the averaged probabilities stay the same.
    assertClose(await classifier.predictProbabilities(mirrored(data)), averaged, 1e-5, "mirror invariance");
    const classes = await classifier.predict(data);
    for (let i = 0; i < data.count; i++) {
      const row = averaged.subarray(10 * i, 10 * i + 10);
      assert.equal(classes[i], row.indexOf(Math.max(...row)), `image ${i}: the most probable averaged class`);
    }
  } finally {
    classifier.dispose();
  }
});

Deno.test("Classifier.evaluate: views 'image' gives the plain model's accuracy", async () => {
  await backend();
  const data = await digits(40);
  const plain = Classifier.fromAutoencoder(Autoencoder.create(TINY), { seed: 5 });
  const augmented = Classifier.fromAutoencoder(Autoencoder.create(TINY), { seed: 5, testTimeShift: 1 });
  try {
    const a = await plain.evaluate(data);
    const b = await augmented.evaluate(data, { views: "image" });
    assert.deepEqual(b.predictions, a.predictions, "same weights, the image alone");
  } finally {
    plain.dispose();
    augmented.dispose();
  }
});
