/**
 * Plotly figures as one display bundle that draws in every Jupyter front end without a Python package:
 * - `application/vnd.plotly.v1+json` for front ends that render Plotly natively (JupyterLab with the
 *   plotly extension, VS Code, the HTML reports of `lib/notebook/html.ts`);
 * - `text/html`: a div and a script that draws the figure with plotly.js where outputs' scripts run
 *   (classic Notebook, JupyterLab, VS Code, nbconvert's HTML). The first figure of a kernel session (again
 *   after a restart) also carries plotly.js itself, once, in a loader that works on RequireJS pages and
 *   plain ones alike (decided when the page is viewed); later figures reuse it. Until plotly.js is there
 *   the div shows a note, or a static image when one was rendered (`staticPng`);
 * - `text/plain`: a one-line summary.
 *
 * The model is plotly.py's offline notebook mode (`init_notebook_mode(connected=False)`), with two
 * differences: plotly.js travels inside the first figure's output instead of a separate output, so an
 * executed notebook carries it at most once and every saved notebook that shows a figure carries it; and
 * on a live classic Notebook page whose outputs lost the loader (the first figure's cell was re-run, then the
 * page reloaded) the figures ask the kernel for plotly.js again.
 * @module
 */
import { createRequire } from "node:module";
import { gzipSync } from "node:zlib";
import { encodeBase64 } from "../util/base64.ts";
import { display, type DisplayBundle, escapeHtml, jsonForScript } from "./display.ts";
import type { Figure } from "../util/figure.ts";

/** A Plotly figure: traces, layout and config as plain JSON (defined in `lib/util/figure.ts`). */
export type { Figure };

/** The MIME type of Plotly figures (rendered natively by JupyterLab's plotly extension and VS Code). */
export const PLOTLY_MIME = "application/vnd.plotly.v1+json";

/** A comment that starts the plotly.js loader script, so tools can find (and count) carried copies. */
export const PLOTLY_LOADER_MARK = "/* latentlab: plotly.js loader */";

/** Default height of a figure's div when the layout sets none, pixels. */
export const DEFAULT_FIGURE_HEIGHT = 420;

/** Options for {@linkcode plotlyBundle}. */
export interface PlotlyBundleOptions {
  /** Id of the figure's div. Default: random (ids must be unique on a page holding several notebooks). */
  divId?: string;
  /** Height in pixels when the layout has none. Default {@linkcode DEFAULT_FIGURE_HEIGHT}. */
  height?: number;
  /** Carry plotly.js in this output (see the module doc). Default false. */
  includePlotlyJs?: boolean;
  /** The plotly.js source to carry. Default: {@linkcode plotlyJsSource}. */
  plotlyJs?: string;
  /** A static rendering of the figure (PNG bytes or base64), shown where scripts do not run. */
  staticPng?: Uint8Array | string;
}

function figureTitle(figure: Figure): string {
  const title = figure.layout?.title;
  if (typeof title === "string") return title;
  if (title && typeof title === "object" && typeof (title as { text?: unknown }).text === "string") {
    return (title as { text: string }).text;
  }
  return "";
}

/** Converts typed arrays (anywhere in the figure) into plain arrays so the figure is valid JSON. */
export function plainFigure(figure: Figure): Figure {
  const convert = (value: unknown): unknown => {
    if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
      return Array.from(value as unknown as ArrayLike<number>);
    }
    if (Array.isArray(value)) return value.map(convert);
    if (value && typeof value === "object") {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, convert(item)]));
    }
    return value;
  };
  return convert(figure) as Figure;
}

/** The path of plotly.js (minified) from the `plotly.js-dist-min` package. */
export function plotlyScriptPath(): string {
  return createRequire(import.meta.url).resolve("plotly.js-dist-min");
}

let cachedSource: string | undefined;

/** The plotly.js source (read once from the `plotly.js-dist-min` package). */
export function plotlyJsSource(): string {
  cachedSource ??= Deno.readTextFileSync(plotlyScriptPath());
  return cachedSource;
}

