/** Small real-digit fixtures for the nn tests (first images of mnist-sample). */
import { readImages, readLabels } from "../../lib/data/idx.ts";
import { resolveDataset } from "../../lib/data/datasets.ts";
import type { TrainingData } from "../../lib/nn/training.ts";
import { initBackend } from "../../lib/nn/backend.ts";

/** Initialises the backend quietly (wasm on these machines). */
export async function backend(): Promise<string> {
  return (await initBackend({ quiet: true })).name;
}

/** The first `count` train images (and labels) of mnist-sample. */
export async function digits(count: number, offset = 0): Promise<TrainingData> {
  const files = await resolveDataset("mnist-sample");
  const images = await readImages(files.trainImages, { limit: offset + count });
  const labels = await readLabels(files.trainLabels);
  const size = images.rows * images.cols;
  return {
    count,
    rows: images.rows,
    cols: images.cols,
    pixels: images.pixels.slice(offset * size, (offset + count) * size),
    labels: labels.slice(offset, offset + count),
  };
}
