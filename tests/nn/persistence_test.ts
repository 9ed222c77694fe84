import assert from "node:assert/strict";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { Autoencoder } from "../../lib/nn/autoencoder.ts";
import { loadModel, MODEL_FILES, readModelMetadata } from "../../lib/nn/persistence.ts";
import { InputError } from "../../lib/errors.ts";
import { backend, digits } from "./_fixtures.ts";

Deno.test("persistence: save then load gives identical predictions and metadata", async () => {
  await backend();
  const dir = await Deno.makeTempDir();
  try {
    const data = await digits(20);
    const ae = Autoencoder.create({ filters: [4, 8], latentDim: 6, seed: 3 });
    const before = await ae.reconstruct(data);
    const latentBefore = await ae.encode(data);
    const folder = join(dir, "ae");
    await ae.save(folder, { dataset: "test", latentScale: { min: -1, max: 2 } });
    const files = Array.from(Deno.readDirSync(folder)).map((e) => e.name).sort();
    assert.deepEqual(files, [MODEL_FILES.metadata, MODEL_FILES.model, MODEL_FILES.weights].sort());
    const loaded = await Autoencoder.load(folder);
    assert.deepEqual(await loaded.reconstruct(data), before);
    assert.deepEqual(await loaded.encode(data), latentBefore);
    assert.equal(loaded.latentDim, 6);
    assert.deepEqual(loaded.config.filters, [4, 8]);
    assert.deepEqual(loaded.metadata?.latentScale, { min: -1, max: 2 });
    assert.equal(loaded.metadata?.backend, tf.getBackend());
    // Saving again over the same folder replaces it and leaves no temporary folders behind.
    await loaded.save(folder, { dataset: "again" });
    assert.equal((await readModelMetadata(folder)).dataset, "again");
    assert.deepEqual(Array.from(Deno.readDirSync(dir)).map((e) => e.name), ["ae"]);
    ae.dispose();
    loaded.dispose();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("persistence: missing and corrupt folders are InputErrors naming them", async () => {
  await backend();
  const dir = await Deno.makeTempDir();
  try {
    await assert.rejects(loadModel(join(dir, "nope")), /nope: model folder not found/);
    const folder = join(dir, "m");
    const ae = Autoencoder.create({ filters: [2, 2], latentDim: 3 });
    await ae.save(folder);
    ae.dispose();
    const weights = join(folder, MODEL_FILES.weights);
    const bytes = await Deno.readFile(weights);
    await Deno.writeFile(weights, bytes.subarray(0, bytes.length - 4));
    await assert.rejects(
      loadModel(folder),
      (e) => e instanceof InputError && /weights\.bin: \d+ bytes/.test(e.message),
    );
    await Deno.writeFile(weights, bytes);
    await Deno.writeTextFile(join(folder, MODEL_FILES.model), "{not json");
    await assert.rejects(
      loadModel(folder),
      (e) => e instanceof InputError && /model\.json: corrupt JSON/.test(e.message),
    );
    await Deno.remove(join(folder, MODEL_FILES.metadata));
    await assert.rejects(
      loadModel(folder),
      (e) => e instanceof InputError && /not a model folder/.test(e.message),
    );
    await Deno.writeTextFile(join(dir, "file"), "x");
    await assert.rejects(loadModel(join(dir, "file")), InputError);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("persistence: images of another size are an InputError", async () => {
  await backend();
  const ae = Autoencoder.create({ filters: [2, 2], latentDim: 3 });
  const wrong = { count: 2, rows: 27, cols: 28, pixels: new Uint8Array(2 * 27 * 28) };
  await assert.rejects(ae.encode(wrong), (e) => e instanceof InputError && /27x28.*28x28x1/.test(e.message));
  ae.dispose();
});
