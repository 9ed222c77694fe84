import assert from "node:assert/strict";
import { join } from "node:path";
import { formatClusterConfig, parseClusterConfig, readClusterConfig } from "../../lib/cluster/config.ts";
import { InputError } from "../../lib/errors.ts";
import { fuzzParser } from "../_fuzz.ts";
import { withTempDir } from "../_helpers.ts";

Deno.test("config: defaults, comments, round trip", () => {
  assert.deepEqual(parseClusterConfig("number_of_clusters: 10\n", "c"), {
    numberOfClusters: 10,
    maxIterations: 100,
    seed: 0,
  });
  const config = parseClusterConfig(
    "# k-medians\n\nnumber_of_clusters: 7  # k\r\nseed: 3\nmax_iterations:20\n",
    "c",
  );
  assert.deepEqual(config, { numberOfClusters: 7, maxIterations: 20, seed: 3 });
  assert.deepEqual(parseClusterConfig(formatClusterConfig(config), "c"), config);
});

Deno.test("config: each bad input is an InputError naming the file", () => {
  const cases: Array<[string, RegExp]> = [
    ["", /number_of_clusters is missing/],
    ["seed: 1\n", /number_of_clusters is missing/],
    [
      "number_of_clusters: 10\nnumber_of_vector_hash_tables: 3\n",
      /c:2: unknown key "number_of_vector_hash_tables"/,
    ],
    ["number_of_clusters: 1\n", /must be >= 2/],
    ["number_of_clusters: 0\n", /must be >= 2/],
    ["number_of_clusters: 11\n", /exceeds the number of points \(10\)/],
    ["number_of_clusters: -3\n", /non-negative integer/],
    ["number_of_clusters: 2.5\n", /non-negative integer/],
    ["number_of_clusters: ten\n", /non-negative integer/],
    ["number_of_clusters: 3\nnumber_of_clusters: 4\n", /given twice/],
    ["number_of_clusters: 3\nmax_iterations: 0\n", /max_iterations = 0 must be >= 1/],
    ["number_of_clusters 3\n", /expected "key: value"/],
  ];
  for (const [text, pattern] of cases) {
    assert.throws(() => parseClusterConfig(text, "c", { pointCount: 10 }), (error: Error) => {
      assert.ok(error instanceof InputError, text);
      assert.match(error.message, /^c(:\d+)?: /);
      assert.match(error.message, pattern, text);
      return true;
    });
  }
});

Deno.test("config: missing file, a folder, invalid UTF-8", async () => {
  await withTempDir(async (dir) => {
    await assert.rejects(() => readClusterConfig(join(dir, "none.conf")), /none.conf: file not found/);
    await assert.rejects(() => readClusterConfig(dir), /is a directory/);
    await Deno.writeFile(join(dir, "bin.conf"), new Uint8Array([0xff, 0xfe, 0x00]));
    await assert.rejects(() => readClusterConfig(join(dir, "bin.conf")), /invalid UTF-8/);
    await Deno.writeTextFile(join(dir, "ok.conf"), "number_of_clusters: 4\n");
    assert.equal((await readClusterConfig(join(dir, "ok.conf"))).numberOfClusters, 4);
  });
});

Deno.test("config: a huge number is out of range, not 'not an integer'", () => {
  assert.throws(
    () => parseClusterConfig("number_of_clusters: 99999999999999999999999\n", "c.conf", { pointCount: 100 }),
    (e) =>
      e instanceof InputError &&
      /c\.conf:1: number_of_clusters = 99999999999999999999999 exceeds the number of points \(100\)/.test(
        e.message,
      ),
  );
  assert.throws(
    () => parseClusterConfig("number_of_clusters: 3\nseed: 99999999999999999999999\n", "c.conf"),
    (e) =>
      e instanceof InputError && /c\.conf:2: seed = 99999999999999999999999 is too large/.test(e.message),
  );
});

Deno.test("fuzz: 1,000 mutated cluster.conf files give only InputErrors", async () => {
  const inputs = [
    "number_of_clusters: 10\n",
    "# k-medians\nnumber_of_clusters: 4\nmax_iterations: 50   # enough\nseed: 7\n",
    formatClusterConfig({ numberOfClusters: 3, maxIterations: 100, seed: 0 }),
  ].map((text) => new TextEncoder().encode(text));
  const stats = await fuzzParser("cluster.conf", {
    inputs,
    text: true,
    salt: 5,
    parse(bytes) {
      const config = parseClusterConfig(new TextDecoder().decode(bytes), "cluster.conf", { pointCount: 50 });
      assert.ok(config.numberOfClusters >= 2 && config.numberOfClusters <= 50);
    },
  });
  assert.equal(stats.runs, 1000);
  assert.ok(stats.refused > 300 && stats.accepted > 0, JSON.stringify(stats));
});
