/**
 * Saving and loading tfjs-layers models under Deno without tfjs-node: a model folder holds
 *
 * - `model.json`: the standard tfjs "layers-model" JSON (topology + weights manifest), so the folder
 *   also loads with `tf.loadLayersModel("file://…/model.json")` in tfjs-node or over HTTP in a browser;
 * - `weights.bin`: all weights, little-endian float32, in manifest order;
 * - `metadata.json`: what the model is and how it was made ({@linkcode ModelMetadata}).
 *
 * Folders are written to a temporary sibling and renamed into place, so a reader never sees a
 * half-written model. Every problem with a folder being loaded is an {@linkcode InputError} naming it.
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { basename, dirname, join } from "node:path";
import { InputError } from "../errors.ts";
import { PROJECT_ROOT } from "../data/datasets.ts";

/** Default folder of trained models: `models/` in the repository. */
export const MODELS_FOLDER: string = join(PROJECT_ROOT, "models");

/** File names inside a model folder. */
export const MODEL_FILES = {
  model: "model.json",
  weights: "weights.bin",
  metadata: "metadata.json",
} as const;

/** Version of the metadata layout written by {@linkcode saveModel}. */
export const METADATA_VERSION = 1;

/** How a model was made and how well it did; stored as `metadata.json` beside the model. */
export interface ModelMetadata {
  /** Layout version ({@linkcode METADATA_VERSION}). */
  version: number;
  /** What the model is: `autoencoder`, `encoder`, `classifier`. */
  kind: string;
  /** Input image shape `[rows, cols, channels]`. */
  inputShape: number[];
  /** The architecture / training configuration (JSON-serialisable). */
  config: Record<string, unknown>;
  /** Data set name or path it was trained on. */
  dataset: string;
  /** Number of training images (before the validation split). */
  trainCount?: number;
  /** Latent dimension (autoencoders). */
  latentDim?: number;
  /** Global min/max of the latent values over the dataset (autoencoders; see `lib/nn/latent.ts`). */
  latentScale?: { min: number; max: number };
  /** Final metrics, e.g. `{ valLoss, trainLoss, testAccuracy }`. */
  metrics: Record<string, number>;
  /** Per-epoch history (see `lib/nn/training.ts`). */
  history?: Record<string, number>[];
  /** The tfjs backend it was trained on. */
  backend: string;
  /** Seed of the weight initialisation, split and shuffles. */
  seed: number;
  /** ISO date when it was saved. */
  date: string;
  /** Hash of configuration + training data, used to reuse a trained model when nothing changed. */
  hash?: string;
}

/** A model loaded from a folder, with its metadata. */
export interface LoadedModel {
  /** The model (not compiled; train it with `lib/nn/training.ts`). */
  model: tfl.LayersModel;
  /** Its metadata. */
  metadata: ModelMetadata;
  /** The folder it came from. */
  dir: string;
}

const BYTES_PER_DTYPE: Record<string, number> = { float32: 4, int32: 4, bool: 1 };

let temporaryCounter = 0;

function joinWeightData(data: tf.io.WeightData | undefined): Uint8Array {
  if (data === undefined) return new Uint8Array(0);
  const buffer = Array.isArray(data) ? tf.io.CompositeArrayBuffer.join(data) : data;
  return new Uint8Array(buffer);
}

async function captureArtifacts(model: tfl.LayersModel): Promise<tf.io.ModelArtifacts> {
  let captured: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler((artifacts) => {
    captured = artifacts;
    return Promise.resolve({ modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } });
  }));
  if (!captured) throw new Error("saveModel: tfjs produced no model artifacts");
  return captured;
}

/**
 * Saves `model` to the folder `dir` (created, or replaced as a whole) as `model.json`, `weights.bin`
 * and `metadata.json`. The folder is written under a temporary name and renamed into place.
 */
