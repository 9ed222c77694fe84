/**
 * latentlab's public API: one import for notebooks and scripts.
 *
 * ```ts
 * import * as ll from "../lib/mod.ts";
 * const files = await ll.resolveDataset("mnist-sample");
 * const images = await ll.readImages(files.trainImages);
 * ```
 *
 * - data: IDX files, the built-in `mnist-sample`, named data sets, classes files, latent vectors as Parquet
 * - nn: TensorFlow.js backend choice, conv autoencoder, training, persistence, latent scaling, classifier
 * - kernels + search: exact L1 k-NN (WebAssembly SIMD, Workers) and LSH
 * - emd: Earth Mover's Distance (HiGHS linear program and a fast exact transport solver), pruned k-NN
 * - cluster: k-medians, exact silhouette, partition evaluation
 * - notebook + report: headless notebook execution, HTML reports, display helpers, intervals
 * @module
 */
export * from "./errors.ts";
export * from "./io/atomic.ts";
export * from "./util/random.ts";
export * from "./data/idx.ts";
export * from "./data/datasets.ts";
export * from "./data/mnist_sample.ts";
export * from "./data/classes_file.ts";
export * from "./data/latent_parquet.ts";
export * from "./nn/mod.ts";
export * from "./kernels/mod.ts";
export * from "./search/mod.ts";
export * from "./emd/mod.ts";
export * from "./cluster/mod.ts";
export * from "./notebook/mod.ts";
export * from "./report/mod.ts";
export * from "./data/task_outputs.ts";
