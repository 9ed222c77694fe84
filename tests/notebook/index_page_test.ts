import assert from "node:assert/strict";
import { join } from "node:path";
import { writeIndex } from "../../lib/notebook/index_page.ts";
import { writeNotebook } from "../../lib/notebook/ipynb.ts";
import type { RunRecord } from "../../lib/notebook/executor.ts";
import { withTempDir } from "../_helpers.ts";

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
    const source = (
      title: string,
    ) => [{ cell_type: "markdown" as const, id: "t", metadata: {}, source: `# ${title}` }];
    await writeNotebook(join(folder, "A_one.ipynb"), {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: { latentlab: { run: run("ok", 65_000) } },
      cells: source("First report"),
    });
    await Deno.writeTextFile(join(folder, "A_one.html"), "<html></html>");
    await writeNotebook(join(folder, "B_two.ipynb"), {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: { latentlab: { run: run("error", 1500) } },
      cells: source("Second"),
    });
    await Deno.writeTextFile(join(folder, "B_two.html"), "<html></html>");
    await Deno.writeTextFile(join(folder, "table.csv"), "a\n1\n");
    const html = await Deno.readTextFile(await writeIndex(folder));
    assert.ok(html.includes('<a href="A_one.html">A_one</a></td><td>First report</td>'));
    assert.ok(html.includes("2026-01-02 03:04:05 UTC"));
    assert.ok(html.includes("1 min 05 s"));
    assert.ok(html.includes("FAILED (error)"));
    assert.ok(html.includes("code cell 2: Error: bad &lt;thing&gt;"));
    assert.ok(html.includes("LATENTLAB_DATASET=fashion-mnist"));
    assert.ok(html.includes('<a href="table.csv">table.csv</a>'));
    assert.ok(html.indexOf("A_one") < html.indexOf("B_two"));
  }, { prefix: "latentlab-index-" });
});
