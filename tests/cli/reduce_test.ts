import assert from "node:assert/strict";
import { basename, join } from "node:path";
import { readIdx, readLatent, writeImages, writeLabels } from "../../lib/data/idx.ts";
import { runTool } from "../../lib/cli/_run.ts";
import { reduceTool } from "../../lib/cli/reduce.ts";
import { Autoencoder } from "../../lib/nn/autoencoder.ts";
import { backend, digits } from "../nn/_fixtures.ts";
import { runToolProcess, silently, treeDigest } from "./_helpers.ts";
import { pathExists } from "../../lib/io/exists.ts";
import { withTempDir } from "../_helpers.ts";

async function setup(dir: string) {
  await backend();
  const data = await digits(250);
  const size = 784;
  const dataset = { count: 200, rows: 28, cols: 28, pixels: data.pixels.slice(0, 200 * size) };
  const queries = { count: 50, rows: 28, cols: 28, pixels: data.pixels.slice(200 * size) };
  queries.pixels.set(dataset.pixels.subarray(17 * size, 18 * size), 0); // query 0 = dataset image 17
  const files = {
    d: join(dir, "d.idx"),
    q: join(dir, "q.idx"),
    od: join(dir, "d.latent"),
    oq: join(dir, "q.latent"),
    models: join(dir, "models"),
  };
  await writeImages(files.d, dataset);
  await writeImages(files.q, queries);
  const worse = Autoencoder.create({ filters: [2, 2], latentDim: 3, epochs: 1, batchSize: 50, seed: 2 });
  await worse.fit(dataset, { progress: false });
  await worse.save(join(files.models, "worse"), { metrics: { valLoss: 1 } });
  const ae = Autoencoder.create({ filters: [4, 4], latentDim: 5, epochs: 2, batchSize: 50, seed: 1 });
  await ae.fit(dataset, { progress: false });
  await ae.save(join(files.models, "best"), { metrics: { valLoss: 0.01 } });
  /** The four file flags of every run. */
  const args = ["-d", files.d, "-q", files.q, "-od", files.od, "-oq", files.oq];
  return { files, args, dataset, queries, ae };
}

