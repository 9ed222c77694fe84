/**
 * `deno task classify -d <train images> -dl <train labels> -t <test images> -tl <test labels>
 * -model <autoencoder DIR> -o <classes file> [--save DIR]`: builds a classifier from the autoencoder's
 * encoder plus a dense head, trains the head with the encoder frozen, then fine-tunes everything;
 * prints the test accuracy (95 % Wilson interval) and the confusion matrix; writes the classes file of
 * the *dataset* (`-d`) images by predicted class: `CLUSTER-<c> { size: <n>, <i1>, ...}` (0-based
 * indices). The classes file and the saved classifier (`--save`) are replaced together, only after
 * everything was computed; `--save` never replaces a folder that is not a classifier with the same
 * settings unless `--force` is given, and never one that is not a model at all.
 * @module
 */
import { defineTool, runMain } from "./_run.ts";
import { MAX_SEED } from "./_flags.ts";
import { autoencoderFlags, TRAINING_WORKERS_FLAG } from "./_common_flags.ts";
import { InputError } from "../errors.ts";
import { readImages, readLabels } from "../data/idx.ts";
import { classesFromAssignment, formatClassesFile } from "../data/classes_file.ts";
import { OutputSet } from "../io/commit.ts";
import { Autoencoder } from "../nn/autoencoder.ts";
import {
  Classifier,
  type ClassifierConfig,
  formatConfusionMatrix,
  resolveClassifierConfig,
  testTimeViews,
} from "../nn/classifier.ts";
import { checkModelTarget, sha256Hex } from "../nn/persistence.ts";
import { dataHash } from "../nn/sweep.ts";
import { initBackend } from "../nn/backend.ts";
import { DEFAULT_SHARDS } from "../nn/data_parallel.ts";
import { SCHEDULE_NAMES } from "../nn/schedule.ts";
import { chooseAutoencoder } from "./_model.ts";

/**
 * The classes of a labelling: `0..max`, every one of them present in `labels` (`path`), so that a
 * corrupt byte (a label 200 among 0..9) is an error rather than 190 empty classes.
 */
export function classCount(labels: Uint8Array, path: string): number {
  const seen = new Uint32Array(256);
  for (const label of labels) seen[label] += 1;
  let max = 0;
  for (let c = 0; c < 256; c++) if (seen[c] > 0) max = c;
  const missing: number[] = [];
  for (let c = 0; c <= max; c++) if (seen[c] === 0) missing.push(c);
  if (missing.length > 0) {
    const at = labels.indexOf(max);
    const shown = missing.length > 3 ? `${missing[0]}..${missing.at(-1)}` : missing.join(", ");
    throw new InputError(
      `${path}: label ${max} (at ${at}) but no image has label ${shown}; labels must be 0..K-1 with every class present`,
    );
  }
  return Math.max(2, max + 1);
}

