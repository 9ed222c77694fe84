import assert from "node:assert/strict";
import { buildLshIndex, typicalNeighbourDistance } from "../../lib/search/lsh.ts";
import { l1DistanceBlockReference } from "../../lib/kernels/l1.ts";
import { createRandom } from "../../lib/util/random.ts";

/** Easy data: well separated clusters; each query is a slightly perturbed data point. */
function easyData(n: number, nq: number, dim: number, seed: number) {
  const random = createRandom(seed);
  const centres = 20;
  const centre = Array.from({ length: centres }, () => Array.from({ length: dim }, () => random.int(256)));
  const clip = (v: number) => Math.max(0, Math.min(255, v));
  const data = new Uint8Array(n * dim);
  for (let i = 0; i < n; i++) {
    const c = centre[i % centres];
    for (let t = 0; t < dim; t++) data[i * dim + t] = clip(c[t] + random.int(41) - 20);
  }
  const queries = new Uint8Array(nq * dim);
  for (let q = 0; q < nq; q++) {
    const source = random.int(n);
    for (let t = 0; t < dim; t++) queries[q * dim + t] = clip(data[source * dim + t] + random.int(5) - 2);
  }
  return { data, queries };
}

function exactNearest(queries: Uint8Array, data: Uint8Array, dim: number): number[] {
  const n = data.length / dim;
  const all = l1DistanceBlockReference(queries, data, dim);
  const out: number[] = [];
  for (let q = 0; q < queries.length / dim; q++) {
    let best = Infinity;
    for (let j = 0; j < n; j++) best = Math.min(best, all[q * n + j]);
    out.push(best);
  }
  return out;
}

Deno.test("LSH with enough tables finds the exact nearest neighbour on easy data (both families)", () => {
  const dim = 64;
  const { data, queries } = easyData(600, 25, dim, 3);
  const truth = exactNearest(queries, data, dim);
  for (const family of ["grid", "cauchy"] as const) {
    const index = buildLshIndex(data, dim, { k: 4, L: 30, seed: 7, family, probes: 2 });
    const result = index.search(queries, { neighbours: 3 });
    assert.equal(result.noCandidate, 0);
    for (let q = 0; q < truth.length; q++) {
      assert.equal(result.distances[q * 3], truth[q], `${family} query ${q}`);
    }
  }
});

Deno.test("LSH reports only candidates it checked, with their exact distances", () => {
  const dim = 32;
  const { data, queries } = easyData(300, 20, dim, 9);
  const index = buildLshIndex(data, dim, { k: 6, L: 3, seed: 2, w: 40 });
  const result = index.search(queries, { neighbours: 5 });
  const all = l1DistanceBlockReference(queries, data, dim);
  for (let q = 0; q < 20; q++) {
    const found = Array.from(result.indices.subarray(q * 5, q * 5 + 5)).filter((i) => i >= 0);
    assert.equal(found.length, Math.min(5, result.checked[q]));
    assert.ok(result.checked[q] <= result.candidates[q]);
    for (let r = 0; r < found.length; r++) {
      assert.equal(result.distances[q * 5 + r], all[q * 300 + found[r]]);
      if (r > 0) assert.ok(result.distances[q * 5 + r - 1] <= result.distances[q * 5 + r]);
    }
  }
});

Deno.test("LSH counts queries without candidates and never scores them as distance 0", () => {
  const dim = 16;
  const data = new Uint8Array(50 * dim); // all zeros
  const queries = new Uint8Array(3 * dim).fill(255); // far from every bucket with a narrow grid
  const index = buildLshIndex(data, dim, { k: 8, L: 2, w: 1, seed: 1 });
  const result = index.search(queries);
  assert.equal(result.noCandidate, 3);
  assert.deepEqual(Array.from(result.indices), [-1, -1, -1]);
  assert.deepEqual(Array.from(result.candidates), [0, 0, 0]);
});

Deno.test("LSH collision counting keeps at most maxChecks candidates; same seed, same result", () => {
  const dim = 32;
  const { data, queries } = easyData(400, 10, dim, 4);
  const a = buildLshIndex(data, dim, { k: 2, L: 10, seed: 5, maxChecks: 7 }).search(queries);
  const b = buildLshIndex(data, dim, { k: 2, L: 10, seed: 5, maxChecks: 7 }).search(queries);
  assert.ok(Array.from(a.checked).every((c) => c <= 7));
  assert.deepEqual(a.indices, b.indices);
  assert.deepEqual(a.candidates, b.candidates);
});

Deno.test("LSH width rule and parameter checks", () => {
  const dim = 8;
  const data = new Uint8Array(40 * dim).map((_, i) => (i * 37) % 256);
  assert.ok(typicalNeighbourDistance(data, dim, { seed: 1 }) > 0);
  const index = buildLshIndex(data, dim, { k: 2, L: 2 });
  assert.ok(index.w > 0 && index.wRule.startsWith("data:"));
  assert.throws(() => buildLshIndex(data, dim, { k: 0, L: 2 }), RangeError);
  assert.throws(() => buildLshIndex(data, dim, { k: 2, L: 2, w: 0 }), RangeError);
  assert.throws(() => buildLshIndex(new Uint8Array(0), dim, { k: 2, L: 2 }), /LSH: the data set is empty/);
});

