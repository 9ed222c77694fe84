/**
 * Nearest-neighbour search under L1: exact index (WebAssembly SIMD, Workers), LSH index (shifted grids
 * or Cauchy projections, multi-probe, collision counting), the three-way comparison of the `search`
 * tool, its output format and quality figures, and the Python peers (faiss, pynndescent) for comparisons.
 * @module
 */
export * from "./exact.ts";
export * from "./lsh.ts";
export * from "./metrics.ts";
export * from "./output.ts";
export * from "./compare.ts";
export * from "./lsh_parallel.ts";
export * from "./peers.ts";
