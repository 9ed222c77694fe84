/**
 * `deno task train [-d mnist-sample] [--sweep] [--latent-dims 10,20,50,100,200] [--models models/]`:
 * optionally runs the hyperparameter sweep (prints the table, picks the best configuration by
 * validation loss with the overfitting check), then trains (or reuses, when config and data are
 * unchanged) one autoencoder per latent dim under `models/ae-latent<dim>`.
 * @module
 */
import { join } from "node:path";
import { defineTool, runMain } from "./_run.ts";
import { MAX_SEED } from "./_flags.ts";
import { DATA_SET_FLAG, TRAINING_LIMIT_FLAG, TRAINING_WORKERS_FLAG } from "./_common_flags.ts";
import { InputError } from "../errors.ts";
import { readImages } from "../data/idx.ts";
import { resolveDataset } from "../data/datasets.ts";
import { writeFileAtomic } from "../io/atomic.ts";
import { initBackend } from "../nn/backend.ts";
import { type AutoencoderConfig, resolveAutoencoderConfig } from "../nn/autoencoder.ts";
import { checkModelTarget, MODELS_FOLDER } from "../nn/persistence.ts";
import { DEFAULT_SHARDS } from "../nn/data_parallel.ts";
import { SCHEDULE_NAMES } from "../nn/schedule.ts";
import {
  DEFAULT_ARCHITECTURE,
  LATENT_DIMS,
  MAX_RELATIVE_GAP,
  planLatentModels,
  runSweep,
  trainLatentModels,
} from "../nn/sweep.ts";
import { sweepGrid } from "../nn/notebook_a.ts";

/**
 * The sweep grid of `train --sweep`: notebook A's full grid (`sweepGrid("full")`, conv layers × filters
 * × kernel size × batch size) at batch size 32, 8 configurations.
 */
export function defaultSweepGrid(epochs: number): AutoencoderConfig[] {
  return sweepGrid("full", { epochs }).filter((config) => config.batchSize === 32);
}

/** The flag of each architecture field, to name it in messages. */
const FIELD_FLAGS: Record<string, string> = {
  convLayers: "--conv-layers",
  filters: "--filters",
  kernelSize: "--kernel-size",
  downsampling: "--downsampling",
  latentDim: "--latent-dims",
  learningRate: "--learning-rate",
  epochs: "--epochs",
  batchSize: "--batch-size",
  seed: "--seed",
  schedule: "--schedule",
  shards: "--shards",
};

