/**
 * `deno task quick-train`: a smoke test of the training stack. Builds the data when missing, trains
 * a small conv autoencoder on mnist-sample for a few epochs, and prints the validation MSE and
 * training throughput. The work is in `lib/nn/quick_train.ts`.
 * @module
 */
import { type CliTool, runMain } from "./_run.ts";
import { formatQuickTrainReport, QUICK_CONFIG, quickTrain } from "../nn/quick_train.ts";

/** The `quick-train` tool. */
export const quickTrainTool: CliTool = {
  name: "quick-train",
  summary:
    "Builds data/mnist-sample if missing, trains a small conv autoencoder for a few epochs, and prints " +
    "validation MSE and training throughput ",
  flags: [
    {
      key: "dataset",
      names: ["-d", "--dataset"],
      type: "string",
      default: "mnist-sample",
      description: "Data set",
    },
    {
      key: "epochs",
      names: ["--epochs"],
      type: "integer",
      min: 1,
      default: QUICK_CONFIG.epochs,
      description: "Epochs",
    },
    {
      key: "limit",
      names: ["--limit"],
      type: "integer",
      min: 2,
      description: "Use only the first N training images",
    },
    {
      key: "save",
      names: ["--save"],
      type: "string",
      description: "Model folder (default: models/quick-latent10)",
    },
    { key: "noSave", names: ["--no-save"], type: "boolean", description: "Do not save the model" },
    {
      key: "progress",
      names: ["--progress"],
      type: "boolean",
      description: "Show the progress line even when stderr is not a terminal",
    },
  ],
  async run(flags) {
    const report = await quickTrain({
      dataset: flags.dataset as string,
      config: { epochs: flags.epochs as number },
      limit: flags.limit as number | undefined,
      saveDir: flags.noSave ? null : flags.save as string | undefined,
      progress: flags.progress ? true : undefined,
    });
    console.log(formatQuickTrainReport(report));
  },
};

if (import.meta.main) await runMain(quickTrainTool);
