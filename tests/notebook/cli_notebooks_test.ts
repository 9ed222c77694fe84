import assert from "node:assert/strict";
import { join } from "node:path";
import { notebooksMain } from "../../lib/cli/notebooks.ts";
import { PROJECT_ROOT } from "../../lib/util/project_root.ts";
import { readNotebook } from "../../lib/notebook/ipynb.ts";
import { isNotebookTrusted } from "../../lib/notebook/trust.ts";
import { countPlotlyLoaders } from "../../lib/report/plotly.ts";
import { silently, treeDigest } from "../cli/_helpers.ts";
import { cellById, notebooksCliArgs, runNotebooksCli } from "./_helpers.ts";
import { interruptDeno, withTempDir } from "../_helpers.ts";

Deno.test("notebooks: bad --only and --param exit 2 with one line before any kernel starts; nothing changes", async () => {
  await withTempDir(async (out) => {
    await Deno.writeTextFile(join(out, "00_tour.ipynb"), "previous results");
    const before = await treeDigest(out);
    const notebooks = join(PROJECT_ROOT, "notebooks");
    const cases: [string[], RegExp][] = [
      [["--only", ","], /^notebooks: error: --only: "," has an empty name/],
      [
        ["--only", "00,ZZZ"],
        /^notebooks: error: --only: no notebook starts with "ZZZ"; notebooks: 00_tour, A_autoencoder/,
      ],
      [["--only", "B-"], /--only: no notebook starts with "B-" \(did you mean B_search\?\)/],
      [
        ["--only", "00", "--param", "datset=fashion-mnist"],
        /^notebooks: error: --param datset: no notebook to run declares it \(did you mean dataset\?\)/,
      ],
      [
        ["--only", "00", "--param", "seed=abc"],
        /^notebooks: error: --param seed: expected a number, got "abc"/,
      ],
      [
        ["--only", "00", "--param", "dataset=nonexistent"],
        /^notebooks: error: --param dataset: nonexistent: unknown data set/,
      ],
      [["--only", "00", "--param", "latentDims=10"], /--param latentDims: no notebook to run declares it/],
      [
        ["--only", "A_", "--param", "latentDims=10,x"],
        /--param latentDims: expected a comma-separated list of numbers/,
      ],
      [["--only", "00", "--param", "results=/tmp"], /--param results: the results folder is set with --out/],
      [["--only", "00", "--param", "novalue"], /--param: expected key=value, got "novalue"/],
      [["--only", "00", "--param", "seed=1", "--param", "seed=2"], /--param seed: given twice/],
      [
        ["--only", "00", "--out", notebooks],
        /^notebooks: error: --out: .*notebooks is the notebook folder of --notebooks/,
      ],
      [
        ["--only", "00", "--out", join(notebooks, "00_tour.ipynb")],
        /^notebooks: error: --out: .* is a file, expected a folder/,
      ],
      [
        ["--only", "00", "--notebooks", join(notebooks, "00_tour.ipynb")],
        /^notebooks: error: --notebooks: .* is a file, expected a notebook folder/,
      ],
      [["--only", "00", "--timeout", "0"], /^notebooks: error: --timeout: 0 is out of range/],
    ];
    for (const [argv, pattern] of cases) {
      const withOut = argv.includes("--out") ? argv : [...argv, "--out", out];
      const run = await silently(() => notebooksMain(withOut));
      assert.equal(run.value, 2, `${argv.join(" ")}: ${run.errors.join(" | ")}`);
      assert.equal(run.errors.length, 1, `${argv.join(" ")}: ${run.errors.join(" | ")}`);
      assert.match(run.errors[0], pattern, argv.join(" "));
      assert.deepEqual(run.logs, [], `${argv.join(" ")}: no kernel started`);
      assert.deepEqual(await treeDigest(out), before, argv.join(" "));
    }
  }, { prefix: "latentlab-cli-" });
});

Deno.test({
  name: "notebooks: Ctrl-C in a cell stops the kernel, exits 130 and leaves the results folder as it was",
  ignore: Deno.build.os === "windows",
  async fn() {
    await withTempDir(async (out) => {
      await Deno.writeTextFile(join(out, "keep.csv"), "earlier table\n");
      await Deno.writeTextFile(join(out, "hanging.ipynb"), "earlier executed notebook");
      const before = await treeDigest(out);
      const run = await interruptDeno(notebooksCliArgs("hanging", out), {
        when: /\[hanging 1\/2\] ok/,
        cwd: PROJECT_ROOT,
        env: { NO_COLOR: "1" },
      });
      assert.equal(run.code, 130, run.stdout + run.stderr);
      assert.match(run.stderr, /notebooks: interrupted \(SIGINT\); the previous outputs are unchanged/);
      assert.deepEqual(await treeDigest(out), before);
    }, { prefix: "latentlab-cli-" });
  },
});

Deno.test("`deno task notebooks --param` reaches the notebook as LATENTLAB_* and writes report + index", async () => {
  await withTempDir(async (out) => {
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
  }, { prefix: "latentlab-cli-" });
});

Deno.test("`deno task notebooks --no-sign` leaves the user's Jupyter data folder alone", async () => {
  await withTempDir(async (out) => {
    const { code, stdout, stderr } = await runNotebooksCli("rich", out, ["--no-sign"]);
    assert.equal(code, 0, stdout + stderr);
    const executed = await readNotebook(join(out, "rich.ipynb"));
    assert.equal(countPlotlyLoaders(await Deno.readTextFile(join(out, "rich.ipynb"))), 1);
    await assert.rejects(Deno.stat(join(out, ".jupyter")), Deno.errors.NotFound);
    assert.equal(await isNotebookTrusted(executed, { dataDir: join(out, ".jupyter") }), false);
  }, { prefix: "latentlab-cli-" });
});
