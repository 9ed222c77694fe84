import assert from "node:assert/strict";
import { join } from "node:path";
import { writeIndex } from "../../lib/notebook/index_page.ts";
import { writeNotebook } from "../../lib/notebook/ipynb.ts";
import type { RunRecord } from "../../lib/notebook/executor.ts";
import { withTempDir } from "../_helpers.ts";
import { assertIncludesAll } from "./_helpers.ts";

Deno.test("index.html links every report with its status, run date and time", async () => {
  await withTempDir(async (folder) => {
    const run = (status: RunRecord["status"], durationMs: number): RunRecord => ({
      status,
      startedAt: "2026-01-02T03:04:05.678Z",
      durationMs,
      params: { LATENTLAB_DATASET: "fashion-mnist" },
      deno: "2.9.6",
      cells: [],
      ...(status === "ok" ? {} : {
        failure: {
          cell: 4,
          codeCell: 2,
          id: "x",
          reason: status,
          message: "Error: bad <thing>",
          firstLine: "throw",
        },
      }),
    });
    /** An executed notebook `<name>.ipynb` titled `title`, with its run record and its page. */
    const writeReport = async (name: string, title: string, record: RunRecord) => {
      await writeNotebook(join(folder, `${name}.ipynb`), {
        nbformat: 4,
        nbformat_minor: 5,
        metadata: { latentlab: { run: record } },
        cells: [{ cell_type: "markdown", id: "t", metadata: {}, source: `# ${title}` }],
      });
      await Deno.writeTextFile(join(folder, `${name}.html`), "<html></html>");
    };
    await writeReport("A_one", "First report", run("ok", 65_000));
    await writeReport("B_two", "Second", run("error", 1500));
    await Deno.writeTextFile(join(folder, "table.csv"), "a\n1\n");
    const html = await Deno.readTextFile(await writeIndex(folder));
    assertIncludesAll(html, [
      '<a href="A_one.html">A_one</a></td><td>First report</td>',
      "2026-01-02 03:04:05 UTC",
      "1 min 05 s",
      "FAILED (error)",
      "code cell 2: Error: bad &lt;thing&gt;",
      "LATENTLAB_DATASET=fashion-mnist",
      '<a href="table.csv">table.csv</a>',
    ]);
    assert.ok(html.indexOf("A_one") < html.indexOf("B_two"));
  }, { prefix: "latentlab-index-" });
});
