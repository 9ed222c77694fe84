import assert from "node:assert/strict";
import { pca2d, reduceImages } from "../../lib/nn/latent.ts";
import { InputError } from "../../lib/errors.ts";

Deno.test("reduceImages: the scale comes from the dataset only; equal images give equal vectors", async () => {
  const encoder = {
    latentDim: 2,
    encode: (images: { count: number; pixels: Uint8Array }) => {
      const out = new Float32Array(images.count * 2);
      for (let i = 0; i < images.count; i++) {
        [out[2 * i], out[2 * i + 1]] = [images.pixels[i], -images.pixels[i]];
      }
      return Promise.resolve(out);
    },
  };
  const reduced = await reduceImages(encoder, {
    dataset: { count: 3, rows: 1, cols: 1, pixels: Uint8Array.from([10, 20, 30]) },
    queries: { count: 2, rows: 1, cols: 1, pixels: Uint8Array.from([20, 200]) },
  });
  assert.deepEqual(reduced.scale, { min: -30, max: 30 });
  assert.deepEqual(
    Array.from(reduced.queries.values.subarray(0, 2)),
    Array.from(reduced.dataset.values.subarray(2, 4)),
  );
  assert.deepEqual(Array.from(reduced.queries.values.subarray(2)), [25500, 0]);
});

Deno.test("pca2d: recovers the principal axes of a known distribution", () => {
  // Points along (1, 1, 0)/sqrt2 with spread 10, along (1, -1, 0)/sqrt2 with spread 1, plus an offset.
  const values: number[] = [];
  const n = 200;
  for (let i = 0; i < n; i++) {
    const a = 10 * Math.cos(i * 0.7), b = Math.sin(i * 1.3);
    values.push(5 + (a + b) / Math.SQRT2, -3 + (a - b) / Math.SQRT2, 1);
  }
  const result = pca2d(values, 3);
  const [c0, c1] = result.components;
  assert.ok(Math.abs(Math.abs(c0[0]) - Math.SQRT1_2) < 1e-3 && Math.abs(c0[0] - c0[1]) < 1e-3, `${c0}`);
  assert.ok(Math.abs(c1[0] + c1[1]) < 1e-3 && Math.abs(c1[2]) < 1e-9, `${c1}`);
  assert.ok(result.explainedVarianceRatio[0] > 0.98);
  assert.ok(Math.abs(result.explainedVarianceRatio[0] + result.explainedVarianceRatio[1] - 1) < 1e-9);
  assert.ok(
    Math.abs(result.mean[0] - (5 + values.filter((_, i) => i % 3 === 0).reduce((s, v) => s + v - 5, 0) / n)) <
      1e-9,
  );
  // Projections reproduce the centred points' variance along each axis.
  let variance0 = 0;
  for (let i = 0; i < n; i++) variance0 += result.points[2 * i] ** 2;
  assert.ok(variance0 / (n - 1) > 40);
  assert.deepEqual(pca2d(values, 3).points, result.points); // deterministic
  assert.throws(() => pca2d([1, 2, 3], 2), InputError);
});
