import assert from "node:assert/strict";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { PROJECT_ROOT } from "../../lib/util/project_root.ts";
import { readNotebook } from "../../lib/notebook/ipynb.ts";
import { runAllNotebooks } from "../../lib/notebook/run_all.ts";
import { treeDigest } from "../cli/_helpers.ts";
import { withTempDir } from "../_helpers.ts";

/** A notebook that writes a table into the results folder, then fails when `fail` is set. */
function tableNotebook(): string {
  const params = pathToFileURL(join(PROJECT_ROOT, "lib", "notebook", "params.ts")).href;
  const cell = (id: string, source: string) => ({
    cell_type: "code",
    id,
    metadata: {},
    execution_count: null,
    outputs: [],
    source: [source],
  });
  return JSON.stringify({
    cells: [
      cell(
        "write",
        `import { notebookParams } from "${params}";\nconst params = notebookParams({ fail: false });\n` +
          `await Deno.writeTextFile(params.results + "/nb_table.csv", "run " + params.seed + "\\n");`,
      ),
      cell("check", `if (params.fail) throw new Error("deliberate failure");`),
    ],
    metadata: { kernelspec: { name: "latentlab", display_name: "Deno (latentlab)", language: "typescript" } },
    nbformat: 4,
    nbformat_minor: 5,
  });
}

Deno.test("runAllNotebooks: a failing notebook keeps the previous results and writes its failed copy beside them", async () => {
  await withTempDir(async (dir) => {
    const notebooks = join(dir, "notebooks");
    const out = join(dir, "results");
    await Deno.mkdir(notebooks);
    await Deno.writeTextFile(join(notebooks, "nb.ipynb"), tableNotebook());
    const run = (env: Record<string, string>) =>
      runAllNotebooks(notebooks, { outDir: out, env, log: () => {}, publish: { sign: false } });
    const first = await run({ LATENTLAB_SEED: "1" });
    assert.ok(first.ok);
    assert.equal(await Deno.readTextFile(join(out, "nb_table.csv")), "run 1\n");
    const before = await treeDigest(out);
    delete before["index.html"]; // rewritten to list the failed copy

    const failed = await run({ LATENTLAB_SEED: "2", LATENTLAB_FAIL: "true" });
    assert.equal(failed.ok, false);
    assert.match(
      failed.notebooks[0].failure ?? "",
      /nb\.ipynb: code cell 2 .* failed: Error: deliberate failure/,
    );
    const after = await treeDigest(out);
    for (const [path, digest] of Object.entries(before)) assert.equal(after[path], digest, `${path} changed`);
    assert.equal(await Deno.readTextFile(join(out, "nb_table.csv")), "run 1\n", "the table is put back");
    const copy = await readNotebook(join(out, "nb.failed.ipynb"));
    assert.equal((copy.metadata.latentlab as { run: { status: string } }).run.status, "error");
    assert.ok(after["nb.failed.html"], "the failed report is beside the previous one");
    assert.match(await Deno.readTextFile(join(out, "index.html")), /nb\.failed\.html/);
    assert.deepEqual(Object.keys(after).filter((path) => path.startsWith(".")), [], "no temporaries");

    const again = await run({ LATENTLAB_SEED: "3" });
    assert.ok(again.ok);
    assert.equal(await Deno.readTextFile(join(out, "nb_table.csv")), "run 3\n");
    const names = Object.keys(await treeDigest(out)).sort();
    assert.deepEqual(names, ["index.html", "nb.html", "nb.ipynb", "nb_table.csv"], "the failed copies went");
  }, { prefix: "latentlab-run-all-" });
});
