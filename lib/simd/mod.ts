/**
 * WebAssembly SIMD: the exact L1 (Manhattan) distance kernels on uint8 pixels and int16 latent values,
 * their parallel engine, the memory API of the project's WebAssembly modules, and their build pipeline.
 * (Not to be confused with the TensorFlow.js kernels of `lib/nn/kernels/` or the Jupyter kernel client
 * of `lib/notebook/jupyter_kernel.ts`.)
 *
 * - {@linkcode l1DistanceBlockReference}: the plain TypeScript reference every kernel must equal.
 * - {@linkcode l1DistanceBlock}: the same results, WebAssembly SIMD on the calling thread (synchronous).
 * - {@linkcode createL1Engine}: the parallel engine (Workers of the worker pool on one shared memory)
 *   with `distances`, `knn` and `close`.
 * - The memory API (`memory.ts`): {@linkcode createSharedMemory}, {@linkcode ensureMemory},
 *   {@linkcode layOutDataRows}, {@linkcode writeRows}, {@linkcode rowStride}, {@linkcode align16},
 *   {@linkcode MEMORY_BASE}, {@linkcode compileEmbeddedWasm} and {@linkcode instantiateWasm}: how callers lay out data in a
 *   module's memory (the LSH index of `lib/search/` builds its tables with it).
 * - `build.ts`: compiles the AssemblyScript sources (`asm/l1.ts` here, `lib/search/asm/lsh.ts`,
 *   `lib/nn/kernels/assembly/kernels.as`) into the committed `_*_wasm.ts` modules; run it after editing a
 *   source (a test compares).
 *
 * @example Distances on the calling thread and the k nearest rows on Workers
 * ```ts
 * import assert from "node:assert/strict";
 * import { createL1Engine, l1DistanceBlock, l1DistanceBlockReference } from "./mod.ts";
 *
 * const data = Uint8Array.of(0, 0, 10, 10, 250, 250); // three 2-d rows
 * const query = Uint8Array.of(9, 12);
 * assert.deepEqual(l1DistanceBlock(query, data, 2), Uint32Array.of(21, 3, 479));
 * assert.deepEqual(l1DistanceBlock(query, data, 2), l1DistanceBlockReference(query, data, 2));
 *
 * const engine = await createL1Engine(data, 2, { workers: 1 });
 * try {
 *   const { indices, distances } = await engine.knn(query, 2);
 *   assert.deepEqual(Array.from(indices), [1, 0]);
 *   assert.deepEqual(Array.from(distances), [3, 21]);
 * } finally {
 *   engine.close();
 * }
 * ```
 * @module
 */
export { l1DistanceBlock, l1DistanceBlockReference } from "./l1.ts";
export { createL1Engine, type KnnResult, type L1Engine, type L1EngineOptions } from "./engine.ts";
export {
  align16,
  compileEmbeddedWasm,
  createSharedMemory,
  type DataRows,
  ensureMemory,
  instantiateWasm,
  kindOf,
  type L1Kind,
  type L1Vectors,
  layOutDataRows,
  MAX_PAGES,
  MEMORY_BASE,
  rowCount,
  rowStride,
  writeRows,
} from "./memory.ts";
