/**
 * Replacement and added kernels for the tfjs `wasm` backend (tfjs 4.22) that make conv-net training
 * practical on a CPU: the missing `Conv2DBackpropFilter`, a fast `Conv2DBackpropInput`, a
 * `BatchMatMul` without the slow transpose flags, a one-pass `MaxPoolGrad`, a `Sum` over leading
 * axes without a transpose and an `Identity` that does not copy. Each one is checked against the tfjs `cpu` backend in
 * `tests/nn/kernels_test.ts`.
 * @module
 */
import { getKernel, type KernelConfig, registerKernel, unregisterKernel } from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-wasm";
import { captureOriginal } from "./_wasm.ts";
import { conv2DBackpropFilterConfig, conv2DBackpropInputConfig } from "./conv.ts";
import { batchMatMulConfig } from "./matmul.ts";
import { maxPoolGradConfig } from "./pool.ts";
import { sumConfig } from "./reduce.ts";
import { identityConfig } from "./identity.ts";

export {
  type BackpropFilterMethod,
  conv2DBackpropFilterConfig,
  conv2DBackpropInputConfig,
  setBackpropFilterMethod,
} from "./conv.ts";
export { batchMatMulConfig } from "./matmul.ts";
export { maxPoolGradConfig } from "./pool.ts";
export { sumConfig } from "./reduce.ts";
export { identityConfig } from "./identity.ts";
export { createFusedAdam, type FusedAdam, FusedAdamOptimizer, type FusedAdamOptions } from "./adam.ts";

/** The kernels used inside the replacements, captured before anything is replaced. */
const USED = [
  "Conv2D",
  "Transpose",
  "Slice",
  "Reshape",
  "Reverse",
  "BatchMatMul",
  "MaxPoolGrad",
  "Sum",
  "Identity",
];

/** Every kernel config that {@linkcode registerWasmKernels} installs for backend `wasm`. */
export const WASM_KERNEL_CONFIGS: readonly KernelConfig[] = [
  conv2DBackpropFilterConfig,
  conv2DBackpropInputConfig,
  batchMatMulConfig,
  maxPoolGradConfig,
  sumConfig,
  identityConfig,
];

let registered = false;

/**
 * Registers the replacement kernels for backend `wasm` (once per process; later calls do nothing) and
 * returns their names. Call it before or after the backend is initialised.
 */
export function registerWasmKernels(): string[] {
  if (!registered) {
    for (const name of USED) captureOriginal(name);
    for (const config of WASM_KERNEL_CONFIGS) {
      const original = getKernel(config.kernelName, "wasm");
      if (original) unregisterKernel(config.kernelName, "wasm");
      // The original's setup (which binds its wasm function) must still run when the backend starts.
      registerKernel({ ...config, setupFunc: original?.setupFunc });
    }
    registered = true;
  }
  return WASM_KERNEL_CONFIGS.map((config) => config.kernelName);
}

/** Whether {@linkcode registerWasmKernels} has run in this process. */
export function wasmKernelsRegistered(): boolean {
  return registered;
}
