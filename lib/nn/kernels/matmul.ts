/**
 * Replacement wasm `BatchMatMul`: with a transpose flag the tfjs wasm kernel runs ~10x slower than
 * without, so a flagged operand is transposed explicitly first and the kernel runs with both flags off.
 * @module
 */
import type { BatchMatMulAttrs, KernelConfig, KernelFunc, TensorInfo } from "@tensorflow/tfjs-core";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { free, runOriginal, transpose } from "./_wasm.ts";

function swapLastTwo(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return perm;
}

function batchMatMul(
  args: { inputs: Record<string, TensorInfo>; backend: BackendWasm; attrs: BatchMatMulAttrs },
) {
  const { backend, attrs } = args;
  const { a, b } = args.inputs;
  if (!attrs.transposeA && !attrs.transposeB) {
    return runOriginal(backend, "BatchMatMul", { a, b }, { transposeA: false, transposeB: false });
  }
  const made: TensorInfo[] = [];
  const aa = attrs.transposeA ? transpose(backend, a, swapLastTwo(a.shape.length)) : a;
  const bb = attrs.transposeB ? transpose(backend, b, swapLastTwo(b.shape.length)) : b;
  if (aa !== a) made.push(aa);
  if (bb !== b) made.push(bb);
  const out = runOriginal(backend, "BatchMatMul", { a: aa, b: bb }, { transposeA: false, transposeB: false });
  free(backend, ...made);
  return out;
}

/** Kernel config of the replacement `BatchMatMul` for backend `wasm`. */
export const batchMatMulConfig: KernelConfig = {
  kernelName: "BatchMatMul",
  backendName: "wasm",
  kernelFunc: batchMatMul as unknown as KernelFunc,
};
