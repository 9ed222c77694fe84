import assert from "node:assert/strict";
import {
  applyLatentScale,
  fitLatentScale,
  invertLatentScale,
  toLatentSet,
} from "../../lib/data/latent_scale.ts";
import { InputError } from "../../lib/errors.ts";

Deno.test("latent scale: global min/max to 0..25500, clipped, shared with queries", () => {
  const dataset = Float32Array.from([-2, 0, 3, 1.5, -0.5, 2]);
  const scale = fitLatentScale(dataset);
  assert.deepEqual(scale, { min: -2, max: 3 });
  assert.deepEqual(Array.from(applyLatentScale(dataset, scale)), [0, 10200, 25500, 17850, 7650, 20400]);
  assert.deepEqual(Array.from(applyLatentScale([-5, 4, 0.5], scale)), [0, 25500, 12750]);
  const back = invertLatentScale(applyLatentScale(dataset, scale), scale);
  back.forEach((v, i) => assert.ok(Math.abs(v - dataset[i]) <= 5 / 25500 / 2 + 1e-6));
  assert.deepEqual(Array.from(applyLatentScale([1, 1], { min: 1, max: 1 })), [0, 0]);
  const set = toLatentSet(dataset, 3);
  assert.equal(set.count, 2);
  assert.equal(set.dim, 3);
  assert.throws(() => toLatentSet(dataset, 0), InputError);
  assert.throws(() => fitLatentScale([]), InputError);
});
