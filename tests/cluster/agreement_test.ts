import assert from "node:assert/strict";
import { adjustedRandIndex, contingencyTable, purity } from "../../lib/cluster/agreement.ts";

Deno.test("agreement: adjusted Rand index and purity on known examples", () => {
  assert.equal(adjustedRandIndex([0, 0, 1, 1], [1, 1, 0, 0]), 1);
  // scikit-learn: adjusted_rand_score([0, 0, 1, 1], [0, 0, 1, 2]) = 0.5714285714285715
  assert.ok(Math.abs(adjustedRandIndex([0, 0, 1, 1], [0, 0, 1, 2]) - 0.5714285714285715) < 1e-12);
  // adjusted_rand_score([0, 0, 0, 1, 1, 1], [0, 1, 0, 1, 2, 2]) = 0.24242424242424243
  assert.ok(
    Math.abs(adjustedRandIndex([0, 0, 0, 1, 1, 1], [0, 1, 0, 1, 2, 2]) - 0.24242424242424243) < 1e-12,
  );
  assert.equal(adjustedRandIndex([0, 0, 0], [0, 0, 0]), 1);
  assert.equal(purity([0, 0, 1, 1, 1], [3, 4, 4, 4, 4]), 4 / 5);
  const table = contingencyTable([0, 1, 1], [2, 0, 2]);
  assert.deepEqual([table.rows, table.columns, Array.from(table.counts)], [2, 3, [0, 0, 1, 1, 0, 1]]);
  assert.throws(() => adjustedRandIndex([0], [0, 1]), RangeError);
});
