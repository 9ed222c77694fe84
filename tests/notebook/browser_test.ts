/**
 * Checked in a real browser: the library tour is executed headless, exported to HTML, and opened in
 * Debian's chromium through playwright-core. Every Plotly figure must have drawn (an SVG with traces),
 * every image must have loaded, and no script error may be logged. A screenshot is saved under
 * `results/screenshots/`.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { PROJECT_ROOT } from "../../lib/util/project_root.ts";
import { runAllNotebooks } from "../../lib/notebook/run_all.ts";
import {
  CHROMIUM_PATH,
  chromiumAvailable,
  createFigureExporter,
  launchChromium,
} from "../../lib/report/static_export.ts";
import { decodePng } from "../report/_png_decode.ts";

const hasChromium = chromiumAvailable();
// Under CI (CI=true) a missing chromium fails these tests instead of skipping them.
const skip = !hasChromium && Deno.env.get("CI") !== "true";
if (skip) console.log(`browser_test: SKIPPED, ${CHROMIUM_PATH} not found (apt-get install chromium)`);

const SCREENSHOTS = join(PROJECT_ROOT, "results", "screenshots");

Deno.test({
  name: "the tour's HTML report draws every Plotly figure in headless chromium without script errors",
  ignore: skip,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const out = await Deno.makeTempDir({ prefix: "latentlab-browser-" });
    const session = await launchChromium();
    try {
      const summary = await runAllNotebooks(join(PROJECT_ROOT, "notebooks"), {
        outDir: out,
        only: ["00_tour"],
        log: () => {},
        publish: { sign: { dataDir: join(out, ".jupyter") } },
      });
      assert.ok(summary.ok, summary.notebooks.map((n) => n.failure).join("; "));
      const page = await session.browser.newPage({ viewport: { width: 1200, height: 900 } });
      const problems: string[] = [];
      page.on("console", (message) => {
        if (message.type() === "error") problems.push(`console error: ${message.text()}`);
      });
      page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
      page.on("requestfailed", (request) => problems.push(`request failed: ${request.url()}`));
      await page.goto(pathToFileURL(join(out, "00_tour.html")).href, { waitUntil: "load" });
      // Browser-side code is passed as text (this file is type-checked without the DOM library).
      await page.waitForFunction(
        'document.querySelectorAll(".plotly-graph-div .main-svg").length > 0',
        null,
        {
          timeout: 30_000,
        },
      );
      const figures = await page.evaluate(`[...document.querySelectorAll(".plotly-graph-div")].map((div) => ({
        id: div.id,
        svgs: div.querySelectorAll("svg.main-svg").length,
        traces: div.querySelectorAll("svg.main-svg .trace").length,
        points: [...div.querySelectorAll("svg.main-svg .trace path")].filter((p) => (p.getAttribute("d") || "").length > 2).length,
        data: (div.data || []).length,
        height: div.getBoundingClientRect().height,
      }))`) as { id: string; svgs: number; traces: number; points: number; data: number; height: number }[];
      assert.ok(figures.length >= 1, "the tour has a figure");
      for (const figure of figures) {
        assert.ok(figure.svgs > 0, `${figure.id}: no SVG drawn`);
        assert.ok(
          figure.data > 0 && figure.traces > 0 && figure.points > 0,
          `${figure.id}: no data drawn ${JSON.stringify(figure)}`,
        );
        assert.ok(figure.height > 100, `${figure.id}: collapsed`);
      }
      const images = await page.evaluate(
        `[...document.querySelectorAll("img")].map((img) => ({ complete: img.complete, width: img.naturalWidth }))`,
      ) as { complete: boolean; width: number }[];
      assert.ok(images.length >= 2, "the tour shows image grids");
      for (const image of images) assert.ok(image.complete && image.width > 0, "an image did not load");
      assert.ok(await page.locator("table.latentlab-table").count() >= 1, "the Polars table is there");
      assert.deepEqual(problems, []);
      await Deno.mkdir(SCREENSHOTS, { recursive: true });
      const shot = join(SCREENSHOTS, "00_tour.png");
      await page.screenshot({ path: shot, fullPage: true });
      const { width, height } = decodePng(await Deno.readFile(shot));
      assert.ok(width >= 1000 && height > 900, `screenshot ${width}x${height}`);
      // The index page opens too and links the report.
      await page.goto(pathToFileURL(join(out, "index.html")).href);
      assert.equal(await page.locator('a[href="00_tour.html"]').count(), 1);
      await page.screenshot({ path: join(SCREENSHOTS, "index.png") });
      assert.deepEqual(problems, []);
    } finally {
      await session.close();
      await Deno.remove(out, { recursive: true });
    }
  },
});

Deno.test({
  name: "figures export to static PNG and SVG through chromium",
  ignore: skip,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const exporter = await createFigureExporter();
    try {
      const figure = {
        data: [{ type: "scatter", x: [1, 2, 3], y: [2, 1, 3] }],
        layout: { title: { text: "static" } },
      };
      const png = decodePng(await exporter.export(figure, { width: 400, height: 300 }));
      assert.deepEqual([png.width, png.height], [400, 300]);
      const svg = new TextDecoder().decode(
        await exporter.export(figure, { format: "svg", width: 400, height: 300 }),
      );
      assert.match(svg, /^<svg[^>]*class="main-svg"/);
      assert.match(svg, />static</);
    } finally {
      await exporter.close();
    }
  },
});
