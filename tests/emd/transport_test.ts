import assert from "node:assert/strict";
import type { ImageSet } from "../../lib/data/idx.ts";
import { createHighsEmdSolver } from "../../lib/emd/highs_emd.ts";
import { groundDistanceMatrix } from "../../lib/emd/ground.ts";
import { boundProfilesOf, centroidBound, centroidOf, projectionBound } from "../../lib/emd/bounds.ts";
import { signatureAt, signatureSetOf, weightsOf, windowGrid } from "../../lib/emd/signature.ts";
import { createRandom } from "../../lib/util/random.ts";
import { createTransportSolver } from "../../lib/emd/transport.ts";
import { agreesRelative, concatImages, randomImages, realImages } from "./_fixtures.ts";

/** Pairs (a[t], b[t]): real digits, random images of every kind, identical images, reversed pairs. */
async function pairSets(
  window: number,
  realPairs: number,
  randomPairs: number,
): Promise<[ImageSet, ImageSet]> {
  const real = await realImages(2 * realPairs);
  const realA: ImageSet = { ...real, count: realPairs, pixels: real.pixels.subarray(0, realPairs * 784) };
  const realB: ImageSet = { ...real, count: realPairs, pixels: real.pixels.subarray(realPairs * 784) };
  // Dense noise lights every window; at window 2 that is a 196x196 LP, so keep it sparser there.
  const density = window === 2 ? 0.03 : 0.3;
  const randomA = randomImages(randomPairs, 100 + window, window, density);
  const randomB = randomImages(randomPairs, 200 + window, window, density);
  // Identical pairs and mixed real/random pairs.
  const same = randomImages(8, 300 + window, window);
  return [concatImages(realA, randomA, same, realA), concatImages(realB, randomB, same, randomA)];
}

for (const [window, realPairs, randomPairs] of [[14, 250, 250], [7, 200, 300], [4, 150, 330], [2, 40, 420]]) {
  Deno.test(`fast solver equals HiGHS to 1e-9 relative, bounds <= EMD (window ${window})`, async () => {
    const [imagesA, imagesB] = await pairSets(window, realPairs, randomPairs);
    const setA = signatureSetOf(imagesA, { window });
    const setB = signatureSetOf(imagesB, { window });
    const boundsA = boundProfilesOf(setA);
    const boundsB = boundProfilesOf(setB);
    const fast = createTransportSolver(setA.grid);
    const highs = await createHighsEmdSolver();
    let pairs = 0;
    for (let t = 0; t < setA.count; t++) {
      const a = signatureAt(setA, t);
      const b = signatureAt(setB, t);
      const reference = await highs.solve(a, b);
      const cost = fast.emd(a, b);
      assert.ok(agreesRelative(cost, reference.cost), `pair ${t}: fast ${cost} vs HiGHS ${reference.cost}`);
      assert.ok(cost >= 0);
      // Lower bounds never exceed the EMD (up to rounding).
      const limit = reference.cost * (1 + 1e-12) + 1e-12;
      const operandA = { profiles: boundsA, index: t };
      const operandB = { profiles: boundsB, index: t };
      assert.ok(centroidBound(operandA, operandB) <= limit, `centroid bound, pair ${t}`);
      assert.ok(projectionBound(operandA, operandB) <= limit, `projection bound, pair ${t}`);
      assert.ok(
        projectionBound(operandA, operandB, { directions: 2 }) <= projectionBound(operandA, operandB),
      );
      const [ra, ca] = centroidOf(a);
      assert.ok(
        Math.abs(ra - boundsA.centroids[2 * t]) < 1e-9 && Math.abs(ca - boundsA.centroids[2 * t + 1]) < 1e-9,
      );
      pairs++;
    }
    assert.ok(pairs >= 500);
  });
}

