/**
 * Replacement wasm `BatchMatMul` and `_FusedMatMul`:
 * - With a transpose flag the tfjs wasm kernel runs ~10x slower than without, so a flagged operand
 *   is transposed explicitly first and the kernel runs with both flags off.
 * - A product with few rows (≤ 32: a dense layer on a small batch or shard, or the weight gradient of
 *   a narrow layer; no batch axis) is computed by the SIMD helper module directly: XNNPACK packs the right-hand matrix on every call (the
 *   weights change every step, so its cache never hits), which for a 1024×200 weight costs more than
 *   the product itself. `_FusedMatMul` (a dense layer's forward pass) then adds the bias and applies
 *   a linear or ReLU activation; other activations run the original kernel, with explicitly
 *   transposed operands (its `transposeB` disagrees with cpu in tfjs-wasm 4.22: relative error 0.18).
 * @module
 */
import {
  backend_util,
  type BatchMatMulAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
  util,
} from "@tensorflow/tfjs-core";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { free, runOriginal, transpose } from "./_wasm.ts";
import { pointer, simdKernels } from "./_simd.ts";

/** Most rows of a product that the SIMD helper computes (more: XNNPACK's packing pays off). */
export const SMALL_PRODUCT_ROWS = 32;

function swapLastTwo(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return perm;
}

/**
 * a·b, a·bᵀ or aᵀ·b by the SIMD helper when it applies (no batch axis, ≤ 32 rows of the product;
 * a transposed `a` is transposed explicitly first, a small copy).
 */
function smallProduct(
  backend: BackendWasm,
  a: TensorInfo,
  b: TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
): TensorInfo | undefined {
  if (a.dtype !== "float32" || b.dtype !== "float32" || (transposeA && transposeB)) return undefined;
  const rankA = a.shape.length;
  const rankB = b.shape.length;
  if (rankA < 2 || rankB < 2) return undefined;
  if (util.sizeFromShape(a.shape.slice(0, -2)) !== 1 || util.sizeFromShape(b.shape.slice(0, -2)) !== 1) {
    return undefined;
  }
  const m = transposeA ? a.shape[rankA - 1] : a.shape[rankA - 2];
  const k = transposeA ? a.shape[rankA - 2] : a.shape[rankA - 1];
  const n = transposeB ? b.shape[rankB - 2] : b.shape[rankB - 1];
  const inner = transposeB ? b.shape[rankB - 1] : b.shape[rankB - 2];
  if (inner !== k || m < 1 || m > SMALL_PRODUCT_ROWS || k < 1 || n < 1) return undefined;
  const simd = simdKernels(backend);
  if (!simd) return undefined;
  const batch = backend_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const out = backend.makeOutput([...batch, m, n], "float32");
  const left = transposeA ? transpose(backend, a, swapLastTwo(rankA)) : a;
  (transposeB ? simd.matmulNT : simd.matmulNN)(
    pointer(backend, left),
    pointer(backend, b),
    pointer(backend, out),
    m,
    k,
    n,
  );
  if (left !== a) free(backend, left);
  return out;
}

function batchMatMul(
  args: { inputs: Record<string, TensorInfo>; backend: BackendWasm; attrs: BatchMatMulAttrs },
) {
  const { backend, attrs } = args;
  const { a, b } = args.inputs;
  const small = smallProduct(backend, a, b, attrs.transposeA, attrs.transposeB);
  if (small) return small;
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

interface FusedMatMulAttrs extends BatchMatMulAttrs {
  activation: string;
  leakyreluAlpha?: number;
}

function fusedMatMul(
  args: { inputs: Record<string, TensorInfo | undefined>; backend: BackendWasm; attrs: FusedMatMulAttrs },
) {
  const { backend, attrs } = args;
  const { a, b, bias, preluActivationWeights } = args.inputs;
  // The original kernel with its flags off (with transposeB it disagrees with cpu in tfjs-wasm 4.22).
  const original = () => {
    const aa = attrs.transposeA ? transpose(backend, a!, swapLastTwo(a!.shape.length)) : a!;
    const bb = attrs.transposeB ? transpose(backend, b!, swapLastTwo(b!.shape.length)) : b!;
    const inputs: Record<string, TensorInfo> = { a: aa, b: bb };
    if (bias) inputs.bias = bias;
    if (preluActivationWeights) inputs.preluActivationWeights = preluActivationWeights;
    const out = runOriginal(backend, "_FusedMatMul", inputs, {
      ...attrs,
      transposeA: false,
      transposeB: false,
    } as unknown as Record<string, never>);
    free(backend, ...[aa, bb].filter((t) => t !== a && t !== b));
    return out;
  };
  const activation = attrs.activation ?? "linear";
  if (preluActivationWeights || (activation !== "linear" && activation !== "relu")) return original();
  const n = attrs.transposeB ? b!.shape[b!.shape.length - 2] : b!.shape[b!.shape.length - 1];
  if (bias && (bias.dtype !== "float32" || bias.shape.length !== 1 || bias.shape[0] !== n)) return original();
  const product = smallProduct(backend, a!, b!, attrs.transposeA, attrs.transposeB);
  if (!product) return original();
  if (bias) {
    // In place: out[r, j] = out[r, j] + bias[j].
    const rows = util.sizeFromShape(product.shape) / n;
    simdKernels(backend)!.broadcastLast(
      0,
      pointer(backend, product),
      pointer(backend, bias),
      pointer(backend, product),
      rows,
      n,
    );
  }
  if (activation === "linear") return product;
  const activated = runOriginal(backend, "Relu", { x: product });
  free(backend, product);
  return activated;
}

/** Kernel config of the replacement `BatchMatMul` for backend `wasm`. */
export const batchMatMulConfig: KernelConfig = {
  kernelName: "BatchMatMul",
  backendName: "wasm",
  kernelFunc: batchMatMul as unknown as KernelFunc,
};

/** Kernel config of the replacement `_FusedMatMul` for backend `wasm`. */
export const fusedMatMulConfig: KernelConfig = {
  kernelName: "_FusedMatMul",
  backendName: "wasm",
  kernelFunc: fusedMatMul as unknown as KernelFunc,
};
