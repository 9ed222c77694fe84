import assert from "node:assert/strict";
import { Autoencoder, encoderSizes, resolveAutoencoderConfig } from "../../lib/nn/autoencoder.ts";
import { InputError } from "../../lib/errors.ts";
import { backend, digits } from "./_fixtures.ts";

Deno.test("autoencoder: config -> model shapes for 28x28 and odd sizes, stride and maxpool", async () => {
  await backend();
  assert.deepEqual(encoderSizes(28, 3), [28, 14, 7, 4]);
  const cases: [Parameters<typeof Autoencoder.create>[0], [number, number], number][] = [
    [{}, [28, 28], 2],
    [{ convLayers: 3, filters: [4, 6, 8], downsampling: "maxpool", latentDim: 20 }, [28, 28], 3],
    [{ convLayers: 5, filters: 2, kernelSize: 5, latentDim: 3 }, [28, 28], 5],
    [{ convLayers: 2, filters: 2 }, [13, 9], 2],
  ];
  for (const [config, shape, layers] of cases) {
    const ae = Autoencoder.create(config, shape);
    assert.deepEqual(ae.model.outputs[0].shape, [null, shape[0], shape[1], 1]);
    assert.deepEqual(ae.encoder.outputs[0].shape, [null, config?.latentDim ?? 10]);
    const convs = ae.model.layers.filter((l) => l.getClassName() === "Conv2D");
    assert.equal(convs.length, layers);
    const pools = ae.model.layers.filter((l) => l.getClassName() === "MaxPooling2D");
    assert.equal(pools.length, config?.downsampling === "maxpool" ? layers : 0);
    const last = ae.model.layers.at(-1)!;
    assert.equal(last.getConfig().activation ?? ae.model.layers.at(-2)!.getConfig().activation, "sigmoid");
    assert.equal(ae.model.getLayer("latent").getConfig().activation, "linear");
    ae.dispose();
  }
  const defaults = resolveAutoencoderConfig();
  assert.deepEqual(defaults.filters, [16, 32]);
  assert.equal(defaults.latentDim, 10);
  assert.throws(() => resolveAutoencoderConfig({ latentDim: 0 }), InputError);
  assert.throws(() => resolveAutoencoderConfig({ filters: [3] }), InputError);
  assert.throws(() => resolveAutoencoderConfig({ downsampling: "avg" as "stride" }), InputError);
});

Deno.test("autoencoder: a tiny model's loss decreases; encode is deterministic and batch-size independent", async () => {
  await backend();
  const data = await digits(320);
  const ae = Autoencoder.create({ filters: [4, 8], latentDim: 8, epochs: 4, batchSize: 32, seed: 1 });
  const result = await ae.fit(data, { progress: false });
  assert.equal(result.epochsRun, 4);
  assert.equal(result.trainCount, 288);
  assert.equal(result.valCount, 32);
  const first = result.history[0];
  const last = result.history.at(-1)!;
  assert.ok(last.trainLoss < first.trainLoss * 0.9, `train loss ${first.trainLoss} -> ${last.trainLoss}`);
  assert.ok(result.bestValLoss < first.valLoss, `val loss ${first.valLoss} -> ${result.bestValLoss}`);
  for (const r of result.history) assert.ok(r.imagesPerSecond > 0 && r.seconds > 0);
  const a = await ae.encode(data, { batchSize: 7 });
  const b = await ae.encode(data, { batchSize: 320 });
  const c = await ae.encode(data, { batchSize: 64 });
  assert.equal(a.length, 320 * 8);
  assert.deepEqual(a, b);
  assert.deepEqual(a, c);
  const some = await ae.encode(data, { indices: [5, 3] });
  assert.deepEqual(some, Float32Array.from([...a.subarray(40, 48), ...a.subarray(24, 32)]));
  const rec = await ae.reconstruct(data, { indices: [0] });
  assert.equal(rec.length, 784);
  assert.ok(rec.every((v) => v >= 0 && v <= 1));
  ae.dispose();
});

Deno.test("autoencoder: two models with the same seed are identical", async () => {
  await backend();
  const data = await digits(10);
  const a = Autoencoder.create({ filters: [2, 4], latentDim: 4, seed: 9 });
  const b = Autoencoder.create({ filters: [2, 4], latentDim: 4, seed: 9 });
  const c = Autoencoder.create({ filters: [2, 4], latentDim: 4, seed: 10 });
  assert.deepEqual(await a.encode(data), await b.encode(data));
  assert.notDeepEqual(await a.encode(data), await c.encode(data));
  for (const m of [a, b, c]) m.dispose();
});
