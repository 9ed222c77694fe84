/**
 * A quick, complete training run for smoke tests and the interim main job: load (building when
 * missing) a data set, train a small conv autoencoder for a few epochs with the custom loop, and
 * report validation MSE and training throughput.
 * @module
 */
import { join } from "node:path";
import { readImages } from "../data/idx.ts";
import { resolveDataset } from "../data/datasets.ts";
import {
  Autoencoder,
  type AutoencoderConfig,
  resolveAutoencoderConfig,
  type ResolvedAutoencoderConfig,
} from "./autoencoder.ts";
import { initBackend } from "./backend.ts";
import { checkModelTarget, MODELS_FOLDER } from "./persistence.ts";
import { fitLatentScale } from "../data/latent_scale.ts";
import { evaluateModel, type TrainResult } from "./training.ts";
import { configHash, dataHash, DEFAULT_ARCHITECTURE } from "./sweep.ts";

/**
 * The small architecture of {@linkcode quickTrain}: `train`'s {@linkcode DEFAULT_ARCHITECTURE} with half
 * its filters (16 and 32) for 5 epochs (about 42k weights, ~1 s per 1,000 images on wasm).
 */
export const QUICK_CONFIG: AutoencoderConfig = { ...DEFAULT_ARCHITECTURE, filters: [16, 32], epochs: 5 };

/** Options for {@linkcode quickTrain}. */
export interface QuickTrainOptions {
  /** Data set name or folder (see `resolveDataset`). Default `mnist-sample`. */
  dataset?: string;
  /** Changes to {@linkcode QUICK_CONFIG}. */
  config?: AutoencoderConfig;
  /** Use only the first `limit` training images. Default: all. */
  limit?: number;
  /** Save the model to this folder; `null` to not save. Default `models/quick-latent<dim>`. */
  saveDir?: string | null;
  /** Progress line on stderr. Default: when stderr is a terminal. */
  progress?: boolean;
  /**
   * Replace a model of another kind or trained with other settings in `saveDir` (a folder holding a
   * model with the same settings is replaced anyway; anything that is not a model never). Default false.
   */
  force?: boolean;
  /** The flag that named `saveDir`, for messages. */
  saveFlag?: string;
}

/** What {@linkcode quickTrain} did. */
export interface QuickTrainReport {
  /** Data set name. */
  dataset: string;
  /** tfjs backend. */
  backend: string;
  /** The configuration. */
  config: ResolvedAutoencoderConfig;
  /** Number of weights. */
  params: number;
  /** The training result (history, best validation MSE, images/s). */
  result: TrainResult;
  /** MSE on the data set's test images (never seen in training). */
  testMse: number;
  /** Number of test images. */
  testCount: number;
  /** Where the model was saved, if it was. */
  savedTo?: string;
}

/**
 * Runs the quick training (see the module doc). The data and the save folder are checked (see
 * `checkModelTarget`) before the backend starts and any training is done.
 */
export async function quickTrain(options: QuickTrainOptions = {}): Promise<QuickTrainReport> {
  const files = await resolveDataset(options.dataset ?? "mnist-sample");
  const train = await readImages(files.trainImages, { limit: options.limit });
  const test = await readImages(files.testImages, { shape: [train.rows, train.cols] });
  const config = resolveAutoencoderConfig({ ...QUICK_CONFIG, ...options.config });
  const hash = await configHash(config, await dataHash(train));
  const savedTo = options.saveDir === null
    ? undefined
    : options.saveDir ?? join(MODELS_FOLDER, `quick-latent${config.latentDim}`);
  if (savedTo !== undefined) {
    await checkModelTarget(savedTo, {
      kind: "autoencoder",
      hash,
      force: options.force,
      flag: options.saveFlag,
    });
  }
  const backend = await initBackend();
  const ae = Autoencoder.create(config, [train.rows, train.cols]);
  try {
    const result = await ae.fit(train, { progress: options.progress, label: "quick-train" });
    const testMse = (await evaluateModel(ae.model, test)).loss;
    if (savedTo !== undefined) {
      await ae.save(savedTo, {
        dataset: files.name,
        trainCount: train.count,
        latentScale: fitLatentScale(await ae.encode(train)),
        hash,
        metrics: { testMse },
      });
    }
    return {
      dataset: files.name,
      backend: backend.name,
      config: ae.config,
      params: ae.countParams(),
      result,
      testMse,
      testCount: test.count,
      savedTo,
    };
  } finally {
    ae.dispose();
  }
}

/** Formats a {@linkcode QuickTrainReport} as a few lines for the terminal. */
export function formatQuickTrainReport(report: QuickTrainReport): string {
  const r = report.result;
  const c = report.config;
  const lines = [
    `data set ${report.dataset}: ${r.trainCount} training + ${r.valCount} validation images; backend ${report.backend}`,
    `model: ${c.convLayers} conv layers (${
      c.filters.join(", ")
    } filters, ${c.kernelSize}x${c.kernelSize}, ${c.downsampling}), ` +
    `latent dim ${c.latentDim}, ${report.params} weights; batch ${c.batchSize}, lr ${c.learningRate}`,
    ...r.history.map((h) =>
      `epoch ${h.epoch}: train MSE ${h.trainLoss.toFixed(5)}  validation MSE ${h.valLoss.toFixed(5)}  ` +
      `${h.imagesPerSecond.toFixed(0)} img/s  ${h.seconds.toFixed(1)} s`
    ),
    `validation MSE ${r.bestValLoss.toFixed(5)} (best epoch ${r.bestEpoch} of ${r.epochsRun}${
      r.interrupted ? ", interrupted" : r.stoppedEarly ? ", early stop" : ""
    }); test MSE ${report.testMse.toFixed(5)} on ${report.testCount} images`,
    `training throughput ${r.imagesPerSecond.toFixed(0)} images/s; ${r.seconds.toFixed(1)} s in all`,
  ];
  if (report.savedTo) lines.push(`saved ${report.savedTo}`);
  return lines.join("\n");
}
