/**
 * Seeded stand-ins for the outputs of task A, for runs made before (or without) a trained
 * autoencoder and classifier. Always label results computed from them as stand-ins.
 *
 * - {@linkcode randomProjectionLatent}: a Gaussian random projection of the pixels to `dim` values,
 *   scaled like a real latent file (one global min/max → integers 0..25500).
 * - classes: use the true labels (`classesFromAssignment(labels)` in `lib/data/classes_file.ts`).
 * @module
 */
import { type ImageSet, LATENT_SCALE, type LatentSet } from "../data/idx.ts";
import { createRandom } from "../util/random.ts";

/** Options for {@linkcode randomProjectionLatent}. */
export interface RandomProjectionOptions {
  /** Latent dimension. Default 10. */
  dim?: number;
  /** Seed of the projection matrix. Default 0. */
  seed?: number;
}

/** Projects every image onto `dim` seeded Gaussian directions and scales to latent-file integers. */
export function randomProjectionLatent(images: ImageSet, options: RandomProjectionOptions = {}): LatentSet {
  const dim = options.dim ?? 10;
  const random = createRandom(options.seed ?? 0);
  const inputDim = images.rows * images.cols;
  const matrix = new Float64Array(dim * inputDim);
  for (let i = 0; i < matrix.length; i++) matrix[i] = random.normal();
  const projected = new Float64Array(images.count * dim);
  let low = Infinity;
  let high = -Infinity;
  for (let i = 0; i < images.count; i++) {
    const row = i * inputDim;
    for (let d = 0; d < dim; d++) {
      let sum = 0;
      const m = d * inputDim;
      for (let t = 0; t < inputDim; t++) sum += matrix[m + t] * images.pixels[row + t];
      projected[i * dim + d] = sum;
      if (sum < low) low = sum;
      if (sum > high) high = sum;
    }
  }
  const scale = high > low ? LATENT_SCALE / (high - low) : 0;
  const values = new Int16Array(images.count * dim);
  for (let i = 0; i < values.length; i++) values[i] = Math.round((projected[i] - low) * scale);
  return { count: images.count, dim, values };
}
