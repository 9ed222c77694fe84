import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { initBackend } from "../../lib/nn/backend.ts";
import { createDataParallelTrainer, shardBounds } from "../../lib/nn/data_parallel.ts";
import { buildReferenceModel } from "../../lib/nn/reference_models.ts";

Deno.test("shardBounds covers every sample once, sizes differ by at most 1", () => {
  assert.deepEqual(shardBounds(10, 3), [[0, 4], [4, 7], [7, 10]]);
  assert.deepEqual(shardBounds(128, 2), [[0, 64], [64, 128]]);
  assert.deepEqual(shardBounds(1, 2), [[0, 1]]);
});

function flatWeights(model: tfl.LayersModel): Float32Array {
  const parts = model.getWeights().map((w) => w.dataSync() as Float32Array);
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

Deno.test("2 workers give the same losses and weights as single-process Adam (cheap model)", async () => {
  await initBackend({ backend: "wasm", quiet: true });
  const reference = buildReferenceModel("cheap", { seed: 3 });
  const parallel = buildReferenceModel("cheap", { seed: 3 });
  assert.deepEqual(flatWeights(reference.autoencoder), flatWeights(parallel.autoencoder));
  const batches = [0, 1, 2].map((seed) => tf.randomUniform([13, 28, 28, 1], 0, 1, "float32", seed));
  const trainer = await createDataParallelTrainer(parallel.autoencoder, { workers: 2, learningRate: 1e-2 });
  try {
    assert.equal(trainer.workers, 2);
    assert.equal(trainer.backend, "wasm");
    const optimizer = tf.train.adam(1e-2);
    for (const x of batches) {
      const expected = optimizer.minimize(
        () =>
          tf.losses.meanSquaredError(
            x,
            reference.autoencoder.apply(x, { training: true }) as tf.Tensor,
          ) as tf.Scalar,
        true,
      )!;
      const got = await trainer.step(x);
      const want = expected.dataSync()[0];
      expected.dispose();
      assert.ok(Math.abs(got - want) <= 1e-5 * want, `loss ${got} vs ${want}`);
    }
    const inFlight = trainer.evaluate(batches[1]);
    await assert.rejects(() => trainer.step(batches[1]), /await the previous call/);
    await inFlight;
    await trainer.syncTo(parallel.autoencoder);
    const a = flatWeights(parallel.autoencoder);
    const b = flatWeights(reference.autoencoder);
    const start = flatWeights(buildReferenceModel("cheap", { seed: 3 }).autoencoder);
    let diff = 0;
    let moved = 0;
    for (let i = 0; i < a.length; i++) {
      diff = Math.max(diff, Math.abs(a[i] - b[i]));
      moved = Math.max(moved, Math.abs(b[i] - start[i]));
    }
    assert.ok(moved > 1e-3, "training did not change the weights");
    assert.ok(diff <= 1e-4 * moved, `weights differ by ${diff} (moved ${moved})`);
    const evaluated = await trainer.evaluate(batches[0]);
    const direct = tf.tidy(() =>
      tf.losses.meanSquaredError(batches[0], parallel.autoencoder.predict(batches[0]) as tf.Tensor)
        .dataSync()[0]
    );
    assert.ok(Math.abs(evaluated - direct) <= 1e-5 * direct, `evaluate ${evaluated} vs ${direct}`);
  } finally {
    trainer.dispose();
    tf.dispose(batches);
  }
  await assert.rejects(() => trainer.step(batches[0]), /after dispose/);
});
