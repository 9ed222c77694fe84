/**
 * A nodejs-polars DataFrame as a formatted HTML table: dtypes in the header, numbers right-aligned and
 * formatted, a row limit with a note saying how many rows were left out; and written as CSV and Parquet
 * side by side ({@linkcode writeTable}), so pandas, DuckDB, Spark or Polars pick it up with its types.
 * @module
 */
import { dirname } from "node:path";
import type pl from "nodejs-polars";
import { writeFileAtomic } from "../io/atomic.ts";
import { display, type DisplayBundle, escapeHtml } from "./display.ts";

/** The DataFrame type of nodejs-polars. */
export type DataFrame = pl.DataFrame;

/** Options for {@linkcode tableHtml}, {@linkcode tableBundle} and {@linkcode showTable}. */
export interface TableOptions {
  /** Show at most this many rows (the first ones). Default 20. */
  maxRows?: number;
  /** Decimals for floating-point numbers. Default 4. */
  digits?: number;
  /** Per-column formatters (column name → value → text) that override the defaults. */
  formats?: Record<string, (value: unknown) => string>;
  /** A caption shown above the table. */
  caption?: string;
}

/** The short name of a Polars dtype: `DataType(Float64)` → `Float64`. */
export function dtypeName(dtype: unknown): string {
  return String(dtype).replace(/^DataType\((.*)\)$/, "$1");
}

function isNumericDtype(name: string): boolean {
  return /^(U?Int\d+|Float\d+|Decimal)/.test(name);
}

/** Options for {@linkcode formatValue}. */
export interface FormatValueOptions {
  /** Decimals for floating-point numbers. Default 4. */
  digits?: number;
  /** The value comes from a floating-point column: integral values still get decimals. */
  float?: boolean;
}

/**
 * Formats one value the way tables show it: floats with `digits` decimals (exponent form when ≥ 1e9 or
 * tiny), integers with thousands separators, `null` for missing values.
 */
