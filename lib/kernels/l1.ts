/**
 * Manhattan (L1) distances between integer vectors: uint8 pixels or int16 latent values. This file
 * holds the plain typed-array reference; faster kernels (WebAssembly SIMD, Workers) must give
 * identical results.
 * @module
 */

/** Vectors stored back to back: uint8 pixels or int16 latent values. */
export type L1Vectors = Uint8Array | Int16Array;

/**
 * Fills `out[q * n + j]` with the L1 distance between query `q` and data vector `j`, where
 * `n = data.length / dim`. Exact integer arithmetic (uint32 results; 784×255 and 200×25500 both fit).
 */
export function l1DistanceBlockReference(
  queries: L1Vectors,
  data: L1Vectors,
  dim: number,
  out?: Uint32Array,
): Uint32Array {
  const queryCount = queries.length / dim;
  const dataCount = data.length / dim;
  const result = out ?? new Uint32Array(queryCount * dataCount);
  for (let q = 0; q < queryCount; q++) {
    const qo = q * dim;
    for (let j = 0; j < dataCount; j++) {
      const jo = j * dim;
      let sum = 0;
      for (let t = 0; t < dim; t++) {
        const d = queries[qo + t] - data[jo + t];
        sum += d < 0 ? -d : d;
      }
      result[q * dataCount + j] = sum;
    }
  }
  return result;
}
