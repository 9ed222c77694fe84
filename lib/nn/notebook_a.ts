/**
 * Helpers of notebook `A_autoencoder.ipynb`, composed from the public functions of `lib/nn/`,
 * `lib/data/` and `lib/report/`: the sweep grids, where task A leaves its outputs for the other
 * notebooks (latent files, classes file), writing the latent files of one model, and the Plotly
 * figures (loss curves, loss vs latent dim, latent projection, confusion matrix).
 *
 * Output paths (relative to the results folder, `results/` by default), read by notebooks B and D:
 * - `latent/<dataset>_d<D>_dataset.idx`, `latent/<dataset>_d<D>_queries.idx`: latent files of the
 *   dataset (train) and query (test) images for latent dim D (spec section 0), each with the same vectors
 *   as Parquet beside it (`.parquet`, see `lib/data/latent_parquet.ts`) for other tools;
 * - `classes/<dataset>.txt`: the classifier's classes file of the dataset (train) images.
 * @module
 */
import { dirname } from "node:path";
import type { AutoencoderConfig } from "./autoencoder.ts";
import { type LatentEncoder, type ReducedSets, reduceImages } from "./latent.ts";
import { QUICK_CONFIG } from "./quick_train.ts";
import type { ScheduleName } from "./schedule.ts";
import { type ImageSet, writeLatent } from "../data/idx.ts";
import { latentParquetPath, writeLatentParquet } from "../data/latent_parquet.ts";
import { datasetSlug, type TaskAPaths, taskAPaths } from "../data/task_outputs.ts";

export { datasetSlug, type TaskAPaths, taskAPaths };
import type { Figure } from "../util/figure.ts";

/** Size of a sweep grid: `reduced` (5 configurations, the default) or `full` (16). */
export type SweepSize = "reduced" | "full";

/** Options for {@linkcode sweepGrid}. */
export interface SweepGridOptions {
  /** Maximum epochs of every configuration. Default 4. */
  epochs?: number;
  /** Seed of weights, validation split and shuffles. Default 0. */
  seed?: number;
  /** Latent dim of the swept models. Default 10. */
  latentDim?: number;
  /** Early-stopping patience. Default 3. */
  patience?: number;
  /** Learning rate of every configuration. Default 0.002. */
  learningRate?: number;
  /** Batch size of the base configuration (the `batch` variant uses twice as many). Default 32. */
  batchSize?: number;
  /** Learning-rate schedule of every configuration. Default `constant`. */
  schedule?: ScheduleName;
}

/**
 * The sweep configurations, starting from `QUICK_CONFIG` (2 stride-2 conv layers of 16 and 32 3×3
 * filters, batch 32, Adam 0.002 unless `batchSize` and `learningRate` say otherwise):
 * - `reduced` (5): that base; twice the batch; kernel 5; 3 conv layers (16-32-64); twice the filters
 *   (32-64). (A half-learning-rate variant never won on mnist-sample or fashion-mnist; twice the
 *   filters won on both, and its encoder lifts the fashion-mnist classifier from 91.5 % to 92.2 %
 *   validation accuracy.)
 * - `full` (16): conv layers {2, 3} × base filters {16, 32} × kernel {3, 5} × batch {b, 2b}.
 */
export function sweepGrid(size: SweepSize, options: SweepGridOptions = {}): AutoencoderConfig[] {
  const base: AutoencoderConfig = {
    ...QUICK_CONFIG,
    epochs: options.epochs ?? 4,
    seed: options.seed ?? 0,
    latentDim: options.latentDim ?? 10,
    patience: options.patience ?? 3,
    learningRate: options.learningRate ?? QUICK_CONFIG.learningRate,
    batchSize: options.batchSize ?? QUICK_CONFIG.batchSize,
    schedule: options.schedule ?? "constant",
  };
  if (size === "reduced") {
    return [
      { ...base },
      { ...base, batchSize: 2 * base.batchSize! },
      { ...base, kernelSize: 5 },
      { ...base, convLayers: 3, filters: 16 },
      { ...base, filters: 32 },
    ];
  }
  if (size !== "full") throw new Error(`sweepGrid: size "${size}" is not reduced or full`);
  const grid: AutoencoderConfig[] = [];
  for (const convLayers of [2, 3]) {
    for (const filters of [16, 32]) {
      for (const kernelSize of [3, 5]) {
        for (const batchSize of [base.batchSize!, 2 * base.batchSize!]) {
          grid.push({ ...base, convLayers, filters, kernelSize, batchSize });
        }
      }
    }
  }
  return grid;
}

