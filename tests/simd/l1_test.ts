import assert from "node:assert/strict";
import {
  createL1Engine,
  l1DistanceBlock,
  l1DistanceBlockReference,
  type L1Vectors,
} from "../../lib/simd/mod.ts";
import { createRandom } from "../../lib/util/random.ts";

function randomU8(count: number, seed: number, max = 256): Uint8Array {
  const random = createRandom(seed);
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) out[i] = random.int(max);
  return out;
}

function randomI16(count: number, seed: number, lo: number, hi: number): Int16Array {
  const random = createRandom(seed);
  const out = new Int16Array(count);
  for (let i = 0; i < count; i++) out[i] = lo + random.int(hi - lo + 1);
  return out;
}

/** Brute-force k-NN from the reference distances: ascending distance, ties by lower index. */
function referenceKnn(queries: L1Vectors, data: L1Vectors, dim: number, k: number) {
  const n = data.length / dim;
  const nq = queries.length / dim;
  const all = l1DistanceBlockReference(queries, data, dim);
  const indices: number[] = [];
  const distances: number[] = [];
  for (let q = 0; q < nq; q++) {
    const order = Array.from({ length: n }, (_, j) => j).sort((a, b) =>
      all[q * n + a] - all[q * n + b] || a - b
    );
    for (let t = 0; t < k; t++) {
      indices.push(order[t]);
      distances.push(all[q * n + order[t]]);
    }
  }
  return { indices, distances };
}

const SHAPES: Array<[number, number, number]> = [
  [1, 1, 1],
  [3, 5, 7],
  [5, 7, 784],
  [9, 333, 13],
  [6, 37, 3000], // more than 2048 bytes per row (u16 widening path)
  [13, 130, 200],
];

Deno.test("l1DistanceBlock equals the reference on uint8 (extreme and random values)", () => {
  for (const [nq, nd, dim] of SHAPES) {
    const queries = randomU8(nq * dim, nq * 7 + dim);
    const data = randomU8(nd * dim, nd * 11 + dim);
    assert.deepEqual(l1DistanceBlock(queries, data, dim), l1DistanceBlockReference(queries, data, dim));
  }
  // all-255 against all-0: the largest per-element difference everywhere
  const dim = 4000;
  const a = new Uint8Array(2 * dim).fill(255);
  const b = new Uint8Array(3 * dim);
  assert.deepEqual(Array.from(l1DistanceBlock(a, b, dim)), new Array(6).fill(255 * dim));
});

Deno.test("l1DistanceBlock equals the reference on int16 (full range and latent range)", () => {
  for (const [nq, nd, dim] of SHAPES) {
    const queries = randomI16(nq * dim, nq + dim, -32768, 32767);
    const data = randomI16(nd * dim, nd + dim, -32768, 32767);
    assert.deepEqual(l1DistanceBlock(queries, data, dim), l1DistanceBlockReference(queries, data, dim));
  }
  const dim = 200; // 200 x 25500 needs 32-bit accumulation
  const high = new Int16Array(5 * dim).fill(25500);
  const low = new Int16Array(7 * dim);
  assert.deepEqual(Array.from(l1DistanceBlock(high, low, dim)), new Array(35).fill(25500 * dim));
  const latentQ = randomI16(9 * 10, 3, 0, 25500);
  const latentD = randomI16(101 * 10, 4, 0, 25500);
  assert.deepEqual(l1DistanceBlock(latentQ, latentD, 10), l1DistanceBlockReference(latentQ, latentD, 10));
});

Deno.test("l1DistanceBlock rejects mixed types and ragged arrays", () => {
  assert.throws(() => l1DistanceBlock(new Uint8Array(4), new Int16Array(4), 4), TypeError);
  assert.throws(() => l1DistanceBlock(new Uint8Array(5), new Uint8Array(4), 4), RangeError);
});

Deno.test("L1 engine: distances and knn equal brute force (1 and 2 workers, uint8 and int16)", async () => {
  for (const workers of [1, 2]) {
    for (const [nq, nd, dim] of [[3, 1, 5], [300, 333, 13], [67, 261, 784], [9, 50, 2100]] as const) {
      // few distinct values -> many ties, which must be broken by the lower index
      const cases: Array<[L1Vectors, L1Vectors]> = [
        [randomU8(nq * dim, 1 + nq, 3), randomU8(nd * dim, 2 + nd, 3)],
        [randomI16(nq * dim, 3 + nq, 0, 25500), randomI16(nd * dim, 4 + nd, 0, 25500)],
      ];
      for (const [queries, data] of cases) {
        const engine = await createL1Engine(data, dim, { workers });
        try {
          assert.deepEqual(await engine.distances(queries), l1DistanceBlockReference(queries, data, dim));
          for (const k of [1, 3, Math.min(10, nd)]) {
            if (k > nd) continue;
            const result = await engine.knn(queries, k);
            const expected = referenceKnn(queries, data, dim, k);
            assert.deepEqual(Array.from(result.distances), expected.distances, `workers ${workers} k ${k}`);
            assert.deepEqual(Array.from(result.indices), expected.indices, `workers ${workers} k ${k}`);
          }
        } finally {
          engine.close();
        }
      }
    }
  }
});

Deno.test("L1 engine rejects bad k, wrong query type and calls after close", async () => {
  const engine = await createL1Engine(randomU8(40, 1), 4, { workers: 1 });
  await assert.rejects(() => engine.knn(randomU8(8, 2), 0), RangeError);
  await assert.rejects(() => engine.knn(randomU8(8, 2), 11), RangeError);
  await assert.rejects(() => engine.knn(new Int16Array(8), 1), TypeError);
  engine.close();
  await assert.rejects(() => engine.knn(randomU8(8, 2), 1));
});
