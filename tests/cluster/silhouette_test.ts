import assert from "node:assert/strict";
import { silhouetteL1 } from "../../lib/cluster/silhouette.ts";
import { createRandom } from "../../lib/util/random.ts";
import { naiveSilhouette, randomPoints } from "./_helpers.ts";

function assertClose(actual: number, expected: number, message: string) {
  if (Number.isNaN(expected)) return assert.ok(Number.isNaN(actual), message);
  assert.ok(Math.abs(actual - expected) <= 1e-12, `${message}: ${actual} vs ${expected}`);
}

Deno.test("silhouette: hand-computed 6-point example", async () => {
  // Cluster 0: (0,0) (0,2) (2,0); cluster 1: (6,6) (6,8) (10,10).
  const points = { count: 6, dim: 2, values: new Uint8Array([0, 0, 0, 2, 2, 0, 6, 6, 6, 8, 10, 10]) };
  const labels = [0, 0, 0, 1, 1, 1];
  const expected = [20 / 23, 31 / 40, 31 / 40, 17 / 32, 13 / 19, 5 / 8];
  for (const method of ["table", "pairwise"] as const) {
    const result = await silhouetteL1(points, labels, { method });
    expected.forEach((s, i) => assertClose(result.samples[i], s, `${method} s(${i})`));
    assertClose(result.clusters[0], (20 / 23 + 31 / 40 + 31 / 40) / 3, `${method} cluster 0`);
    assertClose(result.clusters[1], (17 / 32 + 13 / 19 + 5 / 8) / 3, `${method} cluster 1`);
    assertClose(result.overall, expected.reduce((s, x) => s + x, 0) / 6, `${method} overall`);
    assert.equal(result.method, method);
  }
});

for (const type of ["uint8", "int16"] as const) {
  Deno.test(`silhouette (${type}) equals the naive O(n²) definition, with singletons and an empty cluster`, async () => {
    const range: [number, number] = type === "uint8" ? [0, 255] : [-300, 25500];
    for (const seed of [1, 2, 3]) {
      const points = randomPoints(70, 9, seed, type, range);
      const k = 6;
      const random = createRandom(seed + 100);
      const labels = Int32Array.from({ length: points.count }, () => random.int(3));
      labels[5] = 3; // singleton
      labels[17] = 4; // singleton; cluster 5 stays empty
      const reference = naiveSilhouette(points, labels, k);
      for (const method of ["table", "pairwise", "auto", "table-workers"] as const) {
        const result = method === "table-workers"
          ? await silhouetteL1(points, labels, { k, method: "table", workers: 2, parallelThreshold: 0 })
          : await silhouetteL1(points, labels, { k, method });
        reference.samples.forEach((s, i) =>
          assertClose(result.samples[i], s, `${method} seed ${seed} s(${i})`)
        );
        reference.clusters.forEach((s, c) => assertClose(result.clusters[c], s, `${method} cluster ${c}`));
        assertClose(result.overall, reference.overall, `${method} overall`);
        assert.equal(result.samples[5], 0);
        assert.deepEqual(
          Array.from(result.sizes),
          [...Array(k).keys()].map((c) => labels.filter((l) => l === c).length),
        );
      }
    }
  });
}

Deno.test("silhouette: pairwise blocks of any size give the same result", async () => {
  const points = randomPoints(33, 5, 8);
  const labels = Int32Array.from({ length: 33 }, (_, i) => i % 4);
  const whole = await silhouetteL1(points, labels, { method: "pairwise" });
  const blocked = await silhouetteL1(points, labels, { method: "pairwise", blockSize: 7 });
  assert.deepEqual(blocked.samples, whole.samples);
});

Deno.test("silhouette: identical points give 0, one cluster is an error", async () => {
  const points = { count: 4, dim: 2, values: new Uint8Array(8).fill(7) };
  const result = await silhouetteL1(points, [0, 0, 1, 1]);
  assert.deepEqual(Array.from(result.samples), [0, 0, 0, 0]);
  await assert.rejects(() => silhouetteL1(points, [0, 0, 0, 0]), RangeError);
});
