/**
 * Replacement wasm kernels for the two convolution gradients:
 * - `Conv2DBackpropFilter` (absent from tfjs-backend-wasm 4.22): a transposed im2col gathered by the
 *   SIMD helper module, then one matrix product dW = colsᵀ · dy without transpose flags. The other
 *   recipe (one Conv2D dilated by the stride, batch as channels, dy as the filter) is kept selectable
 *   with {@linkcode setBackpropFilterMethod}; it measured 1.2–4x slower on the reference models.
 * - `Conv2DBackpropInput` (a plain loop in tfjs-backend-wasm; also the forward pass of
 *   `conv2dTranspose`): stride 1 is a Conv2D with the filter reversed and its channels swapped;
 *   larger strides are one matrix product (dy × filterᵀ) followed by a col2im scatter-add, which
 *   does no work on the zeros that a zero-insertion approach would multiply.
 * @module
 */
import {
  backend_util,
  type Conv2DBackpropFilterAttrs,
  type Conv2DBackpropInputAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from "@tensorflow/tfjs-core";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { free, heapF32, reshape, runOriginal, transpose } from "./_wasm.ts";
import { pointer, simdKernels } from "./_simd.ts";

interface KernelArgs<A> {
  inputs: Record<string, TensorInfo>;
  backend: BackendWasm;
  attrs: A;
}

function assertChannelsLast(dataFormat: string, kernel: string): void {
  if (dataFormat !== "NHWC") {
    throw new Error(`${kernel} (wasm): only dataFormat NHWC is supported, got ${dataFormat}`);
  }
}

/** How `Conv2DBackpropFilter` is computed (exported for benchmarks and tests). */
export type BackpropFilterMethod = "auto" | "direct" | "im2col" | "dilated";

let filterMethod: BackpropFilterMethod = "auto";

/** Chooses the `Conv2DBackpropFilter` algorithm (default `"auto"`); for benchmarks and tests. */
export function setBackpropFilterMethod(method: BackpropFilterMethod): void {
  filterMethod = method;
}

/** dW[kh,kw,Ci,Co] of `conv2d(x, W)` from x [N,H,W,Ci] and dy [N,oh,ow,Co]. */
function conv2DBackpropFilter(args: KernelArgs<Conv2DBackpropFilterAttrs>): TensorInfo {
  const { backend, attrs } = args;
  const { x, dy } = args.inputs;
  assertChannelsLast(attrs.dataFormat, "Conv2DBackpropFilter");
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterShape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
  );
  const method = filterMethod === "auto" ? "direct" : filterMethod;
  if (method === "direct") return backpropFilterDirect(backend, x, dy, info);
  return method === "im2col"
    ? backpropFilterIm2Col(backend, x, dy, info)
    : backpropFilterDilated(backend, x, dy, info);
}

/** dW accumulated straight from x and dy (SIMD; no im2col matrix, no matrix product). */
function backpropFilterDirect(
  backend: BackendWasm,
  x: TensorInfo,
  dy: TensorInfo,
  info: backend_util.Conv2DInfo,
): TensorInfo {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outChannels: co } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const { outHeight: oh, outWidth: ow } = info;
  const dw = backend.makeOutput([kh, kw, ci, co], "float32");
  const simd = simdKernels(backend);
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  if (simd) {
    simd.convFilterGrad(
      pointer(backend, x),
      pointer(backend, dy),
      pointer(backend, dw),
      n,
      h,
      w,
      ci,
      oh,
      ow,
      co,
      kh,
      kw,
      sh,
      sw,
      top,
      left,
    );
    return dw;
  }
  const xs = heapF32(backend, x);
  const g = heapF32(backend, dy);
  const out = heapF32(backend, dw);
  out.fill(0);
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < oh; i++) {
      for (let ky = 0; ky < kh; ky++) {
        const y = i * sh - top + ky;
        if (y < 0 || y >= h) continue;
        for (let j = 0; j < ow; j++) {
          const gBase = ((b * oh + i) * ow + j) * co;
          for (let kx = 0; kx < kw; kx++) {
            const xx = j * sw - left + kx;
            if (xx < 0 || xx >= w) continue;
            const xBase = ((b * h + y) * w + xx) * ci;
            const tap = (ky * kw + kx) * ci * co;
            for (let c = 0; c < ci; c++) {
              const v = xs[xBase + c];
              const row = tap + c * co;
              for (let o = 0; o < co; o++) out[row + o] += v * g[gBase + o];
            }
          }
        }
      }
    }
  }
  return dw;
}