Deno.test("reduce: writes both latent files on one scale; default model = lowest validation loss", async () => {
  await withTempDir(async (dir) => {
    const { files, args, dataset, ae } = await setup(dir);
    const run = await silently(() => runTool(reduceTool, [...args, "--models", files.models]));
    assert.equal(run.value, 0, run.errors.join("\n"));
    assert.match(run.logs.join("\n"), /models\/best \(latent dim 5/);
    const raw = await readIdx(files.od);
    assert.equal(raw.type, "int16");
    assert.deepEqual(raw.dims, [200, 1, 5]);
    const d = await readLatent(files.od);
    const q = await readLatent(files.oq);
    assert.equal(q.count, 50);
    assert.equal(q.dim, 5);
    // The dataset's global min and max map to exactly 0 and 25500.
    assert.equal(Math.min(...d.values), 0);
    assert.equal(Math.max(...d.values), 25500);
    assert.ok(q.values.every((v) => v >= 0 && v <= 25500));
    assert.deepEqual(q.values.subarray(0, 5), d.values.subarray(17 * 5, 18 * 5));
    // Values follow the float latents linearly.
    const floats = await ae.encode(dataset);
    let min = Infinity, max = -Infinity;
    for (const v of floats) [min, max] = [Math.min(min, v), Math.max(max, v)];
    for (let i = 0; i < floats.length; i += 37) {
      assert.equal(d.values[i], Math.round((floats[i] - min) / (max - min) * 25500));
    }
    const explicit = await silently(() =>
      runTool(reduceTool, [...args, "--model", join(files.models, "worse")])
    );
    assert.equal(explicit.value, 0);
    assert.equal((await readLatent(files.od)).dim, 3);
  });
});

Deno.test("reduce: bad input -> one line, exit 2, no output file", async () => {
  await withTempDir(async (dir) => {
    const { files, args } = await setup(dir);
    const small = join(dir, "small.idx");
    await writeImages(small, { count: 3, rows: 14, cols: 14, pixels: new Uint8Array(3 * 196) });
    const labels = join(dir, "labels.idx");
    await writeLabels(labels, new Uint8Array(5));
    const truncated = join(dir, "trunc.idx");
    const bytes = await Deno.readFile(files.d);
    await Deno.writeFile(truncated, bytes.subarray(0, bytes.length - 10));
    const corrupt = join(dir, "corrupt");
    await Deno.mkdir(corrupt);
    await Deno.writeTextFile(join(corrupt, "metadata.json"), "{");
    const base = ["-od", files.od, "-oq", files.oq, "--models", files.models];
    const cases: [string[], RegExp][] = [
      [["-d", join(dir, "missing"), "-q", files.q, ...base], /missing: file not found/],
      [["-d", truncated, "-q", files.q, ...base], /trunc\.idx: truncated data/],
      [["-d", labels, "-q", files.q, ...base], /labels\.idx: not an image file/],
      [["-d", files.d, "-q", small, ...base], /small\.idx: query images are 14x14/],
      [["-d", small, "-q", small, ...base], /small\.idx: images are 14x14, but the model .* takes 28x28x1/],
      [["-d", files.d, "-q", files.q, ...base, "--model", join(dir, "nope")], /nope: model folder not found/],
      [["-d", files.d, "-q", files.q, ...base, "--model", corrupt], /corrupt\/metadata\.json: corrupt JSON/],
      [["-d", files.d, "-q", files.q, ...base, "--latent-dim", "0"], /--latent-dim: 0 is out of range/],
      [
        ["-d", files.d, "-q", files.q, ...base, "--latent-dim", "7"],
        /no trained autoencoder with latent dim 7/,
      ],
      [["-d", files.d, "-q", files.q, "-od", files.od, "-oq", files.od], /-oq: .* is the same path as -od/],
      [[
        "-d",
        files.d,
        "-q",
        files.q,
        "-od",
        join(dir, "no/such/x"),
        "-oq",
        files.oq,
        "--models",
        files.models,
      ], /-od: cannot write .*no\/such\/x \(folder .*does not exist\)/],
      [["-d", files.d, "-q", files.q, "-od", files.od], /-oq: required flag is missing/],
      [[...args, "--models", join(dir, "empty")], /no trained/],
    ];
    for (const [argv, pattern] of cases) {
      const run = await silently(() => runTool(reduceTool, argv));
      assert.equal(run.value, 2, `${argv.join(" ")}: ${run.errors.join("\n")}`);
      assert.equal(run.errors.length, 1, run.errors.join("\n"));
      assert.match(run.errors[0], pattern);
      assert.doesNotMatch(run.errors[0], /\n/);
      const names = Array.from(Deno.readDirSync(dir)).map((e) => e.name);
      assert.ok(
        !names.some((n) => n.endsWith(".latent") || n.endsWith(".tmp")),
        `${argv.join(" ")}: left ${names}`,
      );
    }
  });
});

Deno.test("reduce: the default model is the best one trained on the dataset's folder; another data set's only with a warning", async () => {
  await withTempDir(async (dir) => {
    const { files, args, ae } = await setup(dir);
    await ae.save(join(files.models, "other-set", "ae-latent5"), {
      dataset: "other-set",
      metrics: { valLoss: 0.001 },
    });
    const withModels = [...args, "--models", files.models];
    const fallback = await silently(() => runTool(reduceTool, withModels));
    assert.equal(fallback.value, 0, fallback.errors.join("\n"));
    assert.match(fallback.logs.join("\n"), /other-set\/ae-latent5 \(latent dim 5/);
    assert.match(
      fallback.errors.join("\n"),
      /warning: no autoencoder in .* was trained on .*; using .*other-set\/ae-latent5 \(trained on other-set\)/,
    );
    const own = basename(dir);
    await ae.save(join(files.models, own, "ae-latent5"), { dataset: own, metrics: { valLoss: 0.5 } });
    const matched = await silently(() => runTool(reduceTool, withModels));
    assert.equal(matched.value, 0, matched.errors.join("\n"));
    assert.match(matched.logs.join("\n"), new RegExp(`${own}/ae-latent5 \\(latent dim 5`));
    assert.ok(!matched.errors.join("\n").includes("warning"), matched.errors.join("\n"));
  });
});

Deno.test("reduce: the pair is replaced together; a refused output leaves both old files byte-identical", async () => {
  await withTempDir(async (dir) => {
    const { files } = await setup(dir);
    await Deno.writeTextFile(files.od, "old dataset latent");
    await Deno.writeTextFile(files.oq, "old query latent");
    await Deno.mkdir(join(dir, "adir"));
    const before = await treeDigest(dir);
    const base = ["-d", files.d, "-q", files.q, "--models", files.models];
    const cases: [string[], RegExp][] = [
      [
        ["-od", files.od, "-oq", join(dir, "adir")],
        /^reduce: error: -oq: .*adir is a folder, expected a file/,
      ],
      [
        ["-od", join(files.models, "best", "weights.bin"), "-oq", files.oq],
        /^reduce: error: -od: .* lies inside the model folder of --models \(.*best\)/,
      ],
      [
        ["-od", files.od, "-oq", join(dir, "adir", "..", "d.idx")],
        /^reduce: error: -oq: .* is the input file of -d/,
      ],
    ];
    for (const [argv, pattern] of cases) {
      const run = await silently(() => runTool(reduceTool, [...base, ...argv]));
      assert.equal(run.value, 2, run.errors.join(" | "));
      assert.equal(run.errors.length, 1);
      assert.match(run.errors[0], pattern);
      assert.deepEqual(await treeDigest(dir), before);
    }
    const ok = await silently(() => runTool(reduceTool, [...base, "-od", files.od, "-oq", files.oq]));
    assert.equal(ok.value, 0, ok.errors.join("\n"));
    assert.equal((await readLatent(files.od)).count, 200);
    assert.equal((await readLatent(files.oq)).count, 50);
  });
});

Deno.test("reduce: corrupt weights are one line naming the file, before the backend line, exit 2", async () => {
  await withTempDir(async (dir) => {
    const { files, args } = await setup(dir);
    const weights = join(files.models, "best", "weights.bin");
    const bytes = await Deno.readFile(weights);
    await Deno.writeFile(weights, bytes.map((_, i) => (i * 131 + 7) % 256));
    const { code, stderr } = await runToolProcess("reduce", [...args, "--model", join(files.models, "best")]);
    assert.equal(code, 2, stderr);
    assert.match(
      stderr,
      /^reduce: error: .*best\/weights\.bin: corrupt weights \(SHA-256 [0-9a-f]+\.\.\., metadata\.json records [0-9a-f]+\.\.\.\)\n$/,
    );
    assert.ok(!(await pathExists(files.od)) && !(await pathExists(files.oq)));
  });
});
