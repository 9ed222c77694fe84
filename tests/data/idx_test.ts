import assert from "node:assert/strict";
import { join } from "node:path";
import {
  decodeIdx,
  decodeIdxFile,
  encodeIdx,
  gzip,
  type IdxArray,
  imagesFromIdx,
  labelsFromIdx,
  latentFromIdx,
  LEGACY_LATENT_MAGIC,
  readIdx,
  readImages,
  readLabels,
  readLatent,
  writeIdx,
  writeImages,
  writeLabels,
  writeLatent,
} from "../../lib/data/idx.ts";
import { InputError } from "../../lib/errors.ts";
import { fuzzParser } from "../_fuzz.ts";
import { withTempDir } from "../_helpers.ts";

async function rejectsInput(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof InputError, `expected InputError, got ${error}`);
    assert.match((error as Error).message, pattern);
    assert.ok(!(error as Error).message.includes("\n"), "error is one line");
    return true;
  });
}

const samples: IdxArray[] = [
  { type: "uint8", dims: [3, 2, 4], data: Uint8Array.from({ length: 24 }, (_, i) => (i * 37) % 256) },
  { type: "int8", dims: [5], data: Int8Array.from([-128, -1, 0, 1, 127]) },
  { type: "int16", dims: [2, 1, 3], data: Int16Array.from([-32768, -1, 0, 1, 25500, 32767]) },
  { type: "int32", dims: [2, 2], data: Int32Array.from([-2147483648, -5, 7, 2147483647]) },
  { type: "float32", dims: [3], data: Float32Array.from([-1.5, 0, 3.25]) },
  { type: "float64", dims: [2], data: Float64Array.from([Math.PI, -1e300]) },
];

Deno.test("IDX encode/decode round-trips every element type", () => {
  for (const sample of samples) {
    const bytes = encodeIdx(sample);
    const back = decodeIdx(bytes, "mem");
    assert.equal(back.type, sample.type);
    assert.deepEqual(back.dims, sample.dims);
    assert.equal(back.data.constructor, sample.data.constructor);
    assert.deepEqual(Array.from(back.data), Array.from(sample.data));
  }
});

Deno.test("IDX header is big-endian with the standard magic numbers", () => {
  const images = encodeIdx({ type: "uint8", dims: [2, 28, 28], data: new Uint8Array(2 * 784) });
  assert.deepEqual(Array.from(images.subarray(0, 8)), [0, 0, 8, 3, 0, 0, 0, 2]);
  const latent = encodeIdx({ type: "int16", dims: [1, 1, 2], data: Int16Array.from([258, 1]) });
  assert.deepEqual(Array.from(latent.subarray(0, 4)), [0, 0, 0x0b, 3]);
  assert.deepEqual(Array.from(latent.subarray(16)), [1, 2, 0, 1]);
});

Deno.test("IDX files round-trip plain and gzip for every type", async () => {
  await withTempDir(async (dir) => {
    for (const sample of samples) {
      for (const name of [`${sample.type}.idx`, `${sample.type}.idx.gz`]) {
        const path = join(dir, name);
        await writeIdx(path, sample);
        const raw = await Deno.readFile(path);
        assert.equal(raw[0] === 0x1f && raw[1] === 0x8b, name.endsWith(".gz"));
        const back = await readIdx(path);
        assert.deepEqual(back.dims, sample.dims);
        assert.deepEqual(Array.from(back.data), Array.from(sample.data));
      }
    }
    assert.deepEqual((await Array.fromAsync(Deno.readDir(dir))).filter((e) => e.name.endsWith(".tmp")), []);
  });
});