/** The version in a plotly.js source's header (`plotly.js v4.1.2` → `4.1.2`), or `"unknown"`. */
export function plotlyJsVersion(source: string = plotlyJsSource()): string {
  return /plotly\.js v(\d+\.\d+\.\d+\S*)/.exec(source.slice(0, 400))?.[1] ?? "unknown";
}

/** Makes script text safe inside an HTML `<script>` element. */
function scriptSafe(source: string): string {
  return source.replace(/<\/(script)/gi, "<\\/$1");
}

const packed = new Map<string, string>();

/** `source` gzip-compressed and base64-encoded (cached; deterministic: no timestamp in the header). */
function packSource(source: string): string {
  let value = packed.get(source);
  if (value === undefined) {
    value = encodeBase64(gzipSync(new TextEncoder().encode(source), { level: 9 }));
    packed.set(source, value);
  }
  return value;
}

// The page-side registry shared by the loader and every figure script (plain ES5: it runs in any page).
const HUB = "var w = window, hub = w.__latentlabPlotly = w.__latentlabPlotly || { waiting: [] };";

/**
 * JavaScript that loads plotly.js once per page and draws the figures waiting for it. plotly.js travels
 * gzip-compressed (base64, about 40 % of its size); the page unpacks it (`DecompressionStream`) and runs
 * it in a function whose `module`/`exports` are local and whose `define` is undefined, so it neither
 * registers an anonymous AMD module on a RequireJS page (classic Notebook, nbconvert's templates) nor
 * depends on one. `window.Plotly` is set either way, and on a RequireJS page it is also registered as the
 * AMD module `plotly` (as plotly.py's offline mode names it): decided when the page is viewed.
 */
export function plotlyLoaderJs(plotlyJs: string = plotlyJsSource()): string {
  return `${PLOTLY_LOADER_MARK}
(function () {
  ${HUB}
  function ready() {
    if (typeof w.define === "function" && w.define.amd && typeof w.require === "function" &&
        w.require.defined && !w.require.defined("plotly") && !hub.amd) {
      hub.amd = true;
      w.define("plotly", [], function () { return w.Plotly; });
      w.require(["plotly"], function () {});
    }
    var waiting = hub.waiting.splice(0, hub.waiting.length);
    for (var i = 0; i < waiting.length; i++) {
      try { waiting[i](w.Plotly); } catch (error) { if (w.console) w.console.error(error); }
    }
  }
  if (w.Plotly && w.Plotly.newPlot) { ready(); return; }
  if (hub.loading) return;
  hub.loading = true;
  var packed = "${packSource(plotlyJs)}";
  function run(source) {
    w.PlotlyConfig = w.PlotlyConfig || { MathJaxConfig: "local" };
    hub.holder = { exports: {} };
    var script = document.createElement("script");
    script.text = "(function (module, exports, define) {\\n" + source +
      "\\n}).call(window, window.__latentlabPlotly.holder, window.__latentlabPlotly.holder.exports, undefined);";
    document.head.appendChild(script);
    var exported = hub.holder.exports;
    if (!(w.Plotly && w.Plotly.newPlot) && exported && exported.newPlot) w.Plotly = exported;
    hub.loading = false;
    ready();
  }
  try {
    var binary = atob(packed), bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"))).text().then(run,
      function (error) { hub.loading = false; if (w.console) w.console.error("plotly.js: " + error); });
  } catch (error) {
    hub.loading = false;
    if (w.console) w.console.error("plotly.js could not be unpacked: " + error);
  }
})();
`;
}

/** The loader as an HTML `<script>` element (see {@linkcode plotlyLoaderJs}). */
export function plotlyLoaderHtml(plotlyJs: string = plotlyJsSource()): string {
  return `<script type="text/javascript">${scriptSafe(plotlyLoaderJs(plotlyJs))}</script>`;
}

