import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { executeNotebook } from "../../lib/notebook/executor.ts";
import { joinText, readNotebook } from "../../lib/notebook/ipynb.ts";
import { PLOTLY_MIME } from "../../lib/report/plotly.ts";
import { cellById, FIXTURES, processesInGroup, runNotebooksCli, streamText } from "./_helpers.ts";
import { withTempDir } from "../_helpers.ts";

Deno.test("a cell that logs 200 lines keeps all 200, and nothing lands in the next cell (5 runs)", async () => {
  const expected = Array.from({ length: 200 }, (_, i) => `line ${i}\n`).join("");
  for (let run = 0; run < 5; run++) {
    const result = await executeNotebook(join(FIXTURES, "many_lines.ipynb"));
    assert.equal(result.run.status, "ok");
    const log = cellById(result.notebook.cells, "log200");
    assert.equal(streamText(log), expected, `run ${run}: the 200 lines, in order`);
    assert.equal(log.outputs!.length, 1);
    const after = cellById(result.notebook.cells, "after");
    assert.equal(streamText(after), "after\n", `run ${run}: the next cell has only its own line`);
    const value = after.outputs!.find((o) => o.output_type === "execute_result");
    assert.ok(value && "data" in value, `run ${run}: last-expression value kept`);
    assert.equal(joinText(value.data["text/plain"] as string[]), '"done"');
    assert.deepEqual(
      result.notebook.cells.filter((c) => c.cell_type === "code").map((c) => c.execution_count),
      [1, 2],
    );
  }
});

Deno.test("a failing cell makes `deno task notebooks` exit non-zero naming the notebook and cell", async () => {
  await withTempDir(async (out) => {
    const { code, stdout, stderr } = await runNotebooksCli("failing", out, ["--no-html"]);
    assert.equal(code, 1, stdout + stderr);
    assert.match(
      stderr,
      /failing\.ipynb: code cell 2 \(cell 2, id boom, "\/\/ this cell fails"\) failed: Error: deliberate failure/,
    );
    assert.match(stdout, /\[failing 2\/3\] ERROR/);
    // A failed run is written beside the (here: absent) previous results, never over them.
    assert.equal(existsSync(join(out, "failing.ipynb")), false);
    const executed = await readNotebook(join(out, "failing.failed.ipynb"));
    const boom = cellById(executed.cells, "boom");
    assert.ok(boom.outputs!.some((o) => o.output_type === "error" && o.evalue === "deliberate failure"));
    assert.equal(cellById(executed.cells, "never").execution_count, null, "cells after the error do not run");
    assert.equal((executed.metadata.latentlab as { run: { status: string } }).run.status, "error");
  }, { prefix: "latentlab-test-" });
});

Deno.test("a cell that never finishes is stopped by its timeout and the kernel is gone", async () => {
  const started = performance.now();
  const result = await executeNotebook(join(FIXTURES, "hanging.ipynb"), { cellTimeoutMs: 2000 });
  const elapsed = performance.now() - started;
  assert.equal(result.run.status, "timeout");
  assert.equal(result.run.failure?.id, "spin");
  assert.match(result.run.failure!.message, /no result after 2 s; kernel killed/);
  assert.ok(elapsed < 20_000, `stopped promptly (${elapsed.toFixed(0)} ms)`);
  const spin = cellById(result.notebook.cells, "spin");
  assert.equal(spin.outputs!.at(-1)!.output_type, "error");
  assert.equal(streamText(cellById(result.notebook.cells, "fine")), "before\n");
  // Neither the kernel nor anything in its process group survives.
  const group = processesInGroup(result.kernelPid);
  if (group) assert.deepEqual(group, [], `processes left in group ${result.kernelPid}`);
  assert.throws(() => Deno.kill(result.kernelPid, "SIGCONT"), `kernel ${result.kernelPid} still exists`);
});

