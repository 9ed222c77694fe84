import assert from "node:assert/strict";
import { join } from "node:path";
import { extractParams } from "../../lib/cli/notebooks.ts";
import { readNotebook } from "../../lib/notebook/ipynb.ts";
import { isNotebookTrusted } from "../../lib/notebook/trust.ts";
import { countPlotlyLoaders } from "../../lib/report/plotly.ts";
import { cellById, runNotebooksCli } from "./_helpers.ts";

Deno.test("--param is repeatable and the other flags pass through", () => {
  assert.deepEqual(extractParams(["--param", "dataset=x", "--only", "00", "-p", "seed=3", "--param=a=b"]), {
    params: ["dataset=x", "seed=3", "a=b"],
    rest: ["--only", "00"],
  });
});

Deno.test("`deno task notebooks --param` reaches the notebook as LATENTLAB_* and writes report + index", async () => {
  const out = await Deno.makeTempDir({ prefix: "latentlab-cli-" });
  try {
    const { code, stdout, stderr } = await runNotebooksCli("rich", out, ["--param", "seed=42"]);
    assert.equal(code, 0, stdout + stderr);
    assert.match(stdout, /\[rich 4\/4\] ok /);
    const executed = await readNotebook(join(out, "rich.ipynb"));
    const setup = cellById(executed.cells, "setup").outputs![0];
    assert.ok("data" in setup && (setup.data["text/plain"] as string[]).join("").includes("seed=42"));
    const index = await Deno.readTextFile(join(out, "index.html"));
    assert.ok(index.includes('<a href="rich.html">rich</a>') && index.includes("LATENTLAB_SEED=42"));
    assert.ok((await Deno.stat(join(out, "rich.html"))).size > 1_000_000, "plotly.js inlined");
    // The executed notebook opens with its figure in Jupyter: plotly.js once, signed (here in <out>/.jupyter).
    assert.equal(countPlotlyLoaders(await Deno.readTextFile(join(out, "rich.ipynb"))), 1);
    assert.equal(await isNotebookTrusted(executed, { dataDir: join(out, ".jupyter") }), true);
    assert.ok(!index.includes(".jupyter"), "the Jupyter data folder is not listed as a result");
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
