/**
 * The notebooks in `notebooks/` are sources: no outputs, no execution counts, no plotly.js, the project
 * kernelspec. They are nbformat 4.4 (cells without ids): classic Notebook 6.4 adds cells without an id,
 * and with nbformat 5.5 (Debian 12) saving such a cell in a 4.5 notebook adds the id after signing, so the
 * notebook is no longer trusted when reopened (its figures' scripts do not run). 4.4 has no ids.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { PROJECT_ROOT } from "../../lib/util/project_root.ts";
import { readNotebook } from "../../lib/notebook/ipynb.ts";
import { listNotebooks } from "../../lib/notebook/run_all.ts";
import { countPlotlyLoaders, PLOTLY_MIME } from "../../lib/report/plotly.ts";

Deno.test("tracked notebooks carry no outputs and no plotly.js, and stay nbformat 4.4", async () => {
  const paths = await listNotebooks(join(PROJECT_ROOT, "notebooks"));
  assert.ok(paths.length >= 5);
  for (const path of paths) {
    const text = await Deno.readTextFile(path);
    const notebook = await readNotebook(path);
    const code = notebook.cells.filter((cell) => cell.cell_type === "code");
    assert.ok(code.length > 0, path);
    for (const cell of code) {
      assert.deepEqual(cell.outputs, [], `${path}: a code cell has outputs (clear them before committing)`);
      assert.equal(cell.execution_count, null, `${path}: a code cell has an execution count`);
    }
    assert.equal(countPlotlyLoaders(text), 0, `${path}: carries plotly.js`);
    assert.ok(!text.includes(PLOTLY_MIME) && !text.includes("plotly.js v"), `${path}: carries figures`);
    assert.deepEqual([notebook.nbformat, notebook.nbformat_minor], [4, 4], path);
    assert.ok(notebook.cells.every((cell) => cell.id === undefined), `${path}: cell ids (nbformat 4.5)`);
    assert.equal((notebook.metadata.kernelspec as { name?: string } | undefined)?.name, "latentlab", path);
    assert.equal(notebook.metadata.signature, undefined, path);
  }
});
