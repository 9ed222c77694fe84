import assert from "node:assert/strict";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { Autoencoder } from "../../lib/nn/autoencoder.ts";
import {
  checkModelTarget,
  findBestModel,
  loadModel,
  METADATA_VERSION,
  MODEL_FILES,
  parseModelMetadata,
  readModelFiles,
  readModelMetadata,
  sha256Hex,
} from "../../lib/nn/persistence.ts";
import { InputError } from "../../lib/errors.ts";
import { backend, digits } from "./_fixtures.ts";
import { fuzzParser } from "../_fuzz.ts";
import { withTempDir } from "../_helpers.ts";

Deno.test("persistence: save then load gives identical predictions and metadata", async () => {
  await backend();
  await withTempDir(async (dir) => {
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
  });
});

Deno.test("persistence: missing and corrupt folders are InputErrors naming them", async () => {
  await backend();
  await withTempDir(async (dir) => {
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
  });
});

Deno.test("persistence: images of another size are an InputError", async () => {
  await backend();
  const ae = Autoencoder.create({ filters: [2, 2], latentDim: 3 });
  const wrong = { count: 2, rows: 27, cols: 28, pixels: new Uint8Array(2 * 27 * 28) };
  await assert.rejects(ae.encode(wrong), (e) => e instanceof InputError && /27x28.*28x28x1/.test(e.message));
  ae.dispose();
});

Deno.test("persistence: the weights' checksum is recorded and checked on load; corrupt weights name the file", async () => {
  await backend();
  await withTempDir(async (dir) => {
    const folder = join(dir, "m");
    const ae = Autoencoder.create({ filters: [2, 2], latentDim: 3 });
    const written = await ae.save(folder);
    ae.dispose();
    const weightsPath = join(folder, MODEL_FILES.weights);
    const weights = await Deno.readFile(weightsPath);
    assert.equal(written.weightsSha256, await sha256Hex(weights));
    assert.equal((await readModelMetadata(folder)).version, METADATA_VERSION);
    // Random bytes of the right size: the checksum catches them before any backend work.
    const random = weights.map((_, i) => (i * 7919 + 13) % 256);
    await Deno.writeFile(weightsPath, random);
    await assert.rejects(
      readModelFiles(folder),
      (e) => e instanceof InputError && /weights\.bin: corrupt weights \(SHA-256/.test(e.message),
    );
    // A model written before checksums (layout 1): a non-finite weight is caught all the same.
    const metadataPath = join(folder, MODEL_FILES.metadata);
    const metadata = JSON.parse(await Deno.readTextFile(metadataPath));
    delete metadata.weightsSha256;
    metadata.version = 1;
    await Deno.writeTextFile(metadataPath, JSON.stringify(metadata));
    const nan = weights.slice();
    new DataView(nan.buffer).setFloat32(8, NaN, true);
    await Deno.writeFile(weightsPath, nan);
    await assert.rejects(
      loadModel(folder),
      (e) => e instanceof InputError && /weights\.bin: corrupt weights \(.* holds NaN at 2\)/.test(e.message),
    );
    await Deno.writeFile(weightsPath, weights);
    (await loadModel(folder)).model.dispose();
  });
});

Deno.test("parseModelMetadata: every missing or mistyped field is an InputError naming the file and field", () => {
  const valid = {
    version: 2,
    kind: "autoencoder",
    inputShape: [28, 28, 1],
    config: {},
    dataset: "d",
    metrics: { valLoss: 0.1, nan: null },
    backend: "wasm",
    seed: 0,
    date: "2025-01-01",
  };
  assert.deepEqual(parseModelMetadata(JSON.stringify(valid), "m.json").metrics, { valLoss: 0.1 });
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ version: 3 }, /version must be an integer 1\.\.2/],
    [{ kind: 7 }, /kind must be a name/],
    [{ inputShape: [28, 28] }, /inputShape/],
    [{ inputShape: [28, -1, 1] }, /inputShape/],
    [{ config: [] }, /config must be an object/],
    [{ metrics: { valLoss: "low" } }, /metrics\.valLoss must be a number/],
    [{ latentScale: { min: 2, max: 1 } }, /latentScale/],
    [{ latentDim: 0 }, /latentDim/],
    [{ weightsSha256: "abc" }, /weightsSha256 must be 64 hex digits/],
    [{ history: [1] }, /history/],
  ];
  for (const [change, pattern] of cases) {
    assert.throws(
      () => parseModelMetadata(JSON.stringify({ ...valid, ...change }), "m.json"),
      (e) => e instanceof InputError && e.message.startsWith("m.json: ") && pattern.test(e.message),
      JSON.stringify(change),
    );
  }
  assert.throws(() => parseModelMetadata("[1]", "m.json"), /m\.json: corrupt JSON \(not a JSON object\)/);
});

