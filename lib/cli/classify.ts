/**
 * `deno task classify -d <train images> -dl <train labels> -t <test images> -tl <test labels>
 * -model <autoencoder DIR> -o <classes file>`: builds a classifier from the autoencoder's encoder plus
 * a dense head, trains the head with the encoder frozen, then fine-tunes everything; prints the test
 * accuracy (95 % Wilson interval) and the confusion matrix; writes the classes file of the *dataset*
 * (`-d`) images by predicted class: `CLUSTER-<c> { size: <n>, <i1>, ...}` (0-based indices).
 * @module
 */
import { type CliTool, runMain } from "./_run.ts";
import { InputError } from "../errors.ts";
import { readImages, readLabels } from "../data/idx.ts";
import { classesFromAssignment, writeClassesFile } from "../data/classes_file.ts";
import { Classifier, formatConfusionMatrix } from "../nn/classifier.ts";
import { MODELS_FOLDER } from "../nn/persistence.ts";
import { initBackend } from "../nn/backend.ts";
import { checkOutputFolder, checkOutputPaths, loadAutoencoderFlag, writeOutput } from "./reduce.ts";

/** The `classify` tool. */
export const classifyTool: CliTool = {
  name: "classify",
  summary:
    "Trains encoder + dense head (head first with the encoder frozen, then fine-tunes all), prints test " +
    "accuracy and the confusion matrix, and writes the classes file of the dataset images.",
  flags: [
    {
      key: "train",
      names: ["-d", "--dataset"],
      type: "string",
      required: true,
      description: "Training (dataset) images",
    },
    {
      key: "trainLabels",
      names: ["-dl", "--dataset-labels"],
      type: "string",
      required: true,
      description: "Their labels",
    },
    { key: "test", names: ["-t", "--test"], type: "string", required: true, description: "Test images" },
    {
      key: "testLabels",
      names: ["-tl", "--test-labels"],
      type: "string",
      required: true,
      description: "Their labels",
    },
    {
      key: "model",
      names: ["-model", "--model"],
      type: "string",
      description: "Autoencoder folder (default: lowest validation loss in --models)",
    },
    {
      key: "models",
      names: ["--models"],
      type: "string",
      default: MODELS_FOLDER,
      description: "Folder of trained models",
    },
    {
      key: "latentDim",
      names: ["--latent-dim"],
      type: "integer",
      min: 1,
      description: "Without -model: pick the best autoencoder with this latent dimension",
    },
    {
      key: "out",
      names: ["-o", "--out"],
      type: "string",
      required: true,
      description: "Classes file to write",
    },
    {
      key: "headEpochs",
      names: ["--head-epochs"],
      type: "integer",
      min: 0,
      default: 3,
      description: "Epochs, head only",
    },
    {
      key: "epochs",
      names: ["--epochs"],
      type: "integer",
      min: 0,
      default: 30,
      description: "Epochs, fine-tuning all",
    },
    {
      key: "batchSize",
      names: ["--batch-size"],
      type: "integer",
      min: 1,
      default: 64,
      description: "Batch size",
    },
    {
      key: "learningRate",
      names: ["--learning-rate"],
      type: "number",
      min: 1e-8,
      default: 1e-3,
      description: "Fine-tuning learning rate (head stage: 2x)",
    },
    {
      key: "hidden",
      names: ["--hidden"],
      type: "integer",
      min: 1,
      default: 128,
      description: "Hidden units of the head",
    },
    {
      key: "dropout",
      names: ["--dropout"],
      type: "number",
      min: 0,
      max: 0.95,
      default: 0.3,
      description: "Dropout rate",
    },
    {
      key: "patience",
      names: ["--patience"],
      type: "integer",
      min: 1,
      default: 6,
      description: "Early-stopping patience",
    },
    {
      key: "decay",
      names: ["--decay"],
      type: "number",
      min: 0.01,
      max: 1,
      default: 1,
      description: "Per-epoch learning-rate factor while fine-tuning (1: constant)",
    },
    {
      key: "augmentShift",
      names: ["--augment-shift"],
      type: "integer",
      min: 0,
      max: 8,
      default: 2,
      description: "Random translation of training images by up to N pixels (0: off)",
    },
    { key: "seed", names: ["--seed"], type: "integer", min: 0, default: 0, description: "Seed" },
    {
      key: "flip",
      names: ["--flip"],
      type: "boolean",
      description: "Mirror half the training images left-right (clothes, not digits)",
    },
    {
      key: "erase",
      names: ["--erase"],
      type: "number",
      min: 0,
      max: 1,
      default: 0,
      description: "Probability of random erasing of a training image (0: off)",
    },
    {
      key: "labelSmoothing",
      names: ["--label-smoothing"],
      type: "number",
      min: 0,
      max: 0.5,
      default: 0,
      description: "Label smoothing of the training targets",
    },
    {
      key: "schedule",
      names: ["--schedule"],
      type: "string",
      choices: ["constant", "cosine"],
      default: "constant",
      description: "Fine-tuning learning-rate schedule (cosine: warm-up, then annealing; --decay is for constant)",
    },
    {
      key: "shards",
      names: ["--shards"],
      type: "integer",
      min: 1,
      default: 2,
      description: "Shards per batch (results depend on it, not on --workers)",
    },
    {
      key: "workers",
      names: ["--workers"],
      type: "integer",
      min: 0,
      description: "Workers training in parallel (0: main thread; default: all cores)",
    },
    {
      key: "save",
      names: ["--save"],
      type: "string",
      description: "Also save the trained classifier to this folder",
    },
  ],
  async run(flags) {
    const started = performance.now();
    const out = flags.out as string;
    const paths: [string, string][] = [
      ["-d", flags.train as string],
      ["-dl", flags.trainLabels as string],
      ["-t", flags.test as string],
      ["-tl", flags.testLabels as string],
    ];
    checkOutputPaths([["-o", out]], paths);
    checkOutputFolder("-o", out);
    const trainImages = await readImages(flags.train as string);
    const trainLabels = await readLabels(flags.trainLabels as string, trainImages.count);
    const testImages = await readImages(flags.test as string);
    const testLabels = await readLabels(flags.testLabels as string, testImages.count);
    if (testImages.rows !== trainImages.rows || testImages.cols !== trainImages.cols) {
      throw new InputError(
        `${flags.test}: test images are ${testImages.rows}x${testImages.cols}, training images (${flags.train}) are ${trainImages.rows}x${trainImages.cols}`,
      );
    }
    let maxLabel = 0;
    for (const label of trainLabels) maxLabel = Math.max(maxLabel, label);
    const numClasses = Math.max(2, maxLabel + 1);
    for (let i = 0; i < testLabels.length; i++) {
      if (testLabels[i] >= numClasses) {
        throw new InputError(
          `${flags.testLabels}: label ${
            testLabels[i]
          } at ${i} never occurs in the training labels (0..${maxLabel})`,
        );
      }
    }
    const backend = await initBackend();
    const { ae, dir, warning } = await loadAutoencoderFlag(flags, flags.train as string);
    ae.checkImages(trainImages, flags.train as string);
    if (warning) console.error(warning);
    const learningRate = flags.learningRate as number;
    const classifier = Classifier.fromAutoencoder(ae, {
      numClasses,
      headEpochs: flags.headEpochs as number,
      fineTuneEpochs: flags.epochs as number,
      batchSize: flags.batchSize as number,
      headLearningRate: 2 * learningRate,
      fineTuneLearningRate: learningRate,
      hiddenUnits: flags.hidden as number,
      dropout: flags.dropout as number,
      patience: flags.patience as number,
      augmentShift: flags.augmentShift as number,
      fineTuneDecay: flags.decay as number,
      fineTuneSchedule: flags.schedule as "constant" | "cosine",
      augmentFlip: flags.flip === true,
      augmentErase: flags.erase as number,
      labelSmoothing: flags.labelSmoothing as number,
      shards: flags.shards as number,
      seed: flags.seed as number,
    });
    console.log(
      `classify: encoder of ${dir} (latent dim ${ae.latentDim}) + head ${flags.hidden} + dropout ${flags.dropout}; ` +
        `${trainImages.count} training images (10% held out for validation), backend ${backend.name}`,
    );
    const train = { ...trainImages, labels: trainLabels };
    const training = await classifier.fit(train, { workers: flags.workers as number | undefined });
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
        } img/s, ${stage.seconds.toFixed(1)} s${stage.interrupted ? " (interrupted)" : ""}`,
      );
    }
    const evaluation = await classifier.evaluate({ ...testImages, labels: testLabels });
    const predictions = await classifier.predict(train);
    await writeOutput("-o", out, () => writeClassesFile(out, classesFromAssignment(predictions, numClasses)));
    if (flags.save !== undefined) {
      await classifier.save(flags.save as string, {
        dataset: flags.train as string,
        metrics: { testAccuracy: evaluation.accuracy },
      });
    }
    const [low, high] = evaluation.interval;
    console.log(
      `classify: test accuracy ${
        (100 * evaluation.accuracy).toFixed(2)
      }% (${evaluation.correct}/${evaluation.count}; ` +
        `95% Wilson interval ${(100 * low).toFixed(2)}-${(100 * high).toFixed(2)}%)`,
    );
    console.log("classify: confusion matrix (rows: true class, columns: predicted class)");
    console.log(formatConfusionMatrix(evaluation.confusion));
    console.log(
      `classify: wrote ${out} (${numClasses} classes of the ${trainImages.count} dataset images) in ${
        ((performance.now() - started) / 1000).toFixed(1)
      } s`,
    );
    classifier.dispose();
  },
};

if (import.meta.main) await runMain(classifyTool);
