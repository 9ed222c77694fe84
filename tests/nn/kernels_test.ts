import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { initBackend } from "../../lib/nn/backend.ts";
import {
  registerWasmKernels,
  setBackpropFilterMethod,
  WASM_KERNEL_CONFIGS,
} from "../../lib/nn/kernels/mod.ts";
import { setSimdKernelsEnabled, simdKernels } from "../../lib/nn/kernels/_simd.ts";
import { createFusedAdam, FusedAdamOptimizer } from "../../lib/nn/kernels/adam.ts";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { createRandom } from "../../lib/util/random.ts";

await initBackend({ backend: "wasm", quiet: true });
registerWasmKernels();

const TOLERANCE = 1e-5;

function randomArray(n: number, seed: number): Float32Array {
  const random = createRandom(seed);
  return Float32Array.from({ length: n }, () => random.next() * 2 - 1);
}

/** Runs `f` on `backend` and returns the values of its outputs. */
async function on(backend: "cpu" | "wasm", f: () => tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const outs = tf.tidy(f);
  const values = outs.map((t) => t.dataSync() as Float32Array);
  tf.dispose(outs);
  return values;
}

/** max |a - b| / max |b|: relative error in the maximum norm (tiny entries cannot blow it up). */
function relativeError(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  assert.ok(scale > 0, "reference is all zeros: the check would be vacuous");
  return diff / scale;
}

/** Compares `f` on wasm (with the SIMD helper kernels, then with the TypeScript loops) against cpu. */
async function compare(label: string, f: () => tf.Tensor[]): Promise<void> {
  const cpu = await on("cpu", f);
  for (const simd of [true, false]) {
    setSimdKernelsEnabled(simd);
    try {
      const wasm = await on("wasm", f);
      assert.equal(wasm.length, cpu.length);
      for (let i = 0; i < wasm.length; i++) {
        const error = relativeError(wasm[i], cpu[i]);
        assert.ok(
          error <= TOLERANCE,
          `${label} output ${i} ${simd ? "[simd]" : "[ts]"}: relative error ${error.toExponential(2)}`,
        );
      }
    } finally {
      setSimdKernelsEnabled(true);
    }
  }
  await tf.setBackend("wasm");
}

/** Asserts that `f` run on wasm leaves no tensor data behind (intermediates freed). */
async function assertNoLeak(f: () => tf.Tensor[]): Promise<void> {
  await tf.setBackend("wasm");
  tf.dispose(tf.tidy(f)); // warm-up
  const backend = tf.backend() as unknown as { numDataIds(): number };
  const before = backend.numDataIds();
  tf.dispose(tf.tidy(f));
  assert.equal(backend.numDataIds(), before, "wasm data ids leaked");
}

type Pad = "same" | "valid" | number;
interface ConvCase {
  n: number;
  h: number;
  w: number;
  ci: number;
  kh: number;
  kw: number;
  co: number;
  stride: number;
  pad: Pad;
}

