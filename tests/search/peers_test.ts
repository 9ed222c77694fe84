import assert from "node:assert/strict";
import { join } from "node:path";
import { writeImages } from "../../lib/data/idx.ts";
import { l1DistanceBlockReference } from "../../lib/simd/l1.ts";
import { knnPeersAvailable, runKnnPeers } from "../../lib/search/peers.ts";
import { createRandom } from "../../lib/util/random.ts";
import { withTempDir } from "../_helpers.ts";

const available = await knnPeersAvailable();
if (!available.pynndescent) console.warn(`peers_test: pynndescent test skipped: ${available.reason}`);

/** A tiny IDX pair: 300 data and 25 query 8×8 images around 12 random centres. */
async function tinyImages(folder: string) {
  const random = createRandom(7);
  const rows = 8, cols = 8, dim = rows * cols, n = 300, nq = 25;
  const centres = Array.from({ length: 12 }, () => Array.from({ length: dim }, () => random.int(256)));
  const clip = (v: number) => Math.max(0, Math.min(255, v));
  const make = (count: number, spread: number) => {
    const pixels = new Uint8Array(count * dim);
    for (let i = 0; i < count; i++) {
      const c = centres[random.int(centres.length)];
      for (let t = 0; t < dim; t++) pixels[i * dim + t] = clip(c[t] + random.int(2 * spread + 1) - spread);
    }
    return pixels;
  };
  const data = make(n, 40);
  const queries = make(nq, 40);
  const trainPath = join(folder, "train-images-idx3-ubyte");
  const queryPath = join(folder, "t10k-images-idx3-ubyte");
  await writeImages(trainPath, { count: n, rows, cols, pixels: data });
  await writeImages(queryPath, { count: nq, rows, cols, pixels: queries });
  return { data, queries, dim, n, nq, trainPath, queryPath };
}

Deno.test({
  name: "runKnnPeers: pynndescent points per epsilon, neighbours at their true L1 distance",
  ignore: !available.pynndescent,
  async fn() {
    await withTempDir(async (folder) => {
      const tiny = await tinyImages(folder);
      const epsilons = [0, 0.05, 0.2];
      const result = await runKnnPeers(tiny.trainPath, tiny.queryPath, {
        faiss: available.faiss,
        nndQueries: 20,
        nndEpsilons: epsilons,
        nndJobs: 1,
        reps: 1,
      });
      assert.equal(result.n, tiny.n);
      assert.equal(result.dim, tiny.dim);
      const all = l1DistanceBlockReference(tiny.queries, tiny.data, tiny.dim);
      const check = (indices: Int32Array, distances: Uint32Array, queries: number) => {
        assert.equal(indices.length, queries);
        assert.equal(distances.length, queries);
        for (let q = 0; q < queries; q++) {
          assert.ok(indices[q] >= 0 && indices[q] < tiny.n, `query ${q}: index ${indices[q]}`);
          assert.equal(distances[q], all[q * tiny.n + indices[q]], `query ${q}: distance of ${indices[q]}`);
        }
      };
      const nnd = result.pynndescent!;
      assert.deepEqual(nnd.points.map((p) => p.epsilon), epsilons);
      for (const point of nnd.points) {
        assert.equal(point.queries, 20);
        assert.equal(point.runsS.length, 1);
        assert.ok(point.msPerQuery > 0);
        check(point.indices, point.distances, 20);
      }
      // the default (epsilon 0.1) result is there even when 0.1 is not among the points
      check(nnd.indices, nnd.distances, 20);
      assert.equal(nnd.params.query_epsilon, 0.1);
      assert.equal(nnd.params.n_jobs, 1);
      assert.ok(nnd.buildS > 0 && nnd.jitWarmupS > 0);
      assert.match(nnd.version, /^\d+\.\d+/);
      if (available.faiss) {
        const faiss = result.faiss!;
        assert.equal(faiss.queries, tiny.nq);
        check(faiss.indices, faiss.distances, tiny.nq);
        for (let q = 0; q < tiny.nq; q++) {
          const exact = Math.min(...all.subarray(q * tiny.n, (q + 1) * tiny.n));
          assert.equal(faiss.distances[q], exact, `faiss query ${q}`);
        }
      } else assert.equal(result.faiss, undefined);
    }, { prefix: "latentlab_peers_" });
  },
});

Deno.test("runKnnPeers: a missing python, script or bad input gives one clear line", async () => {
  await withTempDir(async (folder) => {
    const train = join(folder, "train.idx");
    await writeImages(train, { count: 3, rows: 2, cols: 2, pixels: new Uint8Array(12) });
    const noPython = join(folder, "no-such-python");
    await assert.rejects(
      () => runKnnPeers(train, train, { python: noPython }),
      (error: Error) => {
        assert.match(error.message, /^knn peers: cannot run .*no-such-python/);
        assert.ok(!error.message.includes("\n"), error.message);
        return true;
      },
    );
    const noScript = join(folder, "no_such_script.py");
    await assert.rejects(
      () => runKnnPeers(train, train, { script: noScript }),
      (error: Error) => {
        assert.match(error.message, /no_such_script\.py failed \(exit 2\): .*can't open file/);
        assert.ok(!error.message.includes("\n"), error.message);
        return true;
      },
    );
    const notIdx = join(folder, "labels.txt");
    await Deno.writeTextFile(notIdx, "not an IDX file at all");
    await assert.rejects(
      () => runKnnPeers(notIdx, train, { faiss: false, pynndescent: false }),
      /_knn_peers\.py failed \(exit 1\): .*Error/,
    );
    await assert.rejects(() => runKnnPeers(train, train, { nndEpsilons: [] }), RangeError);
    const missing = await knnPeersAvailable({ python: noPython });
    assert.equal(missing.faiss, false);
    assert.equal(missing.pynndescent, false);
    assert.match(missing.reason!, /cannot run .*no-such-python/);
  }, { prefix: "latentlab_peers_" });
});
