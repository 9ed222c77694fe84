import assert from "node:assert/strict";
import {
  blockLayout,
  cellHash,
  coarsening,
  coarsenSums,
  createHashFunctions,
  groupSums,
  type HashFunctions,
  ProbeSequence,
  tableKeys,
} from "../../lib/search/_lsh_family.ts";
import { createRandom } from "../../lib/util/random.ts";

Deno.test("block layouts: square blocks of an image (partial at the edges) or runs of block² coordinates", () => {
  const square = blockLayout(6 * 5, 2, [6, 5]);
  assert.equal(square.count, 3 * 3);
  assert.equal(square.of[0], 0);
  assert.equal(square.of[4], 2); // row 0, column 4: the partial block at the right edge
  assert.equal(square.of[2 * 5 + 1], 3); // row 2, column 1
  const runs = blockLayout(10, 2);
  assert.deepEqual(Array.from(runs.of), [0, 0, 0, 0, 1, 1, 1, 1, 2, 2]);
  assert.equal(runs.count, 3);
});

Deno.test("coarsening: sums over 4x4 blocks added up from 2x2 block sums equal the direct sums", () => {
  const random = createRandom(3);
  for (const [shape, dim] of [[[28, 28], 784], [[7, 5], 35], [undefined, 50]] as const) {
    const fine = blockLayout(dim, 2, shape);
    const coarse = blockLayout(dim, 4, shape);
    const map = coarsening(fine, coarse);
    assert.ok(map !== undefined, `2x2 refines 4x4 (${shape})`);
    const row = Uint8Array.from({ length: dim }, () => random.int(256));
    const fineSums = new Float64Array(fine.count);
    groupSums(row, 0, fine, fineSums);
    const direct = new Float64Array(coarse.count);
    groupSums(row, 0, coarse, direct);
    const added = new Float64Array(coarse.count).fill(7); // overwritten
    coarsenSums(fineSums, map, coarse.count, added);
    assert.deepEqual(added, direct);
  }
  // 3x3 blocks do not refine 2x2 blocks (nor the reverse); different dimensions never do.
  assert.equal(coarsening(blockLayout(36, 3, [6, 6]), blockLayout(36, 2, [6, 6])), undefined);
  assert.equal(coarsening(blockLayout(36, 2, [6, 6]), blockLayout(36, 3, [6, 6])), undefined);
  assert.equal(coarsening(blockLayout(36, 1), blockLayout(30, 2)), undefined);
});

Deno.test("grid hash functions draw only blocks whose sums vary", () => {
  const dim = 16;
  const n = 50;
  const data = new Uint8Array(n * dim);
  const random = createRandom(1);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < dim; t++) if (t % 4 >= 2) data[i * dim + t] = random.int(256);
  }
  // Only the right half of each 4×4 image varies: blocks 1 and 3 of the 2×2 blocks.
  const functions = createHashFunctions(data, dim, n, {
    family: "grid",
    k: 5,
    L: 4,
    block: 2,
    shape: [4, 4],
    seed: 3,
  });
  assert.equal(functions.repDim, 4);
  const rep = new Float64Array(functions.repDim);
  const raw = new Float64Array(20);
  const values: number[][] = Array.from({ length: 20 }, () => []);
  for (let i = 0; i < n; i++) {
    functions.represent(data, i, rep);
    assert.equal(rep[0] + rep[2], 0);
    functions.project(rep, 0, raw);
    raw.forEach((v, f) => values[f].push(v));
  }
  for (let f = 0; f < 20; f++) assert.ok(new Set(values[f]).size > 1, `function ${f} hashes a varying block`);
});

/** Every perturbation set of one table (at most one move per function, moves of up to `levels` cells). */
function bruteForce(functions: HashFunctions, values: Float64Array, table: number, levels: number) {
  const { k, salt } = functions;
  const sets: { score: number; key: number }[] = [];
  const moves: number[] = [];
  const walk = (j: number, score: number, key: number, moved: boolean) => {
    if (j === k) {
      if (moved) sets.push({ score, key });
      return;
    }
    walk(j + 1, score, key, moved);
    const f = table * k + j;
    const v = values[f];
    const g = Math.floor(v);
    const x = v - g;
    for (let d = 1; d <= levels; d++) {
      for (const [move, distance] of [[-d, x + d - 1], [d, 1 - x + d - 1]]) {
        moves.push(move);
        walk(
          j + 1,
          score + distance * distance,
          key ^ cellHash(salt[f], g) ^ cellHash(salt[f], g + move),
          true,
        );
        moves.pop();
      }
    }
  };
  walk(0, 0, 0, false);
  return sets;
}

Deno.test("query-directed multi-probe: each table's buckets in increasing score, all of them, merged over tables", () => {
  for (const k of [1, 2, 3]) {
    const L = 3;
    const n = 40;
    const dim = 8;
    const random = createRandom(k);
    const data = new Uint8Array(n * dim).map(() => random.int(256));
    const functions = createHashFunctions(data, dim, n, { family: "grid", k, L, block: 1, seed: k });
    const values = new Float64Array(k * L).map(() => random.next() * 20 - 10);
    const keys = new Int32Array(L);
    tableKeys(functions, values, keys, 0, 1);
    const sequence = new ProbeSequence(functions);
    sequence.reset(values, keys);
    const produced: { table: number; key: number }[] = [];
    for (let table = sequence.next(); table >= 0; table = sequence.next()) {
      produced.push({ table, key: sequence.key });
      assert.ok(produced.length < 100000, "the sequence ends");
    }
    // Small k: moves of up to floor(31 / 2k) cells per function.
    const levels = Math.floor(31 / (2 * k));
    let expectedTotal = 0;
    for (let table = 0; table < L; table++) {
      const expected = bruteForce(functions, values, table, levels)
        .map((set) => ({ ...set, key: set.key ^ keys[table] }));
      expectedTotal += expected.length;
      const got = produced.filter((p) => p.table === table).map((p) => p.key);
      assert.equal(got.length, expected.length, `k ${k} table ${table}: every set once`);
      assert.deepEqual(new Set(got), new Set(expected.map((e) => e.key)));
      // In increasing score.
      const scoreOf = new Map(expected.map((e) => [e.key, e.score]));
      for (let i = 1; i < got.length; i++) {
        assert.ok(scoreOf.get(got[i - 1])! <= scoreOf.get(got[i])! + 1e-12, `k ${k} table ${table} order`);
      }
    }
    assert.equal(produced.length, expectedTotal);
  }
});

Deno.test("multi-probe for large k draws on the 12 shortest one-cell moves of each table", () => {
  const k = 10;
  const L = 2;
  const data = new Uint8Array(40 * 8).map((_, i) => (i * 97) % 256);
  const functions = createHashFunctions(data, 8, 40, { family: "grid", k, L, block: 1, seed: 4 });
  const random = createRandom(9);
  const values = new Float64Array(k * L).map(() => random.next() * 10);
  const keys = new Int32Array(L);
  tableKeys(functions, values, keys, 0, 1);
  const sequence = new ProbeSequence(functions);
  sequence.reset(values, keys);
  let count = 0;
  const seen = new Set<string>();
  for (let table = sequence.next(); table >= 0; table = sequence.next()) {
    const id = `${table}:${sequence.key}`;
    assert.ok(!seen.has(id), "no bucket twice");
    seen.add(id);
    count++;
  }
  // Sets of the 12 shortest moves of 20 (10 functions × 2 directions) with one move per function.
  assert.ok(count > 100 && count < 2 * 4096, `${count} buckets`);
});
