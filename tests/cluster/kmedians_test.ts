import assert from "node:assert/strict";
import { assignToMedians, kMedians } from "../../lib/cluster/kmedians.ts";
import { partitionMedians } from "../../lib/cluster/median.ts";
import { blobPoints, l1, randomPoints } from "./_helpers.ts";

Deno.test("k-medians: objective never increases, and the result is consistent", async () => {
  for (const seed of [0, 1, 2]) {
    const points = blobPoints(300, 12, 5, seed);
    const result = await kMedians(points, { k: 5, seed, tolerance: 0 });
    for (let i = 1; i < result.history.length; i++) {
      assert.ok(
        result.history[i].objective <= result.history[i - 1].objective,
        `seed ${seed}: objective rose at iteration ${i + 1}`,
      );
    }
    assert.equal(result.iterations, result.history.length);
    assert.ok(result.converged);
    assert.equal(result.history.at(-1)!.changed, 0); // tolerance 0: stops only when nothing moves
    // The returned medians and objective are those of the final partition.
    const check = partitionMedians(points, result.assignment, { k: 5 });
    assert.deepEqual(result.medians, check.medians);
    assert.equal(result.objective, check.objective);
    assert.deepEqual(result.sizes, check.sizes);
    // At convergence every point is at its nearest median (ties → smallest index).
    const nearest = await assignToMedians(points, result.medians);
    assert.deepEqual(nearest.assignment, result.assignment);
    for (let i = 0; i < points.count; i++) {
      let brute = 0;
      for (let t = 0; t < points.dim; t++) {
        brute += Math.abs(
          points.values[i * points.dim + t] - result.medians[result.assignment[i] * points.dim + t],
        );
      }
      assert.equal(nearest.distances[i], brute);
    }
  }
});

Deno.test("k-medians: int16 points, deterministic for a seed, different seeds may differ", async () => {
  const points = randomPoints(200, 4, 5, "int16", [0, 25500]);
  const a = await kMedians(points, { k: 4, seed: 7 });
  const b = await kMedians(points, { k: 4, seed: 7 });
  assert.deepEqual(a.assignment, b.assignment);
  assert.deepEqual(a.medians, b.medians);
  assert.deepEqual(a.history.map((h) => h.objective), b.history.map((h) => h.objective));
  assert.ok(a.medians instanceof Int16Array);
  for (let i = 1; i < a.history.length; i++) assert.ok(a.history[i].objective <= a.history[i - 1].objective);
});

Deno.test("k-medians: finds well separated clusters exactly", async () => {
  // Three tight groups far apart: any sensible seeding + Lloyd recovers them.
  const values: number[] = [];
  const truth: number[] = [];
  for (let i = 0; i < 30; i++) {
    const g = i % 3;
    truth.push(g);
    values.push(g * 100 + (i % 5), g * 100 + (i % 3), 200 - g * 90);
  }
  const points = { count: 30, dim: 3, values: Uint8Array.from(values) };
  const result = await kMedians(points, { k: 3, seed: 3 });
  for (let i = 0; i < 30; i++) {
    for (let j = 0; j < 30; j++) {
      assert.equal(result.assignment[i] === result.assignment[j], truth[i] === truth[j]);
    }
  }
});

Deno.test("k-medians: empty clusters are repaired with the farthest point", async () => {
  // Medians 1 and 2 are far from every point, so the first assignment leaves them empty.
  const points = { count: 6, dim: 1, values: Uint8Array.from([0, 1, 2, 10, 11, 50]) };
  const result = await kMedians(points, {
    k: 3,
    initialMedians: Uint8Array.from([1, 255, 254]),
    maxIterations: 1,
  });
  assert.equal(result.history[0].repaired, 2);
  assert.ok(result.sizes.every((s) => s > 0));
  assert.equal(result.assignment[5], 1); // 50 is farthest from median 1, moved first
  assert.equal(result.assignment[4], 2); // then 11
  // Identical points: k clusters still all non-empty, objective 0.
  const same = { count: 5, dim: 2, values: new Uint8Array(10).fill(9) };
  const r = await kMedians(same, { k: 3, seed: 1 });
  assert.ok(r.sizes.every((s) => s > 0));
  assert.equal(r.objective, 0);
});

Deno.test("k-medians: stops at maxIterations, rejects bad k", async () => {
  const points = blobPoints(120, 6, 4, 9);
  const result = await kMedians(points, { k: 4, maxIterations: 2, tolerance: 0 });
  assert.equal(result.iterations, 2);
  assert.equal(result.converged, false);
  await assert.rejects(() => kMedians(points, { k: 0 }), RangeError);
  await assert.rejects(() => kMedians(points, { k: 121 }), RangeError);
  await assert.rejects(() => kMedians(points, { k: 2, initialMedians: new Uint8Array(3) }), RangeError);
});

Deno.test("k-medians: seeding draws distinct points on distinct data", async () => {
  const points = blobPoints(50, 3, 5, 4);
  const result = await kMedians(points, { k: 5, seed: 11, maxIterations: 1 });
  assert.equal(new Set(result.assignment).size, 5);
  assert.ok(result.seedingSeconds <= result.seconds, "seeding is part of the run");
  assert.ok(l1(points, 0, 0) === 0);
});
