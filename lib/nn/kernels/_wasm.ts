/**
 * Internals shared by the replacement wasm kernels: calling the original wasm kernels directly and
 * freeing their intermediate outputs.
 * @module
 */
import { getKernel, type KernelFunc, type NamedAttrMap, type TensorInfo } from "@tensorflow/tfjs-core";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";

const originals = new Map<string, KernelFunc>();

/** Remembers the current `wasm` kernel `name` (call before replacing it). */
export function captureOriginal(name: string): void {
  if (originals.has(name)) return;
  const config = getKernel(name, "wasm");
  if (config) originals.set(name, config.kernelFunc);
}

/** Runs the original (tfjs) wasm kernel `name`; the caller owns and must free the result. */
export function runOriginal(
  backend: BackendWasm,
  name: string,
  inputs: Record<string, TensorInfo>,
  attrs: NamedAttrMap = {},
): TensorInfo {
  const kernelFunc = originals.get(name);
  if (!kernelFunc) throw new Error(`wasm kernel ${name} was not captured`);
  return kernelFunc({ inputs, backend, attrs }) as TensorInfo;
}

/** Frees intermediate tensors made inside a kernel (reshapes only drop a reference). */
export function free(backend: BackendWasm, ...infos: TensorInfo[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}

/** Reshape without copying (adds a reference to the same data, free it like any other result). */
export function reshape(backend: BackendWasm, x: TensorInfo, shape: number[]): TensorInfo {
  return runOriginal(backend, "Reshape", { x }, { shape });
}

/** Transposes `x` by `perm` with the wasm kernel. */
export function transpose(backend: BackendWasm, x: TensorInfo, perm: number[]): TensorInfo {
  return runOriginal(backend, "Transpose", { x }, { perm });
}

/** The float32 view of a tensor on the wasm heap (take it after the last allocation: the heap may grow). */
export function heapF32(backend: BackendWasm, info: TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(info) as Float32Array;
}
