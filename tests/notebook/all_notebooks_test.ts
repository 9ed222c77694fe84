/**
 * Every notebook, every figure: all five notebooks run headless (small parameters), then their HTML reports,
 * nbconvert's HTML export of the executed notebooks (on a RequireJS page, as Debian's templates make it, and
 * on a plain page) and `jupyter nbconvert --to html --execute` are opened in chromium: each figure of the
 * notebook's outputs (Plotly MIME type) must be drawn with all its traces, without page or script errors.
 * `--execute` runs the notebooks through the project kernelspec, i.e. behind the kernel proxy
 * (lib/notebook/kernel_proxy.ts): every figure must arrive, none dropped.
 * Needs chromium and nbconvert: outside CI a missing one makes the test ignored with a message; under CI
 * (`CI=true`) the test fails.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { basename, delimiter, dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { PROJECT_ROOT } from "../../lib/util/project_root.ts";
import { readNotebook } from "../../lib/notebook/ipynb.ts";
import { PROJECT_JUPYTER_PATH } from "../../lib/notebook/kernelspec.ts";
import { listNotebooks, runAllNotebooks } from "../../lib/notebook/run_all.ts";
import { countPlotlyLoaders } from "../../lib/report/plotly.ts";
import { CHROMIUM_PATH, chromiumAvailable, launchChromium } from "../../lib/report/static_export.ts";
import {
  assertFiguresDrawn,
  drawnFigures,
  type ExpectedFigure,
  expectedFigures,
  findOnPath,
  frontEndTestsLater,
  smallParams,
  watchProblems,
} from "./_figures.ts";

const nbconvert = findOnPath("jupyter-nbconvert");
const missing = [
  ...(chromiumAvailable() ? [] : [`${CHROMIUM_PATH} (apt-get install chromium)`]),
  ...(nbconvert ? [] : ["jupyter-nbconvert (apt-get install jupyter-nbconvert python3-nbclient)"]),
];
const inCi = Deno.env.get("CI") === "true";
if (missing.length > 0 && !inCi) console.log(`all_notebooks_test: IGNORED, missing ${missing.join(", ")}`);

const REQUIRE_JS = "/usr/share/javascript/requirejs/require.min.js";
const SCREENSHOTS = join(PROJECT_ROOT, "results", "screenshots");
// Assets of nbconvert's template that a machine may lack (MathJax); not needed by the figures.
const templateAsset = (_text: string, url: string) => url.startsWith("file:///usr/share/javascript/");

async function nbconvertRun(args: string[], env: Record<string, string> = {}): Promise<void> {
  const runtime = await Deno.makeTempDir({ prefix: "latentlab-jupyter-runtime-" });
  try {
    const child = await new Deno.Command(nbconvert!, {
      args,
      cwd: PROJECT_ROOT,
      env: {
        JUPYTER_PATH: PROJECT_JUPYTER_PATH,
        JUPYTER_RUNTIME_DIR: runtime,
        PATH: `${dirname(Deno.execPath())}${delimiter}${Deno.env.get("PATH") ?? ""}`,
        NO_COLOR: "1",
        ...env,
      },
    }).output();
    assert.equal(child.code, 0, new TextDecoder().decode(child.stderr));
  } finally {
    await Deno.remove(runtime, { recursive: true }).catch(() => {});
  }
}

Deno.test({
  name: "all five notebooks: headless run, HTML reports, nbconvert HTML (RequireJS and plain pages) and " +
    "`nbconvert --to html --execute` draw every figure in chromium",
  ignore: frontEndTestsLater || (missing.length > 0 && !inCi),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    assert.deepEqual(missing, [], "under CI the browser and nbconvert checks must run");
    const out = await Deno.makeTempDir({ prefix: "latentlab-all-notebooks-" });
    const session = await launchChromium();
    try {
      const names = (await listNotebooks(join(PROJECT_ROOT, "notebooks"))).map((p) => basename(p, ".ipynb"));
      assert.deepEqual(names, ["00_tour", "A_autoencoder", "B_search", "C_emd", "D_clustering"]);
      const expected = new Map<string, ExpectedFigure[]>();
      const results = join(out, "results");

      await t.step("headless run of all five; each executed notebook carries plotly.js once", async () => {
        const log: string[] = [];
        const summary = await runAllNotebooks(join(PROJECT_ROOT, "notebooks"), {
          outDir: results,
          env: smallParams(join(out, "models")),
          publish: { sign: { dataDir: join(out, "jupyter") } },
          log: (line) => log.push(line),
        });
        assert.ok(summary.ok, log.join("\n"));
        for (const name of names) {
          const path = join(results, `${name}.ipynb`);
          expected.set(name, expectedFigures(await readNotebook(path)));
          assert.equal(countPlotlyLoaders(await Deno.readTextFile(path)), 1, `${name}: plotly.js once`);
          // Parquet beside every CSV the notebook wrote.
          for (const entry of Deno.readDirSync(results)) {
            if (entry.name.startsWith(name) && entry.name.endsWith(".csv")) {
              assert.ok(existsSync(join(results, entry.name.replace(/\.csv$/, ".parquet"))), entry.name);
            }
          }
        }
      });

      const open = async (path: string, label: string, figures: ExpectedFigure[]) => {
        const page = await session.browser.newPage({ viewport: { width: 1200, height: 900 } });
        try {
          const problems = watchProblems(page, templateAsset);
          await page.goto(pathToFileURL(path).href, { waitUntil: "load" });
          assertFiguresDrawn(await drawnFigures(page, figures.length), figures, label);
          assert.deepEqual(problems, [], label);
          return page;
        } catch (error) {
          await page.close();
          throw error;
        }
      };

      await t.step("the HTML reports", async () => {
        for (const name of names) {
          await (await open(join(results, `${name}.html`), `report ${name}`, expected.get(name)!)).close();
        }
      });

      await t.step(
        "nbconvert --to html of the executed notebooks, on a RequireJS page and a plain one",
        async () => {
          const executed = names.map((name) => join(results, `${name}.ipynb`));
          await nbconvertRun(["--to", "html", "--output-dir", join(out, "nbconvert"), ...executed]);
          // The same without RequireJS (a template or machine without it): an empty script in its place.
          await nbconvertRun([
            "--to",
            "html",
            "--HTMLExporter.require_js_url=data:text/javascript,",
            "--output-dir",
            join(out, "nbconvert-plain"),
            ...executed,
          ]);
          for (const name of names) {
            const page = await open(
              join(out, "nbconvert", `${name}.html`),
              `nbconvert ${name}`,
              expected.get(name)!,
            );
            if (existsSync(REQUIRE_JS)) {
              assert.equal(
                await page.evaluate("typeof window.define === 'function' && !!window.define.amd"),
                true,
              );
            }
            if (name === "A_autoencoder") {
              await Deno.mkdir(SCREENSHOTS, { recursive: true });
              await page.locator(".plotly-graph-div").first().screenshot({
                path: join(SCREENSHOTS, "nbconvert_A_autoencoder_figure1.png"),
              });
            }
            await page.close();
            const plain = await open(
              join(out, "nbconvert-plain", `${name}.html`),
              `nbconvert (plain page) ${name}`,
              expected.get(name)!,
            );
            assert.equal(await plain.evaluate("typeof window.define"), "undefined");
            await plain.close();
          }
        },
      );

      await t.step("jupyter nbconvert --to html --execute of every notebook", async () => {
        const env = {
          ...smallParams(join(out, "models-nbconvert")),
          LATENTLAB_RESULTS: join(out, "results-nbconvert"),
        };
        await nbconvertRun([
          "--to",
          "html",
          "--execute",
          "--ExecutePreprocessor.timeout=600",
          "--output-dir",
          join(out, "nbconvert-execute"),
          ...names.map((name) => join(PROJECT_ROOT, "notebooks", `${name}.ipynb`)),
        ], env);
        for (const name of names) {
          // Same parameters, so the same figures with the same traces, in order (titles hold timings and
          // may differ). The project kernelspec starts the kernel behind the kernel proxy, so none is lost.
          const figures = expected.get(name)!.map((figure) => ({ ...figure, title: "" }));
          const page = await session.browser.newPage({ viewport: { width: 1200, height: 900 } });
          try {
            const problems = watchProblems(page, templateAsset);
            await page.goto(pathToFileURL(join(out, "nbconvert-execute", `${name}.html`)).href, {
              waitUntil: "load",
            });
            assertFiguresDrawn(await drawnFigures(page, figures.length), figures, `--execute ${name}`);
            assert.deepEqual(problems, [], `--execute ${name}`);
          } finally {
            await page.close();
          }
        }
      });
    } finally {
      await session.close();
      await Deno.remove(out, { recursive: true });
    }
  },
});
