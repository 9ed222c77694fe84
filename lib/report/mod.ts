/**
 * Display helpers for notebooks: Polars tables, Plotly figures, image grids and progress lines, with the
 * 95 % intervals of `lib/stats/` for their captions, and optional static figure export through chromium.
 * Every `show*` function returns a promise: await it (awaited displays are never lost by the Deno
 * kernel). Outside Jupyter they print their plain-text form.
 *
 * @example A table and an image grid, as their plain-text and PNG forms
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { imageAt, imageGridPng, tableText, wilsonInterval } from "./mod.ts";
 *
 * const accuracy = wilsonInterval(45, 50);
 * const table = pl.DataFrame({ method: ["latent"], accuracy: [accuracy.estimate], n: [accuracy.n] });
 * assert.match(tableText(table), /latent/);
 *
 * const images = { count: 2, rows: 28, cols: 28, pixels: new Uint8Array(2 * 784).fill(200) };
 * const png = imageGridPng([imageAt(images, 0), imageAt(images, 1)], { captions: ["a", "b"] });
 * assert.deepEqual(Array.from(png.subarray(1, 4)), [80, 78, 71]); // "PNG"
 * ```
 * @module
 */
export { display, type DisplayBundle, type DisplayOptions, inJupyter, showText } from "./display.ts";
export {
  type DataFrame,
  formatValue,
  type FormatValueOptions,
  showTable,
  tableHtml,
  type TableOptions,
  tableText,
  writeTable,
  type WrittenTable,
} from "./table.ts";
export {
  type Figure,
  plainFigure,
  type PlotlyBundleOptions,
  plotlyJsSent,
  showFigure,
  showPlotlyJs,
} from "./plotly.ts";
export { imageAt, type ImageGridOptions, imageGridPng, showImageGrid } from "./image_grid.ts";
export { createProgress, type Progress, type ProgressOptions } from "./progress.ts";
/** The interval statistics of `lib/stats/`, for the captions of tables and figures. */
export * from "../stats/mod.ts";
export {
  chromiumAvailable,
  createFigureExporter,
  type FigureExporter,
  type FigureImageOptions,
} from "./static_export.ts";
