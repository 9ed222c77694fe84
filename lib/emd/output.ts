/**
 * The output file of `search_emd`: the two headline lines of the original tool
 * (`Average Correct Search Results EMD: <x>`, `Average Correct Search Results MANHATTAN: <y>`) followed
 * by `key: value` lines with the sample size, 95 % intervals, times, solve/prune counts and settings.
 * {@linkcode formatSearchEmdOutput} writes it and {@linkcode parseSearchEmdOutput} reads it back.
 * @module
 */
import { InputError } from "../errors.ts";

/** A closed interval. */
export interface Range {
  /** Lower end. */
  low: number;
  /** Upper end. */
  high: number;
}

/** Everything `search_emd` reports. */
export interface SearchEmdReport {
  /** Mean over queries of the fraction of the k EMD neighbours with the query's label. */
  emdCorrect: number;
  /** The same for Manhattan (L1 on pixels) neighbours. */
  manhattanCorrect: number;
  /** Number of queries. */
  queries: number;
  /** Neighbours per query (k). */
  neighbours: number;
  /** 95 % percentile-bootstrap interval of the EMD figure, resampling queries. */
  emdBootstrap: Range;
  /** 95 % percentile-bootstrap interval of the Manhattan figure. */
  manhattanBootstrap: Range;
  /** 95 % Wilson interval treating the `queries * neighbours` neighbours as independent (EMD). */
  emdWilson: Range;
  /** The same for Manhattan. */
  manhattanWilson: Range;
  /** EMD k-NN search time, milliseconds (all queries). */
  emdMilliseconds: number;
  /** Manhattan k-NN search time, milliseconds (all queries). */
  manhattanMilliseconds: number;
  /** Signatures, bound profiles and Worker start-up before the EMD search, milliseconds. */
  emdSetupMilliseconds: number;
  /** Manhattan engine set-up (data copied into wasm memory, Workers started), milliseconds. */
  manhattanSetupMilliseconds: number;
  /** EMD linear programs solved. */
  solved: number;
  /** Query-image pairs skipped because their lower bound proved they could not be neighbours. */
  pruned: number;
  /** Window side in pixels. */
  window: number;
  /** Windows per image. */
  windows: number;
  /** `fast` or `highs`. */
  solver: string;
  /** Lower bound used for pruning. */
  bound: string;
  /** Workers used. */
  workers: number;
  /** Bootstrap seed and resamples. */
  seed: number;
  /** Bootstrap resamples. */
  resamples: number;
  /** Dataset images file and count. */
  dataset: string;
  /** Number of dataset images. */
  datasetCount: number;
  /** Query images file. */
  queryFile: string;
  /** Dataset labels file. */
  datasetLabels: string;
  /** Query labels file. */
  queryLabels: string;
}

const fixed = (x: number, digits = 6) => x.toFixed(digits);
const range = (r: Range) => `[${fixed(r.low)}, ${fixed(r.high)}]`;

/** Formats a report as the `search_emd` output file. */
export function formatSearchEmdOutput(report: SearchEmdReport): string {
  const pairs = report.queries * report.datasetCount;
  const lines = [
    `Average Correct Search Results EMD: ${fixed(report.emdCorrect)}`,
    `Average Correct Search Results MANHATTAN: ${fixed(report.manhattanCorrect)}`,
    `queries: ${report.queries}`,
    `neighbours: ${report.neighbours}`,
    `EMD 95% interval (bootstrap over queries): ${range(report.emdBootstrap)}`,
    `MANHATTAN 95% interval (bootstrap over queries): ${range(report.manhattanBootstrap)}`,
    `EMD 95% interval (Wilson, per neighbour, n=${report.queries * report.neighbours}): ${
      range(report.emdWilson)
    }`,
    `MANHATTAN 95% interval (Wilson, per neighbour, n=${report.queries * report.neighbours}): ${
      range(report.manhattanWilson)
    }`,
    `tEMD: ${report.emdMilliseconds.toFixed(3)} ms (${
      (report.emdMilliseconds / report.queries).toFixed(3)
    } ms/query)`,
    `tMANHATTAN: ${report.manhattanMilliseconds.toFixed(3)} ms (${
      (report.manhattanMilliseconds / report.queries).toFixed(3)
    } ms/query)`,
    `EMD setup: ${report.emdSetupMilliseconds.toFixed(3)} ms`,
    `MANHATTAN setup: ${report.manhattanSetupMilliseconds.toFixed(3)} ms`,
    `EMD LPs solved: ${report.solved}`,
    `EMD LPs pruned: ${report.pruned} (${
      pairs > 0 ? ((100 * report.pruned) / pairs).toFixed(2) : "0.00"
    }% of ${pairs} pairs)`,
    `window: ${report.window} (${report.windows} windows)`,
    `solver: ${report.solver}`,
    `lower bound: ${report.bound}`,
    `workers: ${report.workers}`,
    `bootstrap: seed ${report.seed}, ${report.resamples} resamples`,
    `dataset: ${report.dataset} (${report.datasetCount} images)`,
    `dataset labels: ${report.datasetLabels}`,
    `query file: ${report.queryFile}`,
    `query labels: ${report.queryLabels}`,
  ];
  return lines.join("\n") + "\n";
}

