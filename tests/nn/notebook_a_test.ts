import assert from "node:assert/strict";
import { join } from "node:path";
import {
  configLabel,
  confusionHeatmapFigure,
  datasetSlug,
  latentScatterFigure,
  lossByLatentDimFigure,
  lossCurvesFigure,
  sweepGrid,
  taskAPaths,
  toPixels,
  writeLatentFiles,
} from "../../lib/nn/notebook_a.ts";
import { resolveAutoencoderConfig } from "../../lib/nn/autoencoder.ts";
import { readLatent } from "../../lib/data/idx.ts";
import pl from "nodejs-polars";
import { withTempDir } from "../_helpers.ts";

Deno.test("sweepGrid: reduced has 5 distinct configurations, full has 16, all valid", () => {
  const reduced = sweepGrid("reduced", { epochs: 3, seed: 7 });
  assert.equal(reduced.length, 5);
  const full = sweepGrid("full");
  assert.equal(full.length, 16);
  for (const grid of [reduced, full]) {
    const labels = grid.map((c) => configLabel(resolveAutoencoderConfig(c)));
    assert.equal(new Set(labels).size, grid.length, "configurations are distinct");
  }
  for (const c of reduced) {
    assert.equal(c.epochs, 3);
    assert.equal(c.seed, 7);
    assert.equal(c.latentDim, 10);
  }
  assert.throws(() => sweepGrid("huge" as never));
  const cosine = sweepGrid("reduced", { learningRate: 0.004, schedule: "cosine" });
  assert.deepEqual(cosine.map((c) => c.learningRate), [0.004, 0.004, 0.004, 0.004, 0.004]);
  assert.deepEqual(reduced.map((c) => c.filters), [[16, 32], [16, 32], [16, 32], 16, 32]);
  assert.ok(cosine.every((c) => c.schedule === "cosine"));
  assert.equal(configLabel(resolveAutoencoderConfig(cosine[0])), "2L 16-32 k3 b32 lr0.004 cosine");
});

Deno.test("configLabel: arrays, base numbers and sweep-row text give the same label", () => {
  const resolved = resolveAutoencoderConfig({ convLayers: 3, filters: 16, kernelSize: 5, batchSize: 64 });
  assert.equal(configLabel(resolved), "3L 16-32-64 k5 b64 lr0.002");
  assert.equal(
    configLabel({ convLayers: 3, filters: 16, kernelSize: 5, batchSize: 64 }),
    configLabel(resolved),
  );
  assert.equal(
    configLabel({ convLayers: 2, filters: "16-32", downsampling: "maxpool", learningRate: 1e-3 }),
    "2L 16-32 k3 b32 lr0.001 maxpool",
  );
});

Deno.test("taskAPaths: the paths notebook B and D read", () => {
  const paths = taskAPaths("/r", "mnist-sample");
  assert.equal(paths.latentDataset(10), join("/r", "latent", "mnist-sample_d10_dataset.idx"));
  assert.equal(paths.latentQueries(200), join("/r", "latent", "mnist-sample_d200_queries.idx"));
  assert.equal(paths.classesFile, join("/r", "classes", "mnist-sample.txt"));
  assert.equal(datasetSlug("/data/my mnist/"), "my_mnist");
  assert.equal(datasetSlug("fashion-mnist"), "fashion-mnist");
});

Deno.test("writeLatentFiles: both files on the dataset's scale, folders created", async () => {
  await withTempDir(async (dir) => {
    const encoder = {
      latentDim: 2,
      encode: (images: { count: number; pixels: Uint8Array }) =>
        Promise.resolve(Float32Array.from({ length: images.count * 2 }, (_, k) => images.pixels[k >> 1])),
    };
    const image = (values: number[]) => ({
      count: values.length,
      rows: 1,
      cols: 1,
      pixels: Uint8Array.from(values),
    });
    const paths = taskAPaths(dir, "toy");
    const started = performance.now();
    const report = await writeLatentFiles(
      encoder,
      { dataset: image([0, 10, 20]), queries: image([10, 40]), datasetLabels: [7, 8, 9] },
      {
        dataset: paths.latentDataset(2),
        queries: paths.latentQueries(2),
      },
    );
    assert.deepEqual(report.scale, { min: 0, max: 20 });
    const dataset = await readLatent(paths.latentDataset(2));
    const queries = await readLatent(paths.latentQueries(2));
    assert.deepEqual(Array.from(dataset.values), [0, 0, 12750, 12750, 25500, 25500]);
    assert.deepEqual(Array.from(queries.values), [12750, 12750, 25500, 25500]); // 40 clipped to max
    assert.ok(report.encodeSeconds <= (performance.now() - started) / 1000, "seconds, within the call");
    // The same vectors as Parquet beside them, with the labels when given.
    assert.equal(report.parquet.dataset, paths.latentDataset(2).replace(/\.idx$/, ".parquet"));
    assert.deepEqual(pl.readParquet(report.parquet.dataset).toRecords(), [
      { index: 0, label: 7, z0: 0, z1: 0 },
      { index: 1, label: 8, z0: 12750, z1: 12750 },
      { index: 2, label: 9, z0: 25500, z1: 25500 },
    ]);
    assert.deepEqual(pl.readParquet(report.parquet.queries).columns, ["index", "z0", "z1"]);
  });
});

Deno.test("figures: traces per run / class, counts annotated, shapes checked", () => {
  const history = [{ epoch: 1, trainLoss: 0.05, valLoss: 0.04 }, {
    epoch: 2,
    trainLoss: 0.03,
    valLoss: 0.03,
  }];
  const curves = lossCurvesFigure([history, history], ["a", "b"], { highlight: 1 });
  assert.equal(curves.data.length, 4);
  assert.deepEqual(curves.data[0].y, [0.04, 0.03]);
  assert.equal(
    (curves.data[2].line as { width: number }).width > (curves.data[0].line as { width: number }).width,
    true,
  );

  const byDim = lossByLatentDimFigure([
    { latentDim: 10, trainLoss: 0.02, valLoss: 0.021, testLoss: 0.022 },
    { latentDim: 20, trainLoss: 0.01, valLoss: 0.011, testLoss: 0.012 },
  ]);
  assert.equal(byDim.data.length, 3);
  assert.equal(lossByLatentDimFigure([{ latentDim: 10, trainLoss: 0.02, valLoss: 0.021 }]).data.length, 2);

  const scatter = latentScatterFigure([0, 0, 1, 1, 2, 2], [3, 1, 3], { explained: [0.5, 0.25] });
  assert.deepEqual(scatter.data.map((t) => t.name), ["1", "3"]);
  assert.deepEqual(scatter.data[1].x, [0, 2]);
  assert.throws(() => latentScatterFigure([0, 0, 1], [1, 2]));

  const heat = confusionHeatmapFigure([[5, 0], [1, 4]]);
  assert.deepEqual(heat.data[0].z, [[5, 0], [1, 4]]);
  assert.equal((heat.layout!.annotations as unknown[]).length, 3);
});

Deno.test("toPixels: 0..1 floats to clipped, rounded bytes", () => {
  assert.deepEqual(Array.from(toPixels([0, 0.5, 1, -0.1, 1.2, 0.002])), [0, 128, 255, 0, 255, 1]);
});