const CONV_CASES: ConvCase[] = [
  { n: 2, h: 8, w: 8, ci: 3, kh: 3, kw: 3, co: 4, stride: 1, pad: "same" },
  { n: 2, h: 9, w: 7, ci: 2, kh: 3, kw: 3, co: 5, stride: 2, pad: "same" },
  { n: 2, h: 9, w: 9, ci: 2, kh: 3, kw: 3, co: 3, stride: 2, pad: "valid" },
  { n: 1, h: 11, w: 10, ci: 3, kh: 5, kw: 5, co: 2, stride: 3, pad: "same" },
  { n: 2, h: 11, w: 11, ci: 1, kh: 5, kw: 4, co: 3, stride: 3, pad: "valid" },
  { n: 3, h: 7, w: 7, ci: 4, kh: 1, kw: 1, co: 6, stride: 1, pad: "valid" },
  { n: 2, h: 7, w: 8, ci: 3, kh: 1, kw: 1, co: 2, stride: 2, pad: "same" },
  { n: 2, h: 6, w: 6, ci: 2, kh: 2, kw: 2, co: 3, stride: 2, pad: "valid" },
  { n: 2, h: 10, w: 9, ci: 3, kh: 4, kw: 2, co: 2, stride: 1, pad: "same" },
  { n: 1, h: 13, w: 13, ci: 2, kh: 5, kw: 5, co: 4, stride: 1, pad: "valid" },
  { n: 2, h: 8, w: 8, ci: 2, kh: 3, kw: 3, co: 3, stride: 2, pad: 1 },
  { n: 2, h: 28, w: 28, ci: 1, kh: 3, kw: 3, co: 4, stride: 2, pad: "same" },
  { n: 3, h: 9, w: 10, ci: 1, kh: 3, kw: 3, co: 8, stride: 1, pad: "same" },
  { n: 2, h: 9, w: 9, ci: 2, kh: 2, kw: 2, co: 4, stride: 2, pad: "valid" },
  { n: 2, h: 11, w: 10, ci: 1, kh: 4, kw: 4, co: 8, stride: 3, pad: "same" },
  // Ci ≥ 4: the 4×4 register-transpose path of the SIMD im2col.
  { n: 2, h: 9, w: 11, ci: 5, kh: 3, kw: 3, co: 4, stride: 1, pad: "same" },
  { n: 2, h: 10, w: 13, ci: 8, kh: 3, kw: 3, co: 3, stride: 2, pad: "same" },
  { n: 1, h: 12, w: 14, ci: 6, kh: 5, kw: 5, co: 2, stride: 3, pad: "valid" },
  // Co ≥ 16: the 16-channel register blocks of the direct filter gradient (with 4-wide and scalar
  // tails, odd and even Ci), and the shapes of the autoencoders.
  { n: 2, h: 10, w: 9, ci: 1, kh: 3, kw: 3, co: 16, stride: 2, pad: "same" },
  { n: 2, h: 9, w: 9, ci: 3, kh: 5, kw: 5, co: 20, stride: 2, pad: "same" },
  { n: 2, h: 8, w: 7, ci: 4, kh: 3, kw: 3, co: 33, stride: 1, pad: "valid" },
  { n: 2, h: 14, w: 14, ci: 16, kh: 5, kw: 5, co: 32, stride: 2, pad: "same" },
  { n: 2, h: 28, w: 28, ci: 1, kh: 3, kw: 3, co: 32, stride: 1, pad: "same" },
];

function convLabel(c: ConvCase): string {
  return `${c.n}x${c.h}x${c.w}x${c.ci} k${c.kh}x${c.kw} co${c.co} s${c.stride} ${c.pad}`;
}

Deno.test("the replacement kernels are the ones registered for wasm", () => {
  assert.equal(WASM_KERNEL_CONFIGS.length, 11);
  for (const config of WASM_KERNEL_CONFIGS) {
    assert.equal(tf.getKernel(config.kernelName, "wasm")?.kernelFunc, config.kernelFunc, config.kernelName);
  }
});

Deno.test("the SIMD helper kernels load into the tfjs-wasm heap", async () => {
  await tf.setBackend("wasm");
  const kernels = simdKernels(tf.backend() as unknown as BackendWasm);
  assert.ok(kernels, "SIMD kernels unavailable: only the TypeScript loops would be tested");
  assert.equal(typeof kernels.maxPoolGrad, "function");
});

Deno.test("conv2d gradients (Conv2DBackpropInput, Conv2DBackpropFilter) match cpu", async (t) => {
  let seed = 1;
  for (const c of CONV_CASES) {
    const xData = randomArray(c.n * c.h * c.w * c.ci, seed++);
    const wData = randomArray(c.kh * c.kw * c.ci * c.co, seed++);
    const f = () => {
      const x = tf.tensor4d(xData, [c.n, c.h, c.w, c.ci]);
      const w = tf.tensor4d(wData, [c.kh, c.kw, c.ci, c.co]);
      const y = tf.conv2d(x, w, c.stride, c.pad as "same");
      const r = tf.tensor(randomArray(y.size, 99), y.shape);
      const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad as "same"), r))
      )([x, w]);
      return [y, dx, dw];
    };
    await t.step(convLabel(c), async () => {
      for (const method of ["direct", "im2col", "dilated"] as const) {
        setBackpropFilterMethod(method);
        try {
          await compare(`${convLabel(c)} filter-grad ${method}`, f);
        } finally {
          setBackpropFilterMethod("auto");
        }
      }
    });
  }
});

