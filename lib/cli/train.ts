/**
 * `deno task train [-d mnist-sample] [--sweep] [--latent-dims 10,20,50,100,200] [--models models/]`:
 * optionally runs the hyperparameter sweep (prints the table, picks the best configuration by
 * validation loss with the overfitting check), then trains (or reuses, when config and data are
 * unchanged) one autoencoder per latent dim under `models/ae-latent<dim>`.
 * @module
 */
import { type CliTool, runMain } from "./_run.ts";
import { InputError } from "../errors.ts";
import { readImages } from "../data/idx.ts";
import { resolveDataset } from "../data/datasets.ts";
import { writeFileAtomic } from "../io/atomic.ts";
import { initBackend } from "../nn/backend.ts";
import type { AutoencoderConfig } from "../nn/autoencoder.ts";
import { MODELS_FOLDER } from "../nn/persistence.ts";
import {
  DEFAULT_ARCHITECTURE,
  LATENT_DIMS,
  MAX_RELATIVE_GAP,
  runSweep,
  trainLatentModels,
} from "../nn/sweep.ts";
import { QUICK_CONFIG } from "../nn/quick_train.ts";

/** The default sweep grid: conv layers × filters × kernel size × batch size (8 configurations). */
export function defaultSweepGrid(epochs: number): AutoencoderConfig[] {
  const grid: AutoencoderConfig[] = [];
  for (const convLayers of [2, 3]) {
    for (const filters of [16, 32]) {
      for (const kernelSize of [3, 5]) {
        for (const batchSize of [32]) {
          grid.push({ ...QUICK_CONFIG, convLayers, filters, kernelSize, batchSize, epochs });
        }
      }
    }
  }
  return grid;
}

function parseDims(text: string, flag = "--latent-dims"): number[] {
  const dims = text.split(",").map((s) => Number(s.trim()));
  for (const d of dims) {
    if (!Number.isInteger(d) || d <= 0) {
      throw new InputError(`${flag}: "${text}" must be integers > 0, e.g. 10,20,50`);
    }
  }
  return dims;
}

/** The `train` tool. */
export const trainTool: CliTool = {
  name: "train",
  summary: "Runs the autoencoder sweep (optional) and trains one model per latent dim under models/.",
  flags: [
    {
      key: "dataset",
      names: ["-d", "--dataset"],
      type: "string",
      default: "mnist-sample",
      description: "Data set",
    },
    {
      key: "sweep",
      names: ["--sweep"],
      type: "boolean",
      description: "Run the sweep grid and use its best config",
    },
    { key: "csv", names: ["--csv"], type: "string", description: "Write the sweep table to this CSV file" },
    {
      key: "dims",
      names: ["--latent-dims"],
      type: "string",
      default: LATENT_DIMS.join(","),
      description: "Latent dims",
    },
    {
      key: "epochs",
      names: ["--epochs"],
      type: "integer",
      min: 1,
      default: 15,
      description: "Maximum epochs",
    },
    {
      key: "limit",
      names: ["--limit"],
      type: "integer",
      min: 2,
      description: "Use only the first N training images",
    },
    {
      key: "models",
      names: ["--models"],
      type: "string",
      default: MODELS_FOLDER,
      description: "Models folder",
    },
    {
      key: "convLayers",
      names: ["--conv-layers"],
      type: "integer",
      min: 1,
      max: 6,
      description: "Conv layers",
    },
    {
      key: "filters",
      names: ["--filters"],
      type: "string",
      description: "Filters per conv layer, e.g. 32,64",
    },
    { key: "kernelSize", names: ["--kernel-size"], type: "integer", min: 1, description: "Kernel size" },
    {
      key: "downsampling",
      names: ["--downsampling"],
      type: "string",
      choices: ["stride", "maxpool"],
      description: "Downsampling",
    },
    { key: "batchSize", names: ["--batch-size"], type: "integer", min: 1, description: "Batch size" },
    {
      key: "learningRate",
      names: ["--learning-rate"],
      type: "number",
      min: 1e-8,
      description: "Learning rate",
    },
    { key: "seed", names: ["--seed"], type: "integer", min: 0, description: "Seed" },
    {
      key: "schedule",
      names: ["--schedule"],
      type: "string",
      choices: ["constant", "cosine"],
      description: "Learning-rate schedule",
    },
    {
      key: "shards",
      names: ["--shards"],
      type: "integer",
      min: 1,
      description: "Shards per batch (results depend on it, not on --workers; default 2)",
    },
    {
      key: "workers",
      names: ["--workers"],
      type: "integer",
      min: 0,
      description: "Workers training in parallel (0: main thread; default: all cores)",
    },
    {
      key: "force",
      names: ["--force"],
      type: "boolean",
      description: "Retrain even when an identical model exists",
    },
  ],
  async run(flags) {
    const dims = parseDims(flags.dims as string);
    const backend = await initBackend();
    const files = await resolveDataset(flags.dataset as string);
    const data = await readImages(files.trainImages, { limit: flags.limit as number | undefined });
    let architecture: AutoencoderConfig = { ...DEFAULT_ARCHITECTURE, epochs: flags.epochs as number };
    const filters = flags.filters === undefined ? undefined : parseDims(flags.filters as string, "--filters");
    const overrides: AutoencoderConfig = {
      convLayers: (flags.convLayers as number | undefined) ?? filters?.length,
      filters,
      kernelSize: flags.kernelSize as number | undefined,
      downsampling: flags.downsampling as AutoencoderConfig["downsampling"],
      batchSize: flags.batchSize as number | undefined,
      learningRate: flags.learningRate as number | undefined,
      seed: flags.seed as number | undefined,
      schedule: flags.schedule as AutoencoderConfig["schedule"],
      shards: flags.shards as number | undefined,
    };
    for (const [key, value] of Object.entries(overrides)) {
      if (value !== undefined) (architecture as Record<string, unknown>)[key] = value;
    }
    if (flags.sweep) {
      const sweep = await runSweep(data, {
        configs: defaultSweepGrid(flags.epochs as number),
        workers: flags.workers as number | undefined,
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
      if (flags.csv) await writeFileAtomic(flags.csv as string, sweep.table.writeCSV().toString());
      if (sweep.bestIndex < 0) throw new Error("sweep: no configuration finished");
      architecture = sweep.configs[sweep.bestIndex];
      console.log(
        `train: chosen config ${sweep.bestIndex + 1} (lowest validation loss with a train/val gap <= ${
          100 * MAX_RELATIVE_GAP
        }%)`,
      );
    }
    const entries = await trainLatentModels(data, {
      architecture,
      latentDims: dims,
      modelsDir: flags.models as string,
      datasetName: files.name,
      force: flags.force as boolean | undefined,
      workers: flags.workers as number | undefined,
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
};

if (import.meta.main) await runMain(trainTool);
