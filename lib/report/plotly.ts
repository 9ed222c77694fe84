/**
 * Plotly figures as one display bundle: `application/vnd.plotly.v1+json` for JupyterLab, plus a
 * `text/html` fallback (a div and a `Plotly.newPlot` script) for front ends and exports that run
 * scripts, and a `text/plain` summary.
 * @module
 */
import { display, type DisplayBundle, escapeHtml, jsonForScript } from "./display.ts";

/** A Plotly figure: traces, layout and config as plain JSON. */
export interface Figure {
  /** The traces (`{ type: "scatter", x, y, … }`). */
  data: Record<string, unknown>[];
  /** The layout (`{ title, xaxis, … }`). */
  layout?: Record<string, unknown>;
  /** Plotly config (`{ responsive: true }`). */
  config?: Record<string, unknown>;
}

/** The MIME type JupyterLab renders with plotly.js. */
export const PLOTLY_MIME = "application/vnd.plotly.v1+json";

/** Options for {@linkcode plotlyBundle}. */
export interface PlotlyBundleOptions {
  /** Id of the fallback div. Default: random. */
  divId?: string;
  /** Height of the fallback div in pixels (when the layout has none). Default 420. */
  height?: number;
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

/**
 * The display bundle for `figure`. The `text/html` fallback expects `window.Plotly` to be loaded (the
 * HTML export inlines plotly.js once per file); in a notebook front end without it, it says so.
 */
export function plotlyBundle(figure: Figure, options: PlotlyBundleOptions = {}): DisplayBundle {
  const plain = plainFigure(figure);
  const divId = options.divId ?? `plotly-${crypto.randomUUID()}`;
  const height = typeof plain.layout?.height === "number" ? plain.layout.height : options.height ?? 420;
  const title = figureTitle(plain);
  const note = `(Plotly figure${
    title ? ` "${title}"` : ""
  }: shown interactively in JupyterLab and in the HTML report)`;
  // Without plotly.js (or when the front end does not run scripts) the div just shows the note.
  const html =
    `<div id="${escapeHtml(divId)}" class="plotly-graph-div" style="width:100%">${escapeHtml(note)}</div>\n` +
    `<script type="text/javascript">(function () {\n` +
    `  var el = document.getElementById(${jsonForScript(divId)});\n` +
    `  if (!window.Plotly || !el) return;\n` +
    `  el.textContent = ""; el.style.height = "${height}px";\n` +
    `  window.Plotly.newPlot(el, ${jsonForScript(plain.data)}, ${jsonForScript(plain.layout ?? {})}, ` +
    `${jsonForScript({ responsive: true, ...plain.config })});\n` +
    `})();</script>`;
  const traces = plain.data.map((trace) => String(trace.type ?? "scatter"));
  return {
    [PLOTLY_MIME]: { data: plain.data, layout: plain.layout ?? {}, config: plain.config ?? {} },
    "text/html": html,
    "text/plain": `Plotly figure${title ? ` "${title}"` : ""}: ${traces.length} trace(s) (${
      [...new Set(traces)].join(", ")
    })`,
  };
}

/** Shows `figure` (await it). */
export async function showFigure(figure: Figure, options: PlotlyBundleOptions = {}): Promise<void> {
  await display(plotlyBundle(figure, options));
}
