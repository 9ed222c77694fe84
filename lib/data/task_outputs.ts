/**
 * Where task A (notebook `A_autoencoder.ipynb`) leaves the files that tasks B, C and D read, under a
 * results folder (`results/` by default):
 * - `latent/<dataset>_d<D>_dataset.idx`, `latent/<dataset>_d<D>_queries.idx`: latent files of the
 *   dataset (train) and query (test) images for latent dim D (spec section 0);
 * - `classes/<dataset>.txt`: the classifier's classes file of the dataset (train) images.
 * @module
 */
import { basename, join } from "node:path";

/** The name used in output file names: the data set name, or the folder name for a path. */
export function datasetSlug(name: string): string {
  const base = name.includes("/") ? basename(name.replace(/\/+$/, "")) : name;
  return base.replace(/[^A-Za-z0-9._-]/g, "_") || "dataset";
}

/** Where task A leaves its outputs under a results folder (see the module doc). */
export interface TaskAPaths {
  /** Folder of the latent files. */
  latentDir: string;
  /** Folder of the classes file. */
  classesDir: string;
  /** Classes file of the dataset images. */
  classesFile: string;
  /** Latent file of the dataset (train) images for a latent dim. */
  latentDataset(latentDim: number): string;
  /** Latent file of the query (test) images for a latent dim. */
  latentQueries(latentDim: number): string;
}

/** The output paths of task A for data set `dataset` under `resultsDir`. */
export function taskAPaths(resultsDir: string, dataset: string): TaskAPaths {
  const slug = datasetSlug(dataset);
  const latentDir = join(resultsDir, "latent");
  const classesDir = join(resultsDir, "classes");
  return {
    latentDir,
    classesDir,
    classesFile: join(classesDir, `${slug}.txt`),
    latentDataset: (d) => join(latentDir, `${slug}_d${d}_dataset.idx`),
    latentQueries: (d) => join(latentDir, `${slug}_d${d}_queries.idx`),
  };
}
