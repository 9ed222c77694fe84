import assert from "node:assert/strict";
import { join } from "node:path";
import { executeNotebook } from "../../lib/notebook/executor.ts";
import { notebookToHtml } from "../../lib/notebook/html.ts";
import { type CellOutput, joinText, readNotebook, serializeNotebook } from "../../lib/notebook/ipynb.ts";
import { prepareFigures, publishNotebook } from "../../lib/notebook/publish.ts";
import { isNotebookTrusted } from "../../lib/notebook/trust.ts";
import { countPlotlyLoaders, PLOTLY_MIME, plotlyJsVersion } from "../../lib/report/plotly.ts";
import { encodePng } from "../../lib/report/png.ts";
import { cellById, FIXTURES } from "./_helpers.ts";
import { withTempDir } from "../_helpers.ts";

function html(output: CellOutput): string {
  return "data" in output ? joinText(output.data["text/html"] as string[]) : "";
}

const run = await executeNotebook(join(FIXTURES, "figures.ipynb"));

Deno.test("in a kernel session only the first figure carries plotly.js; showPlotlyJs carries it on demand", () => {
  assert.equal(run.run.status, "ok", JSON.stringify(run.run.failure));
  const first = cellById(run.notebook.cells, "first").outputs!;
  assert.equal(countPlotlyLoaders(html(first[0])), 1);
  assert.ok("data" in first[0] && first[0].data[PLOTLY_MIME], "the Plotly MIME type stays");
  assert.ok("data" in first[1]);
  assert.equal(joinText(first[1].data["text/plain"] as string[]), "sent before: false, after: true");
  const second = cellById(run.notebook.cells, "second").outputs!;
  assert.equal(second.length, 1);
  assert.equal(countPlotlyLoaders(html(second[0])), 0);
  assert.match(html(second[0]), /latentlab-figure/);
  const explicit = cellById(run.notebook.cells, "explicit").outputs!;
  assert.equal(countPlotlyLoaders(html(explicit[0])), 1);
  assert.ok("data" in explicit[0]);
  assert.equal(
    joinText(explicit[0].data["text/plain"] as string[]),
    `plotly.js ${plotlyJsVersion()} for the figures of this page`,
  );
});

Deno.test("prepareFigures leaves plotly.js in the first figure only and adds the static images", async () => {
  const notebook = structuredClone(run.notebook);
  const png = encodePng({ width: 1, height: 1, channels: 3, pixels: new Uint8Array(3) });
  const seen: string[] = [];
  const prepared = await prepareFigures(notebook, {
    image: (figure) => {
      seen.push(String((figure.layout?.title as { text: string }).text));
      return Promise.resolve(seen.length === 1 ? png : undefined);
    },
  });
  assert.deepEqual(prepared, { figures: 2, images: 1, removedLoaders: 1 });
  assert.deepEqual(seen, ["first", "second"]);
  assert.equal(countPlotlyLoaders(serializeNotebook(notebook)), 1);
  const first = cellById(notebook.cells, "first").outputs![0];
  assert.ok("data" in first && typeof first.data["image/png"] === "string");
  assert.match(html(first), /<img alt="Plotly figure &quot;first&quot;" src="data:image\/png;base64,/);
  assert.equal(cellById(notebook.cells, "explicit").outputs!.length, 0, "the extra copy is gone");
  const second = cellById(notebook.cells, "second").outputs![0];
  assert.ok("data" in second && second.data["image/png"] === undefined);
  assert.deepEqual(
    "data" in second && second.data[PLOTLY_MIME],
    "data" in run.notebook.cells[2].outputs![0] && run.notebook.cells[2].outputs![0].data[PLOTLY_MIME],
    "the Plotly JSON is unchanged",
  );
});

Deno.test("publishNotebook writes a signed notebook; the HTML report still carries plotly.js once", async () => {
  await withTempDir(async (dir) => {
    const notebook = structuredClone(run.notebook);
    const path = join(dir, "figures.ipynb");
    const published = await publishNotebook(notebook, path, {
      staticImages: false,
      sign: { dataDir: join(dir, "jupyter") },
    });
    assert.match(published.signature!, /^[0-9a-f]{64}$/);
    const written = await readNotebook(path);
    assert.equal(countPlotlyLoaders(await Deno.readTextFile(path)), 1);
    assert.equal(await isNotebookTrusted(written, { dataDir: join(dir, "jupyter") }), true);
    // The kernel's raw outputs (two copies: first figure and showPlotlyJs) still give one copy in a report.
    const report = await notebookToHtml(run.notebook);
    assert.equal(report.split(`plotly.js v${plotlyJsVersion()}`).length - 1, 1);
    assert.equal(countPlotlyLoaders(report), 0);
  }, { prefix: "latentlab-publish-" });
});
