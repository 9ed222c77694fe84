import assert from "node:assert/strict";
import { formatQueryBlock, formatSummary, parseSearchOutput } from "../../lib/search/output.ts";
import { approximationStats } from "../../lib/search/metrics.ts";

Deno.test("output blocks and summary parse back (N = 1 and N = 2, LSH without candidates)", () => {
  const one = formatQueryBlock({
    query: 0,
    reduced: [5],
    reducedDistances: [120],
    lsh: [null],
    lshDistances: [null],
    exact: [7],
    exactDistances: [100],
  });
  assert.equal(
    one,
    "Query: 0\nNearest neighbor Reduced: 5\nNearest neighbor LSH: none\nNearest neighbor True: 7\n" +
      "distanceReduced: 120\ndistanceLSH: none\ndistanceTrue: 100\n",
  );
  const two = formatQueryBlock({
    query: 1,
    reduced: [1, 2],
    reducedDistances: [3, 4],
    lsh: [5, 6],
    lshDistances: [7, 8],
    exact: [9, 10],
    exactDistances: [7, 8],
  });
  const text = one + two +
    formatSummary({ tLSH: 1.5, "Approximation Factor LSH": "n/a", "LSH family": "grid" });
  const parsed = parseSearchOutput(text);
  assert.equal(parsed.queries.length, 2);
  assert.equal(parsed.neighbours, 2);
  assert.deepEqual(parsed.queries[0].lsh, [null]);
  assert.deepEqual(parsed.queries[1].exact, [9, 10]);
  assert.deepEqual(parsed.queries[1].lshDistances, [7, 8]);
  assert.equal(parsed.summary["tLSH"], 1.5);
  assert.equal(parsed.summary["Approximation Factor LSH"], "n/a");
});

Deno.test("approximation factor: zero true distances and missing neighbours never give NaN", () => {
  const stats = approximationStats([10, null, 0, 5, 6], [5, 4, 0, 0, 6]);
  assert.equal(stats.missing, 1);
  assert.equal(stats.zeroTrueDistance, 1); // 5 vs 0 is left out
  assert.equal(stats.scored, 3); // 10/5, 0/0 -> 1, 6/6
  assert.equal(stats.factor, (2 + 1 + 1) / 3);
  assert.equal(stats.hits, 2);
  assert.equal(stats.recall, 2 / 5);
  assert.equal(approximationStats([null], [3]).factor, null);
});
