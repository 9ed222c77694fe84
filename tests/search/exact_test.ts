import assert from "node:assert/strict";
import { buildExactIndex } from "../../lib/search/exact.ts";
import { l1DistanceBlockReference } from "../../lib/simd/l1.ts";
import { createRandom } from "../../lib/util/random.ts";

function bruteForce(queries: Uint8Array | Int16Array, data: Uint8Array | Int16Array, dim: number, k: number) {
  const n = data.length / dim;
  const all = l1DistanceBlockReference(queries, data, dim);
  const distances: number[] = [];
  const kth: number[] = [];
  for (let q = 0; q < queries.length / dim; q++) {
    const row = Array.from(all.subarray(q * n, (q + 1) * n)).sort((a, b) => a - b);
    distances.push(...row.slice(0, k));
    kth.push(row[k - 1]);
  }
  return { all, distances, kth };
}

Deno.test("exact index equals brute force: distances identical, indices equal up to ties", async () => {
  const random = createRandom(5);
  for (const workers of [1, 2]) {
    for (const [n, nq, dim] of [[257, 19, 784], [1001, 33, 10]] as const) {
      const u8 = new Uint8Array(n * dim).map(() => random.int(256));
      const qu8 = new Uint8Array(nq * dim).map(() => random.int(256));
      const i16 = new Int16Array(n * dim).map(() => random.int(25501));
      const qi16 = new Int16Array(nq * dim).map(() => random.int(25501));
      for (const [data, queries] of [[u8, qu8], [i16, qi16]] as const) {
        const index = await buildExactIndex(data, dim, { workers });
        try {
          for (const k of [1, 4, 7]) {
            const result = await index.search(queries, { k });
            const expected = bruteForce(queries, data, dim, k);
            assert.deepEqual(Array.from(result.distances), expected.distances);
            for (let q = 0; q < nq; q++) {
              for (let r = 0; r < k; r++) {
                const i = result.indices[q * k + r];
                // the index really is at the reported distance (so any tie is a valid answer)
                assert.equal(expected.all[q * n + i], result.distances[q * k + r]);
              }
              assert.equal(new Set(result.indices.subarray(q * k, q * k + k)).size, k);
            }
          }
        } finally {
          index.close();
        }
      }
    }
  }
});
