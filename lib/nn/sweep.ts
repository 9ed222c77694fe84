/**
 * Hyperparameter sweep of the conv autoencoder, the choice of the best architecture, and the models
 * for latent dims 10, 20, 50, 100, 200 saved under `models/` (reused when nothing changed).
 * @module
 */
import pl from "nodejs-polars";
import * as tf from "@tensorflow/tfjs-core";
import { join } from "node:path";
import { Autoencoder, type AutoencoderConfig, resolveAutoencoderConfig } from "./autoencoder.ts";
import { checkModelTarget, MODELS_FOLDER, readModelMetadata } from "./persistence.ts";
import { InputError } from "../errors.ts";
import { fitLatentScale } from "../data/latent_scale.ts";
import type { TrainingData, TrainResult } from "./training.ts";

/** The latent dimensions trained by {@linkcode trainLatentModels} by default. */
export const LATENT_DIMS: readonly number[] = [10, 20, 50, 100, 200];

/**
 * The architecture `deno task train` uses for the latent-dim models when no sweep is run: 2 stride-2
 * conv layers of 32 and 64 3×3 filters (≈ 100k weights at latent dim 10), batch 32, Adam 0.002, up to
 * 15 epochs with patience 3. On mnist-sample it reached validation MSE 0.0171 in 10 epochs.
 */
export const DEFAULT_ARCHITECTURE: AutoencoderConfig = {
  convLayers: 2,
  kernelSize: 3,
  filters: [32, 64],
  downsampling: "stride",
  latentDim: 10,
  learningRate: 2e-3,
  epochs: 15,
  batchSize: 32,
  patience: 3,
  validationSplit: 0.1,
  seed: 0,
};

/** Largest relative train/validation gap that {@linkcode chooseBestConfig} accepts (10 %). */
export const MAX_RELATIVE_GAP = 0.1;

/** One row of a sweep table. */
export interface SweepRow {
  /** Conv layers. */
  convLayers: number;
  /** Kernel size. */
  kernelSize: number;
  /** Filters per layer, e.g. `16-32`. */
  filters: string;
  /** `stride` or `maxpool`. */
  downsampling: string;
  /** Latent dimension. */
  latentDim: number;
  /** Batch size. */
  batchSize: number;
  /** Maximum epochs. */
  epochs: number;
  /** Learning rate (the peak, for the `cosine` schedule). */
  learningRate: number;
  /** Learning-rate schedule. */
  schedule: string;
  /** Number of weights. */
  params: number;
  /** Epochs actually run (early stopping). */
  epochsRun: number;
  /** Epoch of the lowest validation loss. */
  bestEpoch: number;
  /** Training loss (MSE) of the best epoch. */
  trainLoss: number;
  /** Lowest validation loss (MSE). */
  valLoss: number;
  /** `valLoss - trainLoss`. */
  gap: number;
  /** `gap / trainLoss`. */
  relativeGap: number;
  /** Training seconds. */
  seconds: number;
  /** Training images per second. */
  imagesPerSecond: number;
  /** tfjs backend. */
  backend: string;
}

/** Result of {@linkcode runSweep}. */
export interface SweepResult {
  /** One row per configuration, in input order. */
  rows: SweepRow[];
  /** The same as a nodejs-polars DataFrame (integer columns cast to Int64). */
  table: pl.DataFrame;
  /** Per-configuration training histories (for loss curves), in input order. */
  histories: TrainResult["history"][];
  /** The resolved configurations, in input order. */
  configs: AutoencoderConfig[];
  /** Index of the chosen configuration (see {@linkcode chooseBestConfig}). */
  bestIndex: number;
}

/** Options for {@linkcode runSweep}. */
export interface SweepOptions {
  /** Configurations to train (missing fields take the autoencoder defaults). */
  configs: AutoencoderConfig[];
  /** Progress line while training. Default: when stderr is a terminal. */
  progress?: boolean;
  /** Called after each configuration. */
  onRow?: (row: SweepRow, index: number) => void;
  /** Largest accepted relative gap. Default {@linkcode MAX_RELATIVE_GAP}. */
  maxRelativeGap?: number;
  /** Workers computing the gradients (0: this thread; results do not depend on it). Default: all cores. */
  workers?: number;
}

