/**
 * The training recipes notebook A uses by default, per data set: how the sweep and the latent-dim
 * autoencoders are trained (batch size, peak learning rate, schedule, epochs) and how the classifier
 * is fine-tuned (epochs, schedule, augmentation). Every choice was made on the seeded 10 %
 * validation split of the training images, never on the test images; the run record of notebook A
 * records the recipe it used.
 * @module
 */
import type { ScheduleName } from "./schedule.ts";

/** How the sweep configurations and the latent-dim autoencoders are trained. */
export interface AutoencoderRecipe {
  /** Batch size of the sweep's base configuration (the sweep also tries twice as large). */
  batchSize: number;
  /** Peak learning rate of the sweep's base configuration (the sweep also tries half). */
  learningRate: number;
  /** Learning-rate schedule of the sweep and the latent-dim models. */
  schedule: ScheduleName;
  /** Warm-up epochs of the `cosine` schedule. */
  warmupEpochs: number;
  /** Maximum epochs of each latent-dim model. */
  epochs: number;
}

/** How the classifier (encoder + dense head) is trained. */
export interface ClassifierRecipe {
  /** Epochs of stage 1 (head only, encoder frozen). */
  headEpochs: number;
  /** Maximum epochs of stage 2 (all layers). */
  fineTuneEpochs: number;
  /** Batch size of both stages. */
  batchSize: number;
  /** Peak learning rate of stage 2. */
  fineTuneLearningRate: number;
  /** Learning-rate schedule of stage 2. */
  fineTuneSchedule: ScheduleName;
  /** Random translation of training images by up to this many pixels. */
  augmentShift: number;
  /** Mirror half the training images left-right (clothes yes, digits no). */
  augmentFlip: boolean;
  /** Label smoothing of the training targets. */
  labelSmoothing: number;
  /** Early-stopping patience of both stages. */
  patience: number;
}

/** The training recipe of a data set. */
export interface TrainingRecipe {
  /** Data set family the recipe was chosen on (`digits` or `clothes`). */
  family: "digits" | "clothes";
  /** The autoencoders. */
  autoencoder: AutoencoderRecipe;
  /** The classifier. */
  classifier: ClassifierRecipe;
  /** What the choice rests on (validation-split measurements). */
  basis: string;
}