Deno.test("parallel LSH index gives the same results as the single-thread index", async () => {
  const { buildParallelLshIndex } = await import("../../lib/search/lsh_parallel.ts");
  const dim = 32;
  const { data, queries } = easyData(500, 31, dim, 12);
  const options = { k: 4, L: 6, seed: 3, probes: 1, maxChecks: 40 };
  const single = buildLshIndex(data, dim, options).search(queries, { neighbours: 2 });
  const parallel = await buildParallelLshIndex(data, dim, { ...options, workers: 2 });
  try {
    const result = await parallel.search(queries, { neighbours: 2 });
    assert.deepEqual(result.indices, single.indices);
    assert.deepEqual(result.distances, single.distances);
    assert.deepEqual(result.candidates, single.candidates);
    assert.deepEqual(result.checked, single.checked);
    assert.equal(result.noCandidate, single.noCandidate);
  } finally {
    parallel.close();
  }
});

Deno.test("LSH nearest-only search (bounded checks) returns the best checked candidate exactly", () => {
  const dim = 784;
  const { data, queries } = easyData(700, 25, dim, 21);
  const index = buildLshIndex(data, dim, { k: 3, L: 8, seed: 4, maxChecks: 60 });
  const one = index.search(queries, { neighbours: 1 });
  const three = index.search(queries, { neighbours: 3 }); // full checks of the same candidates
  assert.deepEqual(one.checked, three.checked);
  for (let q = 0; q < 25; q++) {
    assert.equal(one.indices[q], three.indices[q * 3], `query ${q}`);
    assert.equal(one.distances[q], three.distances[q * 3], `query ${q}`);
  }
});

Deno.test("LSH lower bounds (group sums) skip rows without changing any nearest neighbour", () => {
  const rows = 28;
  const cols = 28;
  const dim = rows * cols;
  const { data, queries } = easyData(900, 40, dim, 33);
  for (const shape of [[rows, cols] as const, undefined]) {
    for (const maxChecks of [5, 50, Infinity]) {
      const options = { k: 3, L: 10, seed: 6, maxChecks, shape };
      const plain = buildLshIndex(data, dim, { ...options, bounds: false }).search(queries);
      const boundedIndex = buildLshIndex(data, dim, options);
      assert.equal(boundedIndex.bounds, true);
      const bounded = boundedIndex.search(queries);
      assert.deepEqual(bounded.indices, plain.indices, `shape ${shape} maxChecks ${maxChecks}`);
      assert.deepEqual(bounded.distances, plain.distances);
      assert.deepEqual(bounded.checked, plain.checked);
      assert.deepEqual(plain.rowsRead, plain.checked);
      for (let q = 0; q < 40; q++) assert.ok(bounded.rowsRead[q] <= bounded.checked[q]);
    }
  }
  const total = (a: Uint32Array) => a.reduce((s, v) => s + v, 0);
  const result = buildLshIndex(data, dim, { k: 3, L: 10, seed: 6, shape: [rows, cols] }).search(queries);
  assert.ok(total(result.rowsRead) < total(result.checked), "the bounds rule out some rows");
  assert.throws(
    () => buildLshIndex(data, dim, { k: 2, L: 2, shape: [27, 28] }),
    /shape 27x28 does not match dim 784/,
  );
});

Deno.test("LSH bounds on an image-like set with ties: the lowest index among equal distances wins", () => {
  const dim = 64;
  const data = new Uint8Array(300 * dim);
  const random = createRandom(8);
  for (let i = 0; i < 300; i++) {
    const base = random.int(4) * 60;
    for (let t = 0; t < dim; t++) data[i * dim + t] = base + (i % 3 === 0 ? 0 : random.int(3));
  }
  const queries = data.slice(0, 20 * dim);
  const options = { k: 2, L: 6, seed: 3, shape: [8, 8] as const };
  const plain = buildLshIndex(data, dim, { ...options, bounds: false }).search(queries);
  const bounded = buildLshIndex(data, dim, options).search(queries);
  assert.deepEqual(bounded.indices, plain.indices);
  assert.deepEqual(bounded.distances, plain.distances);
});

Deno.test("LSH skips buckets above maxBucket (default n / 64, at least 512) and counts queries left without candidates", async () => {
  const { defaultMaxBucket } = await import("../../lib/search/lsh.ts");
  assert.equal(defaultMaxBucket(8000), 512);
  assert.equal(defaultMaxBucket(60000), 938);
  const dim = 16;
  const data = new Uint8Array(200 * dim); // all zeros: one bucket of 200 per table
  const queries = new Uint8Array(2 * dim);
  const index = buildLshIndex(data, dim, { k: 2, L: 3, w: 50, seed: 1 });
  assert.equal(index.maxBucket, 512);
  const all = index.search(queries);
  assert.deepEqual(Array.from(all.candidates), [200, 200]);
  assert.equal(all.distances[0], 0);
  const capped = index.search(queries, { maxBucket: 199 });
  assert.deepEqual(Array.from(capped.candidates), [0, 0]);
  assert.equal(capped.noCandidate, 2);
  assert.deepEqual(Array.from(capped.indices), [-1, -1]);
  assert.throws(() => index.search(queries, { maxBucket: 0 }), RangeError);
  assert.throws(() => buildLshIndex(data, dim, { k: 2, L: 3, maxBucket: 0 }), RangeError);
});
