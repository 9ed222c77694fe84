/**
 * Executed notebooks that open with their figures: every Plotly figure output gets its `text/html` rebuilt
 * so that the notebook carries plotly.js exactly once (in its first figure), optionally a static PNG of the
 * figure (shown where scripts do not run: GitHub, nbviewer, an untrusted notebook), and the notebook is
 * signed for the user's Jupyter (see `trust.ts`), so the interactive figures draw when it is opened there.
 * @module
 */
import { bundleForNotebook, type Notebook, writeNotebook } from "./ipynb.ts";
import { type NotaryOptions, signNotebook } from "./trust.ts";
import {
  countPlotlyLoaders,
  DEFAULT_FIGURE_HEIGHT,
  type Figure,
  PLOTLY_MIME,
  plotlyBundle,
  plotlyJsSource,
} from "../report/plotly.ts";
import { chromiumAvailable, createFigureExporter, type FigureExporter } from "../report/static_export.ts";

/** Width of the static images of figures, pixels (a classic Notebook output is about this wide). */
export const STATIC_FIGURE_WIDTH = 900;

/** Options for {@linkcode prepareFigures}. */
export interface PrepareFiguresOptions {
  /** plotly.js source to carry. Default: the `plotly.js-dist-min` package's. */
  plotlyJs?: string;
  /** Renders a figure to PNG bytes (or `undefined` to leave it without an image). */
  image?: (figure: Figure) => Promise<Uint8Array | undefined>;
}

/** What {@linkcode prepareFigures} did. */
export interface PreparedFigures {
  /** Plotly figure outputs. */
  figures: number;
  /** Of them, with a static image. */
  images: number;
  /** Outputs that only carried plotly.js (from `showPlotlyJs()`), removed. */
  removedLoaders: number;
}

function htmlText(value: unknown): string {
  return Array.isArray(value) ? value.join("") : typeof value === "string" ? value : "";
}

/**
 * Rebuilds the `text/html` of every Plotly figure output of `notebook` (in place) from its Plotly JSON:
 * plotly.js in the first figure only, a static image when `options.image` gives one. Outputs that carried
 * nothing but plotly.js are removed (the first figure carries it).
 */
export async function prepareFigures(
  notebook: Notebook,
  options: PrepareFiguresOptions = {},
): Promise<PreparedFigures> {
  const result: PreparedFigures = { figures: 0, images: 0, removedLoaders: 0 };
  for (const cell of notebook.cells) {
    if (!cell.outputs) continue;
    const kept = [];
    for (const output of cell.outputs) {
      if (output.output_type !== "display_data" && output.output_type !== "execute_result") {
        kept.push(output);
        continue;
      }
      const figure = output.data[PLOTLY_MIME] as Figure | undefined;
      if (!figure) {
        if (countPlotlyLoaders(htmlText(output.data["text/html"])) > 0) result.removedLoaders++;
        else kept.push(output);
        continue;
      }
      const png = await options.image?.(figure);
      const bundle = plotlyBundle(figure, {
        includePlotlyJs: result.figures === 0,
        plotlyJs: result.figures === 0 ? options.plotlyJs ?? plotlyJsSource() : undefined,
        staticPng: png,
      });
      result.figures++;
      if (png) result.images++;
      const { [PLOTLY_MIME]: _json, ...rest } = bundle;
      output.data = { [PLOTLY_MIME]: figure, ...bundleForNotebook(rest) };
      kept.push(output);
    }
    cell.outputs = kept;
  }
  return result;
}

/** Options for {@linkcode publishNotebook}. */
export interface PublishOptions {
  /** Add a static PNG to every figure (needs chromium). Default: when `/usr/bin/chromium` exists. */
  staticImages?: boolean;
  /** Sign the written notebook for Jupyter (`false`: do not). Default: in the user's Jupyter data folder. */
  sign?: boolean | NotaryOptions;
  /** plotly.js source to carry. Default: the package's. */
  plotlyJs?: string;
}

/** What {@linkcode publishNotebook} did. */
export interface PublishedNotebook extends PreparedFigures {
  /** The signature stored for Jupyter, when signed. */
  signature?: string;
}

async function renderImage(exporter: FigureExporter, figure: Figure): Promise<Uint8Array | undefined> {
  const layout = figure.layout ?? {};
  try {
    return await exporter.export(figure, {
      width: typeof layout.width === "number" ? layout.width : STATIC_FIGURE_WIDTH,
      height: typeof layout.height === "number" ? layout.height : DEFAULT_FIGURE_HEIGHT,
    });
  } catch {
    return undefined; // an image is only the fallback: the interactive figure is there anyway
  }
}

/**
 * Prepares the figures of an executed `notebook` for publishing (in place, see {@linkcode prepareFigures}):
 * plotly.js once, and static images rendered through one headless chromium, started when the first figure
 * needs it. Signing is left to the caller (after the notebook is written).
 */
export async function preparePublication(
  notebook: Notebook,
  options: Omit<PublishOptions, "sign"> = {},
): Promise<PreparedFigures> {
  let exporter: Promise<FigureExporter | undefined> | undefined;
  const images = options.staticImages ?? chromiumAvailable();
  try {
    return await prepareFigures(notebook, {
      plotlyJs: options.plotlyJs,
      image: images
        ? async (figure) => {
          exporter ??= createFigureExporter().catch(() => undefined);
          const started = await exporter;
          return started ? await renderImage(started, figure) : undefined;
        }
        : undefined,
    });
  } finally {
    await (await exporter)?.close();
  }
}

/**
 * Prepares the figures of an executed `notebook` (see {@linkcode preparePublication}), writes it to
 * `path`, and signs it so the user's Jupyter trusts it.
 */
export async function publishNotebook(
  notebook: Notebook,
  path: string,
  options: PublishOptions = {},
): Promise<PublishedNotebook> {
  const prepared = await preparePublication(notebook, options);
  await writeNotebook(path, notebook);
  const sign = options.sign ?? true;
  if (sign === false) return prepared;
  return { ...prepared, signature: await signNotebook(notebook, sign === true ? {} : sign) };
}
