import assert from "node:assert/strict";
import {
  buildLshIndex,
  defaultLshCandidates,
  defaultLshProbes,
  defaultMaxBucket,
  type LshSearchResult,
} from "../../lib/search/lsh.ts";
import { l1DistanceBlockReference } from "../../lib/simd/l1.ts";
import { createRandom } from "../../lib/util/random.ts";
import { readImages } from "../../lib/data/idx.ts";
import { resolveDataset } from "../../lib/data/datasets.ts";
import { buildExactIndex } from "../../lib/search/exact.ts";

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

Deno.test("LSH with enough tables finds the exact nearest neighbour on easy data (both families, blocks 1 and 4)", () => {
  const dim = 64;
  const { data, queries } = easyData(600, 25, dim, 3);
  const truth = exactNearest(queries, data, dim);
  for (const family of ["grid", "cauchy"] as const) {
    for (const block of [1, 4]) {
      const index = buildLshIndex(data, dim, {
        k: 4,
        L: 30,
        seed: 7,
        family,
        probes: 2,
        block,
        shape: [8, 8],
      });
      assert.equal(index.block, block);
      const result = index.search(queries, { neighbours: 3 });
      assert.equal(result.noCandidate, 0);
      for (let q = 0; q < truth.length; q++) {
        assert.equal(result.distances[q * 3], truth[q], `${family} block ${block} query ${q}`);
      }
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
    assert.ok(result.probed[q] >= 3, "every table's own bucket is probed");
    for (let r = 0; r < found.length; r++) {
      assert.equal(result.distances[q * 5 + r], all[q * 300 + found[r]]);
      if (r > 0) assert.ok(result.distances[q * 5 + r - 1] <= result.distances[q * 5 + r]);
    }
  }
});

Deno.test("LSH without widening counts queries without candidates and never scores them as distance 0; widening answers them", () => {
  const dim = 16;
  const data = new Uint8Array(50 * dim); // all zeros
  const queries = new Uint8Array(3 * dim).fill(255); // far from every bucket with a narrow grid
  const index = buildLshIndex(data, dim, { k: 8, L: 2, w: 1, seed: 1 });
  const plain = index.search(queries, { widen: false });
  assert.equal(plain.noCandidate, 3);
  assert.equal(plain.widened, 0);
  assert.deepEqual(Array.from(plain.indices), [-1, -1, -1]);
  assert.deepEqual(Array.from(plain.candidates), [0, 0, 0]);
  // Widening: more probes (all empty), no crowded bucket, then the nearest cell of the first function.
  const widened = index.search(queries);
  assert.equal(widened.noCandidate, 0);
  assert.equal(widened.widened, 3);
  assert.deepEqual(Array.from(widened.candidates), [50, 50, 50]);
  assert.deepEqual(Array.from(widened.distances), [255 * dim, 255 * dim, 255 * dim]);
  assert.deepEqual(Array.from(widened.indices), [0, 0, 0]);
});

Deno.test("LSH collision counting keeps at most maxChecks candidates; same seed, same result", () => {
  const dim = 32;
  const { data, queries } = easyData(400, 10, dim, 4);
  const a = buildLshIndex(data, dim, { k: 2, L: 10, seed: 5, maxChecks: 7 }).search(queries);
  const b = buildLshIndex(data, dim, { k: 2, L: 10, seed: 5, maxChecks: 7 }).search(queries);
  assert.ok(Array.from(a.checked).every((c) => c <= 7));
  assert.deepEqual(a.indices, b.indices);
  assert.deepEqual(a.candidates, b.candidates);
  assert.deepEqual(a.probed, b.probed);
});

Deno.test("LSH defaults follow their documented rules; parameter checks", () => {
  assert.equal(defaultLshCandidates(8000), 2147);
  assert.equal(defaultLshCandidates(60000), 5879);
  assert.equal(defaultLshCandidates(100), 100);
  assert.equal(defaultMaxBucket(2147, 5), 1718);
  assert.equal(defaultMaxBucket(5879, 60), 392);
  assert.equal(defaultLshProbes(5), 26);
  assert.equal(defaultLshProbes(60), 4);
  const dim = 8;
  const data = new Uint8Array(400 * dim).map((_, i) => (i * 37 + (i >> 5)) % 256);
  const index = buildLshIndex(data, dim, { k: 2, L: 3 });
  assert.equal(index.candidates, defaultLshCandidates(400));
  assert.equal(index.maxBucket, defaultMaxBucket(index.candidates, 3));
  assert.equal(index.probes, defaultLshProbes(3));
  assert.ok(index.w >= 1, "grid cells are at least 1 wide");
  assert.match(index.wRule, /^data: median own-bucket candidates/);
  assert.match(index.rules.candidates, /24 x sqrt\(n\)/);
  assert.match(index.rules.maxBucket, /4 x candidates \/ L/);
  const given = buildLshIndex(data, dim, { k: 2, L: 3, w: 7, candidates: 30, maxBucket: 12, probes: 1 });
  assert.deepEqual(given.rules, { candidates: "given", maxBucket: "given", probes: "given", w: "given" });
  assert.equal(given.w, 7);
  assert.throws(() => buildLshIndex(data, dim, { k: 0, L: 2 }), RangeError);
  assert.throws(() => buildLshIndex(data, dim, { k: 2, L: 2, w: 0 }), RangeError);
  assert.throws(() => buildLshIndex(data, dim, { k: 2, L: 2, block: 0 }), RangeError);
  assert.throws(() => buildLshIndex(data, dim, { k: 2, L: 2, candidates: 0 }), RangeError);
  assert.throws(() => buildLshIndex(data, dim, { k: 2, L: 2, probes: -1 }), RangeError);
  assert.throws(() => buildLshIndex(new Uint8Array(0), dim, { k: 2, L: 2 }), /LSH: the data set is empty/);
  assert.throws(() => index.search(data.subarray(0, dim), { probes: 1.5 }), RangeError);
});

Deno.test("parallel LSH index (tables built once, shared by the Workers) gives the same results as the single-thread index", async () => {
  const { buildParallelLshIndex } = await import("../../lib/search/lsh_parallel.ts");
  const dim = 32;
  const { data, queries } = easyData(500, 31, dim, 12);
  const options = { k: 4, L: 6, seed: 3, probes: 1, maxChecks: 40 };
  const single = buildLshIndex(data, dim, options).search(queries, { neighbours: 2 });
  const parallel = await buildParallelLshIndex(data, dim, { ...options, workers: 2 });
  try {
    assert.equal(parallel.w, buildLshIndex(data, dim, options).w);
    const result = await parallel.search(queries, { neighbours: 2 });
    assert.deepEqual(result.indices, single.indices);
    assert.deepEqual(result.distances, single.distances);
    assert.deepEqual(result.candidates, single.candidates);
    assert.deepEqual(result.checked, single.checked);
    assert.deepEqual(result.probed, single.probed);
    assert.equal(result.noCandidate, single.noCandidate);
    assert.equal(result.widened, single.widened);
    // More probes than the scratch areas were laid out for: every Worker moves its probe lists to new
    // memory at the end of the shared memory.
    const many = { neighbours: 2, probes: 60, candidates: 400 };
    const singleMany = buildLshIndex(data, dim, options).search(queries, many);
    const parallelMany = await parallel.search(queries, many);
    assert.deepEqual(parallelMany.indices, singleMany.indices);
    assert.deepEqual(parallelMany.probed, singleMany.probed);
    assert.ok(Math.max(...parallelMany.probed) > 6 * (1 + 1), "the larger budget was used");
    // The shortlist of maxReads, on 8×8 images (bounds of 4×4 and 2×2 blocks).
    const shortlistOptions = { ...options, shape: [8, 8] as const };
    const singleReads = buildLshIndex(data, dim * 2, shortlistOptions).search(
      queries.subarray(0, 15 * dim * 2),
      {
        maxReads: 3,
      },
    );
    const parallelShortlist = await buildParallelLshIndex(data, dim * 2, { ...shortlistOptions, workers: 2 });
    try {
      const parallelReads = await parallelShortlist.search(queries.subarray(0, 15 * dim * 2), {
        maxReads: 3,
      });
      assert.deepEqual(parallelReads.indices, singleReads.indices);
      assert.deepEqual(parallelReads.rowsRead, singleReads.rowsRead);
    } finally {
      parallelShortlist.close();
    }
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

Deno.test("LSH lower bounds (quantized group sums) skip rows without changing any nearest neighbour", () => {
  const rows = 28;
  const cols = 28;
  const dim = rows * cols;
  const { data, queries } = easyData(900, 40, dim, 33);
  // Hash blocks of side 4 (their sums added up from the 2x2 level's) and 3 (summed from the pixels).
  for (const shape of [[rows, cols] as const, undefined]) {
    for (const block of [undefined, 3]) {
      for (const maxChecks of [5, 50, Infinity]) {
        const options = { k: 3, L: 10, seed: 6, maxChecks, shape, block };
        const plain = buildLshIndex(data, dim, { ...options, bounds: false }).search(queries);
        const boundedIndex = buildLshIndex(data, dim, options);
        assert.equal(boundedIndex.bounds, true);
        const bounded = boundedIndex.search(queries);
        const what = `shape ${shape} block ${block} maxChecks ${maxChecks}`;
        assert.deepEqual(bounded.indices, plain.indices, what);
        assert.deepEqual(bounded.distances, plain.distances, what);
        assert.deepEqual(bounded.checked, plain.checked, what);
        assert.deepEqual(plain.rowsRead, plain.checked, what);
        for (let q = 0; q < 40; q++) assert.ok(bounded.rowsRead[q] <= bounded.checked[q]);
      }
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

Deno.test("LSH skips crowded buckets and widens to the smallest crowded one only when nothing else is left", () => {
  const dim = 16;
  const data = new Uint8Array(200 * dim); // all zeros: one bucket of 200 per table
  const queries = new Uint8Array(2 * dim);
  const index = buildLshIndex(data, dim, { k: 2, L: 3, w: 50, seed: 1, maxBucket: 500 });
  const all = index.search(queries);
  assert.deepEqual(Array.from(all.candidates), [200, 200]);
  assert.equal(all.distances[0], 0);
  const capped = index.search(queries, { maxBucket: 199, widen: false });
  assert.deepEqual(Array.from(capped.candidates), [0, 0]);
  assert.equal(capped.noCandidate, 2);
  assert.deepEqual(Array.from(capped.indices), [-1, -1]);
  const widened = index.search(queries, { maxBucket: 199 });
  assert.deepEqual(Array.from(widened.candidates), [200, 200]);
  assert.equal(widened.widened, 2);
  assert.equal(widened.noCandidate, 0);
  assert.throws(() => index.search(queries, { maxBucket: 0 }), RangeError);
  assert.throws(() => buildLshIndex(data, dim, { k: 2, L: 3, maxBucket: 0 }), RangeError);
});

Deno.test("LSH multi-probe stops at the candidate target and probes at most probes x L extra buckets", () => {
  const dim = 64;
  const { data, queries } = easyData(2000, 20, dim, 5);
  const index = buildLshIndex(data, dim, { k: 6, L: 4, seed: 2, w: 30, shape: [8, 8] });
  const none = index.search(queries, { probes: 0, widen: false });
  const some = index.search(queries, { probes: 3, candidates: 2000 });
  const few = index.search(queries, { probes: 50, candidates: 5 });
  for (let q = 0; q < 20; q++) {
    assert.equal(none.probed[q], 4);
    assert.ok(some.probed[q] <= 4 + 3 * 4);
    assert.ok(some.candidates[q] >= none.candidates[q]);
    if (none.candidates[q] >= 5) assert.equal(few.probed[q], 4, "target already met by the own buckets");
  }
});

/** The (k, L) grid of issue 13 on the real mnist-sample: every query gets LSH candidates with defaults. */
Deno.test("LSH defaults answer every mnist-sample query for k in {1,2,4,8,14,20} and L in {1,5,20,60}, exactly and identically with or without bounds", async () => {
  const files = await resolveDataset("mnist-sample");
  const train = await readImages(files.trainImages);
  const test = await readImages(files.testImages);
  const dim = train.rows * train.cols;
  const exact = await buildExactIndex(train.pixels, dim, { workers: 2 });
  const truth = await exact.search(test.pixels);
  exact.close();
  const check = (label: string, result: LshSearchResult) => {
    assert.equal(result.noCandidate, 0, `${label}: queries without candidates`);
    for (let q = 0; q < test.count; q++) {
      assert.ok(result.indices[q] >= 0 && result.distances[q] >= truth.distances[q], `${label} query ${q}`);
    }
  };
  for (const k of [1, 2, 4, 8, 14, 20]) {
    for (const L of [1, 5, 20, 60]) {
      const index = buildLshIndex(train.pixels, dim, { k, L, shape: [train.rows, train.cols] });
      const result = index.search(test.pixels);
      check(`k ${k} L ${L}`, result);
      if (k === 4 && L === 5) {
        // The original project's parameters: results identical without the lower bounds, and good.
        const plain = buildLshIndex(train.pixels, dim, {
          k,
          L,
          shape: [train.rows, train.cols],
          bounds: false,
        })
          .search(test.pixels);
        assert.deepEqual(plain.indices, result.indices);
        assert.deepEqual(plain.distances, result.distances);
        let hits = 0;
        for (let q = 0; q < test.count; q++) if (result.distances[q] === truth.distances[q]) hits++;
        assert.ok(hits / test.count >= 0.9, `k 4 L 5 recall@1 ${hits / test.count}`);
      }
    }
  }
});

/**
 * The shortlist rule of `maxReads`, computed independently: quantized group sums floor(S/a) of 4×4 and
 * 2×2 pixel blocks, the bound a·Σ|Δm| − (a−1)·#{Δm ≠ 0} of each, the 8·R smallest 4×4 bounds, then
 * the R smallest max(4×4, 2×2) bounds of those; the nearest of those R rows. Null when a tie at either
 * cut makes the set ambiguous.
 */
function shortlistNearest(
  query: Uint8Array,
  data: Uint8Array,
  candidates: number[],
  reads: number,
): { index: number; distance: number } | null {
  const side = 28;
  const means = (row: Uint8Array, block: number) => {
    const across = Math.ceil(side / block);
    const sums = new Array(across * across).fill(0);
    for (let r = 0; r < side; r++) {
      for (let c = 0; c < side; c++) {
        sums[Math.floor(r / block) * across + Math.floor(c / block)] += row[r * side + c];
      }
    }
    return sums.map((s) => Math.floor(s / (block * block)));
  };
  const bound = (a: number[], b: number[], group: number) => {
    let sad = 0;
    let differing = 0;
    for (let g = 0; g < a.length; g++) {
      sad += Math.abs(a[g] - b[g]);
      if (a[g] !== b[g]) differing++;
    }
    return Math.max(0, group * sad - (group - 1) * differing);
  };
  const row = (i: number) => data.subarray(i * side * side, (i + 1) * side * side);
  const [q4, q2] = [means(query, 4), means(query, 2)];
  const cut = <T extends { b: number }>(list: T[], keep: number): T[] | null => {
    const sorted = [...list].sort((x, y) => x.b - y.b);
    if (sorted.length > keep && sorted[keep - 1].b === sorted[keep].b) return null;
    return sorted.slice(0, keep);
  };
  const level0 = cut(candidates.map((i) => ({ i, b: bound(q4, means(row(i), 4), 16) })), 8 * reads);
  if (level0 === null) return null;
  const level1 = cut(
    level0.map(({ i, b }) => ({ i, b: Math.max(b, bound(q2, means(row(i), 2), 4)) })),
    reads,
  );
  if (level1 === null) return null;
  let best = { index: -1, distance: Infinity };
  for (const { i } of level1) {
    let d = 0;
    const r = row(i);
    for (let t = 0; t < query.length; t++) d += Math.abs(query[t] - r[t]);
    if (d < best.distance || (d === best.distance && i < best.index)) best = { index: i, distance: d };
  }
  return best;
}

Deno.test("LSH maxReads reads the rows with the smallest lower bounds (an independent reference), exact when it allows all", () => {
  const dim = 784;
  const n = 400;
  const random = createRandom(17);
  const data = new Uint8Array(n * dim).map(() => random.int(256));
  const queries = new Uint8Array(30 * dim).map(() => random.int(256));
  // One bucket per table holds every row (a huge width): every row is a candidate of every query.
  const options = { k: 1, L: 1, w: 1e9, seed: 2, shape: [28, 28] as const, maxBucket: n };
  const index = buildLshIndex(data, dim, options);
  const exact = index.search(queries);
  const all = Array.from({ length: n }, (_, i) => i);
  let compared = 0;
  for (const reads of [1, 3, 10]) {
    const result = index.search(queries, { maxReads: reads });
    for (let q = 0; q < 30; q++) {
      assert.equal(result.candidates[q], n);
      assert.ok(
        result.rowsRead[q] >= 1 && result.rowsRead[q] <= reads,
        `query ${q}: ${result.rowsRead[q]} rows`,
      );
      assert.ok(result.distances[q] >= exact.distances[q]);
      const expected = shortlistNearest(queries.subarray(q * dim, (q + 1) * dim), data, all, reads);
      if (expected === null) continue;
      compared++;
      assert.equal(result.indices[q], expected.index, `reads ${reads} query ${q}`);
      assert.equal(result.distances[q], expected.distance);
    }
  }
  assert.ok(compared >= 60, `only ${compared} of 90 queries without ties at the cuts`);
  // Reads for every candidate: the exact result over the candidates, as without maxReads.
  const unlimited = buildLshIndex(data, dim, { ...options, maxReads: n }).search(queries);
  assert.deepEqual(unlimited.indices, exact.indices);
  assert.deepEqual(unlimited.distances, exact.distances);
});

Deno.test("LSH: a given maxBucket changes which buckets searches skip, not the width rule (real digits)", async () => {
  const files = await resolveDataset("mnist-sample");
  const train = await readImages(files.trainImages);
  const queries = (await readImages(files.testImages, { limit: 200 })).pixels;
  const options = { k: 14, L: 40, seed: 1, shape: [28, 28] as const };
  const index = buildLshIndex(train.pixels, 784, options);
  const raised = 2 * index.maxBucket;
  const crowded = buildLshIndex(train.pixels, 784, { ...options, maxBucket: raised });
  assert.equal(crowded.w, index.w, "the same width as the defaults");
  assert.equal(crowded.maxBucket, raised);
  const searched = index.search(queries, { maxBucket: raised });
  assert.deepEqual({ ...crowded.search(queries), ms: 0 }, { ...searched, ms: 0 });
  const total = (a: Uint32Array) => a.reduce((x, y) => x + y, 0);
  assert.ok(total(searched.candidates) > total(index.search(queries).candidates), "fewer buckets skipped");
});

Deno.test("LSH maxReads on real digits: few rows read, most nearest neighbours kept; bad values are RangeErrors", async () => {
  const files = await resolveDataset("mnist-sample");
  const train = await readImages(files.trainImages);
  const test = await readImages(files.testImages, { limit: 300 });
  const dim = 784;
  const index = buildLshIndex(train.pixels, dim, { k: 14, L: 40, seed: 1, shape: [28, 28] });
  const full = index.search(test.pixels);
  const truth = await buildExactIndex(train.pixels, dim, { workers: 1 });
  let exactDistances: Uint32Array;
  try {
    exactDistances = (await truth.search(test.pixels)).distances as Uint32Array;
  } finally {
    truth.close();
  }
  const recall = (r: LshSearchResult) =>
    r.distances.filter((d, q) => d === exactDistances[q]).length / test.count;
  const few = index.search(test.pixels, { maxReads: 8 });
  const mean = (a: Uint32Array) => a.reduce((s, v) => s + v, 0) / a.length;
  assert.ok(mean(few.rowsRead) <= 8 && mean(few.rowsRead) < mean(full.rowsRead) / 2);
  assert.ok(recall(few) >= 0.9, `recall ${recall(few)} with 8 reads`);
  assert.ok(recall(few) <= recall(full));
  for (const bad of [0, 1.5, -3, NaN]) {
    assert.throws(() => index.search(test.pixels, { maxReads: bad }), /maxReads must be a positive integer/);
    assert.throws(() => buildLshIndex(train.pixels, dim, { k: 2, L: 2, maxReads: bad }), /maxReads must be/);
  }
  assert.throws(
    () => index.search(test.pixels, { maxReads: 4, neighbours: 2 }),
    /maxReads needs a nearest-neighbour/,
  );
  assert.throws(
    () => buildLshIndex(train.pixels, dim, { k: 2, L: 2, maxReads: 4, bounds: false }),
    /maxReads needs uint8 data with bounds/,
  );
  assert.throws(
    () => buildLshIndex(new Int16Array(20 * 16), 16, { k: 2, L: 2, maxReads: 4 }),
    /maxReads needs uint8 data with bounds/,
  );
  const noBounds = buildLshIndex(train.pixels, dim, { k: 2, L: 2, bounds: false });
  assert.throws(() => noBounds.search(test.pixels, { maxReads: 4 }), /maxReads needs a nearest-neighbour/);
});
