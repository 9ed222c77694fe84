import assert from "node:assert/strict";
import { join } from "node:path";
import {
  buildMnistSample,
  loadMnistPackageDigits,
  mnistPackageDigitsFolder,
} from "../../lib/data/mnist_sample.ts";
import { readImages, readLabels } from "../../lib/data/idx.ts";
import { datasetFilesIn, resolveDataset } from "../../lib/data/datasets.ts";
import { InputError } from "../../lib/errors.ts";
import { withTempDir } from "../_helpers.ts";

Deno.test("mnist-sample: exact bytes, labels, and a permutation of all 10,000 digits", async () => {
  await withTempDir(async (dir) => {
    const build = await buildMnistSample(join(dir, "mnist-sample"));
    const files = datasetFilesIn(join(dir, "mnist-sample"));
    const train = await readImages(files.trainImages, { shape: [28, 28] });
    const test = await readImages(files.testImages, { shape: [28, 28] });
    const trainLabels = await readLabels(files.trainLabels, train.count);
    const testLabels = await readLabels(files.testLabels, test.count);
    assert.equal(train.count, 8000);
    assert.equal(test.count, 2000);

    const seen = new Uint8Array(10000);
    for (const source of [...build.trainSource, ...build.testSource]) seen[source]++;
    assert.ok(seen.every((n) => n === 1), "every source index used exactly once");

    // Independent check against the package's JSON floats: every stored value is round(byte/255, 3).
    const folder = mnistPackageDigitsFolder();
    const floats: number[] = [];
    const labels: number[] = [];
    for (let d = 0; d < 10; d++) {
      const values = JSON.parse(await Deno.readTextFile(join(folder, `${d}.json`))).data as number[];
      for (const v of values) floats.push(v);
      for (let i = 0; i < values.length / 784; i++) labels.push(d);
    }
    const check = (pixels: Uint8Array, sourceIndex: Uint32Array, setLabels: Uint8Array) => {
      for (let i = 0; i < sourceIndex.length; i++) {
        const g = sourceIndex[i];
        assert.equal(setLabels[i], labels[g]);
        for (let p = 0; p < 784; p++) {
          const byte = pixels[i * 784 + p];
          assert.equal(Math.round((byte / 255) * 1000) / 1000, floats[g * 784 + p]);
        }
      }
    };
    check(train.pixels, build.trainSource, trainLabels);
    check(test.pixels, build.testSource, testLabels);

    // Deterministic: the same files again.
    const again = await buildMnistSample(join(dir, "again"));
    assert.deepEqual(again.trainSource, build.trainSource);
    const againTrain = await readImages(datasetFilesIn(join(dir, "again")).trainImages);
    assert.deepEqual(againTrain.pixels, train.pixels);
  }, { prefix: "latentlab-mnist-" });
});

Deno.test("package loader recovers bytes with round(v*255)", async () => {
  const digits = await loadMnistPackageDigits();
  assert.equal(digits.labels.length, 10000);
  assert.equal(digits.pixels.length, 10000 * 784);
});

Deno.test("resolveDataset: names, folders and clear errors", async () => {
  await withTempDir(async (dir) => {
    const files = await resolveDataset("mnist-sample", { dataFolder: dir });
    assert.match(files.trainImages, /mnist-sample\/train-images-idx3-ubyte$/);
    assert.equal((await resolveDataset(join(dir, "mnist-sample"))).testLabels, files.testLabels);
    await assert.rejects(
      resolveDataset("no-such-set"),
      (e: unknown) => e instanceof InputError && /unknown data set/.test(e.message),
    );
    await assert.rejects(
      resolveDataset(dir),
      (e: unknown) => e instanceof InputError && /no train-images-idx3-ubyte/.test(e.message),
    );
  }, { prefix: "latentlab-resolve-" });
});