Deno.test("fast solver returns a feasible optimal flow; identical and single-bin signatures", async () => {
  const images = concatImages(await realImages(40), randomImages(40, 5, 4));
  const set = signatureSetOf(images, { window: 4 });
  const fast = createTransportSolver(set.grid);
  for (let t = 0; t + 1 < set.count; t++) {
    const a = signatureAt(set, t);
    const b = signatureAt(set, t + 1);
    const solution = fast.solve(a, b);
    const wa = weightsOf(a);
    const wb = weightsOf(b);
    const outA = new Float64Array(wa.length);
    const inB = new Float64Array(wb.length);
    const cost = groundDistanceMatrix(a, b);
    let total = 0;
    for (let f = 0; f < solution.amount.length; f++) {
      assert.ok(solution.amount[f] > 0);
      outA[solution.from[f]] += solution.amount[f];
      inB[solution.to[f]] += solution.amount[f];
      total += solution.amount[f] * cost[solution.from[f] * wb.length + solution.to[f]];
    }
    for (let i = 0; i < wa.length; i++) assert.ok(Math.abs(outA[i] - wa[i]) < 1e-12);
    for (let j = 0; j < wb.length; j++) assert.ok(Math.abs(inB[j] - wb[j]) < 1e-12);
    assert.ok(agreesRelative(total, solution.cost, 1e-12));
    assert.equal(fast.emd(a, a), 0);
  }
  // A single bin against a single bin: the window distance.
  const grid = set.grid;
  const one = (bin: number, mass: number) => ({
    grid,
    bins: new Uint16Array([bin]),
    mass: new Float64Array([mass]),
    total: mass,
  });
  assert.equal(fast.emd(one(0, 7), one(1, 13)), 4);
  assert.ok(Math.abs(fast.emd(one(0, 3), one(8, 255)) - 4 * Math.SQRT2) < 1e-12);
});

Deno.test("degenerate problems (equal masses everywhere) match HiGHS and do pivot degenerately", async () => {
  const grid = windowGrid(28, 28, 4);
  const highs = await createHighsEmdSolver();
  const fast = createTransportSolver(grid);
  const random = createRandom(77);
  let degeneratePivots = 0;
  for (let t = 0; t < 60; t++) {
    // Every bin holds the same mass, so north-west corner ties and zero-flow tree arcs are everywhere.
    const pick = (count: number) => {
      const bins = new Set<number>();
      while (bins.size < count) bins.add(random.int(grid.bins));
      const sorted = Uint16Array.from([...bins].sort((x, y) => x - y));
      return { grid, bins: sorted, mass: new Float64Array(count).fill(255), total: 255 * count };
    };
    const a = pick(1 + random.int(12));
    const b = random.next() < 0.2 ? a : pick(a.bins.length * (1 + random.int(2)));
    const reference = await highs.solve(a, b);
    assert.ok(agreesRelative(fast.emd(a, b), reference.cost), `pair ${t}`);
    degeneratePivots += fast.last.degenerate;
  }
  assert.ok(degeneratePivots > 0, "the degenerate path was exercised");
});

Deno.test("signatures with unsorted bins (hand-made) give the same EMD without the shared-mass reduction", async () => {
  const grid = windowGrid(28, 28, 7);
  const fast = createTransportSolver(grid);
  const highs = await createHighsEmdSolver();
  const a = { grid, bins: new Uint16Array([0, 5, 9]), mass: new Float64Array([3, 4, 5]), total: 12 };
  const b = { grid, bins: new Uint16Array([5, 15]), mass: new Float64Array([6, 2]), total: 8 };
  const reversed = { grid, bins: new Uint16Array([9, 5, 0]), mass: new Float64Array([5, 4, 3]), total: 12 };
  const reference = (await highs.solve(a, b)).cost;
  assert.ok(agreesRelative(fast.emd(a, b), reference));
  assert.ok(agreesRelative(fast.emd(reversed, b), reference));
  const flow = fast.solve(a, b);
  assert.ok(agreesRelative(flow.cost, reference));
  // 4/12 of a's mass sits in window 5 and stays there (b has 6/8 there).
  const kept = Array.from(flow.from.keys()).find((t) => flow.from[t] === 1 && flow.to[t] === 0);
  assert.ok(kept !== undefined && Math.abs(flow.amount[kept] - 4 / 12) < 1e-12);
});
