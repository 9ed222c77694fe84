/**
 * Replacement wasm `Sum` for reductions over the leading axes (bias gradients: dy [N,H,W,C] summed
 * to [C]). The tfjs wasm kernel first transposes the reduced axes to the end, a full copy that costs
 * more than the sum; here it is one pass over x (SIMD; float32 blocks of 32 rows folded into float64
 * accumulators). Other reductions run the original kernel.
 * @module
 */
import {
  backend_util,
  type KernelConfig,
  type KernelFunc,
  type SumAttrs,
  type TensorInfo,
  util,
} from "@tensorflow/tfjs-core";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { free, heapF32, runOriginal } from "./_wasm.ts";
import { pointer, simdKernels } from "./_simd.ts";

function sum(
  args: { inputs: Record<string, TensorInfo>; backend: BackendWasm; attrs: SumAttrs },
): TensorInfo {
  const { backend, attrs } = args;
  const { x } = args.inputs;
  const rank = x.shape.length;
  const axes = util.parseAxisParam(attrs.axis, x.shape).sort((a, b) => a - b);
  const leading = axes.length > 0 && axes.length < rank && axes.every((a, i) => a === i);
  if (!leading || x.dtype !== "float32") {
    return runOriginal(backend, "Sum", args.inputs, attrs as unknown as Record<string, never>);
  }
  const m = util.sizeFromShape(x.shape.slice(0, axes.length));
  const c = util.sizeFromShape(x.shape.slice(axes.length));
  const outShape = x.shape.slice(axes.length);
  const shape = attrs.keepDims ? backend_util.expandShapeToKeepDim(outShape, axes) : outShape;
  const out = backend.makeOutput(shape, "float32");
  const simd = simdKernels(backend);
  if (simd && c === 1) {
    simd.sumAll(pointer(backend, x), m, pointer(backend, out));
    return out;
  }
  if (simd) {
    const scratch = backend.makeOutput([2 * c], "float32"); // c float64 accumulators
    simd.sumRows(pointer(backend, x), m, c, pointer(backend, scratch), pointer(backend, out));
    free(backend, scratch);
    return out;
  }
  const acc = new Float64Array(c);
  const src = heapF32(backend, x);
  for (let row = 0, base = 0; row < m; row++, base += c) {
    for (let k = 0; k < c; k++) acc[k] += src[base + k];
  }
  heapF32(backend, out).set(acc);
  return out;
}

/** Kernel config of the replacement `Sum` for backend `wasm`. */
export const sumConfig: KernelConfig = {
  kernelName: "Sum",
  backendName: "wasm",
  kernelFunc: sum as unknown as KernelFunc,
};
