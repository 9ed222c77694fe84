import assert from "node:assert/strict";
import { randomProjectionLatent, randomProjectionLatentSet } from "../../lib/data/stand_in.ts";
import { LATENT_SCALE } from "../../lib/data/idx.ts";

const images = {
  count: 3,
  rows: 2,
  cols: 2,
  pixels: Uint8Array.of(0, 10, 20, 30, 200, 0, 0, 9, 50, 50, 50, 50),
};

Deno.test("randomProjectionLatent: seeded, on the data set's scale, queries clipped to it", () => {
  const sets = {
    pixels: images.pixels,
    queryPixels: Uint8Array.of(0, 10, 20, 30, 255, 255, 255, 255),
    dim: 4,
  };
  const a = randomProjectionLatent(sets, { latentDim: 5, seed: 3 });
  assert.deepEqual(randomProjectionLatent(sets, { latentDim: 5, seed: 3 }), a);
  assert.notDeepEqual(randomProjectionLatent(sets, { latentDim: 5, seed: 4 }).dataset, a.dataset);
  assert.equal(a.dataset.length, 3 * 5);
  assert.ok(a.dataset.includes(0) && a.dataset.includes(LATENT_SCALE), "the data set spans 0..25500");
  assert.deepEqual(
    a.queries.subarray(0, 5),
    a.dataset.subarray(0, 5),
    "a query equal to an image gets its vector",
  );
  assert.ok(a.queries.every((v) => v >= 0 && v <= LATENT_SCALE));
});

Deno.test("randomProjectionLatentSet: the data set part of randomProjectionLatent, seed 0 by default", () => {
  const set = randomProjectionLatentSet(images, { dim: 4 });
  const projected = randomProjectionLatent(
    { pixels: images.pixels, queryPixels: new Uint8Array(0), dim: 4 },
    { latentDim: 4, seed: 0 },
  );
  assert.deepEqual(set, { count: 3, dim: 4, values: projected.dataset });
});
