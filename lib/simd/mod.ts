/**
 * Exact L1 (Manhattan) distance kernels for uint8 pixels and int16 latent vectors.
 *
 * - {@linkcode l1DistanceBlockReference}: plain TypeScript reference.
 * - {@linkcode l1DistanceBlock}: same results, WebAssembly SIMD on the calling thread (synchronous).
 * - {@linkcode createL1Engine}: parallel engine (Workers + shared wasm memory) with `distances`,
 *   `knn` and `close`.
 * @module
 */
export { l1DistanceBlock, l1DistanceBlockReference, type L1Vectors } from "./l1.ts";
export type { L1Kind } from "./_wasm.ts";
export { createL1Engine, type KnnResult, type L1Engine, type L1EngineOptions } from "./engine.ts";