Deno.test("typed readers/writers: images, labels, latent", async () => {
  await withTempDir(async (dir) => {
    const pixels = Uint8Array.from({ length: 4 * 28 * 28 }, (_, i) => i % 251);
    await writeImages(join(dir, "img.gz"), { count: 4, rows: 28, cols: 28, pixels });
    const images = await readImages(join(dir, "img.gz"), { shape: [28, 28] });
    assert.equal(images.count, 4);
    assert.ok(images.pixels instanceof Uint8Array);
    assert.deepEqual(images.pixels, pixels);
    const limited = await readImages(join(dir, "img.gz"), { limit: 2 });
    assert.equal(limited.count, 2);
    assert.equal(limited.pixels.length, 2 * 784);

    await writeLabels(join(dir, "lab"), Uint8Array.from([1, 2, 3, 4]));
    assert.deepEqual(await readLabels(join(dir, "lab"), 4), Uint8Array.from([1, 2, 3, 4]));

    const values = Int16Array.from([0, 25500, 7, 12000, 1, 2]);
    await writeLatent(join(dir, "lat"), { count: 2, dim: 3, values });
    const latent = await readLatent(join(dir, "lat"));
    assert.equal(latent.count, 2);
    assert.equal(latent.dim, 3);
    assert.ok(latent.values instanceof Int16Array);
    assert.deepEqual(latent.values, values);
  });
});

Deno.test("reads the original tool's latent files (magic 69, big-endian uint16)", async () => {
  await withTempDir(async (dir) => {
    const values = [0, 25500, 300, 17, 25000, 1];
    const bytes = legacyLatentBytes(2, 3, values);
    await Deno.writeFile(join(dir, "legacy.dat"), bytes);
    const latent = await readLatent(join(dir, "legacy.dat"));
    assert.equal(latent.count, 2);
    assert.equal(latent.dim, 3);
    assert.deepEqual(Array.from(latent.values), values);
    await Deno.writeFile(join(dir, "legacy.gz"), await gzip(bytes));
    assert.deepEqual(Array.from((await readLatent(join(dir, "legacy.gz"))).values), values);
  });
});

Deno.test("bad input: one-line InputError naming the file", async () => {
  await withTempDir(async (dir) => {
    const p = (name: string) => join(dir, name);
    await rejectsInput(readImages(p("missing")), /missing: file not found/);
    await rejectsInput(readImages(dir), /is a directory/);

    await Deno.writeFile(p("magic"), Uint8Array.from([1, 2, 8, 3, 0, 0, 0, 0]));
    await rejectsInput(readImages(p("magic")), /magic.*not an IDX file/);

    await Deno.writeFile(p("type"), Uint8Array.from([0, 0, 0x42, 1, 0, 0, 0, 0]));
    await rejectsInput(readIdx(p("type")), /unknown IDX element type/);

    await Deno.writeFile(p("short-header"), Uint8Array.from([0, 0, 8, 3, 0, 0, 0, 1, 0, 0]));
    await rejectsInput(readImages(p("short-header")), /short-header: truncated IDX header/);

    const full = encodeIdx({ type: "uint8", dims: [2, 28, 28], data: new Uint8Array(2 * 784) });
    await Deno.writeFile(p("short-data"), full.subarray(0, full.length - 1));
    await rejectsInput(readImages(p("short-data")), /short-data: truncated data/);

    await Deno.writeFile(p("long"), Uint8Array.from([...full, 0]));
    await rejectsInput(readImages(p("long")), /long: 1 bytes after the data/);

    await writeLabels(p("labels"), Uint8Array.from([1, 2, 3]));
    await rejectsInput(readImages(p("labels")), /labels: not an image file/);
    await rejectsInput(readLabels(p("labels"), 2), /labels: 3 labels for 2 images/);
    await rejectsInput(readLabels(p("short-data")), /short-data/);

    await writeIdx(p("empty"), { type: "uint8", dims: [0, 28, 28], data: new Uint8Array(0) });
    await rejectsInput(readImages(p("empty")), /empty: empty image set/);
    await writeIdx(p("empty-labels"), { type: "uint8", dims: [0], data: new Uint8Array(0) });
    await rejectsInput(readLabels(p("empty-labels")), /empty label set/);

    await writeImages(p("small"), { count: 1, rows: 14, cols: 14, pixels: new Uint8Array(196) });
    await rejectsInput(
      readImages(p("small"), { shape: [28, 28] }),
      /small: images are 14x14, expected 28x28/,
    );

    await writeIdx(p("lat-range"), { type: "int16", dims: [1, 1, 2], data: Int16Array.from([-1, 3]) });
    await rejectsInput(readLatent(p("lat-range")), /lat-range: value -1 .* outside 0\.\.25500/);
    await rejectsInput(readLatent(p("labels")), /labels: not a latent file/);

    await Deno.writeFile(p("bad.gz"), Uint8Array.from([0x1f, 0x8b, 8, 0, 1, 2, 3]));
    await rejectsInput(readImages(p("bad.gz")), /bad\.gz: corrupt gzip data/);
  });
});

