/**
 * The text format written by the `search` tool, and its parser.
 *
 * Per query (N = 1, the original format):
 * ```
 * Query: <q>
 * Nearest neighbor Reduced: <i>
 * Nearest neighbor LSH: <i>            ("none" when LSH found no candidate)
 * Nearest neighbor True: <i>
 * distanceReduced: <pixel-space L1>
 * distanceLSH: <d>                     ("none" when LSH found no candidate)
 * distanceTrue: <d>
 * ```
 * With N > 1 each of these neighbour and distance lines is repeated per rank r = 1..N as
 * `Nearest neighbor-<r> Reduced: <i>` … `distanceTrue-<r>: <d>`. After the queries comes a summary of
 * `Key: value` lines (`tReduced`, `tLSH`, `tTrue`, `Approximation Factor LSH`, …); see
 * {@linkcode SearchSummary}. All distances are L1 in pixel space; times are milliseconds.
 * @module
 */
import { InputError } from "../errors.ts";

/** The three neighbour lists of one query (length N each; LSH entries may be null = no candidate). */
export interface QueryReport {
  /** Query index (0-based, in the query file). */
  query: number;
  /** Neighbours found in latent space. */
  reduced: number[];
  /** Their pixel-space distances. */
  reducedDistances: number[];
  /** LSH neighbours (null where LSH had fewer candidates). */
  lsh: Array<number | null>;
  /** Their distances (null where no neighbour). */
  lshDistances: Array<number | null>;
  /** Exact pixel-space neighbours. */
  exact: number[];
  /** Their distances. */
  exactDistances: number[];
}

/** A report of query `query` with empty neighbour lists, to fill. */
export function emptyQueryReport(query: number): QueryReport {
  return {
    query,
    reduced: [],
    reducedDistances: [],
    lsh: [],
    lshDistances: [],
    exact: [],
    exactDistances: [],
  };
}

/** The summary lines, by key (values as written: numbers, or strings such as "n/a"). */
export type SearchSummary = Record<string, number | string>;

/** A whole `search` output file. */
export interface SearchOutput {
  /** Neighbours per query (N). */
  neighbours: number;
  /** Per-query blocks, in file order. */
  queries: QueryReport[];
  /** Summary values by key, e.g. `summary["tLSH"]`, `summary["Approximation Factor LSH"]`. */
  summary: SearchSummary;
}

function formatValue(value: number | null): string {
  return value === null ? "none" : String(value);
}

/** Formats one query block (see the module docs). */
export function formatQueryBlock(report: QueryReport): string {
  const n = report.exact.length;
  const lines = [`Query: ${report.query}`];
  for (let r = 0; r < n; r++) {
    const rank = n === 1 ? "" : `-${r + 1}`;
    lines.push(
      `Nearest neighbor${rank} Reduced: ${report.reduced[r]}`,
      `Nearest neighbor${rank} LSH: ${formatValue(report.lsh[r])}`,
      `Nearest neighbor${rank} True: ${report.exact[r]}`,
      `distanceReduced${rank}: ${report.reducedDistances[r]}`,
      `distanceLSH${rank}: ${formatValue(report.lshDistances[r])}`,
      `distanceTrue${rank}: ${report.exactDistances[r]}`,
    );
  }
  return lines.join("\n") + "\n";
}

/** Formats the summary as `Key: value` lines in insertion order. */
export function formatSummary(summary: SearchSummary): string {
  return Object.entries(summary).map(([key, value]) => `${key}: ${value}`).join("\n") + "\n";
}

const NEIGHBOUR_LINE = /^Nearest neighbor(?:-(\d+))? (Reduced|LSH|True): (\S+)$/;
const DISTANCE_LINE = /^distance(Reduced|LSH|True)(?:-(\d+))?: (\S+)$/;

function parseInteger(text: string, line: number, name: string, allowNone: boolean): number | null {
  if (allowNone && text === "none") return null;
  if (!/^\d+$/.test(text)) {
    throw new InputError(`${name}:${line}: expected a non-negative integer, got "${text}"`);
  }
  return Number(text);
}

/** Parses a `search` output file's text. `name` prefixes error messages. */
export function parseSearchOutput(text: string, name = "search output"): SearchOutput {
  const queries: QueryReport[] = [];
  const summary: SearchSummary = {};
  let current: QueryReport | undefined;
  let neighbours = 0;
  const lines = text.split("\n");
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index].trimEnd();
    const lineNumber = index + 1;
    if (line === "") continue;
    if (line.startsWith("Query: ")) {
      const query = parseInteger(line.slice(7), lineNumber, name, false)!;
      current = emptyQueryReport(query);
      queries.push(current);
      continue;
    }
    const neighbour = NEIGHBOUR_LINE.exec(line);
    const distance = neighbour ? null : DISTANCE_LINE.exec(line);
    if (neighbour || distance) {
      if (!current) throw new InputError(`${name}:${lineNumber}: neighbour line before any "Query:" line`);
      const method = neighbour ? neighbour[2] : distance![1];
      const rank = Number((neighbour ? neighbour[1] : distance![2]) ?? "1") - 1;
      const value = parseInteger((neighbour ?? distance)![3], lineNumber, name, method === "LSH");
      const target = neighbour
        ? method === "Reduced" ? current.reduced : method === "LSH" ? current.lsh : current.exact
        : method === "Reduced"
        ? current.reducedDistances
        : method === "LSH"
        ? current.lshDistances
        : current.exactDistances;
      (target as Array<number | null>)[rank] = value;
      neighbours = Math.max(neighbours, rank + 1);
      continue;
    }
    const colon = line.indexOf(": ");
    if (colon <= 0) throw new InputError(`${name}:${lineNumber}: unrecognised line "${line}"`);
    const key = line.slice(0, colon);
    const raw = line.slice(colon + 2);
    const numeric = Number(raw);
    summary[key] = raw.trim() !== "" && Number.isFinite(numeric) ? numeric : raw;
    current = undefined;
  }
  return { neighbours, queries, summary };
}