/** Whether Debian's python3-nbformat is installed (the schema validation below needs it). */
function nbformatInstalled(): boolean {
  if (!existsSync("/usr/bin/python3")) return false;
  return new Deno.Command("/usr/bin/python3", { args: ["-c", "import nbformat"], stderr: "null" })
    .outputSync()
    .success;
}

/** Under CI (CI=true) a missing python3-nbformat fails the schema check instead of ignoring it. */
const skipNbformat = !nbformatInstalled() && Deno.env.get("CI") !== "true";

/** Python nbformat's validation of a notebook file: "valid", or its error text. */
async function nbformatValidate(path: string): Promise<string> {
  const script =
    "import sys, nbformat\nnbformat.validate(nbformat.read(sys.argv[1], as_version=4)); print('valid')";
  const child = await new Deno.Command("/usr/bin/python3", { args: ["-c", script, path] }).output();
  return child.code === 0
    ? new TextDecoder().decode(child.stdout).trim()
    : new TextDecoder().decode(child.stderr);
}

Deno.test("rich outputs, parameters, cwd and in-place progress updates are collected; the file is valid nbformat", async (t) => {
  const out = await Deno.makeTempDir({ prefix: "latentlab-rich-" });
  const outputPath = join(out, "rich.ipynb");
  const result = await executeNotebook(join(FIXTURES, "rich.ipynb"), {
    env: { LATENTLAB_SEED: "7" },
    outputPath,
  });
  assert.equal(result.run.status, "ok", JSON.stringify(result.run.failure));
  assert.deepEqual(await readNotebook(outputPath), result.notebook);
  await t.step({
    name: "Python nbformat validates the written file (ignored where python3-nbformat is not installed)",
    ignore: skipNbformat,
    fn: async () => assert.equal(await nbformatValidate(outputPath), "valid"),
  });
  await Deno.remove(out, { recursive: true });
  assert.deepEqual(result.run.params, { LATENTLAB_SEED: "7" });
  const setup = cellById(result.notebook.cells, "setup").outputs![0];
  assert.ok("data" in setup);
  assert.equal(setup.output_type, "display_data");
  assert.equal(joinText(setup.data["text/plain"] as string[]), `cwd=${FIXTURES} seed=7 NO_COLOR=1`);
  const table = cellById(result.notebook.cells, "table").outputs!;
  assert.equal(table.length, 1);
  assert.ok(
    "data" in table[0] && joinText(table[0].data["text/html"] as string[]).includes("Recall by method"),
  );
  const figure = cellById(result.notebook.cells, "figure").outputs!;
  assert.ok("data" in figure[0] && figure[0].data[PLOTLY_MIME]);
  const progress = cellById(result.notebook.cells, "progress").outputs!;
  assert.equal(progress.length, 1, "one progress output, updated in place");
  assert.ok("data" in progress[0]);
  assert.match(
    joinText(progress[0].data["text/plain"] as string[]),
    /^steps: \[#{20}\] 3\/3 \(100 %\), done in .* — finished$/,
  );
});

Deno.test("in the kernel, a progress line updated 2000 times in a tight loop sends only a few displays", async () => {
  const result = await executeNotebook(join(FIXTURES, "progress_throttle.ipynb"));
  assert.equal(result.run.status, "ok", JSON.stringify(result.run));
  const outputs = cellById(result.notebook.cells, "loop").outputs!;
  const texts = outputs.map((o) => ("data" in o ? joinText(o.data["text/plain"] as string | string[]) : ""));
  assert.match(
    texts[0],
    /^loop: \[#{20}\] 2000\/2000 \(100 %\), done in .* — ok$/,
    "the final line replaced it",
  );
  const { sent, elapsedMs } = JSON.parse(texts[1]) as { sent: number; elapsedMs: number };
  // The first update, one per 250 ms of the loop, and the final line.
  assert.ok(
    sent >= 2 && sent <= 2 + Math.ceil(elapsedMs / 250),
    `${sent} displays in ${elapsedMs.toFixed(0)} ms`,
  );
});
