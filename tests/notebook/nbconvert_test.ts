/**
 * The same notebooks run under the user's own Jupyter: `jupyter nbconvert --to notebook --execute` with the
 * project-local kernelspec (`JUPYTER_PATH=.jupyter`, deno on PATH). Skipped with a message when nbconvert
 * is not installed.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { PROJECT_ROOT } from "../../lib/util/project_root.ts";
import { joinText, readNotebook } from "../../lib/notebook/ipynb.ts";
import { PLOTLY_MIME } from "../../lib/report/plotly.ts";
import { FIXTURES, nbconvertExecute } from "./_helpers.ts";
import { findOnPath } from "./_figures.ts";

const nbconvert = findOnPath("jupyter-nbconvert");
// Under CI (CI=true) a missing nbconvert fails the test instead of skipping it.
const skip = !nbconvert && Deno.env.get("CI") !== "true";
if (skip) {
  console.log(
    "nbconvert_test: SKIPPED, jupyter-nbconvert not found (apt-get install jupyter-nbconvert python3-nbclient)",
  );
}

Deno.test({
  name: "the tour and the fixtures execute under `jupyter nbconvert --execute` with the project kernelspec",
  ignore: skip,
  async fn() {
    assert.ok(nbconvert, "jupyter-nbconvert is needed (apt-get install jupyter-nbconvert python3-nbclient)");
    const out = await Deno.makeTempDir({ prefix: "latentlab-nbconvert-" });
    const runtime = await Deno.makeTempDir({ prefix: "latentlab-jupyter-runtime-" });
    try {
      const child = await nbconvertExecute(
        nbconvert!,
        [join(PROJECT_ROOT, "notebooks", "00_tour.ipynb"), join(FIXTURES, "rich.ipynb")],
        { outputDir: out, runtimeDir: runtime, cellTimeoutS: 180, env: { LATENTLAB_RESULTS: out } },
      );
      const log = new TextDecoder().decode(child.stderr);
      assert.equal(child.code, 0, log);
      const tour = await readNotebook(join(out, "00_tour.ipynb"));
      assert.equal(
        tour.metadata.kernelspec && (tour.metadata.kernelspec as { name: string }).name,
        "latentlab",
      );
      const code = tour.cells.filter((cell) => cell.cell_type === "code");
      assert.ok(code.every((cell) => typeof cell.execution_count === "number"), "every code cell ran");
      const outputs = code.flatMap((cell) => cell.outputs ?? []);
      assert.ok(outputs.some((o) => "data" in o && o.data[PLOTLY_MIME]), "the Plotly figure");
      assert.ok(
        outputs.some((o) =>
          "data" in o && joinText(o.data["text/html"] as string[]).includes("latentlab-table")
        ),
      );
      assert.ok(
        outputs.some((o) => "data" in o && typeof o.data["image/png"] === "string"),
        "the image grids",
      );
      assert.ok(!outputs.some((o) => o.output_type === "error"));
      // Awaited displays are never lost, even by nbclient: the parameters line of the first cell is there.
      const first = code[0].outputs!.find((o) => "data" in o);
      assert.ok(
        first && "data" in first &&
          joinText(first.data["text/plain"] as string[]).startsWith("parameters: {"),
      );
      const rich = await readNotebook(join(out, "rich.ipynb"));
      const setup = rich.cells.find((cell) => cell.id === "setup")!.outputs![0];
      assert.ok("data" in setup);
      assert.equal(joinText(setup.data["text/plain"] as string[]), `cwd=${FIXTURES} seed=1 NO_COLOR=1`);
    } finally {
      await Deno.remove(out, { recursive: true });
      await Deno.remove(runtime, { recursive: true }).catch(() => {});
    }
  },
});
