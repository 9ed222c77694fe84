/**
 * Saving and loading tfjs-layers models under Deno without tfjs-node: a model folder holds
 *
 * - `model.json`: the standard tfjs "layers-model" JSON (topology + weights manifest), so the folder
 *   also loads with `tf.loadLayersModel("file://…/model.json")` in tfjs-node or over HTTP in a browser;
 * - `weights.bin`: all weights, little-endian float32, in manifest order;
 * - `metadata.json`: what the model is and how it was made ({@linkcode ModelMetadata}), including the
 *   SHA-256 of `weights.bin`, checked on load: corrupt weights are an error naming the file, not a
 *   model that silently answers garbage.
 *
 * Folders are written to a temporary sibling and renamed into place (`lib/io/commit.ts`), so a reader
 * never sees a half-written model, and a model can be committed together with other outputs. Every
 * problem with a folder being loaded is an {@linkcode InputError} naming the file. Reading and checking
 * the files ({@linkcode readModelFiles}) needs no tfjs backend, so tools check a model before they
 * start one. {@linkcode checkModelTarget} decides whether a folder may receive a new model: a model
 * trained with other settings, or anything that is not a model, is never replaced silently.
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { basename, dirname, join } from "node:path";
import { InputError } from "../errors.ts";
import { PROJECT_ROOT } from "../util/project_root.ts";
import { OutputSet } from "../io/commit.ts";

/** Default folder of trained models: `models/` in the repository. */
export const MODELS_FOLDER: string = join(PROJECT_ROOT, "models");

/** File names inside a model folder. */
export const MODEL_FILES = {
  model: "model.json",
  weights: "weights.bin",
  metadata: "metadata.json",
} as const;

/** Version of the metadata layout written by {@linkcode saveModel} (2: `weightsSha256`). */
export const METADATA_VERSION = 2;

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
  /** SHA-256 (hex) of `weights.bin`, checked on load (written since layout version 2). */
  weightsSha256?: string;
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

