/**
 * Display helpers for notebooks: Polars tables, Plotly figures, image grids, progress lines, 95 %
 * intervals, PNG encoding, and optional static figure export through chromium. Every `show*` function
 * returns a promise: await it (awaited displays are never lost by the Deno kernel).
 *
 * ```ts
 * import { showTable, showFigure, showImageGrid, wilsonInterval } from "../lib/report/mod.ts";
 * await showTable(df, { caption: "Accuracy per class" });
 * await showFigure({ data: [{ type: "bar", x: labels, y: counts }], layout: { title: { text: "Counts" } } });
 * ```
 * @module
 */
export {
  display,
  type DisplayBundle,
  type DisplayOptions,
  escapeHtml,
  inJupyter,
  jsonForScript,
  showText,
  toBase64,
} from "./display.ts";
export {
  type DataFrame,
  dtypeName,
  formatValue,
  type FormatValueOptions,
  showTable,
  tableBundle,
  tableHtml,
  type TableOptions,
  tableText,
  writeTable,
  type WrittenTable,
} from "./table.ts";
export {
  countPlotlyLoaders,
  DEFAULT_FIGURE_HEIGHT,
  type Figure,
  plainFigure,
  PLOTLY_LOADER_MARK,
  PLOTLY_LOADER_MIME,
  PLOTLY_MIME,
  plotlyBundle,
  type PlotlyBundleOptions,
  plotlyJsSent,
  plotlyJsSource,
  plotlyJsVersion,
  plotlyLoaderHtml,
  plotlyLoaderJs,
  plotlyScriptPath,
  showFigure,
  showPlotlyJs,
} from "./plotly.ts";
/** The image set type of `lib/data/idx.ts` (input of {@linkcode imageAt}). */
export type { ImageSet } from "../data/idx.ts";
export {
  GRID_TEXT_CAPTIONS,
  imageAt,
  imageGridBundle,
  type ImageGridOptions,
  imageGridPng,
  showImageGrid,
} from "./image_grid.ts";
export { crc32, encodePng, type RawImage } from "./png.ts";
export { createProgress, type Progress, type ProgressOptions } from "./progress.ts";
export {
  bootstrapMeanInterval,
  type BootstrapOptions,
  formatInterval,
  type Interval,
  quantileSorted,
  wilsonInterval,
  type WilsonOptions,
  Z_95,
} from "../stats/intervals.ts";
export {
  type BrowserSession,
  CHROMIUM_ARGS,
  CHROMIUM_PATH,
  chromiumAvailable,
  createFigureExporter,
  type FigureExporter,
  type FigureImageOptions,
  launchChromium,
} from "./static_export.ts";
