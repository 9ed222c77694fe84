import assert from "node:assert/strict";
import {
  applyRecipeOverrides,
  classifierConfigFromRecipe,
  FULL_SCALE_IMAGES,
  latentModelConfig,
  trainingRecipe,
} from "../../lib/nn/recipes.ts";
import { InputError } from "../../lib/errors.ts";

Deno.test("trainingRecipe: fewer autoencoder epochs at full scale; flips only for clothes", () => {
  const sample = trainingRecipe("mnist-sample", 8000);
  const fashion = trainingRecipe("fashion-mnist", 60000);
  assert.equal(sample.family, "digits");
  assert.equal(fashion.family, "clothes");
  assert.ok(fashion.autoencoder.epochs < sample.autoencoder.epochs);
  assert.equal(trainingRecipe("mnist", FULL_SCALE_IMAGES).autoencoder.epochs, fashion.autoencoder.epochs);
  assert.equal(sample.classifier.augmentFlip, false, "mirrored digits are other digits");
  assert.equal(trainingRecipe("/data/my-mnist", 60000).classifier.augmentFlip, false);
  assert.ok(sample.basis.length > 0 && fashion.basis.length > 0, "every recipe says what it rests on");
  assert.equal(sample.classifier.testTimeFlip, false, "no mirrored test views of digits");
  assert.ok(sample.classifier.testTimeShift >= 1 && fashion.classifier.testTimeShift >= 1);
  assert.equal(fashion.classifier.testTimeFlip, true);
});

Deno.test("applyRecipeOverrides: auto keeps the recipe, values replace it, bad values name the parameter", () => {
  const recipe = trainingRecipe("fashion-mnist", 60000);
  assert.deepEqual(applyRecipeOverrides(recipe, { epochs: "auto", classifierFlip: "auto" }), recipe);
  const changed = applyRecipeOverrides(recipe, {
    epochs: "9",
    schedule: "constant",
    fineTuneEpochs: 40,
    classifierFlip: "false",
    labelSmoothing: "0.2",
    classifierSchedule: "cosine",
    classifierTestShift: "0",
    classifierTestFlip: false,
  });
  assert.equal(changed.autoencoder.epochs, 9);
  assert.equal(changed.autoencoder.schedule, "constant");
  assert.equal(changed.classifier.fineTuneEpochs, 40);
  assert.equal(changed.classifier.augmentFlip, false);
  assert.equal(changed.classifier.labelSmoothing, 0.2);
  assert.equal(changed.classifier.fineTuneSchedule, "cosine");
  assert.equal(changed.classifier.testTimeShift, 0);
  assert.equal(changed.classifier.testTimeFlip, false);
  assert.equal(
    recipe.autoencoder.epochs,
    trainingRecipe("fashion-mnist", 60000).autoencoder.epochs,
    "not mutated",
  );
  assert.throws(
    () => applyRecipeOverrides(recipe, { epochs: "0" }),
    (e) => e instanceof InputError && /epochs/.test(e.message),
  );
  assert.throws(() => applyRecipeOverrides(recipe, { schedule: "steps" }), /schedule/);
  assert.throws(() => applyRecipeOverrides(recipe, { classifierFlip: "maybe" }), /classifierFlip/);
  assert.throws(() => applyRecipeOverrides(recipe, { labelSmoothing: 1 }), /labelSmoothing/);
  assert.throws(() => applyRecipeOverrides(recipe, { classifierTestShift: "1.5" }), /classifierTestShift/);
  assert.throws(
    () => applyRecipeOverrides(recipe, { classifierTestFlip: "sometimes" }),
    /classifierTestFlip/,
  );
});

Deno.test("latentModelConfig: the chosen configuration with the recipe's schedule, epochs and peak rate", () => {
  const chosen = {
    convLayers: 2,
    filters: [16, 32],
    kernelSize: 5,
    batchSize: 32,
    learningRate: 2e-3,
    epochs: 4,
  };
  const recipe = trainingRecipe("fashion-mnist", 60000).autoencoder;
  const config = latentModelConfig(chosen, { recipe, seed: 3 });
  assert.equal(config.kernelSize, 5);
  assert.equal(config.batchSize, 32);
  assert.equal(config.epochs, recipe.epochs);
  assert.equal(config.seed, 3);
  assert.equal(config.schedule, recipe.schedule);
  assert.equal(config.learningRate, recipe.schedule === "cosine" ? 2e-3 * recipe.peakFactor : 2e-3);
  const constant = latentModelConfig(chosen, { recipe: { ...recipe, schedule: "constant" }, seed: 3 });
  assert.equal(constant.learningRate, 2e-3, "the peak factor only applies to the cosine schedule");
});

Deno.test("classifierConfigFromRecipe: every recipe field, plus the run's classes, seed and decay", () => {
  const recipe = trainingRecipe("fashion-mnist", 60000).classifier;
  const config = classifierConfigFromRecipe(recipe, { numClasses: 10, seed: 7 });
  for (const [key, value] of Object.entries(recipe)) {
    assert.equal(config[key as keyof typeof config], value, key);
  }
  assert.equal(config.numClasses, 10);
  assert.equal(config.seed, 7);
  assert.equal(config.fineTuneDecay, 1, "constant unless given");
  assert.equal(
    classifierConfigFromRecipe(recipe, { numClasses: 10, seed: 7, fineTuneDecay: 0.9 }).fineTuneDecay,
    0.9,
  );
});
