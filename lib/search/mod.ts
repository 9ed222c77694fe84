/**
 * Nearest-neighbour search under L1: exact index (WebAssembly SIMD, Workers), LSH index (shifted grids
 * or Cauchy projections, multi-probe, collision counting), the three-way comparison of the `search`
 * tool, its output format and quality figures, and the Python peers (faiss, pynndescent) for comparisons.
 *
 * @example The exact L1 nearest neighbour of one query
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildExactIndex } from "./mod.ts";
 *
 * const data = Uint8Array.of(0, 0, 0, 10, 10, 10, 200, 200, 200); // three 3-d points
 * const index = await buildExactIndex(data, 3, { workers: 1 });
 * try {
 *   const result = await index.search(Uint8Array.of(9, 12, 10), { k: 1 });
 *   assert.equal(result.indices[0], 1);
 *   assert.equal(result.distances[0], 3);
 * } finally {
 *   index.close();
 * }
 * ```
 * @module
 */
export * from "./exact.ts";
export * from "./lsh.ts";
export * from "./metrics.ts";
export * from "./output.ts";
export * from "./compare.ts";
export * from "./lsh_parallel.ts";
export * from "./lsh_timing.ts";
export * from "./peers.ts";