Deno.test("conv2dTranspose forward and gradients match cpu", async (t) => {
  let seed = 100;
  for (const c of CONV_CASES.filter((c) => typeof c.pad === "string")) {
    // conv2dTranspose maps [n, oh, ow, co] back to [n, h, w, ci] with filter [kh, kw, ci, co].
    const probe = tf.conv2d(
      tf.zeros([1, c.h, c.w, c.ci]) as tf.Tensor4D,
      tf.zeros([c.kh, c.kw, c.ci, c.co]) as tf.Tensor4D,
      c.stride,
      c.pad as "same",
    );
    const [, oh, ow] = probe.shape;
    probe.dispose();
    const dyData = randomArray(c.n * oh * ow * c.co, seed++);
    const wData = randomArray(c.kh * c.kw * c.ci * c.co, seed++);
    const outShape: [number, number, number, number] = [c.n, c.h, c.w, c.ci];
    const f = () => {
      const d = tf.tensor4d(dyData, [c.n, oh, ow, c.co]);
      const w = tf.tensor4d(wData, [c.kh, c.kw, c.ci, c.co]);
      const y = tf.conv2dTranspose(d, w, outShape, c.stride, c.pad as "same");
      const r = tf.tensor(randomArray(y.size, 7), y.shape);
      const [dd, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(
          tf.mul(
            tf.conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, outShape, c.stride, c.pad as "same"),
            r,
          ),
        )
      )([d, w]);
      return [y, dd, dw];
    };
    await t.step(convLabel(c), async () => {
      await compare(`convT ${convLabel(c)}`, f);
    });
  }
});

Deno.test("transposed BatchMatMul variants match cpu", async () => {
  const shapes: Array<[number[], number[]]> = [
    [[5, 7], [7, 3]],
    [[2, 6, 4], [2, 4, 9]],
    [[3, 5, 8], [1, 8, 2]],
    // ≤ 32 rows, no batch axis: the SIMD helper (4-row and 8-column blocks with every kind of tail).
    [[16, 200], [200, 64]],
    [[13, 37], [37, 21]],
    [[1, 1, 33], [1, 33, 9]],
    [[32, 5], [5, 1]],
    [[33, 10], [10, 6]],
  ];
  let seed = 300;
  for (const [aShape, bShape] of shapes) {
    for (const transposeA of [false, true]) {
      for (const transposeB of [false, true]) {
        const sa = transposeA ? [...aShape.slice(0, -2), aShape.at(-1)!, aShape.at(-2)!] : aShape;
        const sb = transposeB ? [...bShape.slice(0, -2), bShape.at(-1)!, bShape.at(-2)!] : bShape;
        const aData = randomArray(sa.reduce((p, v) => p * v, 1), seed++);
        const bData = randomArray(sb.reduce((p, v) => p * v, 1), seed++);
        const f = () => [tf.matMul(tf.tensor(aData, sa), tf.tensor(bData, sb), transposeA, transposeB)];
        await compare(`matMul ${sa} x ${sb} tA=${transposeA} tB=${transposeB}`, f);
      }
    }
  }
});

Deno.test("fused matMul (bias, linear or ReLU) matches cpu, other activations too", async () => {
  let seed = 350;
  for (const [m, k, n] of [[16, 40, 24], [7, 9, 5], [48, 12, 8]]) {
    for (const activation of ["linear", "relu", "elu"] as const) {
      for (const transposeB of [false, true]) {
        const aData = randomArray(m * k, seed++);
        const bData = randomArray(k * n, seed++);
        const biasData = randomArray(n, seed++);
        await compare(`fused ${m}x${k}x${n} ${activation} tB=${transposeB}`, () => [
          tf.fused.matMul({
            a: tf.tensor2d(aData, [m, k]),
            b: tf.tensor2d(bData, transposeB ? [n, k] : [k, n]),
            bias: tf.tensor1d(biasData),
            activation,
            transposeB,
          }),
        ]);
      }
    }
  }
});

