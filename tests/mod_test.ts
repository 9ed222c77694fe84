/**
 * The public API (`lib/mod.ts`): importing it type-checks it, a notebook author finds the functions of
 * every task in it, and the internals stay out.
 */
import assert from "node:assert/strict";
import * as ll from "../lib/mod.ts";

Deno.test("lib/mod.ts: the functions a notebook author needs, for data and every task", () => {
  const needed = [
    // data, statistics, notebook parameters and displays
    "resolveDataset",
    "readImages",
    "readLabels",
    "readLatent",
    "writeLatent",
    "readClassesFile",
    "taskAPaths",
    "randomProjectionLatent",
    "randomProjectionLatentSet",
    "fitLatentScale",
    "applyLatentScale",
    "wilsonInterval",
    "bootstrapMeanInterval",
    "formatInterval",
    "notebookParams",
    "showText",
    "showTable",
    "showFigure",
    "showImageGrid",
    "imageAt",
    "createProgress",
    "writeTable",
    "createRandom",
    // A, B, C, D
    "initBackend",
    "Autoencoder",
    "Classifier",
    "runSweep",
    "sweepGrid",
    "trainLatentModels",
    "reduceImages",
    "pca2d",
    "writeLatentFiles",
    "lossCurvesFigure",
    "createL1Engine",
    "buildExactIndex",
    "buildLshIndex",
    "buildParallelLshIndex",
    "compareSearches",
    "approximationStats",
    "runKnnPeers",
    "signatureSetOf",
    "createHighsEmdSolver",
    "createTransportSolver",
    "emdKnn",
    "knnCorrectness",
    "kMedians",
    "evaluatePartition",
    "partitionMedians",
    "silhouetteL1",
    "adjustedRandIndex",
    "purity",
  ];
  const exports = ll as Record<string, unknown>;
  for (const name of needed) assert.equal(typeof exports[name], "function", name);
});

Deno.test("lib/mod.ts: no internals (tooling constants, HTML helpers, protocol and file-format plumbing)", () => {
  const internals = [
    "CHROMIUM_ARGS",
    "CHROMIUM_PATH",
    "launchChromium",
    "escapeHtml",
    "jsonForScript",
    "encodeBase64",
    "crc32",
    "encodePng",
    "plotlyLoaderJs",
    "PLOTLY_LOADER_MARK",
    "countPlotlyLoaders",
    "KernelClient",
    "executeNotebook",
    "renderMarkdown",
    "signNotebook",
    "sha256Hex",
    "METADATA_VERSION",
    "batchTensor",
    "runBatched",
    "decodeIdx",
    "gunzip",
    "binRow",
    "emdLinearProgram",
    "BOUND_SLACK",
    "checkAssignment",
    "ensureInput",
    "KNN_PEERS_SCRIPT",
    "FusedAdamOptimizer",
    "createDataParallelTrainer",
  ];
  for (const name of internals) assert.ok(!(name in ll), `${name} is an internal`);
});

Deno.test("lib/mod.ts: its types describe the library's values", async () => {
  const images: ll.ImageSet = { count: 2, rows: 2, cols: 2, pixels: Uint8Array.of(0, 9, 9, 0, 9, 0, 0, 9) };
  const latent: ll.LatentSet = ll.randomProjectionLatentSet(images, { dim: 2 });
  const points: ll.PointSet = ll.pointsFromLatent(latent);
  const result: ll.KMediansResult = await ll.kMedians(ll.pointsFromImages(images), { k: 2 });
  const interval: ll.Interval = ll.wilsonInterval(1, 2);
  assert.equal(points.count, 2);
  assert.equal(result.assignment.length, 2);
  assert.equal(interval.n, 2);
});
