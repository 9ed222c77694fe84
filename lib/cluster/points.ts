/**
 * The point sets that clustering works on: integer vectors stored back to back, either uint8 pixels
 * (an image set) or int16 latent values (a latent file).
 * @module
 */
import type { ImageSet, LatentSet } from "../data/idx.ts";

/** Integer vectors stored back to back: uint8 pixels or int16 latent values. */
export type PointValues = Uint8Array | Int16Array;

/** `count` vectors of `dim` integers each, stored back to back in `values`. */
export interface PointSet {
  /** Number of points. */
  count: number;
  /** Dimension of each point. */
  dim: number;
  /** `count * dim` values, point after point. */
  values: PointValues;
}

/** Views an image set as a point set (one point per image, `rows * cols` dimensions; no copy). */
export function pointsFromImages(images: ImageSet): PointSet {
  return { count: images.count, dim: images.rows * images.cols, values: images.pixels };
}

/** Views a latent set as a point set (no copy). */
export function pointsFromLatent(latent: LatentSet): PointSet {
  return { count: latent.count, dim: latent.dim, values: latent.values };
}

/** Returns the point set made of the points at `indices`, in that order (a copy). */
export function selectPoints(points: PointSet, indices: ArrayLike<number>): PointSet {
  const { dim } = points;
  const values = points.values instanceof Uint8Array
    ? new Uint8Array(indices.length * dim)
    : new Int16Array(indices.length * dim);
  for (let j = 0; j < indices.length; j++) {
    const i = indices[j];
    values.set(points.values.subarray(i * dim, (i + 1) * dim), j * dim);
  }
  return { count: indices.length, dim, values };
}

/** Checks that `assignment` labels every point of a set of `count` with a cluster in `0..k-1`. */
export function checkAssignment(assignment: ArrayLike<number>, count: number, k: number): void {
  if (assignment.length !== count) {
    throw new RangeError(`assignment has ${assignment.length} labels for ${count} points`);
  }
  for (let i = 0; i < count; i++) {
    const c = assignment[i];
    if (!Number.isInteger(c) || c < 0 || c >= k) {
      throw new RangeError(`assignment[${i}] = ${c} is not a cluster in 0..${k - 1}`);
    }
  }
}
