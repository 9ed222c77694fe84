import assert from "node:assert/strict";
import { knnCorrectness } from "../../lib/emd/correctness.ts";
import { bootstrapMeanInterval, wilsonInterval } from "../../lib/stats/intervals.ts";
import { InputError } from "../../lib/errors.ts";

const dataLabels = Uint8Array.of(0, 0, 1, 1, 2, 2);
const queryLabels = Uint8Array.of(2, 0, 1);

Deno.test("knnCorrectness: per-query fractions, matches, and the intervals of stats/", () => {
  // Rows: query 0 (label 2), query 1 (label 0), query 2 (label 1); k = 2.
  const neighbours = Int32Array.of(4, 5, 0, 2, 3, 4);
  const score = knnCorrectness(neighbours, { k: 2, dataLabels, queryLabels, seed: 3, resamples: 500 });
  assert.deepEqual(Array.from(score.perQuery), [1, 0.5, 0.5]);
  assert.equal(score.matches, 4);
  assert.deepEqual(score.bootstrap, bootstrapMeanInterval([1, 0.5, 0.5], { seed: 3, resamples: 500 }));
  assert.deepEqual(score.wilson, wilsonInterval(4, 6));
  // Defaults: seed 1, 2000 resamples.
  assert.deepEqual(
    knnCorrectness(neighbours, { k: 2, dataLabels, queryLabels }).bootstrap,
    bootstrapMeanInterval([1, 0.5, 0.5], { seed: 1, resamples: 2000 }),
  );
});

Deno.test("knnCorrectness: queryIndices name the query of each row", () => {
  // One row, for query 2 (label 1): neighbours 2 and 3 both have label 1.
  const score = knnCorrectness(Int32Array.of(2, 3), { k: 2, dataLabels, queryLabels, queryIndices: [2] });
  assert.deepEqual(Array.from(score.perQuery), [1]);
  assert.equal(score.wilson.n, 2);
});

Deno.test("knnCorrectness: rejects k and row counts that do not fit", () => {
  assert.throws(() => knnCorrectness([0, 1, 2], { k: 2, dataLabels, queryLabels }), InputError);
  assert.throws(() => knnCorrectness([], { k: 1, dataLabels, queryLabels }), InputError);
  assert.throws(() => knnCorrectness([0], { k: 0, dataLabels, queryLabels }), InputError);
  assert.throws(
    () => knnCorrectness([0, 1], { k: 1, dataLabels, queryLabels, queryIndices: [0] }),
    InputError,
  );
});
