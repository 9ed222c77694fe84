/**
 * Latent vectors of an encoder as stored in latent files: `reduceImages` encodes a dataset and its
 * queries and scales both with the dataset's scale (`lib/data/latent_scale.ts`, spec section 0).
 *
 * Also `pca2d`, a 2-D principal-component projection of latent vectors for plotting.
 * @module
 */
import { InputError } from "../errors.ts";
import type { LatentSet } from "../data/idx.ts";
import { fitLatentScale, type LatentScale, toLatentSet } from "../data/latent_scale.ts";

/** A 2-D PCA projection. */
export interface Pca2d {
  /** `count × 2` coordinates (first, second component), row after row. */
  points: Float64Array;
  /** The two principal axes (unit vectors of length `dim`). */
  components: [Float64Array, Float64Array];
  /** Fraction of the total variance along each axis. */
  explainedVarianceRatio: [number, number];
  /** Mean vector that was subtracted. */
  mean: Float64Array;
}

/**
 * Projects `count × dim` vectors (row after row) on their two principal components. Deterministic:
 * the covariance is diagonalised with cyclic Jacobi rotations, and each axis's sign is chosen so its
 * largest-magnitude coordinate is positive.
 */
export function pca2d(values: ArrayLike<number>, dim: number): Pca2d {
  if (!Number.isInteger(dim) || dim <= 0) throw new InputError(`pca2d: dim ${dim} must be an integer > 0`);
  if (values.length % dim !== 0) {
    throw new InputError(`pca2d: ${values.length} values are not a multiple of ${dim}`);
  }
  const count = values.length / dim;
  if (count < 2) throw new InputError(`pca2d: needs at least 2 vectors, got ${count}`);
  const mean = new Float64Array(dim);
  for (let i = 0; i < count; i++) for (let j = 0; j < dim; j++) mean[j] += values[i * dim + j];
  for (let j = 0; j < dim; j++) mean[j] /= count;
  const cov = new Float64Array(dim * dim);
  const row = new Float64Array(dim);
  for (let i = 0; i < count; i++) {
    for (let j = 0; j < dim; j++) row[j] = values[i * dim + j] - mean[j];
    for (let a = 0; a < dim; a++) {
      const ra = row[a];
      if (ra === 0) continue;
      for (let b = a; b < dim; b++) cov[a * dim + b] += ra * row[b];
    }
  }
  for (let a = 0; a < dim; a++) {
    for (let b = a; b < dim; b++) {
      cov[a * dim + b] /= count - 1;
      cov[b * dim + a] = cov[a * dim + b];
    }
  }
  const { eigenvalues, eigenvectors } = jacobiEigen(cov, dim);
  const order = Array.from({ length: dim }, (_, i) => i).sort((x, y) => eigenvalues[y] - eigenvalues[x]);
  const total = eigenvalues.reduce((s, v) => s + Math.max(0, v), 0);
  const axis = (k: number): Float64Array => {
    const v = new Float64Array(dim);
    if (k >= dim) return v;
    let largest = 0;
    for (let j = 0; j < dim; j++) {
      v[j] = eigenvectors[j * dim + order[k]];
      if (Math.abs(v[j]) > Math.abs(largest)) largest = v[j];
    }
    if (largest < 0) { for (let j = 0; j < dim; j++) v[j] = -v[j]; }
    return v;
  };
  const components: [Float64Array, Float64Array] = [axis(0), axis(1)];
  const points = new Float64Array(count * 2);
  for (let i = 0; i < count; i++) {
    let p0 = 0;
    let p1 = 0;
    for (let j = 0; j < dim; j++) {
      const centred = values[i * dim + j] - mean[j];
      p0 += centred * components[0][j];
      p1 += centred * components[1][j];
    }
    points[2 * i] = p0;
    points[2 * i + 1] = p1;
  }
  const ratio = (k: number) => (k < dim && total > 0 ? Math.max(0, eigenvalues[order[k]]) / total : 0);
  return { points, components, explainedVarianceRatio: [ratio(0), ratio(1)], mean };
}

/** Eigen-decomposition of a symmetric matrix by cyclic Jacobi rotations (columns of `eigenvectors`). */
function jacobiEigen(matrix: Float64Array, n: number): { eigenvalues: number[]; eigenvectors: Float64Array } {
  const a = matrix.slice();
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let diag = 0;
    for (let p = 0; p < n; p++) {
      diag += a[p * n + p] * a[p * n + p];
      for (let q = p + 1; q < n; q++) off += a[p * n + q] * a[p * n + q];
    }
    if (off <= 1e-24 * diag || off === 0) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p];
          const akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k];
          const aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p];
          const vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  return { eigenvalues: Array.from({ length: n }, (_, i) => a[i * n + i]), eigenvectors: v };
}

/** Latent files' contents for a dataset and its queries, on one shared scale. */
export interface ReducedSets {
  /** The dataset's latent vectors, scaled to 0..25500. */
  dataset: LatentSet;
  /** The queries' latent vectors, on the dataset's scale (clipped). */
  queries: LatentSet;
  /** The scale: min/max of the dataset's float latent values. */
  scale: LatentScale;
}

/** Something that maps images to float latent vectors (e.g. an `Autoencoder`). */
export interface LatentEncoder {
  /** Latent vector size. */
  readonly latentDim: number;
  /** `count × latentDim` float32 values. */
  encode(images: { count: number; rows: number; cols: number; pixels: Uint8Array }): Promise<Float32Array>;
}

/**
 * Encodes `dataset` and `queries`, fits the scale on the dataset's values only, and applies it to
 * both (spec section 0), so a query equal to a dataset image gets the same integer vector.
 */
export async function reduceImages(
  encoder: LatentEncoder,
  sets: {
    dataset: { count: number; rows: number; cols: number; pixels: Uint8Array };
    queries: { count: number; rows: number; cols: number; pixels: Uint8Array };
  },
): Promise<ReducedSets> {
  const dim = encoder.latentDim;
  if (!Number.isInteger(dim) || dim <= 0) throw new InputError(`latent dim: ${dim} must be an integer > 0`);
  const datasetValues = await encoder.encode(sets.dataset);
  const scale = fitLatentScale(datasetValues);
  const dataset = toLatentSet(datasetValues, dim, { scale });
  const queries = toLatentSet(await encoder.encode(sets.queries), dim, { scale });
  return { dataset, queries, scale };
}
