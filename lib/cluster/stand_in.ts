/**
 * Seeded stand-ins for the outputs of task A, for runs made before (or without) a trained
 * autoencoder and classifier. Always label results computed from them as stand-ins.
 *
 * - {@linkcode randomProjectionLatentSet}: the search module's seeded Gaussian random projection
 *   (`lib/search/standin.ts`), returned as a {@linkcode LatentSet} of one image set.
 * - classes: use the true labels (`classesFromAssignment(labels)` in `lib/data/classes_file.ts`).
 * @module
 */
import type { ImageSet, LatentSet } from "../data/idx.ts";
import { randomProjectionLatent } from "../search/standin.ts";

/** Options for {@linkcode randomProjectionLatentSet}. */
export interface RandomProjectionSetOptions {
  /** Latent dimension. Default 10. */
  dim?: number;
  /** Seed of the projection matrix. Default 0. */
  seed?: number;
}

/** Projects every image onto `dim` seeded Gaussian directions and scales to latent-file integers. */
export function randomProjectionLatentSet(
  images: ImageSet,
  options: RandomProjectionSetOptions = {},
): LatentSet {
  const dim = options.dim ?? 10;
  const projected = randomProjectionLatent(
    { pixels: images.pixels, queryPixels: new Uint8Array(0), dim: images.rows * images.cols },
    { latentDim: dim, seed: options.seed ?? 0 },
  );
  return { count: images.count, dim, values: projected.dataset };
}
