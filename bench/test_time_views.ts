/**
 * `deno task bench:views`: how notebook A's classifier scores with each set of test-time views, on the
 * validation split and on the test images: the measurement behind the `testTimeShift` and
 * `testTimeFlip` of the training recipes (`lib/nn/recipes.ts`), which take the views with the best
 * validation accuracy.
 *
 * Trains the classifier exactly as notebook A does (the data set's recipe, the given seed, the encoder
 * of the autoencoder with the lowest validation loss in `--models`, i.e. notebook A's models after a
 * run with that seed), then scores the views: the image alone, its mirror, its shifts by 1 and 2
 * pixels, and those with mirrors. The validation split is the classifier's own (the seeded 10 % of the
 * training images that its early stopping used).
 *
 * Flags: `--dataset mnist-sample` (or `fashion-mnist`, or a folder), `--models` (default: notebook A's
 * models folder of the data set, `models` or `models/<dataset>`), `--seed 1`, `--workers` (Workers
 * that train; results do not depend on it), `-o results/bench/test_time_views_<dataset>.json`.
 * @module
 */
import { dirname } from "node:path";
import { defineTool, runMain } from "../lib/cli/mod.ts";
import { readImages, readLabels } from "../lib/data/idx.ts";
import { resolveDataset } from "../lib/data/datasets.ts";
import { datasetSlug } from "../lib/data/task_outputs.ts";
import { writeFileAtomic } from "../lib/io/atomic.ts";
import { Autoencoder } from "../lib/nn/autoencoder.ts";
import { initBackend } from "../lib/nn/backend.ts";
import { Classifier, testTimeViews } from "../lib/nn/classifier.ts";
import { findBestModel } from "../lib/nn/persistence.ts";
import { classifierConfigFromRecipe, trainingRecipe } from "../lib/nn/recipes.ts";
import { splitValidation } from "../lib/nn/training.ts";
import { trainingWorkerCount } from "../lib/nn/data_parallel.ts";

/** The sets of views scored: [test-time shift, mirrors]. */
const VIEW_SETS: readonly [number, boolean][] = [[0, false], [0, true], [1, false], [1, true], [2, false], [
  2,
  true,
]];

/** `bench:views` (see the module docs). */
export const benchViewsTool = defineTool({
  name: "bench:views",
  summary: "Validation and test accuracy of notebook A's classifier with each set of test-time views.",
  flags: {
    dataset: {
      names: ["--dataset"],
      kind: "string",
      default: "mnist-sample",
      description: "Data set (mnist-sample, fashion-mnist or a folder)",
    },
    models: {
      names: ["--models"],
      kind: "string",
      description: "Folder of notebook A's autoencoders (default: models, or models/<dataset>)",
    },
    seed: { names: ["--seed"], kind: "integer", default: 1, min: 0, max: 4294967295, description: "Seed" },
    workers: {
      names: ["--workers"],
      kind: "integer",
      default: trainingWorkerCount(),
      min: 0,
      max: 64,
      description: "Workers that train (0: main thread)",
    },
    out: { names: ["-o", "--out"], kind: "string", description: "JSON output" },
  },
  async run(flags) {
    const files = await resolveDataset(flags.dataset);
    const slug = datasetSlug(flags.dataset);
    const modelsDir = flags.models ?? (flags.dataset === "mnist-sample" ? "models" : `models/${slug}`);
    const out = flags.out ?? `results/bench/test_time_views_${slug}.json`;
    const best = await findBestModel(modelsDir, { kind: "autoencoder", instead: "--models DIR" });
    const train = await readImages(files.trainImages);
    const trainLabels = (await readLabels(files.trainLabels)).subarray(0, train.count);
    const test = await readImages(files.testImages, { shape: [train.rows, train.cols] });
    const testLabels = (await readLabels(files.testLabels)).subarray(0, test.count);
    const recipe = trainingRecipe(files.name, train.count).classifier;
    await initBackend({ quiet: true });
    const classifier = Classifier.fromAutoencoder(
      await Autoencoder.load(best.dir),
      classifierConfigFromRecipe(recipe, { numClasses: Math.max(2, ...trainLabels) + 1, seed: flags.seed }),
    );
    console.log(
      `bench:views: ${files.name}, encoder of ${best.dir}, seed ${flags.seed}: training the classifier ...`,
    );
    const started = performance.now();
    const labelled = { ...train, labels: trainLabels };
    await classifier.fit(labelled, { progress: false, workers: flags.workers });
    const trainSeconds = (performance.now() - started) / 1000;
    const { validation } = splitValidation(labelled, {
      fraction: classifier.config.validationSplit,
      seed: classifier.config.seed,
    });
    const rows = [];
    for (const [shift, flip] of VIEW_SETS) {
      const views = testTimeViews({ testTimeShift: shift, testTimeFlip: flip });
      const v = await classifier.evaluate(validation, { views });
      const t = await classifier.evaluate({ ...test, labels: testLabels }, { views });
      rows.push({
        shift,
        flip,
        views: views.length,
        validation: v.accuracy,
        test: t.accuracy,
        testInterval: t.interval,
      });
    }
    classifier.dispose();
    const chosen = rows.reduce((a, r) => (r.validation > a.validation ? r : a));
    console.log(`\nviews                         validation (${validation.count})  test (${test.count})`);
    for (const r of rows) {
      const name = `${r.shift ? `${r.shift}-pixel shifts` : "image"}${
        r.flip ? " + mirrors" : ""
      } (${r.views})`;
      console.log(
        `${name.padEnd(31)} ${(100 * r.validation).toFixed(2).padStart(6)} %         ${
          (100 * r.test).toFixed(2)
        } %` +
          (r === chosen ? "   <- best on validation" : ""),
      );
    }
    const report = {
      dataset: files.name,
      seed: flags.seed,
      encoder: best.dir,
      recipe,
      trainSeconds,
      validationCount: validation.count,
      testCount: test.count,
      rows,
      bestOnValidation: { shift: chosen.shift, flip: chosen.flip },
      date: new Date().toISOString(),
    };
    await Deno.mkdir(dirname(out), { recursive: true });
    await writeFileAtomic(out, JSON.stringify(report, null, 2) + "\n");
    console.log(`wrote ${out}`);
  },
});

if (import.meta.main) await runMain(benchViewsTool);
