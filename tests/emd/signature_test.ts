import assert from "node:assert/strict";
import { InputError } from "../../lib/errors.ts";
import {
  firstZeroImage,
  signatureAt,
  signatureOf,
  signatureSetOf,
  weightsOf,
  windowGrid,
  ZeroMassError,
} from "../../lib/emd/signature.ts";
import { groundDistance, groundDistanceMatrix } from "../../lib/emd/ground.ts";
import { randomImages } from "./_fixtures.ts";

Deno.test("signatureOf sums windows, drops empty ones, weights sum to 1", () => {
  const pixels = new Uint8Array(16);
  pixels[0] = 10; // window (0,0)
  pixels[5] = 30; // window (0,0)
  pixels[15] = 60; // window (1,1)
  const s = signatureOf(pixels, { rows: 4, cols: 4, window: 2 });
  assert.deepEqual(Array.from(s.bins), [0, 3]);
  assert.deepEqual(Array.from(s.mass), [40, 60]);
  assert.equal(s.total, 100);
  assert.deepEqual(Array.from(weightsOf(s)), [0.4, 0.6]);
});

Deno.test("window grid: centres and Euclidean ground distance in pixels", () => {
  const grid = windowGrid(28, 28, 7);
  assert.equal(grid.bins, 16);
  assert.equal(groundDistance(grid, 0, 1), 7);
  assert.equal(groundDistance(grid, 0, 5), 7 * Math.SQRT2);
  assert.equal(groundDistance(grid, 0, 15), 7 * Math.sqrt(18));
  const a = { grid, bins: new Uint16Array([0, 15]), mass: new Float64Array([1, 1]), total: 2 };
  const b = { grid, bins: new Uint16Array([1]), mass: new Float64Array([2]), total: 2 };
  assert.deepEqual(Array.from(groundDistanceMatrix(a, b)), [7, groundDistance(grid, 15, 1)]);
});

Deno.test("window side must be positive and divide the image size", () => {
  for (const w of [0, -2, 5, 3, 1.5]) assert.throws(() => windowGrid(28, 28, w), InputError);
  for (const w of [14, 7, 4, 2, 1, 28]) assert.equal(windowGrid(28, 28, w).window, w);
});

Deno.test("all-zero image is rejected with its index (never NaN)", () => {
  const images = randomImages(5, 3, 4);
  images.pixels.fill(0, 3 * 784, 4 * 784);
  assert.equal(firstZeroImage(images), 3);
  assert.throws(() => signatureSetOf(images, { window: 4, source: "x.idx" }), (error: unknown) => {
    assert.ok(error instanceof ZeroMassError);
    assert.equal(error.index, 3);
    assert.match(error.message, /^x\.idx: image 3 is all zeros/);
    return true;
  });
  assert.throws(() => signatureOf(new Uint8Array(784), { rows: 28, cols: 28, window: 7 }), ZeroMassError);
});

Deno.test("packed signature set equals per-image signatures", () => {
  const images = randomImages(20, 9, 7);
  const set = signatureSetOf(images, { window: 7, shared: true });
  assert.ok(set.mass.buffer instanceof SharedArrayBuffer);
  for (let i = 0; i < images.count; i++) {
    const single = signatureOf(images.pixels, { rows: 28, cols: 28, window: 7, offset: i * 784 });
    const packed = signatureAt(set, i);
    assert.deepEqual(Array.from(packed.bins), Array.from(single.bins));
    assert.deepEqual(Array.from(packed.mass), Array.from(single.mass));
    assert.equal(packed.total, single.total);
  }
});
