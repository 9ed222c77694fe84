import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { initBackend } from "../../lib/nn/backend.ts";
import { InputError } from "../../lib/errors.ts";
import { WASM_KERNEL_CONFIGS } from "../../lib/nn/kernels/mod.ts";

async function withStderrCapture<T>(f: () => Promise<T>): Promise<{ result: T; lines: string[] }> {
  const lines: string[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => void lines.push(args.map(String).join(" "));
  try {
    return { result: await f(), lines };
  } finally {
    console.error = original;
  }
}

Deno.test("forced cpu: warns loudly once, registers no kernels, idempotent", async () => {
  const first = await withStderrCapture(() => initBackend({ backend: "cpu" }));
  assert.equal(first.result.name, "cpu");
  assert.equal(first.result.forced, true);
  assert.deepEqual(first.result.customKernels, []);
  assert.equal(first.lines.length, 1);
  assert.match(first.lines[0], /WARNING.*cpu/);
  assert.equal(tf.getBackend(), "cpu");
  const second = await withStderrCapture(() => initBackend({ backend: "cpu" }));
  assert.equal(second.result, first.result, "same BackendInfo object");
  assert.equal(second.lines.length, 0, "printed again");
});

Deno.test("forced wasm: SIMD binary from node_modules, latentlab kernels registered once", async () => {
  const first = await withStderrCapture(() => initBackend({ backend: "wasm" }));
  const info = first.result;
  assert.equal(info.name, "wasm");
  assert.equal(tf.getBackend(), "wasm");
  assert.equal(typeof info.simd, "boolean");
  assert.deepEqual(info.customKernels, WASM_KERNEL_CONFIGS.map((c) => c.kernelName));
  assert.equal(first.lines.length, 1);
  assert.match(
    first.lines[0],
    new RegExp(`tfjs backend = wasm .*${WASM_KERNEL_CONFIGS.length} latentlab kernels`),
  );
  for (const config of WASM_KERNEL_CONFIGS) {
    assert.equal(tf.getKernel(config.kernelName, "wasm")?.kernelFunc, config.kernelFunc);
  }
  // Switching away and back re-activates without printing or re-registering.
  await initBackend({ backend: "cpu", quiet: true });
  const again = await withStderrCapture(() => initBackend({ backend: "wasm" }));
  assert.equal(again.result, info);
  assert.equal(again.lines.length, 0);
  assert.equal(tf.getBackend(), "wasm");
  const y = tf.tidy(() => tf.matMul(tf.ones([2, 3]), tf.ones([2, 3]), false, true).dataSync());
  assert.deepEqual(Array.from(y), [3, 3, 3, 3]);
});

Deno.test("a backend is announced once even when reached by another request", async () => {
  await withStderrCapture(() => initBackend({ backend: "wasm" })); // announced (here or earlier)
  const { result, lines } = await withStderrCapture(() => initBackend({ backend: "auto" }));
  if (result.name === "wasm") assert.deepEqual(lines, []);
  else assert.equal(lines.length, 1); // a machine with tfjs-node or a real GPU
});

Deno.test("LATENTLAB_BACKEND selects the backend; bad names are input errors", async () => {
  const saved = Deno.env.get("LATENTLAB_BACKEND");
  try {
    Deno.env.set("LATENTLAB_BACKEND", "CPU");
    assert.equal((await initBackend({ quiet: true })).name, "cpu");
    Deno.env.set("LATENTLAB_BACKEND", "wasm");
    assert.equal((await initBackend({ quiet: true })).name, "wasm");
    Deno.env.set("LATENTLAB_BACKEND", "tpu");
    await assert.rejects(() => initBackend({ quiet: true }), InputError);
  } finally {
    if (saved === undefined) Deno.env.delete("LATENTLAB_BACKEND");
    else Deno.env.set("LATENTLAB_BACKEND", saved);
  }
});

Deno.test("automatic choice never settles for cpu when wasm works, and says why", async () => {
  const saved = Deno.env.get("LATENTLAB_BACKEND");
  Deno.env.delete("LATENTLAB_BACKEND");
  try {
    const info = await initBackend({ quiet: true });
    assert.equal(info.forced, false);
    assert.ok(["tensorflow", "webgpu", "wasm"].includes(info.name), info.name);
    if (info.name === "wasm") assert.match(info.reason, /tensorflow: .*webgpu: /);
  } finally {
    if (saved !== undefined) Deno.env.set("LATENTLAB_BACKEND", saved);
  }
});

Deno.test("a forced backend that cannot start is an error, not a silent fallback", async () => {
  // tfjs-node is not a dependency of latentlab, so forcing it must fail here.
  await assert.rejects(() => initBackend({ backend: "tensorflow", quiet: true }), /tensorflow was forced/);
  await initBackend({ backend: "wasm", quiet: true });
  assert.equal(tf.getBackend(), "wasm");
});

Deno.test("gradients are registered (tfjs-core alone registers none)", async () => {
  await initBackend({ backend: "wasm", quiet: true });
  const g = tf.tidy(() => tf.grad((x: tf.Tensor) => tf.sum(tf.square(x)))(tf.tensor([1, 2, 3])).dataSync());
  assert.deepEqual(Array.from(g), [2, 4, 6]);
});