/** Describes the training result of `config` as a sweep row. */
export function sweepRow(ae: Autoencoder, result: TrainResult, backend = tf.getBackend()): SweepRow {
  const c = ae.config;
  const gap = result.bestValLoss - result.bestTrainLoss;
  return {
    convLayers: c.convLayers,
    kernelSize: c.kernelSize,
    filters: c.filters.join("-"),
    downsampling: c.downsampling,
    latentDim: c.latentDim,
    batchSize: c.batchSize,
    epochs: c.epochs,
    learningRate: c.learningRate,
    schedule: c.schedule,
    params: ae.countParams(),
    epochsRun: result.epochsRun,
    bestEpoch: result.bestEpoch,
    trainLoss: result.bestTrainLoss,
    valLoss: result.bestValLoss,
    gap,
    relativeGap: gap / result.bestTrainLoss,
    seconds: result.seconds,
    imagesPerSecond: result.imagesPerSecond,
    backend,
  };
}

const INTEGER_COLUMNS = [
  "convLayers",
  "kernelSize",
  "latentDim",
  "batchSize",
  "epochs",
  "params",
  "epochsRun",
  "bestEpoch",
];

/** Makes a DataFrame of sweep rows (integer columns as Int64). */
export function sweepTable(rows: SweepRow[]): pl.DataFrame {
  const df = pl.DataFrame(rows.map((r) => ({ ...r })));
  return df.withColumns(...INTEGER_COLUMNS.map((name) => pl.col(name).cast(pl.Int64)));
}

/**
 * The overfitting rule and choice: a configuration passes when its relative train/validation gap,
 * `(valLoss − trainLoss) / trainLoss` at its best epoch, is at most `maxRelativeGap` (default 10 %:
 * the validation MSE may exceed the training MSE by at most 10 %). Among passing configurations the
 * lowest validation loss wins (ties: the first). When none passes, the smallest relative gap wins.
 * Rows with a non-finite validation loss never win. Returns the row index (−1 for no rows).
 */
export function chooseBestConfig(rows: SweepRow[], maxRelativeGap = MAX_RELATIVE_GAP): number {
  let best = -1;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (!Number.isFinite(r.valLoss) || !(r.relativeGap <= maxRelativeGap)) continue;
    if (best === -1 || r.valLoss < rows[best].valLoss) best = i;
  }
  if (best !== -1) return best;
  for (let i = 0; i < rows.length; i++) {
    if (!Number.isFinite(rows[i].valLoss)) continue;
    if (best === -1 || rows[i].relativeGap < rows[best].relativeGap) best = i;
  }
  return best;
}

/** Trains every configuration on `data` (seeded validation split each) and tabulates the results. */
export async function runSweep(data: TrainingData, options: SweepOptions): Promise<SweepResult> {
  const rows: SweepRow[] = [];
  const histories: TrainResult["history"][] = [];
  const configs: AutoencoderConfig[] = [];
  for (const [index, config] of options.configs.entries()) {
    const ae = Autoencoder.create(config, [data.rows, data.cols]);
    try {
      const result = await ae.fit(data, {
        progress: options.progress,
        label: `sweep ${index + 1}/${options.configs.length}`,
        workers: options.workers,
      });
      const row = sweepRow(ae, result);
      rows.push(row);
      histories.push(result.history);
      configs.push({ ...ae.config });
      options.onRow?.(row, index);
      if (result.interrupted) break;
    } finally {
      ae.dispose();
    }
  }
  return {
    rows,
    table: sweepTable(rows),
    histories,
    configs,
    bestIndex: chooseBestConfig(rows, options.maxRelativeGap),
  };
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

/** SHA-256 (hex) of the training images and labels: identifies the data in a model's metadata. */
export async function dataHash(data: TrainingData): Promise<string> {
  const header = new TextEncoder().encode(`${data.count}x${data.rows}x${data.cols}:`);
  const bytes = new Uint8Array(header.length + data.pixels.length + (data.labels?.length ?? 0));
  bytes.set(header);
  bytes.set(data.pixels, header.length);
  if (data.labels) bytes.set(data.labels, header.length + data.pixels.length);
  return hex(await crypto.subtle.digest("SHA-256", bytes));
}

/**
 * Version of the model-building code; part of {@linkcode configHash}, so models built by older code
 * (2: He-normal initialisation of ReLU layers) are retrained instead of reused.
 */
export const ARCHITECTURE_VERSION = 2;

/** SHA-256 (hex) of a resolved configuration together with a data hash and {@linkcode ARCHITECTURE_VERSION}. */
export async function configHash(config: AutoencoderConfig, dataDigest: string): Promise<string> {
  const resolved = resolveAutoencoderConfig(config) as unknown as Record<string, unknown>;
  const canonical = `v${ARCHITECTURE_VERSION}:` +
    JSON.stringify(Object.keys(resolved).sort().map((k) => [k, resolved[k]]));
  return hex(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`${canonical}|${dataDigest}`)));
}

