/**
 * Standalone HTML export of an executed notebook, written in TypeScript (no nbconvert): markdown
 * rendered, code shown, outputs rendered (streams, errors, HTML tables, PNG/SVG images, Markdown, JSON),
 * and Plotly figures interactive with plotly.js inlined once per file, so a report works offline (the copy
 * an executed notebook carries for Jupyter in its first figure's `text/html` is not used).
 * @module
 */
import { basename } from "node:path";
import { escapeHtml, jsonForScript } from "../report/display.ts";
import { encodeBase64 } from "../util/base64.ts";
import { countPlotlyLoaders, PLOTLY_MIME, plotlyJsSource } from "../report/plotly.ts";
import { type Cell, type CellOutput, joinText, type MimeBundle, type Notebook } from "./ipynb.ts";
import { renderMarkdown } from "./markdown.ts";
import type { RunRecord } from "./executor.ts";

/** Options for {@linkcode notebookToHtml}. */
export interface HtmlExportOptions {
  /** Page title. Default: the first heading of the notebook, else "Notebook". */
  title?: string;
  /** The notebook's file name, shown in the header. */
  sourceName?: string;
  /** plotly.js source to inline. Default: read from the `plotly.js-dist-min` package when a figure needs it. */
  plotlyJs?: string;
}

// deno-lint-ignore no-control-regex
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]/g;

/** Removes ANSI escape sequences (colours) from terminal text. */
export function stripAnsi(text: string): string {
  return text.replace(ANSI, "");
}

const CSS = `
:root { color-scheme: light; }
body { font: 15px/1.55 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d1d1f; margin: 0; background: #fafafa; }
main { max-width: 1100px; margin: 0 auto; padding: 24px 32px 64px; background: #fff; min-height: 100vh; }
header.run { font-size: 13px; color: #666; border-bottom: 1px solid #e5e5e5; padding-bottom: 10px; margin-bottom: 16px; }
header.run .status-ok { color: #137333; font-weight: 600; }
header.run .status-failed { color: #b3261e; font-weight: 600; }
.cell { margin: 14px 0; }
.markdown h1, .markdown h2, .markdown h3 { line-height: 1.25; }
.markdown table { border-collapse: collapse; margin: 8px 0; }
.markdown th, .markdown td { border: 1px solid #ddd; padding: 3px 9px; }
.markdown code { background: #f3f3f3; padding: 1px 4px; border-radius: 3px; font-size: 90%; }
.markdown blockquote { border-left: 3px solid #ccc; margin-left: 0; padding-left: 12px; color: #555; }
.math { font-family: "Cambria Math", "STIX Two Math", serif; font-style: italic; }
.code .source { background: #f6f8fa; border: 1px solid #e3e6ea; border-radius: 4px; padding: 8px 12px; margin: 0;
  font: 13px/1.45 ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; overflow-x: auto; white-space: pre; }
.prompt { font: 12px ui-monospace, monospace; color: #888; margin-bottom: 2px; }
.output { margin: 6px 0 0 0; overflow-x: auto; }
.output pre { margin: 0; padding: 4px 12px; font: 12.5px/1.4 ui-monospace, Menlo, Consolas, monospace; white-space: pre-wrap; }
.output pre.stderr { background: #fff5f5; }
.output pre.error { background: #fdecea; color: #8a1c14; border-left: 3px solid #b3261e; }
.output img { max-width: 100%; image-rendering: pixelated; }
.plotly-graph-div { width: 100%; }
`;

function outputText(value: unknown): string {
  return Array.isArray(value)
    ? value.join("")
    : typeof value === "string"
    ? value
    : JSON.stringify(value, null, 2);
}

interface RenderState {
  figures: number;
}

function renderBundle(data: MimeBundle, state: RenderState): string {
  if (data[PLOTLY_MIME]) {
    const figure = data[PLOTLY_MIME] as {
      data?: unknown[];
      layout?: Record<string, unknown>;
      config?: Record<string, unknown>;
    };
    const id = `latentlab-figure-${++state.figures}`;
    const height = typeof figure.layout?.height === "number" ? figure.layout.height : 450;
    return `<div id="${id}" class="plotly-graph-div" style="height:${height}px"></div>\n` +
      `<script>Plotly.newPlot(${jsonForScript(id)}, ${jsonForScript(figure.data ?? [])}, ${
        jsonForScript(figure.layout ?? {})
      }, ${jsonForScript({ responsive: true, ...figure.config })});</script>`;
  }
  if (data["text/html"] !== undefined) {
    const html = outputText(data["text/html"]);
    // plotly.js carried for Jupyter (`showPlotlyJs()`): the report has its own copy in <head>.
    if (countPlotlyLoaders(html) > 0) return "";
    return `<div class="html">${html}</div>`;
  }
  if (typeof data["image/png"] === "string") {
    return `<img alt="figure" src="data:image/png;base64,${
      (data["image/png"] as string).replace(/\s/g, "")
    }">`;
  }
  if (typeof data["image/jpeg"] === "string") {
    return `<img alt="figure" src="data:image/jpeg;base64,${
      (data["image/jpeg"] as string).replace(/\s/g, "")
    }">`;
  }
  if (data["image/svg+xml"] !== undefined) {
    const svg = outputText(data["image/svg+xml"]);
    return `<img alt="figure" src="data:image/svg+xml;base64,${
      encodeBase64(new TextEncoder().encode(svg))
    }">`;
  }
  if (data["text/markdown"] !== undefined) {
    return `<div class="markdown">${renderMarkdown(outputText(data["text/markdown"]))}</div>`;
  }
  if (data["application/json"] !== undefined) {
    return `<pre>${escapeHtml(JSON.stringify(data["application/json"], null, 2))}</pre>`;
  }
  if (data["text/plain"] !== undefined) {
    return `<pre>${escapeHtml(stripAnsi(outputText(data["text/plain"])))}</pre>`;
  }
  return `<pre>[output of type ${escapeHtml(Object.keys(data).join(", "))}]</pre>`;
}

