/**
 * Choosing and checking the autoencoder of `reduce` and `classify` before any work (and before a
 * tfjs backend is started): `--model DIR`, or the best model trained on the data set of `-d`.
 * @module
 */
import { basename, dirname, join, resolve } from "node:path";
import { InputError } from "../errors.ts";
import { datasetSlug } from "../data/task_outputs.ts";
import {
  checkModelKind,
  findBestModel,
  listModels,
  type ModelEntry,
  type ModelFiles,
  readModelFiles,
} from "../nn/persistence.ts";

/** What {@linkcode chooseAutoencoder} needs. */
export interface ChooseAutoencoderOptions {
  /** `--model DIR`, when given. */
  model?: string;
  /** The folder of trained models (`--models`). */
  models: string;
  /** Without `model`: only models with this latent dimension. */
  latentDim?: number;
  /** The dataset images (`-d`): models trained on its folder's data set are preferred. */
  datasetPath: string;
  /** The images the model must take (`[rows, cols]`) and where they come from, for messages. */
  images: { rows: number; cols: number; source: string };
}

/** The chosen autoencoder's checked files, and a warning line to print when it fits another data set. */
export interface ChosenAutoencoder {
  /** The model folder's files, read and checked (weights checksum included). */
  files: ModelFiles;
  /** The folder. */
  dir: string;
  /** A line for stderr when the model was trained on another data set. */
  warning?: string;
}

async function* readDirIfExists(path: string): AsyncGenerator<Deno.DirEntry> {
  try {
    yield* Deno.readDir(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
}

/**
 * `--model DIR`, or by default the autoencoder with the lowest validation loss among those trained on
 * the data set of `datasetPath`: the models directly under `--models` and one folder deeper (where
 * notebook A puts the models of data sets other than `mnist-sample`: `models/<dataset>/ae-latent<D>`)
 * whose metadata names the data set folder of `datasetPath` (its parent folder's name, e.g.
 * `fashion-mnist` or `mnist-sample`). When none was trained on it, the best model of any data set is
 * used with a `warning`. Its files are read and checked, and its input shape compared with the images,
 * all without a tfjs backend; every problem is an {@linkcode InputError} naming the file.
 */
export async function chooseAutoencoder(options: ChooseAutoencoderOptions): Promise<ChosenAutoencoder> {
  let dir = options.model;
  let warning: string | undefined;
  if (dir === undefined) {
    const root = options.models;
    const filter = { kind: "autoencoder", latentDim: options.latentDim };
    const entries: ModelEntry[] = await listModels(root, filter);
    for await (const entry of readDirIfExists(root)) {
      if (entry.isDirectory && !entry.name.startsWith(".")) {
        entries.push(...await listModels(join(root, entry.name), filter));
      }
    }
    const wanted = basename(dirname(resolve(options.datasetPath)));
    const matching = entries.filter((e) => datasetSlug(e.metadata.dataset ?? "") === datasetSlug(wanted));
    const pool = (matching.length > 0 ? matching : entries).filter((e) =>
      Number.isFinite(e.metadata.metrics?.valLoss)
    );
    if (pool.length === 0) {
      // No candidate at all: findBestModel gives the usual one-line error.
      dir = (await findBestModel(root, filter)).dir;
    } else {
      const best = pool.reduce((a, e) => (e.metadata.metrics.valLoss < a.metadata.metrics.valLoss ? e : a));
      dir = best.dir;
      if (matching.length === 0) {
        warning =
          `warning: no autoencoder in ${root} was trained on ${wanted}; using ${dir} (trained on ${best.metadata.dataset})`;
      }
    }
  }
  const files = await readModelFiles(dir);
  checkModelKind(files, "autoencoder");
  const [rows, cols, channels] = files.metadata.inputShape;
  const { images } = options;
  if (rows !== images.rows || cols !== images.cols || channels !== 1) {
    throw new InputError(
      `${images.source}: images are ${images.rows}x${images.cols}, but the model ${dir} takes ${rows}x${cols}x${channels}`,
    );
  }
  return { files, dir, warning };
}