function hex(buffer: ArrayBuffer): string {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Options for {@linkcode trainLatentModels}. */
export interface LatentModelsOptions {
  /** The chosen architecture (its `latentDim` is replaced by each of `latentDims`). */
  architecture: AutoencoderConfig;
  /** Latent dims to train. Default {@linkcode LATENT_DIMS}. */
  latentDims?: readonly number[];
  /** Where the model folders go. Default `models/`. */
  modelsDir?: string;
  /** Folder name for a latent dim. Default `ae-latent<dim>`. */
  folderName?: (latentDim: number) => string;
  /** Data set name recorded in the metadata. Default `unknown`. */
  datasetName?: string;
  /** Progress line while training. Default: when stderr is a terminal. */
  progress?: boolean;
  /** Retrain even when a model with the same hash exists. Default false. */
  force?: boolean;
  /**
   * What to do when the folder of a latent dim holds a model trained with other settings (or a
   * model of another kind):
   * - `new-folder` (default): train into the first free `ae-latent<dim>-2`, `-3`, … (a folder that
   *   holds a model with the same settings is reused), so nothing is replaced;
   * - `refuse`: throw an {@linkcode InputError} naming the folder before any model is trained;
   * - `replace`: replace it.
   * A folder that holds something other than a latentlab model is never replaced.
   */
  existing?: "new-folder" | "refuse" | "replace";
  /** The flag that named `modelsDir`, for messages (e.g. `--models`). */
  flag?: string;
  /** Called when each model is ready (trained or reused). */
  onModel?: (entry: LatentModelEntry) => void;
  /** Workers computing the gradients (0: this thread; results do not depend on it). Default: all cores. */
  workers?: number;
}

/** One model of {@linkcode trainLatentModels}. */
export interface LatentModelEntry {
  /** Latent dimension. */
  latentDim: number;
  /** Model folder. */
  dir: string;
  /** Whether an existing model with the same config + data hash was reused. */
  reused: boolean;
  /** Lowest validation loss. */
  valLoss: number;
  /** Training loss of the best epoch. */
  trainLoss: number;
  /** Training seconds (of the run that made the model). */
  seconds: number;
  /** Training images per second. */
  imagesPerSecond: number;
  /** Per-epoch history. */
  history: Record<string, number>[];
}

/** Where {@linkcode trainLatentModels} puts (or finds) the model of one latent dim. */
export interface LatentModelPlan {
  /** Latent dimension. */
  latentDim: number;
  /** The architecture with this latent dim. */
  config: AutoencoderConfig;
  /** Hash of config + training data. */
  hash: string;
  /** Model folder. */
  dir: string;
  /** Whether `dir` holds a model with the same hash (reused, not trained). */
  reuse: boolean;
}

/**
 * Decides the folder of every latent dim of {@linkcode trainLatentModels} without training (and
 * without a tfjs backend): a folder with the same settings is reused; otherwise `existing` says what
 * happens to a folder that holds another model. A refusal is an {@linkcode InputError} naming the folder.
 */
export async function planLatentModels(
  data: TrainingData,
  options: LatentModelsOptions,
): Promise<LatentModelPlan[]> {
  const modelsDir = options.modelsDir ?? MODELS_FOLDER;
  const folderName = options.folderName ?? ((dim: number) => `ae-latent${dim}`);
  const existing = options.existing ?? "new-folder";
  const digest = await dataHash(data);
  const plans: LatentModelPlan[] = [];
  for (const latentDim of options.latentDims ?? LATENT_DIMS) {
    const config = { ...options.architecture, latentDim };
    const hash = await configHash(config, digest);
    const base = join(modelsDir, folderName(latentDim));
    const candidates = [base];
    if (existing === "new-folder") {
      // base, base-2, base-3, ... up to the first that does not exist.
      for (let n = 2; n <= 1000 && await exists(candidates.at(-1)!); n++) candidates.push(`${base}-${n}`);
    }
    let dir: string | undefined;
    let reuse = false;
    for (const candidate of options.force ? [] : candidates) {
      const metadata = await readModelMetadata(candidate).catch(() => undefined);
      if (metadata?.kind === "autoencoder" && metadata.hash === hash) {
        dir = candidate;
        reuse = true;
        break;
      }
    }
    if (dir === undefined) {
      const check = { kind: "autoencoder", hash, flag: options.flag };
      if (existing === "new-folder") {
        for (const candidate of candidates) {
          if (await checkModelTarget(candidate, check).then(() => true, () => false)) {
            dir = candidate;
            break;
          }
        }
        if (dir === undefined) throw new InputError(`${base}: no free folder for latent dim ${latentDim}`);
      } else {
        await checkModelTarget(base, { ...check, force: existing === "replace" || options.force });
        dir = base;
      }
    }
    plans.push({ latentDim, config, hash, dir, reuse });
  }
  return plans;
}

/**
 * Trains one autoencoder per latent dim with `architecture` and saves it under `modelsDir`
 * (`ae-latent<dim>`), recording in its metadata the hash of config + training data and the global
 * latent min/max over `data`. A folder whose metadata has the same hash is reused, not retrained; a
 * model trained with other settings is never replaced silently (see
 * {@linkcode LatentModelsOptions.existing}). Every folder is decided ({@linkcode planLatentModels})
 * before any model is trained.
 */
export async function trainLatentModels(
  data: TrainingData,
  options: LatentModelsOptions,
): Promise<LatentModelEntry[]> {
  const plans = await planLatentModels(data, options);
  const entries: LatentModelEntry[] = [];
  for (const { latentDim, config, hash, dir, reuse } of plans) {
    if (reuse) {
      const metadata = await readModelMetadata(dir);
      entries.push({
        latentDim,
        dir,
        reused: true,
        valLoss: metadata.metrics.valLoss,
        trainLoss: metadata.metrics.trainLoss,
        seconds: metadata.metrics.seconds,
        imagesPerSecond: metadata.metrics.imagesPerSecond,
        history: metadata.history ?? [],
      });
      options.onModel?.(entries.at(-1)!);
      continue;
    }
    const ae = Autoencoder.create(config, [data.rows, data.cols]);
    try {
      const result = await ae.fit(data, {
        progress: options.progress,
        label: `latent ${latentDim}`,
        workers: options.workers,
      });
      if (result.interrupted) {
        throw new Error(`training of latent dim ${latentDim} was interrupted; nothing saved for it`);
      }
      const latentScale = fitLatentScale(await ae.encode(data));
      await ae.save(dir, {
        dataset: options.datasetName ?? "unknown",
        trainCount: data.count,
        latentScale,
        hash,
      });
      entries.push({
        latentDim,
        dir,
        reused: false,
        valLoss: result.bestValLoss,
        trainLoss: result.bestTrainLoss,
        seconds: result.seconds,
        imagesPerSecond: result.imagesPerSecond,
        history: result.history.map((r) => ({ ...r } as unknown as Record<string, number>)),
      });
      options.onModel?.(entries.at(-1)!);
    } finally {
      ae.dispose();
    }
  }
  return entries;
}