export async function saveModel(model: tfl.LayersModel, dir: string, metadata: ModelMetadata): Promise<void> {
  const artifacts = await captureArtifacts(model);
  const modelJson = {
    format: "layers-model",
    generatedBy: `TensorFlow.js tfjs-layers v${tfl.version_layers}`,
    convertedBy: "latentlab",
    modelTopology: artifacts.modelTopology,
    weightsManifest: [{ paths: [`./${MODEL_FILES.weights}`], weights: artifacts.weightSpecs ?? [] }],
  };
  const parent = dirname(dir);
  await Deno.mkdir(parent, { recursive: true });
  temporaryCounter += 1;
  const temporary = join(parent, `.${basename(dir)}.${Deno.pid}.${temporaryCounter}.tmp`);
  const backup = `${temporary}.old`;
  try {
    await Deno.mkdir(temporary);
    await Deno.writeTextFile(join(temporary, MODEL_FILES.model), JSON.stringify(modelJson));
    await Deno.writeFile(join(temporary, MODEL_FILES.weights), joinWeightData(artifacts.weightData));
    await Deno.writeTextFile(join(temporary, MODEL_FILES.metadata), JSON.stringify(metadata, null, 2) + "\n");
    let replaced = false;
    try {
      await Deno.rename(dir, backup);
      replaced = true;
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    await Deno.rename(temporary, dir);
    if (replaced) await Deno.remove(backup, { recursive: true });
  } catch (error) {
    await Deno.remove(temporary, { recursive: true }).catch(() => {});
    throw error;
  }
}

async function readText(path: string, dir: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new InputError(`${dir}: not a model folder (no ${basename(path)})`);
    }
    throw new InputError(`${path}: cannot read (${(error as Error).message})`);
  }
}

function parseJson(text: string, path: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text);
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new Error("not a JSON object");
    }
    return value;
  } catch (error) {
    throw new InputError(`${path}: corrupt JSON (${(error as Error).message})`);
  }
}

/** Reads and checks `metadata.json` of a model folder (without loading the model). */
export async function readModelMetadata(dir: string): Promise<ModelMetadata> {
  await ensureFolder(dir);
  const path = join(dir, MODEL_FILES.metadata);
  const metadata = parseJson(await readText(path, dir), path);
  if (
    typeof metadata.kind !== "string" || !Array.isArray(metadata.inputShape) ||
    typeof metadata.config !== "object"
  ) {
    throw new InputError(`${path}: not latentlab model metadata (kind, inputShape or config missing)`);
  }
  return metadata as unknown as ModelMetadata;
}

async function ensureFolder(dir: string): Promise<void> {
  try {
    const info = await Deno.stat(dir);
    if (!info.isDirectory) throw new InputError(`${dir}: is a file, expected a model folder`);
  } catch (error) {
    if (error instanceof InputError) throw error;
    if (error instanceof Deno.errors.NotFound) throw new InputError(`${dir}: model folder not found`);
    throw new InputError(`${dir}: cannot read (${(error as Error).message})`);
  }
}

/**
 * Loads a model folder written by {@linkcode saveModel}. Missing or corrupt files, and weights whose
 * size disagrees with the manifest, are {@linkcode InputError}s naming the folder.
 */
export async function loadModel(dir: string): Promise<LoadedModel> {
  const metadata = await readModelMetadata(dir);
  const modelPath = join(dir, MODEL_FILES.model);
  const json = parseJson(await readText(modelPath, dir), modelPath);
  const manifest = json.weightsManifest as tf.io.WeightsManifestConfig | undefined;
  if (json.modelTopology === undefined || !Array.isArray(manifest)) {
    throw new InputError(`${modelPath}: not a tfjs layers model (modelTopology or weightsManifest missing)`);
  }
  const weightSpecs: tf.io.WeightsManifestEntry[] = [];
  for (const group of manifest) weightSpecs.push(...(group.weights ?? []));
  let expectedBytes = 0;
  for (const spec of weightSpecs) {
    const size = BYTES_PER_DTYPE[spec.dtype];
    if (size === undefined || spec.quantization) {
      throw new InputError(`${modelPath}: unsupported weight type ${spec.dtype} for ${spec.name}`);
    }
    expectedBytes += size * spec.shape.reduce((a, b) => a * b, 1);
  }
  const weightsPath = join(dir, MODEL_FILES.weights);
  let weights: Uint8Array;
  try {
    weights = await Deno.readFile(weightsPath);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new InputError(`${dir}: not a model folder (no ${MODEL_FILES.weights})`);
    }
    throw new InputError(`${weightsPath}: cannot read (${(error as Error).message})`);
  }
  if (weights.byteLength !== expectedBytes) {
    throw new InputError(
      `${weightsPath}: ${weights.byteLength} bytes, the manifest in ${MODEL_FILES.model} needs ${expectedBytes}`,
    );
  }
  const artifacts: tf.io.ModelArtifacts = {
    modelTopology: json.modelTopology as tf.io.ModelArtifacts["modelTopology"],
    weightSpecs,
    weightData: weights.buffer.slice(
      weights.byteOffset,
      weights.byteOffset + weights.byteLength,
    ) as ArrayBuffer,
    format: json.format as string | undefined,
  };
  let model: tfl.LayersModel;
  try {
    model = await tfl.loadLayersModel({ load: () => Promise.resolve(artifacts) });
  } catch (error) {
    throw new InputError(`${modelPath}: cannot build the model (${(error as Error).message})`);
  }
  return { model, metadata, dir };
}

