import assert from "node:assert/strict";
import { PLOTLY_MIME, plotlyBundle } from "../../lib/report/plotly.ts";

Deno.test("plotlyBundle carries the figure as JSON, an HTML fallback and a text summary", () => {
  const bundle = plotlyBundle({
    data: [{ type: "scatter", x: Float64Array.of(1, 2), y: [3, 4] }],
    layout: { title: { text: "A </script><script>alert(1)</script> title" } },
  }, { divId: "fig" });
  const figure = bundle[PLOTLY_MIME] as { data: { x: unknown }[]; layout: unknown };
  assert.deepEqual(figure.data[0].x, [1, 2]);
  const html = bundle["text/html"] as string;
  assert.match(
    html,
    /<div id="fig" class="plotly-graph-div" style="width:100%">\(Plotly figure &quot;A &lt;\/script&gt;/,
  );
  assert.match(html, /Plotly\.newPlot\(el, \[\{"type":"scatter","x":\[1,2\],"y":\[3,4\]\}\]/);
  // The title cannot close the script element.
  assert.equal(html.match(/<\/script>/g)!.length, 1);
  assert.match(bundle["text/plain"] as string, /1 trace\(s\) \(scatter\)/);
});
