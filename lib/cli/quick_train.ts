/**
 * `deno task quick-train`: a smoke test of the training stack. Builds the data when missing, trains
 * a small conv autoencoder on mnist-sample for a few epochs, and prints the validation MSE and
 * training throughput. The work is in `lib/nn/quick_train.ts`. The model folder (`--save`) is
 * written as a whole; a folder holding anything but an autoencoder with the same settings is
 * replaced only with `--force`, and never when it is not a model.
 * @module
 */
import { join } from "node:path";
import { defineTool, runMain } from "./_run.ts";
import { DATA_SET_FLAG, TRAINING_LIMIT_FLAG } from "./_common_flags.ts";
import { MODELS_FOLDER } from "../nn/persistence.ts";
import { formatQuickTrainReport, QUICK_CONFIG, quickTrain } from "../nn/quick_train.ts";

/** The `quick-train` tool. */
export const quickTrainTool = defineTool({
  name: "quick-train",
  summary:
    "Builds data/mnist-sample if missing, trains a small conv autoencoder for a few epochs, and prints " +
    "validation MSE and training throughput ",
  flags: {
    dataset: DATA_SET_FLAG,
    epochs: {
      names: ["--epochs"],
      kind: "integer",
      min: 1,
      max: 10000,
      default: QUICK_CONFIG.epochs ?? 5,
      description: "Epochs",
    },
    limit: TRAINING_LIMIT_FLAG,
    save: {
      names: ["--save"],
      kind: "outputModel",
      default: join(MODELS_FOLDER, "quick-latent10"),
      description: "Model folder",
    },
    noSave: { names: ["--no-save"], kind: "boolean", description: "Do not save the model" },
    force: {
      names: ["--force"],
      kind: "boolean",
      description: "Replace a model of another kind or trained with other settings in --save",
    },
    progress: {
      names: ["--progress"],
      kind: "boolean",
      description: "Show the progress line even when stderr is not a terminal",
    },
  },
  async run(flags) {
    const report = await quickTrain({
      dataset: flags.dataset,
      config: { epochs: flags.epochs },
      limit: flags.limit,
      saveDir: flags.noSave ? null : flags.save,
      force: flags.force,
      saveFlag: "--save",
      progress: flags.progress ? true : undefined,
    });
    console.log(formatQuickTrainReport(report));
  },
});

if (import.meta.main) await runMain(quickTrainTool);