/** Options for {@linkcode checkInputShape}. */
export interface CheckInputShapeOptions {
  /** What the images are (a file path or flag), used in the error message. Default: `images`. */
  source?: string;
  /** The model folder, used in the error message. Default: `model`. */
  modelName?: string;
}

/**
 * Throws an {@linkcode InputError} when `model` does not take images of `rows`×`cols` (one channel).
 */
export function checkInputShape(
  model: tfl.LayersModel,
  imageShape: [number, number],
  options: CheckInputShapeOptions = {},
): void {
  const shape = model.inputs[0].shape;
  const [rows, cols] = imageShape;
  if (shape.length !== 4 || shape[1] !== rows || shape[2] !== cols || shape[3] !== 1) {
    throw new InputError(
      `${options.source ?? "images"}: images are ${rows}x${cols}, but the model ${
        options.modelName ?? "model"
      } takes ${shape.slice(1).join("x")}`,
    );
  }
}

/** A model folder found by {@linkcode listModels}. */
export interface ModelEntry {
  /** The folder. */
  dir: string;
  /** Its metadata. */
  metadata: ModelMetadata;
}

/** Options for {@linkcode listModels} and {@linkcode findBestModel}. */
export interface ListModelsOptions {
  /** Only this kind (e.g. `autoencoder`). Default: all. */
  kind?: string;
  /** Only models with this latent dimension. Default: all. */
  latentDim?: number;
}

/** Lists the model folders directly under `root` (those with a readable `metadata.json`), sorted by name. */
export async function listModels(root: string, options: ListModelsOptions = {}): Promise<ModelEntry[]> {
  const entries: ModelEntry[] = [];
  let names: string[];
  try {
    names = [];
    for await (const entry of Deno.readDir(root)) {
      if (entry.isDirectory && !entry.name.startsWith(".")) names.push(entry.name);
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw new InputError(`${root}: cannot list models (${(error as Error).message})`);
  }
  for (const name of names.sort()) {
    const dir = join(root, name);
    let metadata: ModelMetadata;
    try {
      metadata = await readModelMetadata(dir);
    } catch {
      continue;
    }
    if (options.kind !== undefined && metadata.kind !== options.kind) continue;
    if (options.latentDim !== undefined && metadata.latentDim !== options.latentDim) continue;
    entries.push({ dir, metadata });
  }
  return entries;
}

/**
 * The model under `root` with the lowest `metrics.valLoss` (ties: the first by name); an
 * {@linkcode InputError} when there is none.
 */
export async function findBestModel(root: string, options: ListModelsOptions = {}): Promise<ModelEntry> {
  const entries = (await listModels(root, options)).filter((e) =>
    Number.isFinite(e.metadata.metrics?.valLoss)
  );
  if (entries.length === 0) {
    const what = [
      options.kind ?? "model",
      options.latentDim !== undefined ? `with latent dim ${options.latentDim}` : "",
    ]
      .filter(Boolean).join(" ");
    throw new InputError(`${root}: no trained ${what} found (train one first, or pass --model DIR)`);
  }
  return entries.reduce((best, e) => (e.metadata.metrics.valLoss < best.metadata.metrics.valLoss ? e : best));
}
