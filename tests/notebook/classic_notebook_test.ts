/**
 * The notebooks in a real front end: Debian's classic Notebook (`jupyter-notebook`, 6.4) with the kernelspec
 * installed exactly as the README says (`deno task kernel`: started through `npx -y deno@2.9.6`), on
 * 127.0.0.1 with a free port, stopped by its process id. playwright-core drives chromium through
 * `00_tour` and `D_clustering` (the fastest task notebook) cell by cell with Shift+Enter, waiting for the
 * kernel after each code cell. The expected figures come from the notebook's saved outputs (Plotly MIME
 * type); each must be drawn with as many rendered traces as its JSON has, with no error output and no
 * page error. Then: a reloaded page and a second tab draw them again; after the first figure's cell is
 * re-run (its output no longer carries plotly.js) a reloaded page gets plotly.js from the live kernel; a
 * restarted kernel sends plotly.js again and leaves no process of the old kernel behind; Kernel → Interrupt
 * stops a running cell and the kernel keeps its state (the kernel proxy turns the SIGINT into an
 * interrupt_request); an executed notebook of `deno task notebooks` opens trusted with its figures drawn,
 * and an untrusted copy shows their static images; stopping the server ends every kernel process.
 * Screenshots go to `results/screenshots/classic_*.png`.
 *
 * Outside CI a missing `jupyter-notebook` (or chromium) makes the test ignored with a message; under CI
 * (`CI=true`) it fails.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { PROJECT_ROOT } from "../../lib/util/project_root.ts";
import { type Notebook, readNotebook, writeNotebook } from "../../lib/notebook/ipynb.ts";
import { runAllNotebooks } from "../../lib/notebook/run_all.ts";
import { countPlotlyLoaders } from "../../lib/report/plotly.ts";
import { CHROMIUM_PATH, chromiumAvailable, launchChromium } from "../../lib/report/static_export.ts";
import {
  assertFiguresDrawn,
  drawnFigures,
  expectedFigures,
  findOnPath,
  frontEndTestsLater,
  watchProblems,
} from "./_figures.ts";
import { descendants } from "./_helpers.ts";

const notebookApp = findOnPath("jupyter-notebook");
const missing = [
  ...(notebookApp ? [] : ["jupyter-notebook (apt-get install jupyter-notebook)"]),
  ...(chromiumAvailable() ? [] : [`${CHROMIUM_PATH} (apt-get install chromium)`]),
];
const inCi = Deno.env.get("CI") === "true";
if (missing.length > 0 && !inCi) console.log(`classic_notebook_test: IGNORED, missing ${missing.join(", ")}`);

const SCREENSHOTS = join(PROJECT_ROOT, "results", "screenshots");
// Debian's notebook enables the ipywidgets nbextension without shipping it: its 404 is not ours.
const foreign = (text: string, url: string) =>
  url.includes("/nbextensions/") || text.includes("/nbextensions/");

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** A running classic Notebook server. */
interface Server {
  base: string;
  token: string;
  pid: number;
  log: () => string;
  stop: () => Promise<void>;
}

