/**
 * `deno task reduce -d <dataset> -q <queryset> -od <out dataset> -oq <out queries> [--model DIR]`:
 * encodes both image files with a trained autoencoder and writes two latent files (IDX int16,
 * N×1×D, integers 0..25500 on one scale taken from the dataset; spec section 0). Both files are
 * written only after everything was computed, each atomically.
 * @module
 */
import { dirname, resolve } from "node:path";
import { type CliTool, runMain } from "./_run.ts";
import type { ParsedFlags } from "./_flags.ts";
import { InputError } from "../errors.ts";
import { readImages, writeLatent } from "../data/idx.ts";
import { Autoencoder } from "../nn/autoencoder.ts";
import { findBestModel, MODELS_FOLDER } from "../nn/persistence.ts";
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

/** Loads `--model DIR`, or the autoencoder with the lowest validation loss under `--models`. */
export async function loadAutoencoderFlag(flags: ParsedFlags): Promise<{ ae: Autoencoder; dir: string }> {
  let dir = flags.model as string | undefined;
  if (dir === undefined) {
    const latentDim = flags.latentDim as number | undefined;
    dir = (await findBestModel(flags.models as string, { kind: "autoencoder", latentDim })).dir;
  }
  return { ae: await Autoencoder.load(dir), dir };
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
    const { ae, dir } = await loadAutoencoderFlag(flags);
    ae.checkImages(dataset, paths.dataset);
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
