import assert from "node:assert/strict";
import { join } from "node:path";
import pl from "nodejs-polars";
import { writeLatent } from "../../lib/data/idx.ts";
import {
  latentDataFrame,
  latentFileToParquet,
  latentParquetPath,
  writeLatentParquet,
} from "../../lib/data/latent_parquet.ts";
import { InputError } from "../../lib/errors.ts";
import { withTempDir } from "../_helpers.ts";

const latent = { count: 3, dim: 2, values: Int16Array.of(0, 25500, 1, 2, 300, 4) };

Deno.test("latentDataFrame: index, optional label and one Int16 column per coordinate", () => {
  const df = latentDataFrame(latent, { labels: [5, 6, 7] });
  assert.deepEqual(df.columns, ["index", "label", "z0", "z1"]);
  assert.deepEqual(df.dtypes.map(String), ["Int32", "UInt8", "Int16", "Int16"].map((t) => `DataType(${t})`));
  assert.deepEqual(df.toRecords()[1], { index: 1, label: 6, z0: 1, z1: 2 });
  assert.deepEqual(latentDataFrame(latent).columns, ["index", "z0", "z1"]);
  assert.throws(() => latentDataFrame({ ...latent, count: 4 }), InputError);
  assert.throws(() => latentDataFrame(latent, { labels: [1] }), InputError);
});

Deno.test("a latent file converts to Parquet with the same integers", async () => {
  await withTempDir(async (dir) => {
    const idx = join(dir, "z_d2_dataset.idx");
    await writeLatent(idx, latent);
    const out = await latentFileToParquet(idx);
    assert.equal(out, join(dir, "z_d2_dataset.parquet"));
    const back = pl.readParquet(out);
    assert.deepEqual(
      Array.from({ length: 3 }, (_, i) => [back.getColumn("z0").get(i), back.getColumn("z1").get(i)]).flat(),
      Array.from(latent.values),
    );
    await writeLatentParquet(join(dir, "deep", "x.parquet"), latent, { labels: Uint8Array.of(1, 2, 3) });
    assert.deepEqual(pl.readParquet(join(dir, "deep", "x.parquet")).getColumn("label").toArray(), [1, 2, 3]);
    assert.equal(latentParquetPath("a/b.IDX"), "a/b.parquet");
    assert.equal(latentParquetPath("a/latent"), "a/latent.parquet");
  }, { prefix: "latentlab-latent-parquet-" });
});