async function startServer(root: string, env: Record<string, string>): Promise<Server> {
  const port = freePort();
  const token = crypto.randomUUID().replaceAll("-", "");
  const args = [
    "--no-browser",
    "--ip=127.0.0.1",
    `--port=${port}`,
    "--port-retries=0",
    `--NotebookApp.token=${token}`,
    `--notebook-dir=${root}`,
  ];
  if (Deno.uid() === 0) args.push("--allow-root");
  const child = new Deno.Command(notebookApp!, { args, env, stdout: "piped", stderr: "piped" }).spawn();
  let text = "";
  const decoder = new TextDecoder();
  const drain = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream) text += decoder.decode(chunk);
  };
  const drained = Promise.all([drain(child.stdout), drain(child.stderr)]);
  const base = `http://127.0.0.1:${port}`;
  const stop = async () => {
    // Shut the kernels down through the API, then the server by its process id.
    try {
      const kernels = await (await fetch(`${base}/api/kernels?token=${token}`)).json() as { id: string }[];
      for (const kernel of kernels) {
        await (await fetch(`${base}/api/kernels/${kernel.id}?token=${token}`, { method: "DELETE" })).body
          ?.cancel();
      }
    } catch { /* the server is gone already */ }
    try {
      Deno.kill(child.pid, "SIGTERM");
    } catch { /* exited */ }
    const exited = await Promise.race([
      child.status.then(() => true),
      new Promise((r) => setTimeout(r, 10_000, false)),
    ]);
    if (!exited) {
      try {
        Deno.kill(child.pid, "SIGKILL");
      } catch { /* exited */ }
      await child.status;
    }
    await drained;
  };
  const deadline = Date.now() + 60_000;
  while (true) {
    try {
      const response = await fetch(`${base}/api/status?token=${token}`);
      await response.body?.cancel();
      if (response.ok) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`jupyter-notebook did not start:\n${text}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { base, token, pid: child.pid, log: () => text, stop };
}

/** Opens a notebook and waits until it is loaded (and, with `kernel`, its kernel is connected). */
async function openNotebook(browser: Browser, server: Server, path: string, kernel = true) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems = watchProblems(page, foreign);
  await page.goto(`${server.base}/notebooks/${path}?token=${server.token}`);
  await page.waitForFunction(
    `window.Jupyter && Jupyter.notebook && Jupyter.notebook._fully_loaded` +
      (kernel ? ` && Jupyter.notebook.kernel && Jupyter.notebook.kernel.is_connected()` : ""),
    null,
    { timeout: 90_000 },
  );
  return { page, problems };
}

/** The `deno jupyter` kernel processes under the notebook server (pids), or `undefined` without /proc. */
function kernelProcesses(serverPid: number): number[] | undefined {
  return descendants(serverPid)?.filter(({ command }) => /(^|\/)deno jupyter --kernel /.test(command)).map((
    { pid },
  ) => pid)
    .sort();
}

const KERNEL_IDLE = `document.querySelector("#kernel_indicator_icon").classList.contains("kernel_idle_icon")`;

/** Shift+Enter through every cell; after each code cell waits for its result and the idle kernel. */
async function runCellByCell(page: Page): Promise<number> {
  const count = await page.evaluate("Jupyter.notebook.ncells()") as number;
  await page.evaluate("Jupyter.notebook.select(0); Jupyter.notebook.scroll_to_top()");
  await page.locator("#notebook-container .cell").first().click();
  await page.keyboard.press("Escape");
  let code = 0;
  for (let i = 0; i < count; i++) {
    const index = await page.evaluate("Jupyter.notebook.get_selected_index()") as number;
    assert.equal(index, i, "Shift+Enter moves to the next cell");
    const type = await page.evaluate("Jupyter.notebook.get_selected_cell().cell_type");
    await page.keyboard.press("Shift+Enter");
    if (type !== "code") continue;
    code++;
    await page.waitForFunction(
      `typeof Jupyter.notebook.get_cell(${i}).input_prompt_number === "number" && ${KERNEL_IDLE}`,
      null,
      { timeout: 180_000 },
    );
  }
  return code;
}

/** Adds a code cell holding `code` at the bottom of the notebook open in `page` and runs it. */
async function runCellAtBottom(page: Page, code: string): Promise<void> {
  await page.evaluate(`(() => {
    const cell = Jupyter.notebook.insert_cell_at_bottom("code");
    cell.set_text(${JSON.stringify(code)});
    cell.execute();
  })()`);
}

/** Saves the notebook from the page and reads the saved file. */
async function saveAndRead(page: Page, file: string): Promise<Notebook> {
  await page.evaluate(`new Promise((ok) => {
    Jupyter.notebook.events.one("notebook_saved.Notebook", () => ok(true));
    Jupyter.notebook.save_notebook();
  })`);
  return await readNotebook(file);
}

function assertNoErrors(notebook: Notebook, label: string): void {
  for (const cell of notebook.cells) {
    for (const output of cell.outputs ?? []) {
      assert.notEqual(output.output_type, "error", `${label}: ${JSON.stringify(output).slice(0, 400)}`);
      if (output.output_type === "stream") assert.equal(output.name, "stdout", `${label}: stderr output`);
    }
  }
}

Deno.test({
  name: "classic Notebook: 00_tour and D_clustering cell by cell draw every figure; reload, second tab, " +
    "re-run, restart, executed notebooks",
  ignore: frontEndTestsLater || (missing.length > 0 && !inCi),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    assert.deepEqual(missing, [], "under CI the classic Notebook test must run");
    const temp = await Deno.makeTempDir({ prefix: "latentlab-classic-" });
    // A copy of the notebooks beside the library (outputs never touch the tracked notebooks).
    const root = join(PROJECT_ROOT, ".cache", `classic-${crypto.randomUUID().slice(0, 8)}`);
    await Deno.mkdir(join(root, "notebooks"), { recursive: true });
    await Deno.symlink(join(PROJECT_ROOT, "lib"), join(root, "lib"));
    await Deno.symlink(join(PROJECT_ROOT, "data"), join(root, "data"));
    for (const name of ["00_tour", "D_clustering"]) {
      await Deno.copyFile(
        join(PROJECT_ROOT, "notebooks", `${name}.ipynb`),
        join(root, "notebooks", `${name}.ipynb`),
      );
    }
    const dataDir = join(temp, "data");
    const env = {
      ...Deno.env.toObject(),
      JUPYTER_DATA_DIR: dataDir,
      JUPYTER_CONFIG_DIR: join(temp, "config"),
      JUPYTER_RUNTIME_DIR: join(temp, "runtime"),
      NO_COLOR: "1",
    };
    // The kernelspec as the README installs it (`deno task kernel`), into this test's Jupyter data folder.
    const install = await new Deno.Command(Deno.execPath(), {
      args: ["task", "kernel"],
      cwd: PROJECT_ROOT,
      env,
    }).output();
    assert.equal(install.code, 0, new TextDecoder().decode(install.stderr));
    const spec = JSON.parse(await Deno.readTextFile(join(dataDir, "kernels", "latentlab", "kernel.json")));
    assert.deepEqual(spec.argv.slice(0, 3), ["npx", "-y", "deno@2.9.6"]);

    const server = await startServer(root, env);
    const session = await launchChromium();
    try {
      await Deno.mkdir(SCREENSHOTS, { recursive: true });
      const tourFile = join(root, "notebooks", "00_tour.ipynb");

      await t.step("00_tour cell by cell: every figure drawn from the saved outputs", async () => {
        const { page, problems } = await openNotebook(session.browser, server, "notebooks/00_tour.ipynb");
        assert.ok(await runCellByCell(page) >= 5);
        const saved = await saveAndRead(page, tourFile);
        assertNoErrors(saved, "00_tour");
        const expected = expectedFigures(saved);
        assertFiguresDrawn(await drawnFigures(page, expected.length), expected, "classic 00_tour");
        assert.equal(
          countPlotlyLoaders(await Deno.readTextFile(tourFile)),
          1,
          "the first figure carried plotly.js",
        );
        const figure = page.locator(".plotly-graph-div").first();
        await figure.scrollIntoViewIfNeeded();
        await figure.screenshot({ path: join(SCREENSHOTS, "classic_00_tour_figure.png") });
        await page.screenshot({ path: join(SCREENSHOTS, "classic_00_tour.png") });
        assert.deepEqual(problems, []);
        await page.close();
      });

      await t.step("a reloaded page and a second tab on the live kernel draw the figures again", async () => {
        const expected = expectedFigures(await readNotebook(tourFile));
        const first = await openNotebook(session.browser, server, "notebooks/00_tour.ipynb");
        const second = await openNotebook(session.browser, server, "notebooks/00_tour.ipynb");
        for (const [label, tab] of [["reloaded", first], ["second tab", second]] as const) {
          assert.equal(await tab.page.evaluate("Jupyter.notebook.trusted"), true, `${label}: trusted`);
          assertFiguresDrawn(await drawnFigures(tab.page, expected.length), expected, label);
          assert.deepEqual(tab.problems, [], label);
        }
        await second.page.close();
        // Re-running the first figure's cell leaves no output carrying plotly.js (the kernel sent it
        // already); a reloaded page then gets plotly.js from the live kernel.
        const index = await first.page.evaluate(`Jupyter.notebook.get_cells().findIndex((c) =>
          c.cell_type === "code" && c.get_text().includes("showFigure({"))`) as number;
        assert.ok(index > 0);
        await first.page.evaluate(`Jupyter.notebook.execute_cells([${index}])`);
        await first.page.waitForFunction(
          `typeof Jupyter.notebook.get_cell(${index}).input_prompt_number === "number" && ${KERNEL_IDLE}`,
        );
        assert.equal(countPlotlyLoaders(JSON.stringify(await saveAndRead(first.page, tourFile))), 0);
        await first.page.reload();
        await first.page.waitForFunction(
          "window.Jupyter && Jupyter.notebook && Jupyter.notebook._fully_loaded",
        );
        assertFiguresDrawn(await drawnFigures(first.page, expected.length), expected, "reloaded, re-run");
        assert.equal(await first.page.evaluate("window.__latentlabPlotly.asked"), true, "asked the kernel");
        assert.deepEqual(first.problems, []);
        // A restarted kernel sends plotly.js again with its first figure.
        await first.page.evaluate(`new Promise((ok) => {
          Jupyter.notebook.events.one("kernel_ready.Kernel", () => ok(true));
          Jupyter.notebook.kernel.restart();
        })`);
        await first.page.evaluate(`Jupyter.notebook.execute_cell_range(0, ${index + 1})`);
        await first.page.waitForFunction(
          `typeof Jupyter.notebook.get_cell(${index}).input_prompt_number === "number" && ${KERNEL_IDLE}`,
        );
        assert.equal(countPlotlyLoaders(JSON.stringify(await saveAndRead(first.page, tourFile))), 1);
        // One kernel (00_tour's) under the server: the restarted one; the old one and its proxy are gone.
        const kernels = kernelProcesses(server.pid);
        if (kernels) assert.equal(kernels.length, 1, `deno jupyter processes: ${JSON.stringify(kernels)}`);
        await first.page.close();
      });

      await t.step("Kernel → Interrupt stops a running cell; the kernel keeps its state", async () => {
        const { page, problems } = await openNotebook(session.browser, server, "notebooks/00_tour.ipynb");
        const before = kernelProcesses(server.pid);
        const count = await page.evaluate("Jupyter.notebook.ncells()") as number;
        await runCellAtBottom(
          page,
          "globalThis.kept = 41;\nconst t0 = Date.now();\nwhile (Date.now() - t0 < 300_000) {}",
        );
        await page.waitForFunction(
          `document.querySelector("#kernel_indicator_icon").classList.contains("kernel_busy_icon")`,
        );
        await new Promise((r) => setTimeout(r, 1000));
        const interrupted = performance.now();
        await page.evaluate("Jupyter.notebook.kernel.interrupt()");
        await page.waitForFunction(
          `typeof Jupyter.notebook.get_cell(${count}).input_prompt_number === "number" && ${KERNEL_IDLE}`,
          null,
          { timeout: 60_000 },
        );
        assert.ok(performance.now() - interrupted < 60_000);
        await runCellAtBottom(page, "globalThis.kept + 1");
        await page.waitForFunction(
          `typeof Jupyter.notebook.get_cell(${count + 1}).input_prompt_number === "number" && ${KERNEL_IDLE}`,
        );
        const result = await page.evaluate(
          `JSON.stringify(Jupyter.notebook.get_cell(${count + 1}).output_area.outputs)`,
        ) as string;
        assert.match(result, /"text\/plain":"42"/, `the kernel kept its state: ${result}`);
        // Same kernel process as before the interrupt (not a restarted one).
        const after = kernelProcesses(server.pid);
        if (before && after) assert.deepEqual(after, before);
        await page.evaluate(`Jupyter.notebook.delete_cells([${count}, ${count + 1}])`);
        assert.deepEqual(problems, []);
        await page.close();
      });

      await t.step("D_clustering cell by cell", async () => {
        const { page, problems } = await openNotebook(
          session.browser,
          server,
          "notebooks/D_clustering.ipynb",
        );
        await runCellByCell(page);
        const saved = await saveAndRead(page, join(root, "notebooks", "D_clustering.ipynb"));
        assertNoErrors(saved, "D_clustering");
        const expected = expectedFigures(saved);
        assertFiguresDrawn(await drawnFigures(page, expected.length), expected, "classic D_clustering");
        const figure = page.locator(".plotly-graph-div").first();
        await figure.scrollIntoViewIfNeeded();
        await figure.screenshot({ path: join(SCREENSHOTS, "classic_D_clustering_figure.png") });
        assert.deepEqual(problems, []);
        await page.close();
      });

      await t.step("the README's new notebook importing the library runs", async () => {
        const readme = await Deno.readTextFile(join(PROJECT_ROOT, "README.md"));
        const snippet = /```ts\n(import \* as ll from "\.\.\/lib\/mod\.ts";[\s\S]*?)```/.exec(readme)?.[1];
        assert.ok(snippet, "README shows a new notebook's first cell");
        const notebook: Notebook = {
          nbformat: 4,
          nbformat_minor: 4,
          metadata: {
            kernelspec: { name: "latentlab", display_name: "Deno (latentlab)", language: "typescript" },
          },
          cells: [{ cell_type: "code", metadata: {}, execution_count: null, source: snippet, outputs: [] }],
        };
        const file = join(root, "notebooks", "new.ipynb");
        await writeNotebook(file, notebook);
        const { page, problems } = await openNotebook(session.browser, server, "notebooks/new.ipynb");
        await runCellByCell(page);
        const saved = await saveAndRead(page, file);
        assertNoErrors(saved, "new notebook");
        const outputs = saved.cells[0].outputs!.map((o) =>
          "data" in o ? Object.keys(o.data).sort().join(",") : o.output_type
        );
        assert.deepEqual(outputs, [
          "image/png,text/plain",
          "text/html,text/plain",
          "application/vnd.plotly.v1+json,text/html,text/plain",
        ]);
        assertFiguresDrawn(await drawnFigures(page, 1), expectedFigures(saved), "new notebook");
        for (const ext of ["csv", "parquet"]) {
          assert.ok((await Deno.stat(join(root, "results", `my_ink.${ext}`))).isFile);
        }
        assert.deepEqual(problems, []);
        await page.close();
      });

      await t.step(
        "an executed notebook opens trusted with its figures; an untrusted copy shows images",
        async () => {
          const results = join(temp, "results");
          const summary = await runAllNotebooks(join(PROJECT_ROOT, "notebooks"), {
            outDir: results,
            only: ["00_tour"],
            html: false,
            log: () => {},
            publish: { sign: { dataDir } },
          });
          assert.ok(summary.ok);
          const executed = await readNotebook(join(results, "00_tour.ipynb"));
          await Deno.copyFile(join(results, "00_tour.ipynb"), join(root, "notebooks", "executed.ipynb"));
          executed.metadata.edited = true; // any change: the signature no longer matches
          await writeNotebook(join(root, "notebooks", "untrusted.ipynb"), executed);
          const expected = expectedFigures(executed);
          const opened = await openNotebook(session.browser, server, "notebooks/executed.ipynb", false);
          assert.equal(await opened.page.evaluate("Jupyter.notebook.trusted"), true);
          assertFiguresDrawn(await drawnFigures(opened.page, expected.length), expected, "executed, opened");
          assert.deepEqual(opened.problems, []);
          await opened.page.close();
          const untrusted = await openNotebook(session.browser, server, "notebooks/untrusted.ipynb", false);
          assert.equal(await untrusted.page.evaluate("Jupyter.notebook.trusted"), false);
          const images = await untrusted.page.evaluate(
            `[...document.querySelectorAll(".plotly-graph-div")].map((d) => {
            const img = d.querySelector("img");
            return img ? img.naturalWidth : 0;
          })`,
          ) as number[];
          assert.equal(images.length, expected.length);
          assert.ok(images.every((width) => width > 100), `static images: ${images}`);
          const figure = untrusted.page.locator(".plotly-graph-div").first();
          await figure.scrollIntoViewIfNeeded();
          await figure.screenshot({ path: join(SCREENSHOTS, "classic_untrusted_static_image.png") });
          assert.deepEqual(untrusted.problems, []);
          await untrusted.page.close();
        },
      );

      await t.step("stopping the server ends every kernel process (proxy, kernel, watchdog)", async () => {
        const tree = descendants(server.pid);
        if (!tree) return;
        assert.ok(kernelProcesses(server.pid)!.length >= 1, "kernels were running");
        await server.stop();
        const deadline = Date.now() + 10_000;
        let left = tree.filter(({ pid }) => existsSync(`/proc/${pid}`));
        while (left.length > 0 && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 100));
          left = left.filter(({ pid }) => existsSync(`/proc/${pid}`));
        }
        assert.deepEqual(left, [], "processes left after the server stopped");
      });
    } catch (error) {
      console.log(`classic_notebook_test: server log:\n${server.log().slice(-6000)}`);
      throw error;
    } finally {
      await session.close();
      await server.stop();
      await Deno.remove(root, { recursive: true }).catch(() => {});
      await Deno.remove(temp, { recursive: true }).catch(() => {});
    }
  },
});
