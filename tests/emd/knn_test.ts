import assert from "node:assert/strict";
import { createSearchContext, distancesToAll, emdKnn } from "../../lib/emd/knn.ts";
import { signatureSetOf } from "../../lib/emd/signature.ts";
import { realImages } from "./_fixtures.ts";

/** Brute-force k nearest (ties by index) from all distances. */
function bruteForce(distances: Float64Array, k: number): number[] {
  return Array.from(distances.keys()).sort((x, y) => distances[x] - distances[y] || x - y).slice(0, k);
}

for (const window of [7, 4]) {
  Deno.test(`pruned EMD 10-NN equals brute force (window ${window}, this thread and 2 Workers)`, async () => {
    const data = await realImages(600);
    const queries = await realImages(6, "test");
    const sets = { data: signatureSetOf(data, { window }), queries: signatureSetOf(queries, { window }) };
    const context = await createSearchContext(sets, { bound: "none" });
    const inThread = await emdKnn(sets, { k: 10, workers: 0 });
    const inWorkers = await emdKnn(sets, { k: 10, workers: 2, bound: "centroid" });
    assert.equal(inWorkers.workers, 2);
    for (const result of [inThread, inWorkers]) {
      assert.ok(result.solved < 6 * 600, "the bound prunes something");
      assert.equal(result.solved + result.pruned, 6 * 600);
      for (let q = 0; q < 6; q++) {
        const all = await distancesToAll(context, q);
        const expected = bruteForce(all, 10);
        const got = Array.from(result.neighbours.subarray(q * 10, q * 10 + 10));
        const tenth = all[expected[9]];
        for (let r = 0; r < 10; r++) {
          // Same distances; same indices except where distances tie at the 10th.
          assert.ok(Math.abs(result.distances[q * 10 + r] - all[expected[r]]) <= 1e-12 * Math.max(1, tenth));
          if (all[expected[r]] !== tenth) assert.equal(got[r], expected[r]);
          assert.equal(result.distances[q * 10 + r], all[got[r]]);
        }
      }
    }
  });
}

Deno.test("k-NN with HiGHS as the solver matches the fast solver", async () => {
  const data = await realImages(120);
  const queries = await realImages(2, "test");
  const sets = { data: signatureSetOf(data, { window: 7 }), queries: signatureSetOf(queries, { window: 7 }) };
  const fast = await emdKnn(sets, { k: 5, workers: 0 });
  const highs = await emdKnn(sets, { k: 5, workers: 0, solver: "highs" });
  for (let t = 0; t < fast.distances.length; t++) {
    assert.ok(Math.abs(fast.distances[t] - highs.distances[t]) <= 1e-9 * Math.max(1, fast.distances[t]));
  }
});

Deno.test("k out of range is rejected", async () => {
  const data = await realImages(20);
  const sets = { data: signatureSetOf(data, { window: 7 }), queries: signatureSetOf(data, { window: 7 }) };
  await assert.rejects(() => emdKnn(sets, { k: 21, workers: 0 }), RangeError);
  await assert.rejects(() => emdKnn(sets, { k: 0, workers: 0 }), RangeError);
});