function renderOutput(output: CellOutput, state: RenderState): string {
  switch (output.output_type) {
    case "stream":
      return `<div class="output"><pre class="${output.name}">${
        escapeHtml(stripAnsi(joinText(output.text)))
      }</pre></div>`;
    case "error": {
      const trace = output.traceback.length > 0
        ? output.traceback.join("\n")
        : `${output.ename}: ${output.evalue}`;
      return `<div class="output"><pre class="error">${escapeHtml(stripAnsi(trace))}</pre></div>`;
    }
    default:
      return `<div class="output">${renderBundle(output.data, state)}</div>`;
  }
}

function renderMarkdownCell(cell: Cell): string {
  let source = joinText(cell.source);
  for (const [name, bundle] of Object.entries(cell.attachments ?? {})) {
    const [mime, data] = Object.entries(bundle)[0] ?? [];
    if (typeof data === "string" && /^image\/(png|jpeg|gif|webp)$/.test(mime ?? "")) {
      source = source.split(`attachment:${name}`).join(`data:${mime};base64,${data.replace(/\s/g, "")}`);
    }
  }
  return `<section class="cell markdown">${renderMarkdown(source)}</section>`;
}

function renderCell(cell: Cell, state: RenderState): string {
  if (cell.cell_type === "markdown") return renderMarkdownCell(cell);
  if (cell.cell_type === "raw") {
    return `<section class="cell raw"><pre>${escapeHtml(joinText(cell.source))}</pre></section>`;
  }
  const count = cell.execution_count ?? " ";
  const outputs = (cell.outputs ?? []).map((output) => renderOutput(output, state)).join("\n");
  return `<section class="cell code"><div class="prompt">In [${count}]:</div>` +
    `<pre class="source"><code>${escapeHtml(joinText(cell.source))}</code></pre>${outputs}</section>`;
}

function defaultTitle(notebook: Notebook): string {
  for (const cell of notebook.cells) {
    if (cell.cell_type !== "markdown") continue;
    const heading = /^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$/m.exec(joinText(cell.source));
    if (heading) return heading[1].replace(/[*_`]/g, "");
  }
  return "Notebook";
}

/** The `metadata.latentlab.run` record of an executed notebook, if any. */
export function runRecordOf(notebook: Notebook): RunRecord | undefined {
  return (notebook.metadata.latentlab as { run?: RunRecord } | undefined)?.run;
}

/** Formats milliseconds as `850 ms`, `12.3 s` or `4 min 05 s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, "0")} s`;
}

function runHeader(notebook: Notebook, sourceName: string | undefined): string {
  const run = runRecordOf(notebook);
  const parts: string[] = [];
  if (sourceName) parts.push(`<strong>${escapeHtml(sourceName)}</strong>`);
  if (run) {
    const ok = run.status === "ok";
    parts.push(
      `<span class="${ok ? "status-ok" : "status-failed"}">${
        ok ? "ran OK" : `FAILED (${escapeHtml(run.status)})`
      }</span>`,
    );
    parts.push(`run ${escapeHtml(run.startedAt.replace("T", " ").replace(/\.\d+Z$/, " UTC"))}`);
    parts.push(`in ${formatDuration(run.durationMs)}`);
    parts.push(`Deno ${escapeHtml(run.deno)}`);
    const params = Object.entries(run.params ?? {}).map(([k, v]) => `${k}=${v}`).join(" ");
    parts.push(params ? `parameters: <code>${escapeHtml(params)}</code>` : "default parameters");
  }
  return parts.length > 0 ? `<header class="run">${parts.join(" · ")}</header>` : "";
}

function hasPlotly(notebook: Notebook): boolean {
  return notebook.cells.some((cell) =>
    (cell.outputs ?? []).some((output) => "data" in output && output.data[PLOTLY_MIME] !== undefined)
  );
}

/** Renders an (executed) notebook as one standalone HTML page (a promise, for API stability). */
export function notebookToHtml(notebook: Notebook, options: HtmlExportOptions = {}): Promise<string> {
  return Promise.resolve(renderPage(notebook, options));
}

function renderPage(notebook: Notebook, options: HtmlExportOptions): string {
  const title = options.title ?? defaultTitle(notebook);
  const state: RenderState = { figures: 0 };
  const body = notebook.cells.map((cell) => renderCell(cell, state)).join("\n");
  let plotly = "";
  if (hasPlotly(notebook)) {
    const source = options.plotlyJs ?? plotlyJsSource();
    plotly = `<script>${source.replace(/<\/script/gi, "<\\/script")}</script>`;
  }
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="latentlab">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style>
${plotly}
</head>
<body>
<main>
${runHeader(notebook, options.sourceName)}
${body}
</main>
</body>
</html>
`;
}

/** The report file name for a notebook path: `notebooks/B_search.ipynb` → `B_search.html`. */
export function reportName(notebookPath: string): string {
  return basename(notebookPath).replace(/\.ipynb$/, "") + ".html";
}