Deno.test("dense-layer gradients (matMul with transposes) match cpu", async () => {
  const xData = randomArray(16 * 30, 5);
  const wData = randomArray(30 * 7, 6);
  await compare("dense grads", () => {
    const x = tf.tensor2d(xData, [16, 30]);
    const w = tf.tensor2d(wData, [30, 7]);
    const r = tf.tensor(randomArray(16 * 7, 8), [16, 7]);
    return tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D), r))
    )([x, w]);
  });
});

Deno.test("MaxPoolGrad matches cpu (non-overlapping, odd sizes, ties, overlapping, padding)", async (t) => {
  const cases: Array<
    {
      shape: [number, number, number, number];
      size: number;
      stride: number;
      pad: "same" | "valid";
      ties?: boolean;
    }
  > = [
    { shape: [2, 8, 8, 3], size: 2, stride: 2, pad: "valid" },
    { shape: [2, 7, 9, 2], size: 2, stride: 2, pad: "valid" },
    { shape: [2, 7, 9, 2], size: 2, stride: 2, pad: "same" },
    { shape: [1, 9, 10, 4], size: 3, stride: 3, pad: "valid" },
    { shape: [2, 6, 6, 5], size: 2, stride: 2, pad: "valid", ties: true },
    { shape: [2, 9, 9, 3], size: 3, stride: 2, pad: "same" },
    { shape: [2, 10, 8, 3], size: 3, stride: 2, pad: "same" },
    { shape: [2, 9, 9, 2], size: 3, stride: 1, pad: "valid" },
    { shape: [2, 8, 8, 2], size: 3, stride: 2, pad: "same", ties: true },
    // 2×2, stride 2, tiling, channels in fours: the branch-free path.
    { shape: [2, 6, 8, 8], size: 2, stride: 2, pad: "valid" },
    { shape: [3, 4, 4, 4], size: 2, stride: 2, pad: "same", ties: true },
  ];
  let seed = 500;
  for (const c of cases) {
    const n = c.shape.reduce((p, v) => p * v, 1);
    const random = createRandom(seed++);
    const xData = c.ties ? Float32Array.from({ length: n }, () => random.int(3)) : randomArray(n, seed++);
    const label = `${c.shape} pool${c.size} s${c.stride} ${c.pad}${c.ties ? " ties" : ""}`;
    const f = () => {
      const x = tf.tensor4d(xData, c.shape);
      const y = tf.maxPool(x, c.size, c.stride, c.pad);
      const r = tf.tensor(randomArray(y.size, 9), y.shape);
      return [
        y,
        tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, c.size, c.stride, c.pad), r)))(
          x,
        ),
      ];
    };
    await t.step(label, async () => {
      await compare(label, f);
    });
  }
});

Deno.test("replacement kernels free their intermediates", async () => {
  for (const c of CONV_CASES.slice(0, 5)) {
    await assertNoLeak(() => {
      const x = tf.ones([c.n, c.h, c.w, c.ci]) as tf.Tensor4D;
      const w = tf.ones([c.kh, c.kw, c.ci, c.co]) as tf.Tensor4D;
      return tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad as "same"))
      )([x, w]);
    });
  }
  await assertNoLeak(() => [tf.matMul(tf.ones([4, 3]), tf.ones([5, 3]), false, true)]);
  await assertNoLeak(
    () => [
      tf.grad((a: tf.Tensor) => tf.sum(tf.maxPool(a as tf.Tensor4D, 2, 2, "valid")))(tf.ones([1, 4, 4, 2])),
    ],
  );
});

