import assert from "node:assert/strict";
import { join } from "node:path";
import { readImages, writeImages, writeLatent } from "../../lib/data/idx.ts";
import { runTool } from "../../lib/cli/_run.ts";
import { searchTool } from "../../lib/cli/search.ts";
import { parseSearchOutput } from "../../lib/search/output.ts";
import { randomProjectionLatent } from "../../lib/data/stand_in.ts";
import { l1DistanceBlockReference } from "../../lib/simd/l1.ts";
import { createRandom } from "../../lib/util/random.ts";
import { pathExists } from "../../lib/io/exists.ts";
import { silently } from "./_helpers.ts";

const N_DATA = 150;
const N_QUERIES = 12;

async function fixture(): Promise<Record<string, string>> {
  const folder = await Deno.makeTempDir({ prefix: "search_test_" });
  const random = createRandom(11);
  const pixels = new Uint8Array(N_DATA * 784).map(() => (random.next() < 0.6 ? 0 : random.int(256)));
  const queryPixels = new Uint8Array(N_QUERIES * 784).map(() => (random.next() < 0.6 ? 0 : random.int(256)));
  queryPixels.set(pixels.subarray(3 * 784, 4 * 784), 0); // query 0 duplicates data image 3 (distance 0)
  const latent = randomProjectionLatent({ pixels, queryPixels, dim: 784 }, { latentDim: 10, seed: 3 });
  const p: Record<string, string> = {
    folder,
    d: join(folder, "data.idx"),
    q: join(folder, "queries.idx.gz"),
    i: join(folder, "latent-data.idx"),
    s: join(folder, "latent-queries.idx"),
    out: join(folder, "out.txt"),
  };
  await writeImages(p.d, { count: N_DATA, rows: 28, cols: 28, pixels });
  await writeImages(p.q, { count: N_QUERIES, rows: 28, cols: 28, pixels: queryPixels });
  await writeLatent(p.i, { count: N_DATA, dim: 10, values: latent.dataset });
  await writeLatent(p.s, { count: N_QUERIES, dim: 10, values: latent.queries });
  // Broken variants.
  p.shortLatent = join(folder, "short-latent.idx");
  await writeLatent(p.shortLatent, {
    count: N_DATA - 1,
    dim: 10,
    values: latent.dataset.subarray(0, (N_DATA - 1) * 10),
  });
  p.shortLatentQ = join(folder, "short-latent-q.idx");
  await writeLatent(p.shortLatentQ, {
    count: N_QUERIES - 2,
    dim: 10,
    values: latent.queries.subarray(0, (N_QUERIES - 2) * 10),
  });
  p.latent5 = join(folder, "latent5.idx");
  await writeLatent(p.latent5, {
    count: N_QUERIES,
    dim: 5,
    values: latent.queries.subarray(0, N_QUERIES * 5),
  });
  p.small = join(folder, "small.idx");
  await writeImages(p.small, {
    count: N_QUERIES,
    rows: 14,
    cols: 14,
    pixels: new Uint8Array(N_QUERIES * 196),
  });
  p.truncated = join(folder, "truncated.idx");
  const bytes = await Deno.readFile(p.d);
  await Deno.writeFile(p.truncated, bytes.subarray(0, bytes.length - 10));
  p.badMagic = join(folder, "bad-magic.idx");
  const bad = bytes.slice();
  bad[0] = 0x12;
  await Deno.writeFile(p.badMagic, bad);
  p.empty = join(folder, "empty.idx");
  await writeImages(p.empty, { count: 0, rows: 28, cols: 28, pixels: new Uint8Array(0) });
  return p;
}

function args(p: Record<string, string>, overrides: Record<string, string | null> = {}): string[] {
  const base: Record<string, string | null> = {
    "-d": p.d,
    "-i": p.i,
    "-q": p.q,
    "-s": p.s,
    "-k": "3",
    "-L": "8",
    "-o": p.out,
  };
  const merged = { ...base, ...overrides };
  return Object.entries(merged).flatMap(([flag, value]) => (value === null ? [] : [flag, value]));
}

