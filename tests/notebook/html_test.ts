import assert from "node:assert/strict";
import { join } from "node:path";
import { executeNotebook } from "../../lib/notebook/executor.ts";
import { notebookToHtml, reportName, stripAnsi } from "../../lib/notebook/html.ts";
import type { Notebook } from "../../lib/notebook/ipynb.ts";
import { PLOTLY_MIME } from "../../lib/report/plotly.ts";
import { assertIncludesAll, FIXTURES } from "./_helpers.ts";

const FAKE_PLOTLY = "/* plotly stand-in */ window.Plotly = { newPlot() {} };";

Deno.test("a Polars table and a Plotly figure round-trip from the kernel into the HTML report", async () => {
  const result = await executeNotebook(join(FIXTURES, "rich.ipynb"));
  assert.equal(result.run.status, "ok");
  const html = await notebookToHtml(result.notebook, { sourceName: "rich.ipynb" });
  // The table, with dtypes in the header and formatted numbers.
  assert.match(html, /<table class="latentlab-table"/);
  assert.match(html, /method<br><span[^>]*>String<\/span>/);
  assert.match(html, /recall<br><span[^>]*>Float64<\/span>/);
  assert.ok(html.includes(">0.910<") && html.includes(">1.000<"));
  // The figure: a div and a newPlot call carrying the data, plotly.js inlined exactly once.
  assert.match(html, /<div id="latentlab-figure-1" class="plotly-graph-div" style="height:320px"><\/div>/);
  assert.match(
    html,
    /Plotly\.newPlot\("latentlab-figure-1", \[\{"type":"bar","x":\["latent","lsh","exact"\],"y":\[0\.91,0\.87,1\]/,
  );
  const inlined = html.split("<script>").filter((part) => part.includes("Plotly") && part.length > 1_000_000);
  assert.equal(inlined.length, 1, "plotly.js inlined once");
  // Markdown rendered, code shown, run header.
  assertIncludesAll(html, [
    "<strong>Polars table</strong>",
    '<span class="math">n = 3</span>',
    "await showTable(df, { caption: &quot;Recall by method&quot;, digits: 3 });",
  ]);
  assert.match(html, /ran OK/);
  assert.match(html, /<title>Rich outputs<\/title>/);
});

Deno.test("HTML export renders streams, errors, images and escapes text; no plotly.js without figures", async () => {
  const notebook: Notebook = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: [
      { cell_type: "markdown", id: "m", metadata: {}, source: "## Part <1>" },
      {
        cell_type: "code",
        id: "c",
        metadata: {},
        execution_count: 3,
        source: ["console.log('<b>')"],
        outputs: [
          { output_type: "stream", name: "stdout", text: ["<b>\n"] },
          { output_type: "stream", name: "stderr", text: ["\u001b[31mred\u001b[0m\n"] },
          {
            output_type: "display_data",
            data: { "image/png": "iVBORw0KGgo=", "text/plain": ["img"] },
            metadata: {},
          },
          {
            output_type: "error",
            ename: "TypeError",
            evalue: "x",
            traceback: ["TypeError: x", "    at <anonymous>"],
          },
        ],
      },
    ],
  };
  const html = await notebookToHtml(notebook, { plotlyJs: FAKE_PLOTLY });
  assertIncludesAll(html, [
    '<h2 id="part-1">Part &lt;1&gt;</h2>',
    '<pre class="stdout">&lt;b&gt;\n</pre>',
    '<pre class="stderr">red\n</pre>',
    '<img alt="figure" src="data:image/png;base64,iVBORw0KGgo=">',
    '<pre class="error">TypeError: x\n    at &lt;anonymous&gt;</pre>',
    "In [3]:",
  ]);
  assert.ok(!html.includes("plotly stand-in"));
  notebook.cells[1].outputs!.push({
    output_type: "display_data",
    data: {
      [PLOTLY_MIME]: { data: [{ type: "scatter", y: [1] }], layout: { title: { text: "</script>" } } },
    },
    metadata: {},
  });
  const withFigure = await notebookToHtml(notebook, { plotlyJs: FAKE_PLOTLY });
  assert.equal(withFigure.split("plotly stand-in").length, 2);
  assert.ok(withFigure.includes('{"title":{"text":"\\u003c/script\\u003e"}}'));
  assert.equal(stripAnsi("\u001b[1;32mok\u001b[0m"), "ok");
  assert.equal(reportName("notebooks/B_search.ipynb"), "B_search.html");
});