Deno.test("Sum over leading axes (bias gradients) and other axes matches cpu", async () => {
  const data = randomArray(4 * 5 * 6 * 7, 700);
  const x = () => tf.tensor4d(data, [4, 5, 6, 7]);
  await compare("sum [0,1,2]", () => [tf.sum(x(), [0, 1, 2])]);
  await compare("sum [0,1] keepDims", () => [tf.sum(x(), [0, 1], true)]);
  await compare("sum [1,0] unsorted", () => [tf.sum(x(), [1, 0])]);
  await compare("sum [0]", () => [tf.sum(x(), 0)]);
  await compare("sum [1,2] (original kernel)", () => [tf.sum(x(), [1, 2])]);
  await compare("sum all (original kernel)", () => [tf.sum(x())]);
  const column = randomArray(3 * 70 * 5, 703);
  await compare("sum [0,1,2] of one channel", () => [tf.sum(tf.tensor4d(column, [3, 70, 5, 1]), [0, 1, 2])]);
  await compare("bias-add gradient", () => {
    const b = tf.tensor1d(randomArray(7, 701));
    const r = tf.tensor4d(randomArray(4 * 5 * 6 * 7, 702), [4, 5, 6, 7]);
    return [tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.add(x(), v), r)))(b)];
  });
});

Deno.test("Add, Sub, Multiply with a bias or a scalar broadcast match cpu (and other shapes still work)", async () => {
  const cases: Array<[number[], number[]]> = [
    [[4, 5, 6, 7], [7]],
    [[1, 1, 1, 7], [4, 5, 6, 7]],
    [[4, 5, 6, 8], [1, 1, 1, 8]],
    [[4, 5, 6, 1], [1, 1, 1, 1]],
    [[], [3, 9]],
    [[3, 9], []],
    [[2, 13], [13]],
    [[13], [2, 13]],
    [[33, 1], [1]],
    [[4, 1], [1, 5]], // a two-sided broadcast: the original kernel
    [[2, 3], [2, 3]], // same shapes: the original kernel
    [[1, 3, 1], [2, 3, 4]], // a middle-axis broadcast: the original kernel
  ];
  let seed = 720;
  for (const [sa, sb] of cases) {
    const a = randomArray(Math.max(1, sa.reduce((p, v) => p * v, 1)), seed++);
    const b = randomArray(Math.max(1, sb.reduce((p, v) => p * v, 1)), seed++);
    await compare(`[${sa}] op [${sb}]`, () => {
      const x = tf.tensor(a, sa);
      const y = tf.tensor(b, sb);
      return [tf.add(x, y), tf.sub(x, y), tf.mul(x, y)];
    });
  }
});

Deno.test("the one-kernel ReLU gradient equals dy · step(x) (tfjs's three kernels) on cpu", async () => {
  for (const shape of [[2, 5, 5, 3], [9], [4, 7]]) {
    const n = shape.reduce((p, v) => p * v, 1);
    const xs = randomArray(n, 740 + n);
    xs[0] = 0; // step(0) = 0
    const dys = randomArray(n, 760 + n);
    await tf.setBackend("cpu");
    const want = tf.tidy(() =>
      tf.mul(tf.tensor(dys, shape), tf.cast(tf.step(tf.tensor(xs, shape)), "float32")).dataSync()
    );
    for (const backend of ["cpu", "wasm"] as const) {
      for (const simd of [true, false]) {
        setSimdKernelsEnabled(simd);
        try {
          const got = (await on(backend, () => {
            const dy = tf.tensor(dys, shape);
            return [tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.relu(v), dy)))(tf.tensor(xs, shape))];
          }))[0];
          assert.deepEqual(
            Array.from(got),
            Array.from(want),
            `${backend} ${simd ? "[simd]" : "[ts]"} [${shape}]`,
          );
        } finally {
          setSimdKernelsEnabled(true);
        }
      }
    }
  }
  await tf.setBackend("wasm");
});