Deno.test("search CLI: output parses back and matches brute force (N = 1 and N = 3)", async () => {
  const p = await fixture();
  try {
    const data = await readImages(p.d);
    const queries = await readImages(p.q);
    const all = l1DistanceBlockReference(queries.pixels, data.pixels, 784);
    for (const N of [1, 3]) {
      assert.equal(await runTool(searchTool, args(p, { "-N": String(N), "--workers": "2" })), 0);
      const parsed = parseSearchOutput(await Deno.readTextFile(p.out));
      assert.equal(parsed.queries.length, N_QUERIES);
      assert.equal(parsed.neighbours, N);
      for (const report of parsed.queries) {
        const row = Array.from(all.subarray(report.query * N_DATA, (report.query + 1) * N_DATA)).sort((
          a,
          b,
        ) => a - b);
        assert.deepEqual(report.exactDistances, row.slice(0, N));
        for (let r = 0; r < N; r++) {
          assert.equal(all[report.query * N_DATA + report.exact[r]], report.exactDistances[r]);
          assert.equal(all[report.query * N_DATA + report.reduced[r]], report.reducedDistances[r]);
          const lsh = report.lsh[r];
          if (lsh !== null) assert.equal(all[report.query * N_DATA + lsh], report.lshDistances[r]);
        }
      }
      assert.equal(parsed.queries[0].exactDistances[0], 0);
      assert.equal(parsed.summary["Queries without LSH candidates"], 0);
      for (
        const key of [
          "tReduced",
          "tLSH",
          "tTrue",
          "Queries without LSH candidates",
          "Share of the data set checked by LSH",
          "Mean LSH rows read per query",
          "LSH candidates target",
        ]
      ) {
        assert.equal(typeof parsed.summary[key], "number", key);
      }
      for (const key of ["Approximation Factor LSH", "Approximation Factor Reduced", "Recall@1 LSH"]) {
        assert.ok(!String(parsed.summary[key]).includes("NaN"), key);
      }
      assert.ok(Number(parsed.summary["Approximation Factor Reduced"]) >= 1);
    }
  } finally {
    await Deno.remove(p.folder, { recursive: true });
  }
});

Deno.test("search CLI: --max-reads reads at most that many rows per query; needs -N 1 and the bounds", async () => {
  const p = await fixture();
  try {
    const data = await readImages(p.d);
    const queries = await readImages(p.q);
    const all = l1DistanceBlockReference(queries.pixels, data.pixels, 784);
    assert.equal(await runTool(searchTool, args(p, { "--max-reads": "2", "--workers": "1" })), 0);
    const parsed = parseSearchOutput(await Deno.readTextFile(p.out));
    assert.equal(parsed.queries.length, N_QUERIES);
    assert.ok(Number(parsed.summary["Mean LSH rows read per query"]) <= 2);
    assert.equal(parsed.summary["LSH max reads"], 2);
    for (const report of parsed.queries) {
      const lsh = report.lsh[0];
      if (lsh !== null) assert.equal(all[report.query * N_DATA + lsh], report.lshDistances[0]);
    }
    await Deno.remove(p.out);
    const message = /^search: error: --max-reads: needs the lower bounds of a nearest-neighbour search/;
    for (const extra of [["-N", "3"], ["--no-bounds"]]) {
      const { value: code, errors } = await silently(() =>
        runTool(searchTool, [...args(p, { "--max-reads": "4" }), ...extra])
      );
      assert.equal(code, 2);
      assert.equal(errors.length, 1, errors.join("\n"));
      assert.match(errors[0], message);
      assert.equal(await pathExists(p.out), false);
    }
  } finally {
    await Deno.remove(p.folder, { recursive: true });
  }
});

Deno.test("search CLI: every bad input exits 2 with no output file", async () => {
  const p = await fixture();
  const cases: Array<[string, Record<string, string | null>]> = [
    ["missing dataset", { "-d": join(p.folder, "nope.idx") }],
    ["missing latent file", { "-i": join(p.folder, "nope-latent.idx") }],
    ["wrong magic", { "-q": p.badMagic }],
    ["truncated data", { "-d": p.truncated }],
    ["empty set", { "-q": p.empty }],
    ["latent file that is an image file", { "-i": p.d }],
    ["-k 0", { "-k": "0" }],
    ["-k not an integer", { "-k": "2.5" }],
    ["-k text", { "-k": "many" }],
    ["-L negative", { "-L": "-1" }],
    ["-L missing", { "-L": null }],
    ["-N 0", { "-N": "0" }],
    ["-N larger than the dataset", { "-N": String(N_DATA + 1) }],
    ["-w 0", { "-w": "0" }],
    ["-w negative", { "-w": "-3" }],
    ["--probes negative", { "--probes": "-1" }],
    ["--probes too large", { "--probes": "5000" }],
    ["--max-bucket 0", { "--max-bucket": "0" }],
    ["--candidates 0", { "--candidates": "0" }],
    ["--block 0", { "--block": "0" }],
    ["--max-reads 0", { "--max-reads": "0" }],
    ["--max-reads with -N 3", { "--max-reads": "4", "-N": "3" }],
    ["latent dataset count differs", { "-i": p.shortLatent }],
    ["latent query count differs", { "-s": p.shortLatentQ }],
    ["latent dimensions differ", { "-s": p.latent5 }],
    ["query image size differs", { "-q": p.small }],
    ["output folder missing", { "-o": join(p.folder, "no-such-folder", "out.txt") }],
    ["unknown flag", { "--frobnicate": "1" }],
  ];
  try {
    for (const [name, overrides] of cases) {
      const out = overrides["-o"] ?? p.out;
      assert.equal(await runTool(searchTool, args(p, overrides)), 2, name);
      assert.equal(await pathExists(out), false, `${name}: output left behind`);
      const leftovers = [...Deno.readDirSync(p.folder)].filter((e) => e.name.endsWith(".tmp"));
      assert.deepEqual(leftovers, [], name);
    }
  } finally {
    await Deno.remove(p.folder, { recursive: true });
  }
});