/** The fields of a configuration (or sweep row) that {@linkcode configLabel} shows. */
export interface ConfigLabelFields {
  /** Conv layers. */
  convLayers?: number;
  /** Filters per layer, as an array, a base number, or `16-32` text. */
  filters?: number | number[] | string;
  /** Kernel size. */
  kernelSize?: number;
  /** Batch size. */
  batchSize?: number;
  /** Learning rate. */
  learningRate?: number;
  /** `stride` or `maxpool`. */
  downsampling?: string;
  /** Learning-rate schedule (`constant` or `cosine`). */
  schedule?: string;
}

/** A short label of a configuration: `2L 16-32 k3 b32 lr0.002` (`maxpool`, `cosine` added when used). */
export function configLabel(config: ConfigLabelFields): string {
  const layers = config.convLayers ?? 2;
  const f = config.filters ?? 16;
  const filters = typeof f === "string"
    ? f
    : Array.isArray(f)
    ? f.join("-")
    : Array.from({ length: layers }, (_, i) => f * 2 ** i).join("-");
  const pool = config.downsampling === "maxpool" ? " maxpool" : "";
  const schedule = config.schedule === "cosine" ? " cosine" : "";
  return `${layers}L ${filters} k${config.kernelSize ?? 3} b${config.batchSize ?? 32} lr${
    config.learningRate ?? 2e-3
  }${pool}${schedule}`;
}

/** What {@linkcode writeLatentFiles} wrote. */
export interface LatentFilesReport extends ReducedSets {
  /** Path of the dataset's latent file. */
  datasetPath: string;
  /** Path of the queries' latent file. */
  queriesPath: string;
  /** The same vectors as Parquet (`.parquet` beside the latent files). */
  parquet: { dataset: string; queries: string };
  /** Seconds spent encoding (both sets). */
  encodeSeconds: number;
}

/** The image sets of {@linkcode writeLatentFiles}, with their labels when known (a Parquet column). */
export interface LatentFilesInput {
  /** The dataset (train) images: they fix the scale. */
  dataset: ImageSet;
  /** The query (test) images. */
  queries: ImageSet;
  /** Labels of the dataset images. */
  datasetLabels?: ArrayLike<number>;
  /** Labels of the query images. */
  queryLabels?: ArrayLike<number>;
}

/**
 * The library's reduce step for one model: encodes `sets` with `reduceImages` (one scale from the
 * dataset) and writes both latent files atomically (the folders are created), and the same vectors as
 * Parquet beside them (`x.idx` → `x.parquet`, with a `label` column when the labels are given).
 */
export async function writeLatentFiles(
  encoder: LatentEncoder,
  sets: LatentFilesInput,
  paths: { dataset: string; queries: string },
): Promise<LatentFilesReport> {
  const started = performance.now();
  const reduced = await reduceImages(encoder, sets);
  const encodeSeconds = (performance.now() - started) / 1000;
  for (const path of [paths.dataset, paths.queries]) {
    await Deno.mkdir(dirname(path), { recursive: true });
  }
  await writeLatent(paths.dataset, reduced.dataset);
  await writeLatent(paths.queries, reduced.queries);
  const parquet = { dataset: latentParquetPath(paths.dataset), queries: latentParquetPath(paths.queries) };
  await writeLatentParquet(parquet.dataset, reduced.dataset, { labels: sets.datasetLabels });
  await writeLatentParquet(parquet.queries, reduced.queries, { labels: sets.queryLabels });
  return { ...reduced, datasetPath: paths.dataset, queriesPath: paths.queries, parquet, encodeSeconds };
}

