/**
 * Replacement wasm `Identity`: shares the input's data (one more reference) instead of copying it,
 * as the tfjs `cpu` backend does and as the wasm `Reshape` already does. tfjs-layers calls Identity
 * around most ops while recording gradients, so on a conv net the copies cost several percent of a
 * training step. Safe because tfjs tensors are immutable: no kernel writes into its inputs, and
 * `Variable.assign` swaps data ids rather than writing in place. String tensors use the original.
 * @module
 */
import type { IdentityInputs, KernelConfig, KernelFunc, TensorInfo } from "@tensorflow/tfjs-core";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { runOriginal } from "./_wasm.ts";

function identity(args: { inputs: IdentityInputs; backend: BackendWasm }): TensorInfo {
  const { backend } = args;
  const x = args.inputs.x as TensorInfo;
  if (x.dtype === "string") return runOriginal(backend, "Identity", { x });
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/** Kernel config of the replacement `Identity` for backend `wasm`. */
export const identityConfig: KernelConfig = {
  kernelName: "Identity",
  backendName: "wasm",
  kernelFunc: identity as unknown as KernelFunc,
};