Deno.test("Identity shares data without copying and survives disposal of its source", async () => {
  await tf.setBackend("wasm");
  const backend = tf.backend() as unknown as { numDataIds(): number };
  const source = tf.tensor2d([1, 2, 3, 4], [2, 2]);
  const before = backend.numDataIds();
  const copy = tf.clone(source);
  assert.equal(backend.numDataIds(), before, "Identity allocated new data");
  source.dispose();
  assert.deepEqual(Array.from(copy.dataSync()), [1, 2, 3, 4]);
  copy.dispose();
  assert.equal(backend.numDataIds(), before - 1);
  const v = tf.variable(tf.tensor1d([1, 2]));
  const snapshot = tf.clone(v);
  v.assign(tf.tensor1d([5, 6]));
  assert.deepEqual(Array.from(snapshot.dataSync()), [1, 2], "assign changed a clone");
  assert.deepEqual(Array.from(v.dataSync()), [5, 6]);
  tf.dispose([v, snapshot]);
});

Deno.test("fused Adam gives the same weights as tf.train.adam", async () => {
  await tf.setBackend("wasm");
  const shapes = [[3, 5], [7], [2, 2, 3, 4]];
  const initial = shapes.map((shape, i) => randomArray(shape.reduce((a, b) => a * b, 1), 800 + i));
  const reference = shapes.map((shape, i) => tf.variable(tf.tensor(initial[i], shape)));
  const fused = shapes.map((shape, i) => tf.variable(tf.tensor(initial[i], shape)));
  const adam = createFusedAdam(fused, { learningRate: 0.01 });
  assert.ok(adam, "fused Adam unavailable on wasm");
  const optimizer = tf.train.adam(0.01);
  const total = initial.reduce((n, a) => n + a.length, 0);
  for (let step = 0; step < 4; step++) {
    const flat = randomArray(total, 900 + step);
    let at = 0;
    const named = reference.map((v) => {
      const tensor = tf.tensor(flat.subarray(at, at + v.size), v.shape);
      at += v.size;
      return { name: v.name, tensor };
    });
    optimizer.applyGradients(named);
    tf.dispose(named.map((n) => n.tensor));
    adam.applyGradients(flat);
  }
  for (let i = 0; i < shapes.length; i++) {
    const a = fused[i].dataSync();
    const b = reference[i].dataSync();
    let diff = 0;
    for (let k = 0; k < a.length; k++) diff = Math.max(diff, Math.abs(a[k] - b[k]));
    assert.ok(diff <= 1e-7, `variable ${i}: max difference ${diff}`);
    assert.notDeepEqual(Array.from(a), Array.from(initial[i]), "weights did not move");
  }
  adam.dispose();
  optimizer.dispose();
  tf.dispose([...reference, ...fused]);
});

Deno.test("FusedAdamOptimizer.minimize matches tf.train.adam on wasm (fused) and cpu (fallback)", async () => {
  for (const backendName of ["wasm", "cpu"] as const) {
    await tf.setBackend(backendName);
    const xData = randomArray(6 * 5, 1000);
    const wData = randomArray(5 * 3, 1001);
    const run = (optimizer: tf.Optimizer) => {
      const w = tf.variable(tf.tensor2d(wData, [5, 3]));
      const b = tf.variable(tf.zeros([3]));
      const x = tf.tensor2d(xData, [6, 5]);
      for (let step = 0; step < 3; step++) {
        optimizer.minimize(() => tf.sum(tf.square(tf.add(tf.matMul(x, w), b))) as tf.Scalar);
      }
      const out = [w.dataSync().slice(), b.dataSync().slice()] as Float32Array[];
      tf.dispose([w, b, x]);
      return out;
    };
    const fused = new FusedAdamOptimizer({ learningRate: 0.05 });
    const got = run(fused);
    const want = run(tf.train.adam(0.05));
    assert.equal(fused.iterations, 3);
    fused.dispose();
    for (let i = 0; i < got.length; i++) {
      const error = relativeError(got[i], want[i]);
      assert.ok(error <= 1e-6, `${backendName} variable ${i}: relative error ${error}`);
    }
  }
  await tf.setBackend("wasm");
});