/** Ten distinct colours (Plotly/D3 category 10), one per class. */
export const CLASS_COLOURS: readonly string[] = [
  "#1f77b4",
  "#ff7f0e",
  "#2ca02c",
  "#d62728",
  "#9467bd",
  "#8c564b",
  "#e377c2",
  "#7f7f7f",
  "#bcbd22",
  "#17becf",
];

/** One epoch of a loss history (see `EpochRecord` in `training.ts`). */
export interface LossRecord {
  /** Epoch, from 1. */
  epoch: number;
  /** Mean training loss over the epoch. */
  trainLoss: number;
  /** Validation loss after the epoch. */
  valLoss: number;
}

/** Options for {@linkcode lossCurvesFigure}. */
export interface LossCurvesOptions {
  /** Figure title. */
  title?: string;
  /** Index of a curve pair to draw thicker (e.g. the chosen configuration). */
  highlight?: number;
  /** Log-scale y axis. Default true. */
  logY?: boolean;
}

/** How one run's two curves look in {@linkcode lossCurvesFigure}. */
interface LossRun {
  label: string;
  group: string;
  colour: string;
  width: number;
}

/** The curve of one loss of one run: validation solid with markers, training dashed. */
function lossTrace(
  history: LossRecord[],
  loss: "valLoss" | "trainLoss",
  run: LossRun,
): Record<string, unknown> {
  const validation = loss === "valLoss";
  return {
    type: "scatter",
    mode: validation ? "lines+markers" : "lines",
    x: history.map((h) => h.epoch),
    y: history.map((h) => h[loss]),
    name: `${run.label} (${validation ? "val" : "train"})`,
    legendgroup: run.group,
    line: validation
      ? { color: run.colour, width: run.width }
      : { color: run.colour, width: run.width, dash: "dash" },
  };
}

/**
 * Train (dashed) and validation (solid) loss per epoch, one colour per run, in one figure; legend
 * groups keep each run's two curves together.
 */
export function lossCurvesFigure(
  histories: LossRecord[][],
  labels: string[],
  options: LossCurvesOptions = {},
): Figure {
  const data: Record<string, unknown>[] = [];
  histories.forEach((history, i) => {
    const run: LossRun = {
      label: labels[i],
      group: `run${i}`,
      colour: CLASS_COLOURS[i % CLASS_COLOURS.length],
      width: options.highlight === i ? 3.5 : 1.5,
    };
    data.push(lossTrace(history, "valLoss", run), lossTrace(history, "trainLoss", run));
  });
  return {
    data,
    layout: {
      title: { text: options.title ?? "Training (dashed) and validation (solid) loss" },
      xaxis: { title: { text: "epoch" }, dtick: 1 },
      yaxis: { title: { text: "MSE (pixels / 255)" }, type: options.logY === false ? "linear" : "log" },
      height: 460,
      legend: { font: { size: 10 } },
    },
  };
}

/** Losses of one latent-dim model for {@linkcode lossByLatentDimFigure}. */
export interface LatentDimLoss {
  /** Latent dim. */
  latentDim: number;
  /** Training MSE at the best epoch. */
  trainLoss: number;
  /** Validation MSE (best epoch). */
  valLoss: number;
  /** MSE on the test (query) images, when measured. */
  testLoss?: number;
}

