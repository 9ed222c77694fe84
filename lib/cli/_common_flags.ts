/**
 * Flags that several tools declare alike, declared once so that they read, default and check the same
 * in each: the data set and the image limit of the training tools (`train`, `quick-train`), their
 * Worker count (`train`, `classify`), and the model folders that choose the autoencoder (`reduce`,
 * `classify`; read by `chooseAutoencoder` in `_model.ts`).
 * @module
 */
import { type InputFolderFlagSpec, type IntegerFlagSpec, MAX_COUNT } from "./_flags.ts";
import { datasetFolder } from "../data/datasets.ts";
import { MODELS_FOLDER } from "../nn/persistence.ts";

/** A flag that always has a value: its default. */
type WithDefault<S, T> = S & { readonly default: T };

/** `-d`: a data set by name (`mnist-sample`, `fashion-mnist`) or a folder of IDX files. */
export const DATA_SET_FLAG: WithDefault<InputFolderFlagSpec, string> = {
  names: ["-d", "--dataset"],
  kind: "inputFolder",
  role: "data set folder",
  mayBeMissing: true,
  folderOf: (name: string) => datasetFolder(name),
  default: "mnist-sample",
  description: "Data set (mnist-sample, fashion-mnist or a folder of IDX files)",
};

/** `--limit N`: train on the first N images of the training set only (a quick run). */
export const TRAINING_LIMIT_FLAG: IntegerFlagSpec = {
  names: ["--limit"],
  kind: "integer",
  min: 2,
  max: MAX_COUNT,
  description: "Use only the first N training images",
};

/** `--workers`: the Workers that train in parallel (the results do not depend on it). */
export const TRAINING_WORKERS_FLAG: IntegerFlagSpec = {
  names: ["--workers"],
  kind: "integer",
  min: 0,
  max: 64,
  description: "Workers training in parallel (0: main thread; default: all cores)",
};

/** The flags of {@linkcode autoencoderFlags}. */
export type AutoencoderFlags = {
  /** `--model DIR`: this autoencoder. */
  model: InputFolderFlagSpec;
  /** `--models DIR`: where the default autoencoder is looked for. */
  models: WithDefault<InputFolderFlagSpec, string>;
};

/**
 * The folder flags that choose the autoencoder: `--model`, or by default the best one in `--models`.
 * `modelFlag` is the spelling of `--model` shown first in help (`classify` keeps the original tool's
 * `-model`); both spellings are accepted. Each tool adds its own `--latent-dim` (its help names the
 * tool's spelling of `--model`).
 */
export function autoencoderFlags(modelFlag: "--model" | "-model"): AutoencoderFlags {
  return {
    model: {
      names: modelFlag === "-model" ? ["-model", "--model"] : ["--model", "-model"],
      kind: "inputFolder",
      role: "model folder",
      description: "Autoencoder folder (default: lowest validation loss in --models)",
    },
    models: {
      names: ["--models"],
      kind: "inputFolder",
      role: "models folder",
      mayBeMissing: true,
      default: MODELS_FOLDER,
      description: "Folder of trained models",
    },
  };
}