/** dW = colsᵀ · dy, with colsᵀ [kh·kw·Ci, N·oh·ow] gathered straight from x (transposed im2col). */
function backpropFilterIm2Col(
  backend: BackendWasm,
  x: TensorInfo,
  dy: TensorInfo,
  info: backend_util.Conv2DInfo,
): TensorInfo {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outChannels: co } = info;
  const {
    filterHeight: kh,
    filterWidth: kw,
    strideHeight: sh,
    strideWidth: sw,
    outHeight: oh,
    outWidth: ow,
  } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const k = kh * kw * ci;
  const m = n * oh * ow;
  const colsT = backend.makeOutput([1, k, m], "float32");
  const simd = simdKernels(backend);
  if (simd) {
    simd.im2colT(
      pointer(backend, x),
      pointer(backend, colsT),
      n,
      h,
      w,
      ci,
      oh,
      ow,
      kh,
      kw,
      sh,
      sw,
      top,
      left,
    );
  } else {
    im2colTransposedLoop(heapF32(backend, x), heapF32(backend, colsT), info);
  }
  const dy2 = reshape(backend, dy, [1, m, co]);
  const product = runOriginal(backend, "BatchMatMul", { a: colsT, b: dy2 }, {
    transposeA: false,
    transposeB: false,
  });
  free(backend, colsT, dy2);
  const dw = reshape(backend, product, [kh, kw, ci, co]);
  free(backend, product);
  return dw;
}

function im2colTransposedLoop(src: Float32Array, cols: Float32Array, info: backend_util.Conv2DInfo): void {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci } = info;
  const {
    filterHeight: kh,
    filterWidth: kw,
    strideHeight: sh,
    strideWidth: sw,
    outHeight: oh,
    outWidth: ow,
  } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const m = n * oh * ow;
  let row = 0;
  for (let b0 = 0; b0 < n; b0++) {
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++, row++) {
        for (let ky = 0; ky < kh; ky++) {
          const y = i * sh - top + ky;
          const inY = y >= 0 && y < h;
          for (let kx = 0; kx < kw; kx++) {
            const xx = j * sw - left + kx;
            let d = ((ky * kw + kx) * ci) * m + row;
            if (!inY || xx < 0 || xx >= w) {
              for (let c = 0; c < ci; c++, d += m) cols[d] = 0;
              continue;
            }
            const s = ((b0 * h + y) * w + xx) * ci;
            for (let c = 0; c < ci; c++, d += m) cols[d] = src[s + c];
          }
        }
      }
    }
  }
}

/** dW as one Conv2D in which the batch is the channel axis and dy the filter, dilated by the stride. */
function backpropFilterDilated(
  backend: BackendWasm,
  x: TensorInfo,
  dy: TensorInfo,
  info: backend_util.Conv2DInfo,
): TensorInfo {
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const { inHeight, inWidth, outHeight: oh, outWidth: ow } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  let bottom = kh + (oh - 1) * sh - inHeight - top;
  let right = kw + (ow - 1) * sw - inWidth - left;
  // Batch becomes channels: [Ci, H, W, N]; dy becomes the filter [oh, ow, N, Co].
  let xT = transpose(backend, x, [3, 1, 2, 0]);
  if (bottom < 0 || right < 0) {
    const [ci, h, w, n] = xT.shape;
    const sliced = runOriginal(backend, "Slice", { x: xT }, {
      begin: [0, 0, 0, 0],
      size: [ci, h + Math.min(bottom, 0), w + Math.min(right, 0), n],
    });
    free(backend, xT);
    xT = sliced;
    bottom = Math.max(bottom, 0);
    right = Math.max(right, 0);
  }
  const dyT = transpose(backend, dy, [1, 2, 0, 3]);
  const product = runOriginal(backend, "Conv2D", { x: xT, filter: dyT }, {
    strides: [1, 1],
    pad: [[0, 0], [top, bottom], [left, right], [0, 0]],
    dataFormat: "NHWC",
    dilations: [sh, sw],
    dimRoundingMode: undefined,
  } as unknown as Record<string, unknown> as never);
  free(backend, xT, dyT);
  const dw = transpose(backend, product, [1, 2, 0, 3]);
  free(backend, product);
  return dw;
}

/** dx [N,H,W,Ci] of `conv2d(x, W)` from dy [N,oh,ow,Co] and W [kh,kw,Ci,Co]. */
function conv2DBackpropInput(args: KernelArgs<Conv2DBackpropInputAttrs>): TensorInfo {
  const { backend, attrs } = args;
  const { dy, filter } = args.inputs;
  assertChannelsLast(attrs.dataFormat, "Conv2DBackpropInput");
  const info = backend_util.computeConv2DInfo(
    attrs.inputShape as [number, number, number, number],
    filter.shape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
  );
  return info.strideHeight === 1 && info.strideWidth === 1
    ? backpropInputStride1(backend, dy, filter, info)
    : backpropInputCol2Im(backend, dy, filter, info);
}

