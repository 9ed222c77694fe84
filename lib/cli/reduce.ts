/**
 * `deno task reduce -d <dataset> -q <queryset> -od <out dataset> -oq <out queries> [--model DIR]`:
 * encodes both image files with a trained autoencoder and writes two latent files (IDX int16,
 * N×1×D, integers 0..25500 on one scale taken from the dataset; spec section 0). Both files are
 * written only after everything was computed, each atomically.
 * @module
 */
import { basename, dirname, join, resolve } from "node:path";
import { type CliTool, runMain } from "./_run.ts";
import type { ParsedFlags } from "./_flags.ts";
import { InputError } from "../errors.ts";
import { readImages, writeLatent } from "../data/idx.ts";
import { Autoencoder } from "../nn/autoencoder.ts";
import { findBestModel, listModels, MODELS_FOLDER } from "../nn/persistence.ts";
import { datasetSlug } from "../data/task_outputs.ts";
import { reduceImages } from "../nn/latent.ts";
import { initBackend } from "../nn/backend.ts";

/** Checks that output paths differ from each other and from the inputs (flag names in the message). */
export function checkOutputPaths(outputs: [string, string][], inputs: [string, string][]): void {
  const seen = new Map<string, string>();
  for (const [flag, path] of inputs) seen.set(resolve(path), flag);
  for (const [flag, path] of outputs) {
    const other = seen.get(resolve(path));
    if (other !== undefined) throw new InputError(`${flag}: ${path} is the same file as ${other}`);
    seen.set(resolve(path), flag);
  }
}

/** Throws an InputError naming `flag` when the folder that should receive `path` does not exist. */
export function checkOutputFolder(flag: string, path: string): void {
  const folder = dirname(resolve(path));
  try {
    if (!Deno.statSync(folder).isDirectory) {
      throw new InputError(`${flag}: cannot write ${path} (${folder} is not a folder)`);
    }
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`${flag}: cannot write ${path} (folder ${folder} does not exist)`);
  }
}

/** Writes a file with `write`; a missing folder or permission problem becomes an InputError naming the flag. */
export async function writeOutput(flag: string, path: string, write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new InputError(`${flag}: cannot write ${path} (folder does not exist)`);
    }
    if (error instanceof Deno.errors.PermissionDenied) {
      throw new InputError(`${flag}: cannot write ${path} (permission denied)`);
    }
    if (error instanceof Deno.errors.IsADirectory) throw new InputError(`${flag}: ${path} is a directory`);
    throw error;
  }
}

/**
 * Loads `--model DIR`, or by default the autoencoder with the lowest validation loss among those trained
 * on the data set of `datasetPath`: the models directly under `--models` and one folder deeper (where
 * notebook A puts the models of data sets other than `mnist-sample`: `models/<dataset>/ae-latent<D>`)
 * whose metadata names the data set folder of `datasetPath` (its parent folder's name, e.g.
 * `fashion-mnist` or `mnist-sample`). When none was trained on it, the best model of any data set is
 * used and `warning` says which data set it was trained on (for the caller to print once its inputs
 * passed their checks).
 */
export async function loadAutoencoderFlag(
  flags: ParsedFlags,
  datasetPath?: string,
): Promise<{ ae: Autoencoder; dir: string; warning?: string }> {
  let dir = flags.model as string | undefined;
  let warning: string | undefined;
  if (dir === undefined) {
    const root = flags.models as string;
    const options = { kind: "autoencoder", latentDim: flags.latentDim as number | undefined };
    const entries = await listModels(root, options);
    for await (const entry of readDirIfExists(root)) {
      if (entry.isDirectory && !entry.name.startsWith(".")) {
        entries.push(...await listModels(join(root, entry.name), options));
      }
    }
    const wanted = datasetPath === undefined ? undefined : basename(dirname(resolve(datasetPath)));
    const matching = entries.filter((e) =>
      wanted !== undefined && datasetSlug(e.metadata.dataset ?? "") === datasetSlug(wanted)
    );
    const pool = (matching.length > 0 ? matching : entries).filter((e) =>
      Number.isFinite(e.metadata.metrics?.valLoss)
    );
    if (pool.length === 0) {
      // No candidate at all: findBestModel gives the usual one-line error.
      dir = (await findBestModel(root, options)).dir;
    } else {
      const best = pool.reduce((a, e) => (e.metadata.metrics.valLoss < a.metadata.metrics.valLoss ? e : a));
      dir = best.dir;
      if (wanted !== undefined && matching.length === 0) {
        warning =
          `warning: no autoencoder in ${root} was trained on ${wanted}; using ${dir} (trained on ${best.metadata.dataset})`;
      }
    }
  }
  return { ae: await Autoencoder.load(dir), dir, warning };
}

