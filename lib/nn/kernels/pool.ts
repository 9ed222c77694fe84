/**
 * Replacement wasm `MaxPoolGrad`: one pass over the windows that gives each window's gradient to its
 * first maximum in row-major order (summed where windows overlap), exactly like the tfjs `cpu`
 * backend. The original tfjs-wasm 4.22 kernel is slower and, for overlapping windows with `same`
 * padding (3×3, stride 2), disagrees with `cpu` (relative error 0.16 in our test); it is kept only
 * for dilated or non-float32 pooling, which tfjs training never produces. 2×2 windows with stride 2
 * that tile the input (and channels in fours) take a branch-free SIMD path that writes each value
 * once.
 * @module
 */
import {
  backend_util,
  type KernelConfig,
  type KernelFunc,
  type MaxPoolGradAttrs,
  type TensorInfo,
} from "@tensorflow/tfjs-core";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { heapF32, runOriginal } from "./_wasm.ts";
import { pointer, simdKernels } from "./_simd.ts";

function maxPoolGrad(
  args: { inputs: Record<string, TensorInfo>; backend: BackendWasm; attrs: MaxPoolGradAttrs },
) {
  const { backend, attrs } = args;
  const { dy, input } = args.inputs;
  const info = backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const { strideHeight: sh, strideWidth: sw, effectiveFilterHeight: fh, effectiveFilterWidth: fw } = info;
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1 || input.dtype !== "float32") {
    return runOriginal(backend, "MaxPoolGrad", args.inputs, attrs as unknown as Record<string, never>);
  }
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow } = info;
  const dx = backend.makeOutput(input.shape, "float32");
  const simd = simdKernels(backend);
  if (
    simd && fh === 2 && fw === 2 && sh === 2 && sw === 2 && top === 0 && left === 0 && h === 2 * oh &&
    w === 2 * ow && c % 4 === 0
  ) {
    simd.maxPoolGrad2x2(pointer(backend, input), pointer(backend, dy), pointer(backend, dx), n, oh, ow, c);
    return dx;
  }
  if (simd) {
    simd.maxPoolGrad(
      pointer(backend, input),
      pointer(backend, dy),
      pointer(backend, dx),
      n,
      h,
      w,
      c,
      oh,
      ow,
      fh,
      fw,
      sh,
      sw,
      top,
      left,
    );
    return dx;
  }
  const out = heapF32(backend, dx);
  const x = heapF32(backend, input);
  const g = heapF32(backend, dy);
  out.fill(0);
  const offsets = new Int32Array(fh * fw);
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < oh; i++) {
      const y1 = Math.min(i * sh - top + fh, h);
      const y0 = Math.max(i * sh - top, 0);
      for (let j = 0; j < ow; j++) {
        const x1 = Math.min(j * sw - left + fw, w);
        const x0 = Math.max(j * sw - left, 0);
        // Window positions in row-major order, so that strict ">" keeps the first maximum.
        let count = 0;
        for (let y = y0; y < y1; y++) {
          for (let xx = x0; xx < x1; xx++) offsets[count++] = ((b * h + y) * w + xx) * c;
        }
        const gBase = ((b * oh + i) * ow + j) * c;
        for (let k = 0; k < c; k++) {
          let best = -Infinity;
          let at = -1;
          for (let p = 0; p < count; p++) {
            const v = x[offsets[p] + k];
            if (v > best) {
              best = v;
              at = offsets[p] + k;
            }
          }
          if (at >= 0) out[at] += g[gBase + k];
        }
      }
    }
  }
  return dx;
}

/** Kernel config of the replacement `MaxPoolGrad` for backend `wasm`. */
export const maxPoolGradConfig: KernelConfig = {
  kernelName: "MaxPoolGrad",
  backendName: "wasm",
  kernelFunc: maxPoolGrad as unknown as KernelFunc,
};