Deno.test("checkModelTarget: free, same settings, forced, or refused", async () => {
  await backend();
  await withTempDir(async (dir) => {
    const ae = Autoencoder.create({ filters: [2, 2], latentDim: 3 });
    const model = join(dir, "ae");
    await ae.save(model, { hash: "h1" });
    ae.dispose();
    const check = { kind: "autoencoder", flag: "--save" };
    assert.equal(await checkModelTarget(join(dir, "new"), check), "free");
    await Deno.mkdir(join(dir, "empty"));
    assert.equal(await checkModelTarget(join(dir, "empty"), check), "free");
    assert.equal(await checkModelTarget(model, { ...check, hash: "h1" }), "same settings");
    await assert.rejects(
      checkModelTarget(model, { ...check, hash: "h2" }),
      /--save: .*ae holds an autoencoder model trained with other settings/,
    );
    assert.equal(await checkModelTarget(model, { ...check, hash: "h2", force: true }), "forced");
    await assert.rejects(
      checkModelTarget(model, { kind: "classifier" }),
      /holds an autoencoder model, not a classifier; --force replaces it/,
    );
    assert.equal(await checkModelTarget(model, { kind: "classifier", force: true }), "forced");
    await Deno.mkdir(join(dir, "keep"));
    await Deno.writeTextFile(join(dir, "keep", "notes.txt"), "x");
    await assert.rejects(
      checkModelTarget(join(dir, "keep"), { ...check, force: true }),
      /is a folder that is not a latentlab model/,
    );
    await assert.rejects(
      checkModelTarget(join(dir, "keep", "notes.txt"), { ...check, force: true }),
      /is a file/,
    );
  });
});

Deno.test("fuzz: 1,000 mutated metadata.json files give only InputErrors", async () => {
  const metadata = {
    version: 2,
    kind: "autoencoder",
    inputShape: [28, 28, 1],
    config: { convLayers: 2, filters: [16, 32], latentDim: 10 },
    dataset: "mnist-sample",
    trainCount: 8000,
    latentDim: 10,
    latentScale: { min: -3.5, max: 4.25 },
    metrics: { valLoss: 0.0189, trainLoss: 0.0192, epochsRun: 7 },
    history: [{ epoch: 1, trainLoss: 0.05, valLoss: 0.04 }],
    backend: "wasm",
    seed: 1,
    date: "2025-01-01T00:00:00.000Z",
    hash: "ab".repeat(32),
    weightsSha256: "cd".repeat(32),
  };
  const inputs = [
    JSON.stringify(metadata, null, 2),
    JSON.stringify({ ...metadata, version: 1, weightsSha256: undefined }),
  ]
    .map((text) => new TextEncoder().encode(text));
  const stats = await fuzzParser("model metadata", {
    inputs,
    text: true,
    salt: 6,
    parse: (bytes) => parseModelMetadata(new TextDecoder().decode(bytes), "metadata.json"),
  });
  assert.equal(stats.runs, 1000);
  assert.ok(stats.refused > 300 && stats.accepted > 0, JSON.stringify(stats));
});

Deno.test("findBestModel: no model gives an InputError naming the folder and how to name a model instead", async () => {
  await withTempDir(async (dir) => {
    await assert.rejects(
      findBestModel(dir, { kind: "autoencoder" }),
      (error: Error) =>
        error instanceof InputError && error.message.includes(dir) &&
        /no trained autoencoder/.test(error.message) &&
        error.message.endsWith("pass --model DIR)"),
    );
    await assert.rejects(
      findBestModel(join(dir, "missing"), { kind: "autoencoder", instead: "--models DIR" }),
      (error: Error) => error instanceof InputError && error.message.endsWith("pass --models DIR)"),
    );
  });
});