/** How many plotly.js loaders a text (an output's HTML, a whole notebook file) carries. */
export function countPlotlyLoaders(text: string): number {
  return text.split(PLOTLY_LOADER_MARK).length - 1;
}

/** The kernel-side function a live page calls (through the kernel) to get the loader again. */
const RESEND_KEY = "latentlab.plotly.resend";
/** The MIME key of the loader sent back to a page that asked for it (never shown in a cell). */
export const PLOTLY_LOADER_MIME = "application/x.latentlab-plotly-loader+javascript";
const SENT_KEY = Symbol.for("latentlab.plotly.sent");

function figureScript(id: string, plain: Figure, height: number, note: string): string {
  const askKernel = `await globalThis[Symbol.for(${JSON.stringify(RESEND_KEY)})]?.()`;
  return `(function () {
  ${HUB}
  var id = ${jsonForScript(id)};
  var figure = { data: ${jsonForScript(plain.data)}, layout: ${jsonForScript(plain.layout ?? {})}, config: ${
    jsonForScript({ responsive: true, ...plain.config })
  } };
  function draw(Plotly) {
    var el = document.getElementById(id);
    if (!el || el.getAttribute("data-latentlab-drawn")) return;
    el.setAttribute("data-latentlab-drawn", "1");
    el.innerHTML = "";
    el.style.height = "${height}px";
    Plotly.newPlot(el, figure.data, figure.layout, figure.config);
  }
  if (w.Plotly && w.Plotly.newPlot) { draw(w.Plotly); return; }
  hub.waiting.push(draw);
  function missing() {
    var el = document.getElementById(id);
    if (!el || el.getAttribute("data-latentlab-drawn") || el.getAttribute("data-latentlab-missing")) return;
    el.setAttribute("data-latentlab-missing", "1");
    var p = document.createElement("p");
    p.style.cssText = "font-size:90%;color:#666;margin:4px 0";
    p.textContent = ${jsonForScript(note)};
    el.appendChild(p);
  }
  // A classic Notebook page on a live kernel whose outputs lost the loader: ask the kernel for it once
  // (on a page being loaded the kernel connects after the outputs are shown: wait for it).
  function ask() {
    var kernel = w.Jupyter.notebook.kernel;
    if (hub.asked || (w.Plotly && w.Plotly.newPlot) || !kernel || typeof kernel.execute !== "function") return;
    hub.asked = true;
    kernel.execute(${jsonForScript(askKernel)}, { iopub: { output: function (msg) {
      var data = msg && msg.content && msg.content.data, js = data && data[${
    jsonForScript(PLOTLY_LOADER_MIME)
  }];
      if (typeof js !== "string") return;
      var script = document.createElement("script");
      script.text = js;
      document.head.appendChild(script);
    } } }, { silent: false, store_history: false, stop_on_error: false });
  }
  setTimeout(function check() {
    if (w.Plotly && w.Plotly.newPlot) return;
    if (hub.loading) { setTimeout(check, 500); return; } // a loader is unpacking plotly.js
    var nb = w.Jupyter && w.Jupyter.notebook;
    if (!nb || !nb.events || typeof nb.events.one !== "function") { missing(); return; }
    var kernel = nb.kernel;
    if (kernel && kernel.is_connected && kernel.is_connected()) ask();
    else nb.events.one("kernel_ready.Kernel", ask);
    setTimeout(missing, 20000);
  }, 1500);
})();`;
}

/**
 * The display bundle for `figure` (see the module doc). Pure: whether plotly.js travels with it is
 * `options.includePlotlyJs`; {@linkcode showFigure} decides that per kernel session.
 */
