/**
 * Image signatures for the Earth Mover's Distance: an image is cut into square windows of side `s`
 * (s must divide both image sides); each non-empty window becomes one bin whose mass is the window's
 * pixel sum and whose position is the window centre, in pixels. Weights are `mass / total`, so every
 * signature has mass 1. Empty windows are dropped.
 *
 * Masses are kept as exact integers (pixel sums) next to the image total, so that exact solvers can
 * work in integer flow units; {@linkcode weightsOf} gives the normalised weights.
 *
 * **All-zero images** have no mass, so no probability distribution and no EMD: they are rejected with
 * a {@linkcode ZeroMassError} that names the image index (command-line tools add the file name and
 * exit 2). No EMD is ever NaN.
 * @module
 */
import { InputError } from "../errors.ts";

/** The window grid of one image size and window side. */
export interface WindowGrid {
  /** Image height in pixels. */
  rows: number;
  /** Image width in pixels. */
  cols: number;
  /** Window side in pixels. */
  window: number;
  /** Windows per column (`rows / window`). */
  gridRows: number;
  /** Windows per row (`cols / window`). */
  gridCols: number;
  /** Number of windows (`gridRows * gridCols`). */
  bins: number;
}

/** One image's signature: its non-empty windows, in row-major window order. */
export interface Signature {
  /** The window grid the bins refer to. */
  grid: WindowGrid;
  /** Window index (row-major in the grid) of each non-empty window. */
  bins: Uint16Array;
  /** Pixel sum of each non-empty window (an exact integer). */
  mass: Float64Array;
  /** Pixel sum of the whole image (an exact integer, > 0). */
  total: number;
}

/**
 * The signatures of a whole image set, packed: image `i` owns entries `offsets[i]..offsets[i+1]` of
 * `bins` and `mass`. All arrays may live in `SharedArrayBuffer`s (for Workers).
 */
export interface SignatureSet {
  /** The window grid. */
  grid: WindowGrid;
  /** Number of images. */
  count: number;
  /** Start of each image's bins; length `count + 1`. */
  offsets: Int32Array;
  /** Window index of every bin. */
  bins: Uint16Array;
  /** Pixel sum of every bin. */
  mass: Float64Array;
  /** Pixel sum of each image. */
  totals: Float64Array;
}

/** Raised for an image with no mass (all pixels zero); `index` is its 0-based position in its set. */
export class ZeroMassError extends InputError {
  /** 0-based index of the all-zero image. */
  readonly index: number;
  /** Creates the error for image `index`; `source` (a file name) prefixes the message when given. */
  constructor(index: number, source?: string) {
    super(
      `${source ? `${source}: ` : ""}image ${index} is all zeros (no mass): its EMD signature is empty and ` +
        `the EMD is undefined`,
    );
    this.name = "ZeroMassError";
    this.index = index;
  }
}

/** The window sides the project uses (28x28 images: 4, 16, 49, 196 windows). */
export const WINDOW_SIDES: readonly number[] = [14, 7, 4, 2];

/**
 * Describes the window grid for `rows x cols` images and window side `window`; throws an
 * {@linkcode InputError} (naming `--window`) when the side is not a positive integer dividing both sides.
 */
export function windowGrid(rows: number, cols: number, window: number): WindowGrid {
  if (!Number.isInteger(window) || window <= 0) {
    throw new InputError(`--window: ${window} is not a positive integer`);
  }
  if (rows % window !== 0 || cols % window !== 0) {
    throw new InputError(`--window: ${window} does not divide the image size ${rows}x${cols}`);
  }
  const gridRows = rows / window;
  const gridCols = cols / window;
  if (gridRows * gridCols > 65535) {
    throw new InputError(
      `--window: ${window} gives ${gridRows * gridCols} windows (at most 65535 supported)`,
    );
  }
  return { rows, cols, window, gridRows, gridCols, bins: gridRows * gridCols };
}

/** Row coordinate (pixels) of the centre of window `bin`. */
export function binRow(grid: WindowGrid, bin: number): number {
  return Math.floor(bin / grid.gridCols) * grid.window + (grid.window - 1) / 2;
}

/** Column coordinate (pixels) of the centre of window `bin`. */
export function binCol(grid: WindowGrid, bin: number): number {
  return (bin % grid.gridCols) * grid.window + (grid.window - 1) / 2;
}

function windowSums(pixels: Uint8Array, offset: number, grid: WindowGrid, out: Float64Array): number {
  out.fill(0);
  const { cols, window, gridCols } = grid;
  let total = 0;
  for (let r = 0; r < grid.rows; r++) {
    const rowStart = offset + r * cols;
    const binRowStart = Math.floor(r / window) * gridCols;
    for (let c = 0; c < cols; c++) {
      const v = pixels[rowStart + c];
      if (v !== 0) {
        out[binRowStart + Math.floor(c / window)] += v;
        total += v;
      }
    }
  }
  return total;
}