function backpropInputStride1(
  backend: BackendWasm,
  dy: TensorInfo,
  filter: TensorInfo,
  info: backend_util.Conv2DInfo,
): TensorInfo {
  const { filterHeight: kh, filterWidth: kw, inHeight, inWidth, outHeight: oh, outWidth: ow } = info;
  const top = kh - 1 - info.padInfo.top;
  const left = kw - 1 - info.padInfo.left;
  const bottom = inHeight - oh + kh - 1 - top;
  const right = inWidth - ow + kw - 1 - left;
  if (top < 0 || left < 0 || bottom < 0 || right < 0) {
    return backpropInputCol2Im(backend, dy, filter, info);
  }
  const reversed = runOriginal(backend, "Reverse", { x: filter }, { dims: [0, 1] });
  const swapped = transpose(backend, reversed, [0, 1, 3, 2]);
  free(backend, reversed);
  const dx = runOriginal(backend, "Conv2D", { x: dy, filter: swapped }, {
    strides: [1, 1],
    pad: [[0, 0], [top, bottom], [left, right], [0, 0]],
    dataFormat: "NHWC",
    dilations: [1, 1],
    dimRoundingMode: undefined,
  } as unknown as Record<string, unknown> as never);
  free(backend, swapped);
  return dx;
}

function backpropInputCol2Im(
  backend: BackendWasm,
  dy: TensorInfo,
  filter: TensorInfo,
  info: backend_util.Conv2DInfo,
): TensorInfo {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outChannels: co } = info;
  const {
    filterHeight: kh,
    filterWidth: kw,
    strideHeight: sh,
    strideWidth: sw,
    outHeight: oh,
    outWidth: ow,
  } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const k = kh * kw * ci;
  // cols[n,i,j,ky,kx,c] = Σ_o dy[n,i,j,o] · W[ky,kx,c,o]
  const w2 = reshape(backend, filter, [k, co]);
  const wT = transpose(backend, w2, [1, 0]);
  free(backend, w2);
  const a = reshape(backend, dy, [1, n * oh * ow, co]);
  const b = reshape(backend, wT, [1, co, k]);
  const cols = runOriginal(backend, "BatchMatMul", { a, b }, { transposeA: false, transposeB: false });
  free(backend, a, b, wT);
  const dx = backend.makeOutput([n, h, w, ci], "float32");
  const simd = simdKernels(backend);
  if (simd) {
    simd.col2im(pointer(backend, cols), pointer(backend, dx), n, h, w, ci, oh, ow, kh, kw, sh, sw, top, left);
  } else {
    col2imLoop(heapF32(backend, cols), heapF32(backend, dx), info);
  }
  free(backend, cols);
  return dx;
}

function col2imLoop(src: Float32Array, out: Float32Array, info: backend_util.Conv2DInfo): void {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci } = info;
  const {
    filterHeight: kh,
    filterWidth: kw,
    strideHeight: sh,
    strideWidth: sw,
    outHeight: oh,
    outWidth: ow,
  } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const k = kh * kw * ci;
  out.fill(0);
  for (let b0 = 0; b0 < n; b0++) {
    for (let i = 0; i < oh; i++) {
      for (let ky = 0; ky < kh; ky++) {
        const y = i * sh - top + ky;
        if (y < 0 || y >= h) continue;
        for (let j = 0; j < ow; j++) {
          const rowBase = ((b0 * oh + i) * ow + j) * k + ky * kw * ci;
          for (let kx = 0; kx < kw; kx++) {
            const x = j * sw - left + kx;
            if (x < 0 || x >= w) continue;
            const s = rowBase + kx * ci;
            const d = ((b0 * h + y) * w + x) * ci;
            for (let c = 0; c < ci; c++) out[d + c] += src[s + c];
          }
        }
      }
    }
  }
}

/** Kernel config of the replacement `Conv2DBackpropFilter` for backend `wasm`. */
export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: "Conv2DBackpropFilter",
  backendName: "wasm",
  kernelFunc: conv2DBackpropFilter as unknown as KernelFunc,
};

/** Kernel config of the replacement `Conv2DBackpropInput` for backend `wasm`. */
export const conv2DBackpropInputConfig: KernelConfig = {
  kernelName: "Conv2DBackpropInput",
  backendName: "wasm",
  kernelFunc: conv2DBackpropInput as unknown as KernelFunc,
};