/** Validation (and train, test) MSE against the latent dim, log-scale x axis. */
export function lossByLatentDimFigure(rows: LatentDimLoss[], options: { title?: string } = {}): Figure {
  const x = rows.map((r) => r.latentDim);
  const trace = (name: string, y: number[], colour: string, dash?: string) => ({
    type: "scatter",
    mode: "lines+markers",
    x,
    y,
    name,
    line: { color: colour, dash },
  });
  const data = [
    trace("validation", rows.map((r) => r.valLoss), "#1f77b4"),
    trace("train (best epoch)", rows.map((r) => r.trainLoss), "#7f7f7f", "dash"),
  ];
  if (rows.every((r) => r.testLoss !== undefined)) {
    data.push(trace("test (queries)", rows.map((r) => r.testLoss as number), "#d62728", "dot"));
  }
  return {
    data,
    layout: {
      title: { text: options.title ?? "Reconstruction MSE vs latent dim" },
      xaxis: { title: { text: "latent dim" }, type: "log", tickvals: x },
      yaxis: { title: { text: "MSE (pixels / 255)" } },
      height: 400,
    },
  };
}

/** Options for {@linkcode latentScatterFigure}. */
export interface LatentScatterOptions {
  /** Figure title. */
  title?: string;
  /** Explained variance ratio of the two axes (shown in the axis titles). */
  explained?: [number, number];
}

/**
 * A 2-D projection (`count × 2` points, row after row) as a scatter plot, one trace (colour) per
 * label, so the legend toggles classes.
 */
export function latentScatterFigure(
  points: ArrayLike<number>,
  labels: ArrayLike<number>,
  options: LatentScatterOptions = {},
): Figure {
  if (points.length !== 2 * labels.length) {
    throw new Error(`latentScatterFigure: ${points.length / 2} points for ${labels.length} labels`);
  }
  const classes = [...new Set(Array.from(labels))].sort((a, b) => a - b);
  const data = classes.map((label) => {
    const x: number[] = [];
    const y: number[] = [];
    for (let i = 0; i < labels.length; i++) {
      if (labels[i] !== label) continue;
      x.push(Number(points[2 * i].toPrecision(5)));
      y.push(Number(points[2 * i + 1].toPrecision(5)));
    }
    return {
      type: "scattergl",
      mode: "markers",
      x,
      y,
      name: String(label),
      marker: { size: 4, opacity: 0.7, color: CLASS_COLOURS[label % CLASS_COLOURS.length] },
    };
  });
  const axis = (k: number) =>
    `PC${k + 1}` + (options.explained ? ` (${(100 * options.explained[k]).toFixed(1)} % of variance)` : "");
  return {
    data,
    layout: {
      title: { text: options.title ?? "Latent vectors, first two principal components" },
      xaxis: { title: { text: axis(0) } },
      yaxis: { title: { text: axis(1) } },
      height: 520,
      legend: { title: { text: "label" } },
    },
  };
}

/**
 * A confusion matrix (`matrix[true][predicted]`) as a heat map with the counts written in the cells,
 * true class downwards.
 */
export function confusionHeatmapFigure(matrix: number[][], options: { title?: string } = {}): Figure {
  const k = matrix.length;
  const names = Array.from({ length: k }, (_, i) => String(i));
  const annotations: Record<string, unknown>[] = [];
  const max = Math.max(1, ...matrix.flat());
  matrix.forEach((row, i) =>
    row.forEach((value, j) => {
      if (value === 0) return;
      annotations.push({
        x: names[j],
        y: names[i],
        text: String(value),
        showarrow: false,
        font: { size: 11, color: value > max / 2 ? "white" : "black" },
      });
    })
  );
  return {
    data: [{
      type: "heatmap",
      x: names,
      y: names,
      z: matrix,
      colorscale: "Blues",
      hovertemplate: "true %{y}, predicted %{x}: %{z}<extra></extra>",
    }],
    layout: {
      title: { text: options.title ?? "Confusion matrix" },
      xaxis: { title: { text: "predicted class" }, side: "bottom" },
      yaxis: { title: { text: "true class" }, autorange: "reversed" },
      annotations,
      height: 520,
      width: 600,
    },
  };
}

/** Floats in 0..1 (e.g. reconstructions) as uint8 pixels: `round(v · 255)`, clipped. */
export function toPixels(values: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = Math.round(values[i] * 255);
    out[i] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
  return out;
}