export function plotlyBundle(figure: Figure, options: PlotlyBundleOptions = {}): DisplayBundle {
  const plain = plainFigure(figure);
  const divId = options.divId ?? `plotly-${crypto.randomUUID()}`;
  const height = typeof plain.layout?.height === "number"
    ? plain.layout.height
    : options.height ?? DEFAULT_FIGURE_HEIGHT;
  const layout = { ...plain.layout, height };
  const title = figureTitle(plain);
  const named = `Plotly figure${title ? ` "${title}"` : ""}`;
  const note = `(${named}: drawn with plotly.js where the notebook's scripts run: a trusted notebook in ` +
    `Jupyter, nbconvert's HTML, the HTML reports)`;
  const missing = "plotly.js is not loaded on this page: the output that carried it is gone. Run the " +
    "notebook's cells again, or a cell with `await showPlotlyJs()` (lib/report/plotly.ts).";
  const png = options.staticPng === undefined
    ? undefined
    : typeof options.staticPng === "string"
    ? options.staticPng
    : encodeBase64(options.staticPng);
  const fallback = png
    ? `<img alt="${escapeHtml(named)}" src="data:image/png;base64,${png}" style="max-width:100%">`
    : escapeHtml(note);
  const html = (options.includePlotlyJs ? plotlyLoaderHtml(options.plotlyJs) + "\n" : "") +
    `<div id="${escapeHtml(divId)}" class="plotly-graph-div latentlab-figure" style="width:100%">` +
    `${fallback}</div>\n` +
    `<script type="text/javascript">${figureScript(divId, { ...plain, layout }, height, missing)}</script>`;
  const traces = plain.data.map((trace) => String(trace.type ?? "scatter"));
  const bundle: DisplayBundle = {
    [PLOTLY_MIME]: { data: plain.data, layout, config: plain.config ?? {} },
    "text/html": html,
    "text/plain": `${named}: ${traces.length} trace(s) (${[...new Set(traces)].join(", ")})`,
  };
  if (png) bundle["image/png"] = png;
  return bundle;
}

type SessionState = Record<symbol, boolean | undefined>;

/**
 * Whether this kernel session has already sent plotly.js with a figure. Kept on `globalThis`, so it
 * holds across module copies and resets with the kernel.
 */
export function plotlyJsSent(): boolean {
  return (globalThis as unknown as SessionState)[SENT_KEY] === true;
}

function markPlotlyJsSent(sent: boolean): void {
  (globalThis as unknown as SessionState)[SENT_KEY] = sent;
}

/**
 * Shows `figure` (await it). In a Jupyter kernel the first figure of the session carries plotly.js
 * (see the module doc); outside Jupyter the text summary is printed.
 */
export async function showFigure(figure: Figure, options: PlotlyBundleOptions = {}): Promise<void> {
  const carry = options.includePlotlyJs ?? (kernelSession() && !plotlyJsSent());
  if (!carry) {
    await display(plotlyBundle(figure, options));
    return;
  }
  await display(plotlyBundle(figure, { ...options, includePlotlyJs: true }));
  if (kernelSession()) markPlotlyJsSent(true);
}

function kernelSession(): boolean {
  try {
    return (Deno as unknown as { jupyter?: unknown }).jupyter !== undefined;
  } catch {
    return false;
  }
}

/**
 * Shows plotly.js itself as an output (await it): every figure on the page that waits for it draws. For a
 * page whose outputs no longer carry plotly.js (the first figure's output was cleared) in a front end
 * that cannot ask the kernel for it again (JupyterLab, VS Code).
 */
export async function showPlotlyJs(): Promise<void> {
  await display({
    "text/html": plotlyLoaderHtml(),
    "text/plain": `plotly.js ${plotlyJsVersion()} for the figures of this page`,
  });
  if (kernelSession()) markPlotlyJsSent(true);
}

/** Answers a page that asks the kernel for the loader again (see the module doc); not shown in any cell. */
async function resendLoader(): Promise<void> {
  await display({ [PLOTLY_LOADER_MIME]: plotlyLoaderJs(), "text/plain": "" });
}

(globalThis as unknown as Record<symbol, unknown>)[Symbol.for(RESEND_KEY)] = resendLoader;