/** The `train` tool. */
export const trainTool = defineTool({
  name: "train",
  summary: "Runs the autoencoder sweep (optional) and trains one model per latent dim under models/. " +
    "A folder holding a model trained with other settings is replaced only with --force.",
  flags: {
    dataset: DATA_SET_FLAG,
    sweep: {
      names: ["--sweep"],
      kind: "boolean",
      description: "Run the sweep grid and use its best config",
    },
    csv: {
      names: ["--csv"],
      kind: "output",
      description: "With --sweep: write the sweep table to this CSV file",
    },
    dims: {
      names: ["--latent-dims"],
      kind: "integers",
      min: 1,
      max: 4096,
      maxItems: 32,
      default: LATENT_DIMS,
      description: "Latent dims",
    },
    epochs: {
      names: ["--epochs"],
      kind: "integer",
      min: 1,
      max: 10000,
      default: 15,
      description: "Maximum epochs",
    },
    limit: TRAINING_LIMIT_FLAG,
    models: {
      names: ["--models"],
      kind: "outputFolder",
      default: MODELS_FOLDER,
      description: "Models folder",
    },
    convLayers: {
      names: ["--conv-layers"],
      kind: "integer",
      min: 1,
      max: 6,
      description: "Conv layers (give --filters too when not 2)",
    },
    filters: {
      names: ["--filters"],
      kind: "integers",
      min: 1,
      max: 1024,
      maxItems: 6,
      description: "Filters per conv layer, e.g. 32,64",
    },
    kernelSize: {
      names: ["--kernel-size"],
      kind: "integer",
      min: 1,
      max: 15,
      description: "Kernel size (at most the image size)",
    },
    downsampling: {
      names: ["--downsampling"],
      kind: "string",
      choices: ["stride", "maxpool"],
      description: "Downsampling",
    },
    batchSize: { names: ["--batch-size"], kind: "integer", min: 1, max: 65536, description: "Batch size" },
    learningRate: {
      names: ["--learning-rate"],
      kind: "number",
      min: 1e-8,
      max: 10,
      description: "Learning rate",
    },
    seed: { names: ["--seed"], kind: "integer", min: 0, max: MAX_SEED, description: "Seed" },
    schedule: {
      names: ["--schedule"],
      kind: "string",
      choices: SCHEDULE_NAMES,
      description: "Learning-rate schedule",
    },
    shards: {
      names: ["--shards"],
      kind: "integer",
      min: 1,
      max: 256,
      description: `Shards per batch (results depend on it, not on --workers; default ${DEFAULT_SHARDS})`,
    },
    workers: TRAINING_WORKERS_FLAG,
    force: {
      names: ["--force"],
      kind: "boolean",
      description: "Retrain even when an identical model exists; replace models trained with other settings",
    },
  },
  async run(flags) {
    const dims = flags.dims;
    if (new Set(dims).size !== dims.length) {
      throw new InputError(`--latent-dims: ${dims.join(",")} repeats a value`);
    }
    if (flags.csv !== undefined && !flags.sweep) throw new InputError("--csv: only with --sweep");
    const filters = flags.filters;
    if (filters !== undefined && flags.convLayers !== undefined && filters.length !== flags.convLayers) {
      throw new InputError(`--filters: ${filters.length} values for --conv-layers ${flags.convLayers}`);
    }
    const defaultFilters = resolveAutoencoderConfig(DEFAULT_ARCHITECTURE).filters;
    if (
      filters === undefined && flags.convLayers !== undefined && flags.convLayers !== defaultFilters.length
    ) {
      const example = Array.from({ length: flags.convLayers }, (_, i) => 16 * 2 ** i).join(",");
      throw new InputError(
        `--conv-layers: ${flags.convLayers} conv layers need --filters with ${flags.convLayers} values (e.g. --filters ${example}); the default has ${defaultFilters.length} (${
          defaultFilters.join(",")
        })`,
      );
    }
    const overrides: AutoencoderConfig = {
      convLayers: flags.convLayers ?? filters?.length,
      filters,
      kernelSize: flags.kernelSize,
      downsampling: flags.downsampling,
      batchSize: flags.batchSize,
      learningRate: flags.learningRate,
      seed: flags.seed,
      schedule: flags.schedule,
      shards: flags.shards,
    };
    let architecture: AutoencoderConfig = { ...DEFAULT_ARCHITECTURE, epochs: flags.epochs };
    for (const [key, value] of Object.entries(overrides)) {
      if (value !== undefined) (architecture as Record<string, unknown>)[key] = value;
    }
    try {
      resolveAutoencoderConfig(architecture);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      const field = error.message.split(/[:\[]/)[0];
      throw new InputError(`${FIELD_FLAGS[field] ?? field}: ${error.message}`);
    }
    const files = await resolveDataset(flags.dataset);
    const data = await readImages(files.trainImages, { limit: flags.limit });
    const kernel = resolveAutoencoderConfig(architecture).kernelSize;
    if (kernel > Math.min(data.rows, data.cols)) {
      throw new InputError(
        `--kernel-size: ${kernel} is larger than the images (${data.rows}x${data.cols}) of ${files.trainImages}`,
      );
    }
    const plan = {
      architecture,
      latentDims: dims,
      modelsDir: flags.models,
      datasetName: files.name,
      force: flags.force,
      existing: flags.force ? "replace" : "refuse",
      flag: "--models",
    } as const;
    if (flags.sweep) {
      // The architecture comes from the sweep; before it, refuse at least what is not a model.
      for (const dim of dims) {
        await checkModelTarget(join(flags.models, `ae-latent${dim}`), {
          kind: "autoencoder",
          force: true,
          flag: "--models",
        });
      }
    } else await planLatentModels(data, plan); // a refusal comes before any work
    const backend = await initBackend();
    if (flags.sweep) {
      const sweep = await runSweep(data, {
        configs: defaultSweepGrid(flags.epochs),
        workers: flags.workers,
        onRow: (row, i) =>
          console.log(
            `sweep ${
              i + 1
            }: ${row.convLayers} layers, filters ${row.filters}, kernel ${row.kernelSize}, batch ${row.batchSize}: ` +
              `val ${row.valLoss.toFixed(5)} train ${row.trainLoss.toFixed(5)} gap ${
                (100 * row.relativeGap).toFixed(1)
              }% ` +
              `${row.imagesPerSecond.toFixed(0)} img/s ${row.seconds.toFixed(0)} s`,
          ),
      });
      console.log(sweep.table.toString());
      if (flags.csv !== undefined) await writeFileAtomic(flags.csv, sweep.table.writeCSV().toString());
      if (sweep.bestIndex < 0) throw new Error("sweep: no configuration finished");
      architecture = sweep.configs[sweep.bestIndex];
      console.log(
        `train: chosen config ${sweep.bestIndex + 1} (lowest validation loss with a train/val gap <= ${
          100 * MAX_RELATIVE_GAP
        }%)`,
      );
    }
    const entries = await trainLatentModels(data, {
      ...plan,
      architecture,
      workers: flags.workers,
      onModel: (e) =>
        console.log(
          `train: latent ${e.latentDim}: ${e.dir} ${e.reused ? "(reused, unchanged)" : "(trained)"} val MSE ${
            e.valLoss.toFixed(5)
          } train MSE ${e.trainLoss.toFixed(5)} ${e.imagesPerSecond.toFixed(0)} img/s ${
            e.seconds.toFixed(0)
          } s`,
        ),
    });
    console.log(
      `train: ${entries.length} models; backend ${backend.name}, data set ${files.name} (${data.count} images)`,
    );
  },
});

if (import.meta.main) await runMain(trainTool);