/** Options for {@linkcode signatureOf}. */
export interface SignatureOptions {
  /** Image height. */
  rows: number;
  /** Image width. */
  cols: number;
  /** Window side (must divide `rows` and `cols`). */
  window: number;
  /** Byte offset of the image in `pixels`. Default 0. */
  offset?: number;
  /** Index reported in a {@linkcode ZeroMassError}. Default 0. */
  index?: number;
  /** Name (file) reported in a {@linkcode ZeroMassError}. */
  source?: string;
}

/** The signature of one image (`rows * cols` bytes of `pixels` from `offset`). */
export function signatureOf(pixels: Uint8Array, options: SignatureOptions): Signature {
  const grid = windowGrid(options.rows, options.cols, options.window);
  const sums = new Float64Array(grid.bins);
  const total = windowSums(pixels, options.offset ?? 0, grid, sums);
  if (total === 0) throw new ZeroMassError(options.index ?? 0, options.source);
  let n = 0;
  for (let b = 0; b < grid.bins; b++) if (sums[b] !== 0) n++;
  const bins = new Uint16Array(n);
  const mass = new Float64Array(n);
  for (let b = 0, k = 0; b < grid.bins; b++) {
    if (sums[b] !== 0) {
      bins[k] = b;
      mass[k++] = sums[b];
    }
  }
  return { grid, bins, mass, total };
}

/** Options for {@linkcode signatureSetOf}. */
export interface SignatureSetOptions {
  /** Window side. */
  window: number;
  /** Name (file) used in errors. */
  source?: string;
  /** Allocate the arrays in `SharedArrayBuffer`s (for Workers). Default false. */
  shared?: boolean;
}

function allocate<T extends Float64Array | Int32Array | Uint16Array>(
  kind: { new (buffer: ArrayBuffer | SharedArrayBuffer): T; BYTES_PER_ELEMENT: number },
  length: number,
  shared: boolean,
): T {
  const bytes = length * kind.BYTES_PER_ELEMENT;
  return new kind(shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
}

/** The packed signatures of every image in a set; an all-zero image throws {@linkcode ZeroMassError}. */
export function signatureSetOf(
  images: { count: number; rows: number; cols: number; pixels: Uint8Array },
  options: SignatureSetOptions,
): SignatureSet {
  const grid = windowGrid(images.rows, images.cols, options.window);
  const shared = options.shared ?? false;
  const size = images.rows * images.cols;
  const sums = new Float64Array(grid.bins);
  const offsets = allocate(Int32Array, images.count + 1, shared);
  const totals = allocate(Float64Array, images.count, shared);
  // First pass counts non-empty windows so that the packed arrays are allocated once.
  let entries = 0;
  for (let i = 0; i < images.count; i++) {
    const total = windowSums(images.pixels, i * size, grid, sums);
    if (total === 0) throw new ZeroMassError(i, options.source);
    totals[i] = total;
    offsets[i] = entries;
    for (let b = 0; b < grid.bins; b++) if (sums[b] !== 0) entries++;
  }
  offsets[images.count] = entries;
  const bins = allocate(Uint16Array, entries, shared);
  const mass = allocate(Float64Array, entries, shared);
  for (let i = 0, k = 0; i < images.count; i++) {
    windowSums(images.pixels, i * size, grid, sums);
    for (let b = 0; b < grid.bins; b++) {
      if (sums[b] !== 0) {
        bins[k] = b;
        mass[k++] = sums[b];
      }
    }
  }
  return { grid, count: images.count, offsets, bins, mass, totals };
}

/** Signature `index` of a packed set, as views (no copy). */
export function signatureAt(set: SignatureSet, index: number): Signature {
  const start = set.offsets[index];
  const end = set.offsets[index + 1];
  return {
    grid: set.grid,
    bins: set.bins.subarray(start, end),
    mass: set.mass.subarray(start, end),
    total: set.totals[index],
  };
}

/** The normalised weights (`mass / total`, summing to 1) of a signature. */
export function weightsOf(signature: Signature): Float64Array {
  const weights = new Float64Array(signature.mass.length);
  for (let k = 0; k < weights.length; k++) weights[k] = signature.mass[k] / signature.total;
  return weights;
}

/** Finds the first all-zero image of a set (or -1): lets tools report it before any work. */
export function firstZeroImage(
  images: { count: number; rows: number; cols: number; pixels: Uint8Array },
): number {
  const size = images.rows * images.cols;
  outer: for (let i = 0; i < images.count; i++) {
    const start = i * size;
    for (let p = start; p < start + size; p++) if (images.pixels[p] !== 0) continue outer;
    return i;
  }
  return -1;
}
