/**
 * The Plotly figure type: traces, layout and config as plain JSON. Task folders build figures (e.g.
 * `lib/nn/notebook_a.ts`) and `lib/report/plotly.ts` shows them, so the type lives below both.
 * @module
 */

/** A Plotly figure: traces, layout and config as plain JSON. */
export interface Figure {
  /** The traces (`{ type: "scatter", x, y, … }`). */
  data: Record<string, unknown>[];
  /** The layout (`{ title, xaxis, … }`). */
  layout?: Record<string, unknown>;
  /** Plotly config (`{ responsive: true }`). */
  config?: Record<string, unknown>;
}
