import assert from "node:assert/strict";
import { buildLshIndex } from "../../lib/search/lsh.ts";
import { timeLshSearches } from "../../lib/search/lsh_timing.ts";
import { createRandom } from "../../lib/util/random.ts";

Deno.test("timeLshSearches: rounds over all settings, median times, the settings' own results", async () => {
  const dim = 64;
  const random = createRandom(3);
  const data = new Uint8Array(300 * dim).map(() => random.int(256));
  const queries = new Uint8Array(20 * dim).map(() => random.int(256));
  const index = buildLshIndex(data, dim, { k: 2, L: 4, seed: 1, shape: [8, 8] });
  const order: string[] = [];
  const traced = (name: string) => ({
    dim,
    search: (q: Uint8Array, options?: Parameters<typeof index.search>[1]) => {
      if (q.length === queries.length) order.push(name);
      return Promise.resolve(index.search(q, options));
    },
  });
  const timed = await timeLshSearches(
    [{ index: traced("all") }, { index: traced("reads"), options: { maxReads: 2 } }],
    queries,
    { runs: 3, warmUpMs: 5, warmUpQueries: 5 },
  );
  assert.deepEqual(order, ["all", "reads", "all", "reads", "all", "reads"]);
  for (const t of timed) {
    assert.equal(t.runsMs.length, 3);
    assert.equal(t.cpuRunsMs.length, 3);
    assert.equal(t.ms, [...t.runsMs].sort((a, b) => a - b)[1]);
    assert.equal(t.cpuMs, [...t.cpuRunsMs].sort((a, b) => a - b)[1]);
  }
  assert.deepEqual(timed[0].indices, index.search(queries).indices);
  assert.deepEqual(timed[1].indices, index.search(queries, { maxReads: 2 }).indices);
  assert.ok(Math.max(...timed[1].rowsRead) <= 2);
  await assert.rejects(
    () => timeLshSearches([{ index: traced("x") }], queries, { runs: 0 }),
    /runs must be >= 1/,
  );
});
