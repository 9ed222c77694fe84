import assert from "node:assert/strict";
import { lowerMedian, partitionMedians } from "../../lib/cluster/median.ts";
import { selectRank } from "../../lib/cluster/_medians.ts";
import { createRandom } from "../../lib/util/random.ts";
import { randomPoints, sortedLowerMedian } from "./_helpers.ts";

Deno.test("selectRank returns the value of every rank, with many duplicates", () => {
  const random = createRandom(1);
  for (const [n, spread] of [[1, 5], [2, 5], [7, 3], [50, 2], [101, 1000], [64, 1]]) {
    const values = Array.from({ length: n }, () => random.int(spread));
    const sorted = [...values].sort((a, b) => a - b);
    for (let rank = 0; rank < n; rank++) {
      assert.equal(selectRank(Int32Array.from(values), n, rank), sorted[rank], `n=${n} rank=${rank}`);
    }
  }
});

Deno.test("lowerMedian: odd and even counts", () => {
  assert.equal(lowerMedian([3, 1, 2]), 2);
  assert.equal(lowerMedian([4, 1, 3, 2]), 2); // lower of the two middle values (2, 3)
  assert.equal(lowerMedian([7]), 7);
  assert.throws(() => lowerMedian([]), RangeError);
});

for (const type of ["uint8", "int16"] as const) {
  Deno.test(`partitionMedians (${type}) equals sort-based medians and the brute-force objective`, () => {
    const range: [number, number] = type === "uint8" ? [0, 255] : [0, 25500];
    const points = randomPoints(57, 6, 3, type, range);
    const k = 5;
    const random = createRandom(9);
    const labels = Int32Array.from({ length: points.count }, () => random.int(k - 1)); // cluster 4 empty
    labels[0] = 3;
    labels[1] = 3; // make sure even and odd sizes both occur
    const result = partitionMedians(points, labels, { k });
    let objective = 0;
    for (let c = 0; c < k; c++) {
      const members = [...labels.keys()].filter((i) => labels[i] === c);
      assert.equal(result.sizes[c], members.length);
      let clusterObjective = 0;
      for (let t = 0; t < points.dim; t++) {
        const column = members.map((i) => points.values[i * points.dim + t]);
        const median = members.length ? sortedLowerMedian(column) : 0;
        assert.equal(result.medians[c * points.dim + t], median, `cluster ${c} coordinate ${t}`);
        for (const v of column) clusterObjective += Math.abs(v - median);
      }
      assert.equal(result.clusterObjectives[c], clusterObjective);
      objective += clusterObjective;
    }
    assert.equal(result.objective, objective);
    assert.ok(result.medians instanceof (type === "uint8" ? Uint8Array : Int16Array));
  });
}

Deno.test("partitionMedians: the even-count objective equals the mean-of-middles objective", () => {
  const points = { count: 4, dim: 1, values: new Uint8Array([1, 2, 10, 40]) };
  const result = partitionMedians(points, [0, 0, 0, 0]);
  assert.equal(result.medians[0], 2);
  const meanOfMiddles = 6;
  const reference = [1, 2, 10, 40].reduce((s, v) => s + Math.abs(v - meanOfMiddles), 0);
  assert.equal(result.objective, reference);
});

Deno.test("partitionMedians rejects bad labels", () => {
  const points = randomPoints(4, 2, 1);
  assert.throws(() => partitionMedians(points, [0, 1, 2], { k: 3 }), RangeError);
  assert.throws(() => partitionMedians(points, [0, 1, 3, 0], { k: 3 }), RangeError);
});