/**
 * A latent file as the original tool wrote it (magic 69, big-endian uint16): `count` vectors of `dim`
 * `values` (default: made-up values in 0..25500).
 */
function legacyLatentBytes(count: number, dim: number, values?: readonly number[]): Uint8Array {
  const bytes = new Uint8Array(16 + 2 * count * dim);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, LEGACY_LATENT_MAGIC);
  view.setUint32(4, count);
  view.setUint32(8, 1);
  view.setUint32(12, dim);
  for (let i = 0; i < count * dim; i++) view.setUint16(16 + 2 * i, values?.[i] ?? (i * 997) % 25501);
  return bytes;
}

/** Decodes `bytes` and reads them as every kind of IDX file the tools take. */
async function parseEveryWay(bytes: Uint8Array): Promise<void> {
  const array = await decodeIdxFile(bytes, "fuzz.idx");
  for (
    const read of [
      () => imagesFromIdx(array, "fuzz.idx", { limit: 3 }),
      () => labelsFromIdx(array, "fuzz.idx", { expectedCount: 4 }),
    ]
  ) {
    try {
      read();
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
    }
  }
  const latent = latentFromIdx(array, "fuzz.idx");
  assert.ok(latent.values.every((v) => v >= 0 && v <= 25500), "accepted latent values are in range");
}

const IDX_INPUTS = [
  encodeIdx({ type: "uint8", dims: [4, 5, 6], data: Uint8Array.from({ length: 120 }, (_, i) => i) }),
  encodeIdx({ type: "uint8", dims: [4], data: new Uint8Array([0, 1, 9, 3]) }),
  encodeIdx({ type: "int16", dims: [3, 1, 5], data: Int16Array.from({ length: 15 }, (_, i) => i * 1000) }),
  encodeIdx({ type: "int16", dims: [3, 5], data: Int16Array.from({ length: 15 }, (_, i) => i * 1700) }),
  encodeIdx({ type: "float32", dims: [2, 3], data: new Float32Array([0, 1.5, -2, 3, 4, 5]) }),
];

Deno.test("fuzz: 1,000 mutated plain IDX files give only InputErrors", async () => {
  const stats = await fuzzParser("IDX", { inputs: IDX_INPUTS, parse: parseEveryWay, salt: 1 });
  assert.equal(stats.runs, 1000);
  assert.ok(stats.refused > 500 && stats.accepted > 0, JSON.stringify(stats));
});

Deno.test("fuzz: 1,000 mutated gzip IDX files give only InputErrors", async () => {
  const inputs = await Promise.all(IDX_INPUTS.map((bytes) => gzip(bytes)));
  const stats = await fuzzParser("IDX .gz", { inputs, parse: parseEveryWay, salt: 2 });
  assert.equal(stats.runs, 1000);
  assert.ok(stats.refused > 500, JSON.stringify(stats));
});

Deno.test("fuzz: 1,000 mutated legacy latent files give only InputErrors", async () => {
  const stats = await fuzzParser("legacy latent", {
    inputs: [legacyLatentBytes(3, 4), legacyLatentBytes(1, 10)],
    parse: async (bytes) => latentFromIdx(await decodeIdxFile(bytes, "legacy.dat"), "legacy.dat"),
    salt: 3,
  });
  assert.equal(stats.runs, 1000);
  assert.ok(stats.refused > 500 && stats.accepted > 0, JSON.stringify(stats));
});

Deno.test("legacy latent files: a value above 25500 is reported as it is in the file", () => {
  const bytes = legacyLatentBytes(2, 3);
  new DataView(bytes.buffer).setUint16(16 + 2 * 4, 40000);
  assert.throws(
    () => decodeIdx(bytes, "legacy.dat"),
    (e) =>
      e instanceof InputError && e.message === "legacy.dat: value 40000 at position 4 is outside 0..25500",
  );
});