/** SHA-256 of `data` as lowercase hex. */
export async function sha256Hex(data: Uint8Array | string): Promise<string> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

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
 * Writes `model` into the existing, empty folder `folder` as `model.json`, `weights.bin` and
 * `metadata.json` (with the weights' checksum added); returns the metadata written.
 */
async function writeModelFiles(
  model: tfl.LayersModel,
  folder: string,
  metadata: ModelMetadata,
): Promise<ModelMetadata> {
  const artifacts = await captureArtifacts(model);
  const modelJson = {
    format: "layers-model",
    generatedBy: `TensorFlow.js tfjs-layers v${tfl.version_layers}`,
    convertedBy: "latentlab",
    modelTopology: artifacts.modelTopology,
    weightsManifest: [{ paths: [`./${MODEL_FILES.weights}`], weights: artifacts.weightSpecs ?? [] }],
  };
  const weights = joinWeightData(artifacts.weightData);
  const written: ModelMetadata = {
    ...metadata,
    version: METADATA_VERSION,
    weightsSha256: await sha256Hex(weights),
  };
  await Deno.writeTextFile(join(folder, MODEL_FILES.model), JSON.stringify(modelJson));
  await Deno.writeFile(join(folder, MODEL_FILES.weights), weights);
  await Deno.writeTextFile(join(folder, MODEL_FILES.metadata), JSON.stringify(written, null, 2) + "\n");
  return written;
}

/** Options for {@linkcode saveModel}. */
export interface SaveModelOptions {
  /**
   * Add the folder to this set of outputs instead of committing it at once: it replaces `dir` when
   * the caller commits the set (together with its other outputs).
   */
  outputs?: OutputSet;
}

/**
 * Saves `model` to the folder `dir` (created, or replaced as a whole; its parent folders are created)
 * as `model.json`, `weights.bin` and `metadata.json`. The folder is written under a temporary name and
 * renamed into place. Returns the metadata written (with the weights' checksum). Whether `dir` may
 * be replaced is the caller's decision: see {@linkcode checkModelTarget}.
 */
export async function saveModel(
  model: tfl.LayersModel,
  dir: string,
  metadata: ModelMetadata,
  options: SaveModelOptions = {},
): Promise<ModelMetadata> {
  await Deno.mkdir(dirname(dir), { recursive: true });
  let written: ModelMetadata | undefined;
  const fill = async (folder: string) => {
    written = await writeModelFiles(model, folder, metadata);
  };
  if (options.outputs) {
    await options.outputs.addFolder(dir, fill);
    return written!;
  }
  const outputs = new OutputSet();
  try {
    await outputs.addFolder(dir, fill);
    await outputs.commit();
  } finally {
    await outputs.discard();
  }
  return written!;
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
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InputError(`${path}: corrupt JSON (${(error as Error).message})`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InputError(`${path}: corrupt JSON (not a JSON object)`);
  }
  return value as Record<string, unknown>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isCount(value: unknown, min: number): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= min;
}

/**
 * Checks the text of a `metadata.json` and returns the metadata; every missing or mistyped field is
 * an {@linkcode InputError} naming `name` (the file) and the field. Unknown fields are ignored.
 */
export function parseModelMetadata(text: string, name: string): ModelMetadata {
  const raw = parseJson(text, name);
  const bad = (field: string, expected: string) =>
    new InputError(`${name}: not latentlab model metadata (${field} must be ${expected})`);
  if (!isCount(raw.version, 1) || raw.version > METADATA_VERSION) {
    throw bad("version", `an integer 1..${METADATA_VERSION}`);
  }
  if (typeof raw.kind !== "string" || raw.kind === "") throw bad("kind", "a name");
  if (
    !Array.isArray(raw.inputShape) || raw.inputShape.length !== 3 ||
    !raw.inputShape.every((d) => isCount(d, 1) && d <= 65536)
  ) {
    throw bad("inputShape", "[rows, cols, channels]");
  }
  if (!isRecord(raw.config)) throw bad("config", "an object");
  if (typeof raw.dataset !== "string") throw bad("dataset", "text");
  if (raw.trainCount !== undefined && !isCount(raw.trainCount, 0)) throw bad("trainCount", "a count");
  if (raw.latentDim !== undefined && !isCount(raw.latentDim, 1)) throw bad("latentDim", "an integer >= 1");
  if (raw.latentScale !== undefined) {
    const scale = raw.latentScale as Record<string, unknown>;
    if (
      !isRecord(scale) || typeof scale.min !== "number" || typeof scale.max !== "number" ||
      !Number.isFinite(scale.min) || !Number.isFinite(scale.max) || scale.min > scale.max
    ) {
      throw bad("latentScale", "{ min, max } with min <= max");
    }
  }
  if (!isRecord(raw.metrics)) throw bad("metrics", "an object");
  const metrics: Record<string, number> = {};
  for (const [key, value] of Object.entries(raw.metrics)) {
    if (value === null) continue; // NaN is written as null
    if (typeof value !== "number") throw bad(`metrics.${key}`, "a number");
    metrics[key] = value;
  }
  if (raw.history !== undefined && (!Array.isArray(raw.history) || !raw.history.every(isRecord))) {
    throw bad("history", "a list of objects");
  }
  if (typeof raw.backend !== "string") throw bad("backend", "text");
  if (typeof raw.seed !== "number" || !Number.isFinite(raw.seed)) throw bad("seed", "a number");
  if (typeof raw.date !== "string") throw bad("date", "text");
  if (raw.hash !== undefined && typeof raw.hash !== "string") throw bad("hash", "text");
  if (
    raw.weightsSha256 !== undefined &&
    !(typeof raw.weightsSha256 === "string" && /^[0-9a-f]{64}$/.test(raw.weightsSha256))
  ) {
    throw bad("weightsSha256", "64 hex digits");
  }
  return { ...raw, metrics } as unknown as ModelMetadata;
}

/** Reads and checks `metadata.json` of a model folder (without loading the model). */
export async function readModelMetadata(dir: string): Promise<ModelMetadata> {
  await ensureFolder(dir);
  const path = join(dir, MODEL_FILES.metadata);
  return parseModelMetadata(await readText(path, dir), path);
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

/** The checked files of a model folder (see {@linkcode readModelFiles}); no tfjs backend needed. */
export interface ModelFiles {
  /** The folder. */
  dir: string;
  /** Its metadata. */
  metadata: ModelMetadata;
  /** Topology, weight specs and weights, ready for tfjs. */
  artifacts: tf.io.ModelArtifacts;
}

function weightSpecsOf(json: Record<string, unknown>, modelPath: string): tf.io.WeightsManifestEntry[] {
  const manifest = json.weightsManifest;
  if (!isRecord(json.modelTopology) || !Array.isArray(manifest)) {
    throw new InputError(`${modelPath}: not a tfjs layers model (modelTopology or weightsManifest missing)`);
  }
  const specs: tf.io.WeightsManifestEntry[] = [];
  for (const group of manifest) {
    if (!isRecord(group) || !Array.isArray(group.weights)) {
      throw new InputError(`${modelPath}: corrupt weightsManifest (a group without weights)`);
    }
    for (const spec of group.weights) {
      if (
        !isRecord(spec) || typeof spec.name !== "string" || typeof spec.dtype !== "string" ||
        !Array.isArray(spec.shape) || !spec.shape.every((d) => isCount(d, 0))
      ) {
        throw new InputError(`${modelPath}: corrupt weightsManifest (a weight without name, dtype or shape)`);
      }
      if (BYTES_PER_DTYPE[spec.dtype] === undefined || spec.quantization !== undefined) {
        throw new InputError(`${modelPath}: unsupported weight type ${spec.dtype} for ${spec.name}`);
      }
      specs.push(spec as unknown as tf.io.WeightsManifestEntry);
    }
  }
  return specs;
}

/**
 * Reads and checks every file of a model folder written by {@linkcode saveModel}: the metadata, the
 * model JSON and its weights manifest, the size of the weights, their checksum (when the metadata has
 * one) and that every float weight is finite. Every problem is an {@linkcode InputError} naming the
 * file. Needs no tfjs backend.
 */
export async function readModelFiles(dir: string): Promise<ModelFiles> {
  const metadata = await readModelMetadata(dir);
  const modelPath = join(dir, MODEL_FILES.model);
  const json = parseJson(await readText(modelPath, dir), modelPath);
  const weightSpecs = weightSpecsOf(json, modelPath);
  let expectedBytes = 0;
  for (const spec of weightSpecs) {
    expectedBytes += BYTES_PER_DTYPE[spec.dtype] * spec.shape.reduce((a, b) => a * b, 1);
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
  if (metadata.weightsSha256 !== undefined) {
    const actual = await sha256Hex(weights);
    if (actual !== metadata.weightsSha256) {
      throw new InputError(
        `${weightsPath}: corrupt weights (SHA-256 ${
          actual.slice(0, 12)
        }..., ${MODEL_FILES.metadata} records ${metadata.weightsSha256.slice(0, 12)}...)`,
      );
    }
  }
  const buffer = weights.buffer.slice(
    weights.byteOffset,
    weights.byteOffset + weights.byteLength,
  ) as ArrayBuffer;
  let offset = 0;
  for (const spec of weightSpecs) {
    const count = spec.shape.reduce((a, b) => a * b, 1);
    if (spec.dtype === "float32") {
      const values = offset % 4 === 0
        ? new Float32Array(buffer, offset, count)
        : new Float32Array(buffer.slice(offset, offset + 4 * count));
      const bad = values.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) {
        throw new InputError(`${weightsPath}: corrupt weights (${spec.name} holds ${values[bad]} at ${bad})`);
      }
    }
    offset += BYTES_PER_DTYPE[spec.dtype] * count;
  }
  const artifacts: tf.io.ModelArtifacts = {
    modelTopology: json.modelTopology as tf.io.ModelArtifacts["modelTopology"],
    weightSpecs,
    weightData: buffer,
    format: typeof json.format === "string" ? json.format : undefined,
  };
  return { dir, metadata, artifacts };
}

/** Throws an {@linkcode InputError} naming the folder unless `files` hold a model of `kind`. */
export function checkModelKind(files: ModelFiles, kind: string): void {
  if (files.metadata.kind !== kind) {
    throw new InputError(`${files.dir}: a ${files.metadata.kind} model, expected ${withArticle(kind)}`);
  }
}

/** Options for {@linkcode loadModel}. */
export interface LoadModelOptions {
  /** Only a model of this kind (e.g. `autoencoder`): another kind is refused ({@linkcode checkModelKind}). */
  kind?: string;
}

/**
 * Loads a model folder written by {@linkcode saveModel} (or files already read by {@linkcode
 * readModelFiles}). Missing or corrupt files are {@linkcode InputError}s naming the file.
 */
export async function loadModel(
  source: string | ModelFiles,
  options: LoadModelOptions = {},
): Promise<LoadedModel> {
  const files = typeof source === "string" ? await readModelFiles(source) : source;
  if (options.kind !== undefined) checkModelKind(files, options.kind);
  let model: tfl.LayersModel;
  try {
    model = await tfl.loadLayersModel({ load: () => Promise.resolve(files.artifacts) });
  } catch (error) {
    throw new InputError(
      `${join(files.dir, MODEL_FILES.model)}: cannot build the model (${(error as Error).message})`,
    );
  }
  return { model, metadata: files.metadata, dir: files.dir };
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

/** Options for {@linkcode findBestModel}. */
export interface FindBestModelOptions extends ListModelsOptions {
  /** How the caller names a model instead, for the error when there is none (default `--model DIR`). */
  instead?: string;
}

/**
 * The model under `root` with the lowest `metrics.valLoss` (ties: the first by name); an
 * {@linkcode InputError} when there is none.
 */
export async function findBestModel(root: string, options: FindBestModelOptions = {}): Promise<ModelEntry> {
  const entries = (await listModels(root, options)).filter((e) =>
    Number.isFinite(e.metadata.metrics?.valLoss)
  );
  if (entries.length === 0) {
    const what = [
      options.kind ?? "model",
      options.latentDim !== undefined ? `with latent dim ${options.latentDim}` : "",
    ]
      .filter(Boolean).join(" ");
    throw new InputError(
      `${root}: no trained ${what} found (train one first, or pass ${options.instead ?? "--model DIR"})`,
    );
  }
  return entries.reduce((best, e) => (e.metadata.metrics.valLoss < best.metadata.metrics.valLoss ? e : best));
}

/** Options for {@linkcode checkModelTarget}. */
export interface ModelTargetOptions {
  /** The kind of model that will be written (`autoencoder`, `classifier`). */
  kind: string;
  /** The settings hash of the model that will be written; a folder holding the same one may be replaced. */
  hash?: string;
  /** Replace a model of another kind or trained with other settings. Default false. */
  force?: boolean;
  /** The flag that named the folder, to start messages with (e.g. `--save`). */
  flag?: string;
  /** How the user asks for a replacement, for messages. Default `--force`. */
  forceHint?: string;
}

/** What {@linkcode checkModelTarget} found: the folder is free, or holds a model that may be replaced. */
export type ModelTarget = "free" | "same settings" | "forced";

function withArticle(word: string): string {
  return `${/^[aeiou]/i.test(word) ? "an" : "a"} ${word}`;
}

async function folderEntries(dir: string): Promise<string[] | undefined> {
  try {
    const names: string[] = [];
    for await (const entry of Deno.readDir(dir)) names.push(entry.name);
    return names;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    if (error instanceof Deno.errors.NotADirectory) {
      throw new InputError(`${dir} is a file, not a model folder`);
    }
    throw new InputError(`${dir}: cannot read (${(error as Error).message})`);
  }
}

/**
 * Decides whether a new model may be written to `dir` before any work is done. It may when `dir`
 * does not exist or is empty (`free`), or holds a model of the same kind trained with the same
 * settings (`same settings`: the same `hash`). A model of another kind or with other settings is
 * replaced only with `force` (`forced`); a file, or a folder that is not a latentlab model, never:
 * those are {@linkcode InputError}s naming the folder (and `flag`).
 */
export async function checkModelTarget(dir: string, options: ModelTargetOptions): Promise<ModelTarget> {
  const prefix = options.flag ? `${options.flag}: ${dir}` : dir;
  const hint = options.forceHint ?? "--force";
  let entries: string[] | undefined;
  try {
    entries = await folderEntries(dir);
  } catch (error) {
    if (error instanceof InputError) {
      throw new InputError(`${prefix} is a file (a model is saved as a folder)`);
    }
    throw error;
  }
  if (entries === undefined || entries.length === 0) return "free";
  let metadata: ModelMetadata;
  try {
    metadata = await readModelMetadata(dir);
  } catch {
    throw new InputError(
      `${prefix} is a folder that is not a latentlab model (${entries.length} entries); it is never replaced: choose a new folder`,
    );
  }
  if (metadata.kind !== options.kind) {
    if (options.force) return "forced";
    throw new InputError(
      `${prefix} holds ${withArticle(metadata.kind)} model, not ${
        withArticle(options.kind)
      }; ${hint} replaces it`,
    );
  }
  if (options.hash !== undefined && metadata.hash === options.hash) return "same settings";
  if (options.force) return "forced";
  throw new InputError(
    `${prefix} holds ${
      withArticle(metadata.kind)
    } model trained with other settings (on ${metadata.dataset}, ${
      metadata.date.slice(0, 10)
    }); ${hint} replaces it`,
  );
}
