/**
 * Shared by the front-end tests: the small parameters that run every notebook fast, the figures a notebook's
 * saved outputs promise (Plotly MIME type), and what a page actually drew (read from the page).
 */
import assert from "node:assert/strict";
import { delimiter, join } from "node:path";
import type { Page } from "playwright-core";
import { type Notebook } from "../../lib/notebook/ipynb.ts";
import { paramsToEnv } from "../../lib/notebook/params.ts";
import { PLOTLY_MIME } from "../../lib/report/plotly.ts";

/** Parameters that run all five notebooks in about a minute (notebook A trains tiny models for 1 epoch). */
export function smallParams(models: string): Record<string, string> {
  return paramsToEnv([
    "trainLimit=1000",
    "queryLimit=200",
    "statQueries=50",
    "sweepEpochs=1",
    "sweepLimit=500",
    "epochs=1",
    "latentDims=10,20",
    "headEpochs=1",
    "fineTuneEpochs=1",
    "pcaPoints=200",
    `models=${models}`,
    "sweepQueries=100",
    "peers=false",
    "queries=20",
    "windows=14,7,4",
    "timingPairs=10",
    "bootstrapResamples=200",
  ]);
}

/** The first executable called `name` on PATH. */
export function findOnPath(name: string): string | undefined {
  for (const folder of (Deno.env.get("PATH") ?? "").split(delimiter)) {
    try {
      const path = join(folder, name);
      if (Deno.statSync(path).isFile) return path;
    } catch { /* not here */ }
  }
  return undefined;
}

/** A figure a notebook's saved outputs promise. */
export interface ExpectedFigure {
  /** Its title (or ""). */
  title: string;
  /** Traces in its Plotly JSON. */
  traces: number;
}

/** The Plotly figures of `notebook`'s outputs, in order. */
export function expectedFigures(notebook: Notebook): ExpectedFigure[] {
  const figures: ExpectedFigure[] = [];
  for (const cell of notebook.cells) {
    for (const output of cell.outputs ?? []) {
      const figure = "data" in output
        ? output.data[PLOTLY_MIME] as { data: unknown[]; layout?: { title?: { text?: string } } } | undefined
        : undefined;
      if (figure) figures.push({ title: figure.layout?.title?.text ?? "", traces: figure.data.length });
    }
  }
  return figures;
}

/** What the page drew for one figure div. */
export interface DrawnFigure {
  /** The div's id. */
  id: string;
  /** Traces in the data plotly.js was given. */
  data: number;
  /** Traces actually rendered: SVG trace groups, heatmaps, and WebGL traces counted by their scene. */
  rendered: number;
  /** Its title as drawn. */
  title: string;
  /** Height in pixels. */
  height: number;
}

/** Browser-side expression: every figure div on the page and what it drew (passed as text: no DOM types here). */
export const DRAWN_FIGURES_JS = `[...document.querySelectorAll(".plotly-graph-div")].map((div) => {
  const svg = div.querySelectorAll(".cartesianlayer .trace, .cartesianlayer .hm").length;
  const plots = (div._fullLayout && div._fullLayout._plots) || {};
  let gl = 0;
  for (const key of Object.keys(plots)) if (plots[key]._scene) gl += plots[key]._scene.count || 0;
  const title = div.querySelector(".gtitle");
  return {
    id: div.id,
    data: (div.data || []).length,
    rendered: svg + gl,
    title: title ? title.textContent : "",
    height: div.getBoundingClientRect().height,
  };
})`;

/** Waits until `count` figure divs have drawn (plotly.js sets `_fullData`), then returns them. */
export async function drawnFigures(page: Page, count: number, timeoutMs = 60_000): Promise<DrawnFigure[]> {
  await page.waitForFunction(
    `[...document.querySelectorAll(".plotly-graph-div")].filter((d) => d._fullData).length >= ${count}`,
    null,
    { timeout: timeoutMs },
  ).catch(() => {});
  return await page.evaluate(DRAWN_FIGURES_JS) as DrawnFigure[];
}

/** Asserts that the page drew exactly the expected figures, in order, each with all its traces. */
export function assertFiguresDrawn(drawn: DrawnFigure[], expected: ExpectedFigure[], label: string): void {
  assert.ok(expected.length > 0, `${label}: the notebook's outputs have figures`);
  assert.equal(
    drawn.length,
    expected.length,
    `${label}: ${drawn.length} figure divs for ${expected.length} figures`,
  );
  expected.forEach((figure, i) => {
    const got = drawn[i];
    const name = `${label} figure ${i + 1} "${figure.title}"`;
    assert.equal(got.data, figure.traces, `${name}: plotly.js got ${got.data} of ${figure.traces} traces`);
    assert.equal(got.rendered, figure.traces, `${name}: ${got.rendered} of ${figure.traces} traces rendered`);
    assert.ok(got.height > 100, `${name}: collapsed (${got.height} px)`);
    if (figure.title) assert.equal(got.title, figure.title, `${name}: title`);
  });
}

/**
 * Collects page errors and console errors of `page` (call before loading anything). `ignore` gets the
 * message text and the URL it is about (for "Failed to load resource", the resource).
 */
export function watchProblems(
  page: Page,
  ignore: (text: string, url: string) => boolean = () => false,
): string[] {
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() !== "error") return;
    const url = message.location()?.url ?? "";
    if (!ignore(message.text(), url)) problems.push(`console error: ${message.text()} (${url})`);
  });
  return problems;
}

/**
 * `deno task test` runs the Jupyter front-end tests (nbconvert --execute of all notebooks, classic Notebook)
 * in a second `deno test` after the rest, not beside the suite's CPU-heavy tests: they start many kernels
 * and a browser, and drive a UI with timeouts. The first run sets this to skip them.
 */
export const frontEndTestsLater: boolean = Deno.env.get("LATENTLAB_FRONT_END_TESTS") === "later";
