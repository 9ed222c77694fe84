/**
 * Loads the AssemblyScript SIMD helper kernels (`assembly/kernels.as`) into the tfjs-wasm heap: the
 * module imports the backend's own `WebAssembly.Memory`, so it reads and writes tensors in place by
 * their heap offsets. When that memory is not reachable (another tfjs build) or WebAssembly SIMD is
 * unavailable, callers use their plain TypeScript loops instead.
 * @module
 */
import type { TensorInfo } from "@tensorflow/tfjs-core";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { compileEmbeddedWasm } from "../../simd/memory.ts";
import { SIMD_KERNELS_WASM_BASE64 } from "./_simd_wasm.ts";

/** The exported functions of the SIMD module (pointers are byte offsets on the tfjs heap). */
export interface SimdKernels {
  sumRows(src: number, rows: number, c: number, scratch: number, out: number): void;
  maxPoolGrad(...args: number[]): void;
  maxPoolGrad2x2(x: number, dy: number, dx: number, n: number, oh: number, ow: number, c: number): void;
  col2im(...args: number[]): void;
  im2colT(...args: number[]): void;
  convFilterGrad(...args: number[]): void;
  broadcastLast(op: number, a: number, b: number, out: number, rows: number, c: number): void;
  reluGrad(dy: number, x: number, out: number, n: number): void;
  sumAll(src: number, n: number, out: number): void;
  matmulNN(a: number, b: number, c: number, m: number, k: number, n: number): void;
  matmulNT(a: number, b: number, c: number, m: number, k: number, n: number): void;
  adam(...args: number[]): void;
}

let module: WebAssembly.Module | null | undefined;
const instances = new WeakMap<WebAssembly.Memory, SimdKernels>();
let enabled = true;

/** Turns the SIMD kernels on or off (off: the TypeScript loops run); for tests and benchmarks. */
export function setSimdKernelsEnabled(on: boolean): void {
  enabled = on;
}

/** The SIMD kernels bound to `backend`'s heap, or undefined when they cannot be used. */
export function simdKernels(backend: BackendWasm): SimdKernels | undefined {
  if (!enabled) return undefined;
  const memory = (backend.wasm as unknown as { asm?: { memory?: unknown } }).asm?.memory;
  if (!(memory instanceof WebAssembly.Memory)) return undefined;
  let instance = instances.get(memory);
  if (instance) return instance;
  if (module === undefined) {
    try {
      module = compileEmbeddedWasm(SIMD_KERNELS_WASM_BASE64);
    } catch {
      module = null; // no WebAssembly SIMD
    }
  }
  if (module === null) return undefined;
  instance = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as SimdKernels;
  instances.set(memory, instance);
  return instance;
}

/** Heap byte offset of a tensor's data. */
export function pointer(backend: BackendWasm, info: TensorInfo): number {
  return backend.dataIdMap.get(info.dataId)!.memoryOffset;
}