/** The `classify` tool. */
export const classifyTool = defineTool({
  name: "classify",
  summary:
    "Trains encoder + dense head (head first with the encoder frozen, then fine-tunes all), prints test " +
    "accuracy and the confusion matrix, and writes the classes file of the dataset images.",
  flags: {
    train: {
      names: ["-d", "--dataset"],
      kind: "input",
      required: true,
      description: "Training (dataset) images",
    },
    trainLabels: {
      names: ["-dl", "--dataset-labels"],
      kind: "input",
      required: true,
      description: "Their labels",
    },
    test: { names: ["-t", "--test"], kind: "input", required: true, description: "Test images" },
    testLabels: {
      names: ["-tl", "--test-labels"],
      kind: "input",
      required: true,
      description: "Their labels",
    },
    ...autoencoderFlags("-model"),
    latentDim: {
      names: ["--latent-dim"],
      kind: "integer",
      min: 1,
      max: 4096,
      description: "Without -model: pick the best autoencoder with this latent dimension",
    },
    out: {
      names: ["-o", "--out"],
      kind: "output",
      required: true,
      description: "Classes file to write",
    },
    headEpochs: {
      names: ["--head-epochs"],
      kind: "integer",
      min: 0,
      max: 10000,
      default: 3,
      description: "Epochs, head only",
    },
    epochs: {
      names: ["--epochs"],
      kind: "integer",
      min: 0,
      max: 10000,
      default: 30,
      description: "Epochs, fine-tuning all",
    },
    batchSize: {
      names: ["--batch-size"],
      kind: "integer",
      min: 1,
      max: 65536,
      default: 64,
      description: "Batch size",
    },
    learningRate: {
      names: ["--learning-rate"],
      kind: "number",
      min: 1e-8,
      max: 10,
      default: 1e-3,
      description: "Fine-tuning learning rate (head stage: 2x)",
    },
    hidden: {
      names: ["--hidden"],
      kind: "integer",
      min: 1,
      max: 65536,
      default: 128,
      description: "Hidden units of the head",
    },
    dropout: {
      names: ["--dropout"],
      kind: "number",
      min: 0,
      max: 0.95,
      default: 0.3,
      description: "Dropout rate",
    },
    patience: {
      names: ["--patience"],
      kind: "integer",
      min: 1,
      max: 10000,
      default: 6,
      description: "Early-stopping patience",
    },
    decay: {
      names: ["--decay"],
      kind: "number",
      min: 0.01,
      max: 1,
      default: 1,
      description: "Per-epoch learning-rate factor while fine-tuning (1: constant)",
    },
    augmentShift: {
      names: ["--augment-shift"],
      kind: "integer",
      min: 0,
      max: 8,
      default: 2,
      description: "Random translation of training images by up to N pixels (0: off)",
    },
    seed: { names: ["--seed"], kind: "integer", min: 0, max: MAX_SEED, default: 0, description: "Seed" },
    flip: {
      names: ["--flip"],
      kind: "boolean",
      description: "Mirror half the training images left-right (clothes, not digits)",
    },
    testShift: {
      names: ["--test-shift"],
      kind: "integer",
      min: 0,
      max: 8,
      default: 0,
      description:
        "Test-time augmentation: predictions average the image and its shifts by N pixels up, down, left, right (0: off)",
    },
    testFlip: {
      names: ["--test-flip"],
      kind: "boolean",
      description:
        "Test-time augmentation: also average over the left-right mirror of each view (clothes, not digits)",
    },
    erase: {
      names: ["--erase"],
      kind: "number",
      min: 0,
      max: 1,
      default: 0,
      description: "Probability of random erasing of a training image (0: off)",
    },
    labelSmoothing: {
      names: ["--label-smoothing"],
      kind: "number",
      min: 0,
      max: 0.5,
      default: 0,
      description: "Label smoothing of the training targets",
    },
    schedule: {
      names: ["--schedule"],
      kind: "string",
      choices: SCHEDULE_NAMES,
      default: "constant",
      description:
        "Fine-tuning learning-rate schedule (cosine: warm-up, then annealing; --decay is for constant)",
    },
    shards: {
      names: ["--shards"],
      kind: "integer",
      min: 1,
      max: 256,
      default: DEFAULT_SHARDS,
      description: "Shards per batch (results depend on it, not on --workers)",
    },
    workers: TRAINING_WORKERS_FLAG,
    save: {
      names: ["--save"],
      kind: "outputModel",
      description:
        "Also save the trained classifier to this new folder (or one holding a classifier with the same settings)",
    },
    force: {
      names: ["--force"],
      kind: "boolean",
      description: "With --save: replace a model of another kind or trained with other settings",
    },
  },
  async run(flags) {
    const started = performance.now();
    const { out } = flags;
    const trainImages = await readImages(flags.train);
    const trainLabels = await readLabels(flags.trainLabels, trainImages.count);
    const testImages = await readImages(flags.test);
    const testLabels = await readLabels(flags.testLabels, testImages.count);
    if (testImages.rows !== trainImages.rows || testImages.cols !== trainImages.cols) {
      throw new InputError(
        `${flags.test}: test images are ${testImages.rows}x${testImages.cols}, training images (${flags.train}) are ${trainImages.rows}x${trainImages.cols}`,
      );
    }
    const numClasses = classCount(trainLabels, flags.trainLabels);
    for (let i = 0; i < testLabels.length; i++) {
      if (testLabels[i] >= numClasses) {
        throw new InputError(
          `${flags.testLabels}: label ${testLabels[i]} at ${i} never occurs in the training labels (0..${
            numClasses - 1
          })`,
        );
      }
    }
    const chosen = await chooseAutoencoder({
      model: flags.model,
      models: flags.models,
      latentDim: flags.latentDim,
      datasetPath: flags.train,
      images: { rows: trainImages.rows, cols: trainImages.cols, source: flags.train },
    });
    const learningRate = flags.learningRate;
    const config: ClassifierConfig = {
      numClasses,
      headEpochs: flags.headEpochs,
      fineTuneEpochs: flags.epochs,
      batchSize: flags.batchSize,
      headLearningRate: 2 * learningRate,
      fineTuneLearningRate: learningRate,
      hiddenUnits: flags.hidden,
      dropout: flags.dropout,
      patience: flags.patience,
      augmentShift: flags.augmentShift,
      fineTuneDecay: flags.decay,
      fineTuneSchedule: flags.schedule,
      augmentFlip: flags.flip,
      augmentErase: flags.erase,
      labelSmoothing: flags.labelSmoothing,
      shards: flags.shards,
      seed: flags.seed,
      testTimeShift: flags.testShift,
      testTimeFlip: flags.testFlip,
    };
    const train = { ...trainImages, labels: trainLabels };
    let hash: string | undefined;
    if (flags.save !== undefined) {
      hash = await sha256Hex(JSON.stringify({
        classifier: resolveClassifierConfig(config),
        encoder: chosen.files.metadata.weightsSha256 ?? chosen.files.metadata.hash ?? chosen.dir,
        data: await dataHash(train),
      }));
      await checkModelTarget(flags.save, { kind: "classifier", hash, force: flags.force, flag: "--save" });
    }
    const backend = await initBackend();
    if (chosen.warning) console.error(chosen.warning);
    const ae = await Autoencoder.load(chosen.files);
    const classifier = Classifier.fromAutoencoder(ae, config);
    console.log(
      `classify: encoder of ${chosen.dir} (latent dim ${ae.latentDim}) + head ${flags.hidden} + dropout ${flags.dropout}; ` +
        `${trainImages.count} training images (10% held out for validation), backend ${backend.name}`,
    );
    const training = await classifier.fit(train, { workers: flags.workers });
    for (
      const [name, stage] of [["head (encoder frozen)", training.head], [
        "fine-tune (all)",
        training.fineTune,
      ]] as const
    ) {
      if (!stage) continue;
      const best = stage.history[stage.bestEpoch - 1];
      console.log(
        `classify: ${name}: ${stage.epochsRun} epochs, best epoch ${stage.bestEpoch}: val loss ${
          stage.bestValLoss.toFixed(4)
        }, val accuracy ${(100 * (best?.valAccuracy ?? NaN)).toFixed(2)}%, ${
          stage.imagesPerSecond.toFixed(0)
        } img/s, ${stage.seconds.toFixed(1)} s`,
      );
    }
    const evaluation = await classifier.evaluate({ ...testImages, labels: testLabels });
    const views = testTimeViews(classifier.config).length;
    const imageOnly = views > 1
      ? await classifier.evaluate({ ...testImages, labels: testLabels }, { views: "image" })
      : undefined;
    const predictions = await classifier.predict(train);
    const outputs = new OutputSet();
    try {
      await outputs.addFile(out, formatClassesFile(classesFromAssignment(predictions, numClasses)));
      if (flags.save !== undefined) {
        await classifier.save(flags.save, {
          dataset: flags.train,
          metrics: { testAccuracy: evaluation.accuracy },
          hash,
          outputs,
        });
      }
      await outputs.commit();
    } finally {
      await outputs.discard();
    }
    const [low, high] = evaluation.interval;
    console.log(
      `classify: test accuracy ${
        (100 * evaluation.accuracy).toFixed(2)
      }% (${evaluation.correct}/${evaluation.count}; ` +
        `95% Wilson interval ${(100 * low).toFixed(2)}-${(100 * high).toFixed(2)}%)` +
        (imageOnly
          ? `, the mean of ${views} test-time views (the image alone: ${
            (100 * imageOnly.accuracy).toFixed(2)
          }%)`
          : ""),
    );
    console.log("classify: confusion matrix (rows: true class, columns: predicted class)");
    console.log(formatConfusionMatrix(evaluation.confusion));
    console.log(
      `classify: wrote ${out} (${numClasses} classes of the ${trainImages.count} dataset images)${
        flags.save !== undefined ? ` and the classifier ${flags.save}` : ""
      } in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    classifier.dispose();
  },
});

if (import.meta.main) await runMain(classifyTool);
