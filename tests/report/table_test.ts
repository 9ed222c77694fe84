import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { join } from "node:path";
import { formatValue, tableBundle, tableHtml, tableText, writeTable } from "../../lib/report/table.ts";
import { withTempDir } from "../_helpers.ts";

Deno.test("tableHtml shows dtypes, formats numbers and escapes text", () => {
  const df = pl.DataFrame({ name: ["<b>a</b>", "b"], score: [0.123456, 2], count: [1234567, 3] })
    .withColumns(pl.col("count").cast(pl.Int64));
  const html = tableHtml(df, { digits: 3 });
  assert.match(html, /name<br><span[^>]*>String<\/span>/);
  assert.match(html, /score<br><span[^>]*>Float64<\/span>/);
  assert.match(html, /count<br><span[^>]*>Int64<\/span>/);
  assert.ok(html.includes("&lt;b&gt;a&lt;/b&gt;"));
  assert.ok(!html.includes("<b>a</b>"));
  assert.ok(html.includes(">0.123<"));
  assert.ok(html.includes(">2.000<"));
  assert.ok(html.includes(">1,234,567<"));
  assert.match(html, /2 rows × 3 columns/);
});

Deno.test("tableHtml limits rows and says so", () => {
  const df = pl.DataFrame({ i: Array.from({ length: 50 }, (_, i) => i) });
  const html = tableHtml(df, { maxRows: 5 });
  assert.equal(html.match(/<tr>/g)!.length, 1 + 5);
  assert.match(html, /showing 5 of 50 rows/);
  assert.match(tableText(df, { maxRows: 5 }), /\(showing 5 of 50 rows\)/);
  const bundle = tableBundle(df, { maxRows: 5 });
  assert.deepEqual(Object.keys(bundle).sort(), ["text/html", "text/plain"]);
});

Deno.test("formatValue covers nulls, special floats, big and tiny numbers", () => {
  assert.equal(formatValue(null), "null");
  assert.equal(formatValue(NaN), "NaN");
  assert.equal(formatValue(-Infinity), "-inf");
  assert.equal(formatValue(12n ** 20n), (12n ** 20n).toLocaleString("en-US"));
  assert.equal(formatValue(1.5e12), "1,500,000,000,000");
  assert.equal(formatValue(1.5e12, { digits: 2, float: true }), "1.500e+12");
  assert.equal(formatValue(0.00001, { digits: 3 }), "1.000e-5");
  assert.equal(formatValue(0, { digits: 3 }), "0");
  assert.equal(formatValue(0, { digits: 3, float: true }), "0.000");
  assert.equal(formatValue(0.5, { digits: 2 }), "0.50");
});

Deno.test("writeTable writes CSV and Parquet side by side, with the column types kept in Parquet", async () => {
  await withTempDir(async (dir) => {
    const df = pl.DataFrame({ label: [1, 2], method: ["lsh", "exact"], recall: [0.5, 1] })
      .withColumns(pl.col("label").cast(pl.Int64));
    const written = await writeTable(df, join(dir, "sub", "t.csv"));
    assert.deepEqual(written, { csv: join(dir, "sub", "t.csv"), parquet: join(dir, "sub", "t.parquet") });
    assert.equal(await Deno.readTextFile(written.csv), "label,method,recall\n1,lsh,0.5\n2,exact,1.0\n");
    const back = pl.readParquet(written.parquet);
    assert.deepEqual(back.toRecords(), df.toRecords());
    assert.deepEqual(back.dtypes.map(String), df.dtypes.map(String));
    assert.deepEqual(await writeTable(df, join(dir, "u")), {
      csv: join(dir, "u.csv"),
      parquet: join(dir, "u.parquet"),
    });
    assert.deepEqual([...Deno.readDirSync(join(dir, "sub"))].map((e) => e.name).sort(), [
      "t.csv",
      "t.parquet",
    ]);
  }, { prefix: "latentlab-table-" });
});