function parseNumber(text: string, key: string, source: string): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value)) {
    throw new InputError(`${source}: bad number for "${key}": ${text}`);
  }
  return value;
}

function parseRange(text: string, key: string, source: string): Range {
  const match = /^\[([^,]+), ([^\]]+)\]$/.exec(text);
  if (!match) throw new InputError(`${source}: bad interval for "${key}": ${text}`);
  return { low: parseNumber(match[1], key, source), high: parseNumber(match[2], key, source) };
}

/** Parses a `search_emd` output file (as written by {@linkcode formatSearchEmdOutput}). */
export function parseSearchEmdOutput(text: string, source = "search_emd output"): SearchEmdReport {
  const values = new Map<string, string>();
  for (const line of text.split("\n")) {
    const colon = line.indexOf(": ");
    if (colon > 0) values.set(line.slice(0, colon), line.slice(colon + 2).trim());
  }
  const take = (key: string): string => {
    const exact = values.get(key);
    if (exact !== undefined) return exact;
    for (const [name, value] of values) if (name.startsWith(key)) return value;
    throw new InputError(`${source}: missing line "${key}: ..."`);
  };
  const firstNumber = (key: string) => parseNumber(take(key).split(" ")[0], key, source);
  const withCount = (key: string) => {
    const match = /^(.*) \((\d+) (?:images|windows)\)$/.exec(take(key));
    if (!match) throw new InputError(`${source}: bad value for "${key}": ${take(key)}`);
    return { value: match[1], count: Number(match[2]) };
  };
  const seedMatch = /^seed (\d+), (\d+) resamples$/.exec(take("bootstrap"));
  if (!seedMatch) throw new InputError(`${source}: bad value for "bootstrap": ${take("bootstrap")}`);
  const window = withCount("window");
  const dataset = withCount("dataset");
  return {
    emdCorrect: firstNumber("Average Correct Search Results EMD"),
    manhattanCorrect: firstNumber("Average Correct Search Results MANHATTAN"),
    queries: firstNumber("queries"),
    neighbours: firstNumber("neighbours"),
    emdBootstrap: parseRange(take("EMD 95% interval (bootstrap"), "EMD bootstrap", source),
    manhattanBootstrap: parseRange(take("MANHATTAN 95% interval (bootstrap"), "MANHATTAN bootstrap", source),
    emdWilson: parseRange(take("EMD 95% interval (Wilson"), "EMD Wilson", source),
    manhattanWilson: parseRange(take("MANHATTAN 95% interval (Wilson"), "MANHATTAN Wilson", source),
    emdMilliseconds: firstNumber("tEMD"),
    manhattanMilliseconds: firstNumber("tMANHATTAN"),
    emdSetupMilliseconds: firstNumber("EMD setup"),
    manhattanSetupMilliseconds: firstNumber("MANHATTAN setup"),
    solved: firstNumber("EMD LPs solved"),
    pruned: firstNumber("EMD LPs pruned"),
    window: parseNumber(window.value, "window", source),
    windows: window.count,
    solver: take("solver"),
    bound: take("lower bound"),
    workers: firstNumber("workers"),
    seed: Number(seedMatch[1]),
    resamples: Number(seedMatch[2]),
    dataset: dataset.value,
    datasetCount: dataset.count,
    datasetLabels: take("dataset labels"),
    queryFile: take("query file"),
    queryLabels: take("query labels"),
  };
}
