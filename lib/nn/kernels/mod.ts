/**
 * Replacement and added kernels for the tfjs `wasm` backend (tfjs 4.22) that make conv-net training
 * practical on a CPU: the missing `Conv2DBackpropFilter`, a fast `Conv2DBackpropInput`, a
 * `BatchMatMul` without the slow transpose flags, a one-pass `MaxPoolGrad`, a `Sum` over leading
 * axes without a transpose, an `Identity` that does not copy, bias and scalar broadcasts of `Add`,
 * `Sub`, `Multiply` in one SIMD pass, and a one-kernel ReLU gradient. Each one is checked against the tfjs `cpu` backend in
 * `tests/nn/kernels_test.ts`.
 * @module
 */
import {
  getKernel,
  type KernelConfig,
  registerGradient,
  registerKernel,
  unregisterKernel,
} from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-wasm";
import { captureOriginal } from "./_wasm.ts";
import { conv2DBackpropFilterConfig, conv2DBackpropInputConfig } from "./conv.ts";
import { batchMatMulConfig, fusedMatMulConfig } from "./matmul.ts";
import { maxPoolGradConfig } from "./pool.ts";
import { sumConfig } from "./reduce.ts";
import { identityConfig } from "./identity.ts";
import { addConfig, multiplyConfig, reluGradConfigs, reluGradientConfig, subConfig } from "./elementwise.ts";

export {
  type BackpropFilterMethod,
  conv2DBackpropFilterConfig,
  conv2DBackpropInputConfig,
  setBackpropFilterMethod,
} from "./conv.ts";
export { batchMatMulConfig, fusedMatMulConfig, SMALL_PRODUCT_ROWS } from "./matmul.ts";
export { maxPoolGradConfig } from "./pool.ts";
export { sumConfig } from "./reduce.ts";
export { identityConfig } from "./identity.ts";
export {
  addConfig,
  multiplyConfig,
  RELU_GRAD,
  reluGradConfigs,
  reluGradientConfig,
  subConfig,
} from "./elementwise.ts";
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
  "Add",
  "Sub",
  "Multiply",
  "_FusedMatMul",
  "Relu",
];

/** Every kernel config that {@linkcode registerWasmKernels} installs for backend `wasm`. */
export const WASM_KERNEL_CONFIGS: readonly KernelConfig[] = [
  conv2DBackpropFilterConfig,
  conv2DBackpropInputConfig,
  batchMatMulConfig,
  maxPoolGradConfig,
  sumConfig,
  identityConfig,
  addConfig,
  subConfig,
  multiplyConfig,
  reluGradConfigs[0],
  fusedMatMulConfig,
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
    // The fused ReLU gradient also runs on cpu (the gradient registry is shared by all backends).
    for (const config of reluGradConfigs.filter((c) => c.backendName !== "wasm")) {
      if (!getKernel(config.kernelName, config.backendName)) registerKernel(config);
    }
    registerGradient(reluGradientConfig);
    registered = true;
  }
  return WASM_KERNEL_CONFIGS.map((config) => config.kernelName);
}

/** Whether {@linkcode registerWasmKernels} has run in this process. */
export function wasmKernelsRegistered(): boolean {
  return registered;
}