async function* readDirIfExists(path: string): AsyncGenerator<Deno.DirEntry> {
  try {
    yield* Deno.readDir(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
}

/** The `reduce` tool. */
export const reduceTool: CliTool = {
  name: "reduce",
  summary:
    "Encodes a dataset and a query set with a trained conv autoencoder and writes their latent files " +
    "(IDX int16 N x 1 x D, values 0..25500, one scale from the dataset).",
  flags: [
    {
      key: "dataset",
      names: ["-d", "--dataset"],
      type: "string",
      required: true,
      description: "Dataset images (IDX)",
    },
    {
      key: "queries",
      names: ["-q", "--queries"],
      type: "string",
      required: true,
      description: "Query images (IDX)",
    },
    {
      key: "outDataset",
      names: ["-od", "--out-dataset"],
      type: "string",
      required: true,
      description: "Output latent file for the dataset",
    },
    {
      key: "outQueries",
      names: ["-oq", "--out-queries"],
      type: "string",
      required: true,
      description: "Output latent file for the queries",
    },
    {
      key: "model",
      names: ["--model", "-model"],
      type: "string",
      description: "Autoencoder folder (default: lowest validation loss in --models)",
    },
    {
      key: "models",
      names: ["--models"],
      type: "string",
      default: MODELS_FOLDER,
      description: "Folder of trained models",
    },
    {
      key: "latentDim",
      names: ["--latent-dim"],
      type: "integer",
      min: 1,
      description: "Without --model: pick the best model with this latent dimension",
    },
    {
      key: "batchSize",
      names: ["--batch-size"],
      type: "integer",
      min: 1,
      default: 256,
      description: "Images per inference batch",
    },
  ],
  async run(flags) {
    const started = performance.now();
    const paths = {
      dataset: flags.dataset as string,
      queries: flags.queries as string,
      outDataset: flags.outDataset as string,
      outQueries: flags.outQueries as string,
    };
    checkOutputPaths([["-od", paths.outDataset], ["-oq", paths.outQueries]], [["-d", paths.dataset], [
      "-q",
      paths.queries,
    ]]);
    checkOutputFolder("-od", paths.outDataset);
    checkOutputFolder("-oq", paths.outQueries);
    const dataset = await readImages(paths.dataset);
    const queries = await readImages(paths.queries);
    if (queries.rows !== dataset.rows || queries.cols !== dataset.cols) {
      throw new InputError(
        `${paths.queries}: query images are ${queries.rows}x${queries.cols}, dataset images (${paths.dataset}) are ${dataset.rows}x${dataset.cols}`,
      );
    }
    const backend = await initBackend();
    const { ae, dir, warning } = await loadAutoencoderFlag(flags, paths.dataset);
    ae.checkImages(dataset, paths.dataset);
    if (warning) console.error(warning);
    const batchSize = flags.batchSize as number;
    const encodeStart = performance.now();
    const reduced = await reduceImages({
      latentDim: ae.latentDim,
      encode: (d) => ae.encode(d, { batchSize }),
    }, {
      dataset,
      queries,
    });
    const encodeSeconds = (performance.now() - encodeStart) / 1000;
    await writeOutput("-od", paths.outDataset, () => writeLatent(paths.outDataset, reduced.dataset));
    try {
      await writeOutput("-oq", paths.outQueries, () => writeLatent(paths.outQueries, reduced.queries));
    } catch (error) {
      await Deno.remove(paths.outDataset).catch(() => {}); // both or neither
      throw error;
    }
    const total = (performance.now() - started) / 1000;
    console.log(`reduce: model ${dir} (latent dim ${ae.latentDim}, backend ${backend.name})`);
    console.log(
      `reduce: wrote ${paths.outDataset} (${reduced.dataset.count} x 1 x ${reduced.dataset.dim} int16) and ${paths.outQueries} (${reduced.queries.count} x 1 x ${reduced.queries.dim} int16)`,
    );
    console.log(
      `reduce: scale from the dataset: min ${reduced.scale.min.toPrecision(6)} -> 0, max ${
        reduced.scale.max.toPrecision(6)
      } -> 25500`,
    );
    console.log(
      `reduce: encoded ${dataset.count + queries.count} images in ${encodeSeconds.toFixed(2)} s (${
        ((dataset.count + queries.count) / encodeSeconds).toFixed(0)
      } img/s); total ${total.toFixed(2)} s`,
    );
    ae.dispose();
  },
};

if (import.meta.main) await runMain(reduceTool);
