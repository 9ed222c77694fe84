/**
 * Neural networks on TensorFlow.js: backend choice, the conv autoencoder, its training loop,
 * persistence, encoding to latent files, the sweep, and the encoder-based classifier.
 *
 * @example An autoencoder configuration with its defaults filled in, and a confusion matrix
 * ```ts
 * import assert from "node:assert/strict";
 * import { confusionMatrix, resolveAutoencoderConfig } from "./mod.ts";
 *
 * const config = resolveAutoencoderConfig({ convLayers: 3, filters: 16, latentDim: 20 });
 * assert.deepEqual(config.filters, [16, 32, 64]); // doubled per layer
 * assert.deepEqual(confusionMatrix([0, 1, 1], [0, 1, 0], 2), [[1, 0], [1, 1]]);
 * ```
 * @module
 */
export * from "./persistence.ts";
export * from "./training.ts";
export * from "./autoencoder.ts";
export * from "./classifier.ts";
export * from "./latent.ts";
export * from "./sweep.ts";
export * from "./quick_train.ts";
export * from "./backend.ts";
export * from "./reference_models.ts";
export * from "./data_parallel.ts";
export * from "./schedule.ts";
export * from "./recipes.ts";
export { FusedAdamOptimizer, type FusedAdamOptions } from "./kernels/adam.ts";
