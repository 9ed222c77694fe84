/**
 * A stand-in for autoencoder latent files, for tests and for runs made before a model exists: a
 * seeded Gaussian random projection of the pixels, scaled like `reduce` does (one global min/max taken
 * from the *dataset* projections, applied to both sets, clipped, rounded to integers in 0..25500; see
 * `latent_scale.ts`). It is **not** an autoencoder; anything computed from it must be labelled as such.
 *
 * - {@linkcode randomProjectionLatent}: a data set and its queries on one scale (task B).
 * - {@linkcode randomProjectionLatentSet}: one image set as a {@linkcode LatentSet} (task D). For the
 *   classifier's classes, use the true labels (`classesFromAssignment(labels)` in `classes_file.ts`).
 * @module
 */
import { createRandom } from "../util/random.ts";
import type { ImageSet, LatentSet } from "./idx.ts";
import { applyLatentScale, fitLatentScale } from "./latent_scale.ts";

/** Options for {@linkcode randomProjectionLatent}. */
export interface RandomProjectionOptions {
  /** Latent dimension (default 10). */
  latentDim?: number;
  /** Seed of the projection (default 1). */
  seed?: number;
}

/** Latent stand-ins for a data set and its queries. */
export interface RandomProjectionLatent {
  /** Latent dimension. */
  latentDim: number;
  /** Data set vectors, `count × latentDim`, values 0..25500. */
  dataset: Int16Array;
  /** Query vectors, scaled with the data set's min/max (clipped). */
  queries: Int16Array;
}

/** Projects `pixels` and `queryPixels` (`dim` values per image) with one seeded Gaussian matrix. */
export function randomProjectionLatent(
  sets: { pixels: Uint8Array; queryPixels: Uint8Array; dim: number },
  options: RandomProjectionOptions = {},
): RandomProjectionLatent {
  const { pixels, queryPixels, dim } = sets;
  const latentDim = options.latentDim ?? 10;
  const random = createRandom(options.seed ?? 1);
  const matrix = new Float64Array(dim * latentDim);
  for (let i = 0; i < matrix.length; i++) matrix[i] = random.normal();
  const project = (source: Uint8Array) => {
    const count = source.length / dim;
    const out = new Float64Array(count * latentDim);
    for (let r = 0; r < count; r++) {
      for (let t = 0; t < dim; t++) {
        const v = source[r * dim + t];
        if (v === 0) continue;
        const base = t * latentDim;
        for (let j = 0; j < latentDim; j++) out[r * latentDim + j] += v * matrix[base + j];
      }
    }
    return out;
  };
  const data = project(pixels);
  const queries = project(queryPixels);
  const scale = fitLatentScale(data);
  return { latentDim, dataset: applyLatentScale(data, scale), queries: applyLatentScale(queries, scale) };
}

/** Options for {@linkcode randomProjectionLatentSet}. */
export interface RandomProjectionSetOptions {
  /** Latent dimension. Default 10. */
  dim?: number;
  /** Seed of the projection matrix. Default 0. */
  seed?: number;
}

/**
 * Projects every image onto `dim` seeded Gaussian directions and scales to latent-file integers:
 * {@linkcode randomProjectionLatent} of one image set, returned as a {@linkcode LatentSet}.
 */
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