export function formatValue(value: unknown, options: FormatValueOptions = {}): string {
  const digits = options.digits ?? 4;
  if (value === null || value === undefined) return "null";
  if (typeof value === "bigint") return value.toLocaleString("en-US");
  if (typeof value === "number") {
    if (Number.isNaN(value)) return "NaN";
    if (!Number.isFinite(value)) return value > 0 ? "inf" : "-inf";
    if (!options.float && Number.isInteger(value) && Math.abs(value) < 1e15) {
      return value.toLocaleString("en-US");
    }
    const magnitude = Math.abs(value);
    if (magnitude !== 0 && (magnitude >= 1e9 || magnitude < 10 ** -digits)) return value.toExponential(3);
    return value.toFixed(digits);
  }
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return `[${value.map((item) => formatValue(item, options)).join(", ")}]`;
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

const STYLE = "border-collapse:collapse;font:13px/1.4 system-ui,sans-serif;margin:0.5em 0";
const CELL = "padding:3px 10px;border-bottom:1px solid #ddd";

/** Renders `df` as an HTML table (self-contained inline styles, all text escaped). */
export function tableHtml(df: DataFrame, options: TableOptions = {}): string {
  const maxRows = options.maxRows ?? 20;
  const digits = options.digits ?? 4;
  const columns = df.columns;
  const dtypes = df.dtypes.map(dtypeName);
  const shown = df.head(maxRows).rows() as unknown[][];
  const parts: string[] = [`<table class="latentlab-table" style="${STYLE}">`];
  if (options.caption) {
    parts.push(
      `<caption style="text-align:left;font-weight:600;padding:2px 0">${
        escapeHtml(options.caption)
      }</caption>`,
    );
  }
  parts.push("<thead><tr>");
  columns.forEach((name, i) => {
    const align = isNumericDtype(dtypes[i]) ? "right" : "left";
    parts.push(
      `<th style="${CELL};border-bottom:2px solid #888;text-align:${align};vertical-align:bottom">${
        escapeHtml(name)
      }` +
        `<br><span style="font-weight:normal;color:#888;font-size:11px">${escapeHtml(dtypes[i])}</span></th>`,
    );
  });
  parts.push("</tr></thead><tbody>");
  for (const row of shown) {
    parts.push("<tr>");
    row.forEach((value, i) => {
      const formatter = options.formats?.[columns[i]];
      const text = formatter
        ? formatter(value)
        : formatValue(value, { digits, float: dtypes[i].startsWith("Float") });
      const numeric = isNumericDtype(dtypes[i]);
      const style = `${CELL};text-align:${numeric ? "right" : "left"}` +
        (numeric ? ";font-variant-numeric:tabular-nums" : "") + (value === null ? ";color:#aaa" : "");
      parts.push(`<td style="${style}">${escapeHtml(text)}</td>`);
    });
    parts.push("</tr>");
  }
  parts.push("</tbody></table>");
  const note = df.height > shown.length
    ? `showing ${shown.length.toLocaleString("en-US")} of ${df.height.toLocaleString("en-US")} rows`
    : `${df.height.toLocaleString("en-US")} row${df.height === 1 ? "" : "s"}`;
  parts.push(
    `<div style="color:#888;font:11px system-ui,sans-serif">${note} × ${columns.length} columns</div>`,
  );
  return parts.join("");
}

/** Renders `df` as aligned plain text (header, dtypes, rows), the fallback outside HTML front ends. */
export function tableText(df: DataFrame, options: TableOptions = {}): string {
  const maxRows = options.maxRows ?? 20;
  const digits = options.digits ?? 4;
  const columns = df.columns;
  const dtypes = df.dtypes.map(dtypeName);
  const rows = (df.head(maxRows).rows() as unknown[][]).map((row) =>
    row.map((value, i) =>
      options.formats?.[columns[i]]?.(value) ??
        formatValue(value, { digits, float: dtypes[i].startsWith("Float") })
    )
  );
  const widths = columns.map((name, i) =>
    Math.max(name.length, dtypes[i].length, ...rows.map((row) => row[i].length))
  );
  const line = (cells: string[]) =>
    cells.map((cell, i) => isNumericDtype(dtypes[i]) ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))
      .join("  ");
  const out = [line(columns), line(dtypes), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)];
  if (options.caption) out.unshift(options.caption);
  if (df.height > rows.length) out.push(`(showing ${rows.length} of ${df.height} rows)`);
  return out.join("\n");
}

/** A display bundle (`text/html` + `text/plain`) for `df`. */
export function tableBundle(df: DataFrame, options: TableOptions = {}): DisplayBundle {
  return { "text/html": tableHtml(df, options), "text/plain": tableText(df, options) };
}

/** Shows `df` as a formatted table (await it). */
export async function showTable(df: DataFrame, options: TableOptions = {}): Promise<void> {
  await display(tableBundle(df, options));
}

/** The two files {@linkcode writeTable} wrote. */
export interface WrittenTable {
  /** The CSV file. */
  csv: string;
  /** The Parquet file beside it (same name, `.parquet`). */
  parquet: string;
}

/**
 * Writes `df` as CSV at `path` and as Parquet beside it (`x.csv` → `x.parquet`; a path without either
 * extension gets both), each file atomically, creating the folder. Parquet keeps the column types
 * (integers stay integers) and reads back in pandas, DuckDB, Spark and Polars.
 */
export async function writeTable(df: DataFrame, path: string): Promise<WrittenTable> {
  const base = path.replace(/\.(csv|parquet)$/i, "");
  const written = { csv: `${base}.csv`, parquet: `${base}.parquet` };
  await Deno.mkdir(dirname(base), { recursive: true });
  await writeFileAtomic(written.csv, new Uint8Array(df.writeCSV()));
  await writeFileAtomic(written.parquet, new Uint8Array(df.writeParquet()));
  return written;
}
