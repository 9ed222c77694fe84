/**
 * Elementwise kernels of a training step that tfjs-wasm 4.22 runs through slow generic loops:
 * - `Add`, `Sub`, `Multiply` where one operand is broadcast along the last axis (a conv or dense
 *   bias, `[C]` or `[1, 1, 1, C]`) or is a single value (the scalars of a loss gradient): one SIMD
 *   pass instead of tfjs-wasm's per-element index arithmetic. Other shapes run the original kernel.
 * - The ReLU gradient, `dy · step(x)`, which tfjs computes as three kernels (`Step`, `Cast`,
 *   `Multiply`): one kernel, `LatentlabReluGrad`, registered for `wasm` (SIMD) and `cpu` (a loop), and
 *   used by a replacement ReLU gradient on those backends (elsewhere the gradient is tfjs's).
 * @module
 */
import {
  backend_util,
  type BinaryInputs,
  cast,
  engine,
  getBackend,
  type GradConfig,
  type KernelConfig,
  type KernelFunc,
  mul,
  step,
  type Tensor,
  type TensorInfo,
  util,
} from "@tensorflow/tfjs-core";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { heapF32, runOriginal } from "./_wasm.ts";
import { pointer, simdKernels } from "./_simd.ts";

const OPS = { Add: 0, Sub: 1, Multiply: 2 } as const;
const REVERSED_SUB = 3;

/** The size of the last axis `small` is broadcast along, when it is a bias-like operand of `big`. */
function biasLike(big: number[], small: number[]): number | undefined {
  const size = util.sizeFromShape(small);
  if (size === 1) return 1;
  const last = small[small.length - 1];
  if (last !== big[big.length - 1] || size !== last) return undefined;
  return last;
}

function applyScalar(op: number, x: number, y: number): number {
  return op === 0 ? x + y : op === 1 ? x - y : op === 2 ? x * y : y - x;
}

function binaryKernel(name: keyof typeof OPS): KernelFunc {
  return ((args: { inputs: BinaryInputs; backend: BackendWasm }) => {
    const { backend } = args;
    const a = args.inputs.a as TensorInfo;
    const b = args.inputs.b as TensorInfo;
    const original = () => runOriginal(backend, name, { a, b });
    if (a.dtype !== "float32" || b.dtype !== "float32") return original();
    const sizeA = util.sizeFromShape(a.shape);
    const sizeB = util.sizeFromShape(b.shape);
    if (sizeA === sizeB) return original();
    const [big, small, swapped] = sizeA > sizeB ? [a, b, false] : [b, a, true];
    const c = biasLike(big.shape, small.shape);
    const outShape = backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
    if (c === undefined || util.sizeFromShape(outShape) !== util.sizeFromShape(big.shape)) return original();
    let op: number = OPS[name];
    if (swapped && op === OPS.Sub) op = REVERSED_SUB;
    const out = backend.makeOutput(outShape, "float32");
    const rows = util.sizeFromShape(big.shape) / c;
    const simd = simdKernels(backend);
    if (simd) {
      simd.broadcastLast(op, pointer(backend, big), pointer(backend, small), pointer(backend, out), rows, c);
      return out;
    }
    const x = heapF32(backend, big);
    const y = heapF32(backend, small);
    const o = heapF32(backend, out);
    for (let r = 0, at = 0; r < rows; r++) {
      for (let k = 0; k < c; k++, at++) o[at] = applyScalar(op, x[at], y[k]);
    }
    return out;
  }) as unknown as KernelFunc;
}

/** Kernel config of the replacement `Add` for backend `wasm`. */
export const addConfig: KernelConfig = {
  kernelName: "Add",
  backendName: "wasm",
  kernelFunc: binaryKernel("Add"),
};

/** Kernel config of the replacement `Sub` for backend `wasm`. */
export const subConfig: KernelConfig = {
  kernelName: "Sub",
  backendName: "wasm",
  kernelFunc: binaryKernel("Sub"),
};

/** Kernel config of the replacement `Multiply` for backend `wasm`. */
export const multiplyConfig: KernelConfig = {
  kernelName: "Multiply",
  backendName: "wasm",
  kernelFunc: binaryKernel("Multiply"),
};

/** Name of the fused ReLU-gradient kernel. */
export const RELU_GRAD = "LatentlabReluGrad";

/** `dy · step(x)` on the wasm backend (SIMD, or a loop without the helper module). */
function reluGradWasm(args: { inputs: { dy: TensorInfo; x: TensorInfo }; backend: BackendWasm }): TensorInfo {
  const { backend } = args;
  const { dy, x } = args.inputs;
  const out = backend.makeOutput(x.shape, "float32");
  const n = util.sizeFromShape(x.shape);
  const simd = simdKernels(backend);
  if (simd) {
    simd.reluGrad(pointer(backend, dy), pointer(backend, x), pointer(backend, out), n);
    return out;
  }
  const g = heapF32(backend, dy);
  const v = heapF32(backend, x);
  const o = heapF32(backend, out);
  for (let i = 0; i < n; i++) o[i] = g[i] * (v[i] > 0 ? 1 : 0);
  return out;
}

interface CpuBackendLike {
  data: { get(dataId: unknown): { values: Float32Array } };
  makeTensorInfo(shape: number[], dtype: string, values: Float32Array): TensorInfo;
}

/** `dy · step(x)` on the cpu backend. */
function reluGradCpu(
  args: { inputs: { dy: TensorInfo; x: TensorInfo }; backend: CpuBackendLike },
): TensorInfo {
  const { backend } = args;
  const { dy, x } = args.inputs;
  const g = backend.data.get(dy.dataId).values;
  const v = backend.data.get(x.dataId).values;
  const o = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) o[i] = g[i] * (v[i] > 0 ? 1 : 0);
  return backend.makeTensorInfo(x.shape, "float32", o);
}

/** Kernel configs of `LatentlabReluGrad` for `wasm` and `cpu`. */
export const reluGradConfigs: readonly KernelConfig[] = [
  { kernelName: RELU_GRAD, backendName: "wasm", kernelFunc: reluGradWasm as unknown as KernelFunc },
  { kernelName: RELU_GRAD, backendName: "cpu", kernelFunc: reluGradCpu as unknown as KernelFunc },
];

/**
 * The ReLU gradient: one `LatentlabReluGrad` kernel on `wasm` and `cpu` (float32), tfjs's
 * `dy · cast(step(x))` elsewhere. Same values either way.
 */
export const reluGradientConfig: GradConfig = {
  kernelName: "Relu",
  inputsToSave: ["x"],
  gradFunc: (dy: Tensor | Tensor[], saved: Tensor[]) => {
    const [x] = saved;
    const g = dy as Tensor;
    const backend = getBackend();
    if ((backend === "wasm" || backend === "cpu") && x.dtype === "float32" && g.dtype === "float32") {
      return { x: () => engine().runKernel(RELU_GRAD, { dy: g, x }) as Tensor };
    }
    return { x: () => mul(g, cast(step(x), "float32")) };
  },
};
