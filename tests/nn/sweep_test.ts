import assert from "node:assert/strict";
import { join } from "node:path";
import { chooseBestConfig, runSweep, type SweepRow, trainLatentModels } from "../../lib/nn/sweep.ts";
import { Autoencoder } from "../../lib/nn/autoencoder.ts";
import { findBestModel } from "../../lib/nn/persistence.ts";
import { InputError } from "../../lib/errors.ts";
import { backend, digits } from "./_fixtures.ts";
import { withTempDir } from "../_helpers.ts";

function row(valLoss: number, trainLoss: number): SweepRow {
  const gap = valLoss - trainLoss;
  return {
    convLayers: 2,
    kernelSize: 3,
    filters: "4-8",
    downsampling: "stride",
    latentDim: 10,
    batchSize: 32,
    epochs: 5,
    learningRate: 0.001,
    schedule: "constant",
    params: 1,
    epochsRun: 5,
    bestEpoch: 5,
    trainLoss,
    valLoss,
    gap,
    relativeGap: gap / trainLoss,
    seconds: 1,
    imagesPerSecond: 1,
    backend: "wasm",
  };
}

Deno.test("chooseBestConfig: lowest validation loss among configs whose gap is at most 10%", () => {
  assert.equal(
    chooseBestConfig([row(0.03, 0.029), row(0.02, 0.01), row(0.025, 0.024), row(0.026, 0.026)]),
    2,
  );
  assert.equal(chooseBestConfig([row(0.03, 0.02), row(0.02, 0.01)]), 0); // none passes: smallest gap
  assert.equal(chooseBestConfig([row(NaN, 0.01), row(0.05, 0.05)]), 1);
  assert.equal(chooseBestConfig([]), -1);
  assert.equal(chooseBestConfig([row(0.03, 0.02), row(0.025, 0.024)], 0.6), 1);
});

Deno.test("runSweep: one table row per config with the documented columns", async () => {
  await backend();
  const data = await digits(200);
  const sweep = await runSweep(data, {
    configs: [
      { filters: [2, 4], latentDim: 4, epochs: 2, batchSize: 50 },
      { convLayers: 3, filters: 2, downsampling: "maxpool", latentDim: 4, epochs: 1, batchSize: 50 },
    ],
    progress: false,
  });
  assert.equal(sweep.table.height, 2);
  for (
    const name of [
      "convLayers",
      "filters",
      "downsampling",
      "epochsRun",
      "trainLoss",
      "valLoss",
      "gap",
      "seconds",
      "imagesPerSecond",
      "backend",
    ]
  ) {
    assert.ok(sweep.table.columns.includes(name), name);
  }
  assert.deepEqual(sweep.table.getColumn("filters").toArray(), ["2-4", "2-4-8"]);
  assert.deepEqual(sweep.table.getColumn("epochsRun").toArray().map(Number), [2, 1]);
  assert.match(String(sweep.table.getColumn("epochsRun").dtype), /Int64/);
  assert.equal(sweep.histories[0].length, 2);
  for (const r of sweep.rows) assert.ok(Math.abs(r.gap - (r.valLoss - r.trainLoss)) < 1e-12 && r.valLoss > 0);
  assert.equal(sweep.bestIndex, chooseBestConfig(sweep.rows));
});

Deno.test("trainLatentModels: saves one model per dim and reuses it while config and data are unchanged", async () => {
  await backend();
  const data = await digits(120);
  await withTempDir(async (dir) => {
    const architecture = { filters: [2, 2], epochs: 1, batchSize: 60, seed: 4 };
    const first = await trainLatentModels(data, {
      architecture,
      latentDims: [2, 3],
      modelsDir: dir,
      progress: false,
    });
    assert.deepEqual(first.map((e) => [e.latentDim, e.reused]), [[2, false], [3, false]]);
    const ae = await Autoencoder.load(join(dir, "ae-latent3"));
    assert.equal(ae.latentDim, 3);
    assert.ok(ae.metadata?.latentScale && ae.metadata.latentScale.max > ae.metadata.latentScale.min);
    assert.equal(ae.metadata?.hash?.length, 64);
    const again = await trainLatentModels(data, {
      architecture,
      latentDims: [2, 3],
      modelsDir: dir,
      progress: false,
    });
    assert.deepEqual(again.map((e) => e.reused), [true, true]);
    assert.equal(again[1].valLoss, first[1].valLoss);
    // Other settings never replace a model silently: by default a new folder beside it ...
    const before = await Deno.readFile(join(dir, "ae-latent3", "weights.bin"));
    const changed = await trainLatentModels(data, {
      architecture: { ...architecture, kernelSize: 5 },
      latentDims: [3],
      modelsDir: dir,
      progress: false,
    });
    assert.equal(changed[0].reused, false);
    assert.equal(changed[0].dir, join(dir, "ae-latent3-2"));
    assert.deepEqual(await Deno.readFile(join(dir, "ae-latent3", "weights.bin")), before);
    // ... which the same settings find again.
    const found = await trainLatentModels(data, {
      architecture: { ...architecture, kernelSize: 5 },
      latentDims: [3],
      modelsDir: dir,
      progress: false,
    });
    assert.deepEqual([found[0].dir, found[0].reused], [join(dir, "ae-latent3-2"), true]);
    // `refuse`: an InputError naming the folder, before any training; `replace` replaces it.
    const otherData = await digits(120, 120);
    await assert.rejects(
      trainLatentModels(otherData, {
        architecture,
        latentDims: [3, 2],
        modelsDir: dir,
        progress: false,
        existing: "refuse",
        flag: "--models",
      }),
      (e) =>
        e instanceof InputError &&
        /^--models: .*ae-latent3 holds an autoencoder model trained with other settings/.test(e.message),
    );
    assert.deepEqual(await Deno.readFile(join(dir, "ae-latent3", "weights.bin")), before);
    const replaced = await trainLatentModels(otherData, {
      architecture,
      latentDims: [2],
      modelsDir: dir,
      progress: false,
      existing: "replace",
    });
    assert.deepEqual([replaced[0].dir, replaced[0].reused], [join(dir, "ae-latent2"), false]);
    // A folder that is not a model is never replaced, whatever the policy.
    await Deno.mkdir(join(dir, "ae-latent4"));
    await Deno.writeTextFile(join(dir, "ae-latent4", "notes.txt"), "mine");
    await assert.rejects(
      trainLatentModels(data, {
        architecture,
        latentDims: [4],
        modelsDir: dir,
        progress: false,
        existing: "replace",
      }),
      (e) =>
        e instanceof InputError && /ae-latent4 is a folder that is not a latentlab model/.test(e.message),
    );
    assert.equal(await Deno.readTextFile(join(dir, "ae-latent4", "notes.txt")), "mine");
    const best = await findBestModel(dir, { kind: "autoencoder" });
    assert.ok(best.dir.startsWith(join(dir, "ae-latent")));
    ae.dispose();
  });
});
