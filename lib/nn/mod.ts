/**
 * Neural networks on TensorFlow.js: backend choice, the conv autoencoder, its training loop,
 * persistence, latent scaling, the sweep, and the encoder-based classifier.
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
export { FusedAdamOptimizer, type FusedAdamOptions } from "./kernels/adam.ts";
