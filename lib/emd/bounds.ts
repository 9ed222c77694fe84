/**
 * Lower bounds on the EMD (mass-1 signatures, Euclidean ground distance) that prune exact k-NN search.
 *
 * - **Centroid bound**: `EMD(a, b) >= ||centroid(a) - centroid(b)||_2` (Rubner et al.).
 * - **Projection bound**: projecting both signatures on a unit direction `u` is 1-Lipschitz
 *   (`|u.(x - y)| <= ||x - y||`), so any transport plan costs at least the 1-D EMD of the projected
 *   distributions; the 1-D EMD is `integral |F_a - F_b|` of the cumulative distributions. The bound is
 *   the maximum over a few directions (the two axes, the diagonals and the four knight directions).
 *
 * Window centres lie on a lattice, so projection on the integer direction `(p, q)` (row, column) lands
 * on levels `p*R + q*C` spaced `window / ||(p, q)||` apart: each image stores, per direction, its
 * cumulative distribution at each level multiplied by that spacing ("profiles"), and the 1-D EMD is the
 * L1 distance between profile segments. Bounds are computed in floating point: compare them with a
 * relative slack (see {@linkcode BOUND_SLACK}).
 * @module
 */
import { binCol, binRow, type Signature, type SignatureSet, type WindowGrid } from "./signature.ts";

/** Integer directions `(row, column)` projected on by default. */
export const DEFAULT_DIRECTIONS: readonly (readonly [number, number])[] = [
  [1, 0],
  [0, 1],
  [1, 1],
  [1, -1],
  [1, 2],
  [2, 1],
  [1, -2],
  [2, -1],
];

/**
 * Relative slack for pruning: a candidate is skipped only when `bound * (1 - BOUND_SLACK)` is not below
 * the current k-th best EMD, so rounding in the bound can never drop a true neighbour.
 */
export const BOUND_SLACK = 1e-12;

/** Which lower bound drives pruning. */
export type BoundKind = "projection" | "centroid" | "none";

/** Per-image data for the bounds of a signature set. */
export interface BoundProfiles {
  /** Number of images. */
  count: number;
  /** Values per image in `profiles`. */
  stride: number;
  /** Start of each direction's segment within an image's profile; length `directions + 1`. */
  segments: Int32Array;
  /** Scaled cumulative distributions, image after image (`count * stride`). */
  profiles: Float64Array;
  /** Centroid (row, column) of each image, interleaved (`2 * count`). */
  centroids: Float64Array;
}

/** Options for {@linkcode boundProfilesOf}. */
export interface BoundProfileOptions {
  /** Integer projection directions; default {@linkcode DEFAULT_DIRECTIONS}. */
  directions?: readonly (readonly [number, number])[];
  /** Allocate in `SharedArrayBuffer`s (for Workers). Default false. */
  shared?: boolean;
}

interface Layout {
  segments: Int32Array;
  /** For each direction: minimum level, and spacing in pixels. */
  minLevel: Int32Array;
  spacing: Float64Array;
  /** Level index of each window for each direction: `levels[d * bins + bin]` (relative to the segment). */
  levels: Int32Array;
}

function layoutOf(grid: WindowGrid, directions: readonly (readonly [number, number])[]): Layout {
  const segments = new Int32Array(directions.length + 1);
  const minLevel = new Int32Array(directions.length);
  const spacing = new Float64Array(directions.length);
  const levels = new Int32Array(directions.length * grid.bins);
  for (let d = 0; d < directions.length; d++) {
    const [p, q] = directions[d];
    let low = Infinity;
    let high = -Infinity;
    for (let b = 0; b < grid.bins; b++) {
      const level = p * Math.floor(b / grid.gridCols) + q * (b % grid.gridCols);
      low = Math.min(low, level);
      high = Math.max(high, level);
    }
    minLevel[d] = low;
    spacing[d] = grid.window / Math.hypot(p, q);
    for (let b = 0; b < grid.bins; b++) {
      levels[d * grid.bins + b] = p * Math.floor(b / grid.gridCols) + q * (b % grid.gridCols) - low;
    }
    // The last level's CDF is 1 for every image: it is not stored.
    segments[d + 1] = segments[d] + (high - low);
  }
  return { segments, minLevel, spacing, levels };
}

/** Computes bound profiles and centroids for every image of a signature set. */
export function boundProfilesOf(set: SignatureSet, options: BoundProfileOptions = {}): BoundProfiles {
  const directions = options.directions ?? DEFAULT_DIRECTIONS;
  const layout = layoutOf(set.grid, directions);
  const stride = layout.segments[directions.length];
  const shared = options.shared ?? false;
  const buffer = (bytes: number) => shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
  const profiles = new Float64Array(buffer(8 * set.count * stride));
  const centroids = new Float64Array(buffer(16 * set.count));
  const bins = set.grid.bins;
  const histogram = new Float64Array(stride + directions.length);
  for (let i = 0; i < set.count; i++) {
    const start = set.offsets[i];
    const end = set.offsets[i + 1];
    const total = set.totals[i];
    let row = 0;
    let col = 0;
    for (let k = start; k < end; k++) {
      const w = set.mass[k] / total;
      row += w * binRow(set.grid, set.bins[k]);
      col += w * binCol(set.grid, set.bins[k]);
    }
    centroids[2 * i] = row;
    centroids[2 * i + 1] = col;
    const out = i * stride;
    for (let d = 0; d < directions.length; d++) {
      const length = layout.segments[d + 1] - layout.segments[d];
      histogram.fill(0, 0, length + 1);
      for (let k = start; k < end; k++) histogram[layout.levels[d * bins + set.bins[k]]] += set.mass[k];
      let cumulative = 0;
      const base = out + layout.segments[d];
      for (let level = 0; level < length; level++) {
        cumulative += histogram[level];
        profiles[base + level] = (cumulative / total) * layout.spacing[d];
      }
    }
  }
  return { count: set.count, stride, segments: layout.segments, profiles, centroids };
}

/** One image of a {@linkcode BoundProfiles} set. */
export interface BoundOperand {
  /** The set's profiles. */
  profiles: BoundProfiles;
  /** Image index in the set. */
  index: number;
}

function centroidDistance(a: BoundProfiles, i: number, b: BoundProfiles, j: number): number {
  const dr = a.centroids[2 * i] - b.centroids[2 * j];
  const dc = a.centroids[2 * i + 1] - b.centroids[2 * j + 1];
  return Math.sqrt(dr * dr + dc * dc);
}

/** Maximum over directions `from..to-1` of the projected 1-D EMD. */
function projectedDistance(
  a: BoundProfiles,
  i: number,
  b: BoundProfiles,
  j: number,
  from: number,
  to: number,
): number {
  const pa = a.profiles;
  const pb = b.profiles;
  const oa = i * a.stride;
  const ob = j * b.stride;
  const segments = a.segments;
  let best = 0;
  for (let d = from; d < to; d++) {
    let sum = 0;
    for (let t = segments[d]; t < segments[d + 1]; t++) {
      const diff = pa[oa + t] - pb[ob + t];
      sum += diff < 0 ? -diff : diff;
    }
    if (sum > best) best = sum;
  }
  return best;
}

/** Centroid bound `||centroid(a) - centroid(b)||_2` between two images. */
export function centroidBound(a: BoundOperand, b: BoundOperand): number {
  return centroidDistance(a.profiles, a.index, b.profiles, b.index);
}

/** Options for {@linkcode projectionBound}. */
export interface ProjectionBoundOptions {
  /** Use only the first `directions` directions (default: all of them). */
  directions?: number;
}

/** Projection bound (max over directions of the projected 1-D EMD) between two images. */
export function projectionBound(
  a: BoundOperand,
  b: BoundOperand,
  options: ProjectionBoundOptions = {},
): number {
  const directions = Math.min(options.directions ?? Infinity, a.profiles.segments.length - 1);
  return projectedDistance(a.profiles, a.index, b.profiles, b.index, 0, directions);
}

/** Options for {@linkcode boundsToAll}. */
export interface BoundsToAllOptions {
  /**
   * Which bound: `"projection"` (default) is the maximum of the projection and centroid bounds,
   * `"axes"` the same with the two axis directions only (cheap first stage), `"none"` zeros.
   */
  kind?: BoundKind | "axes";
  /** Output buffer of at least `data.count` entries. */
  out?: Float64Array;
  /** Compute only the entries listed here (others are left untouched). */
  only?: Int32Array;
}

/** Lower bounds between one query image and every image of `data` (`out[j]`). */
export function boundsToAll(
  query: BoundOperand,
  data: BoundProfiles,
  options: BoundsToAllOptions = {},
): Float64Array {
  const kind = options.kind ?? "projection";
  const out = options.out ?? new Float64Array(data.count);
  const queries = query.profiles;
  const q = query.index;
  if (kind === "none") {
    out.fill(0, 0, data.count);
    return out;
  }
  const directions = kind === "centroid"
    ? 0
    : kind === "axes"
    ? Math.min(2, queries.segments.length - 1)
    : queries.segments.length - 1;
  const only = options.only;
  const count = only ? only.length : data.count;
  // Hot loop: everything it reads is hoisted into locals.
  const segments = queries.segments;
  const pa = queries.profiles;
  const pb = data.profiles;
  const oa = q * queries.stride;
  const stride = data.stride;
  const qr = queries.centroids[2 * q];
  const qc = queries.centroids[2 * q + 1];
  const centroids = data.centroids;
  for (let t = 0; t < count; t++) {
    const j = only ? only[t] : t;
    const dr = qr - centroids[2 * j];
    const dc = qc - centroids[2 * j + 1];
    let best = Math.sqrt(dr * dr + dc * dc);
    const ob = j * stride - oa;
    for (let d = 0; d < directions; d++) {
      let sum = 0;
      const end = oa + segments[d + 1];
      for (let x = oa + segments[d]; x < end; x++) {
        const diff = pa[x] - pb[x + ob];
        sum += diff < 0 ? -diff : diff;
      }
      if (sum > best) best = sum;
    }
    out[j] = best;
  }
  return out;
}

/** The centroid (row, column), in pixels, of one signature. */
export function centroidOf(signature: Signature): [number, number] {
  let row = 0;
  let col = 0;
  for (let k = 0; k < signature.bins.length; k++) {
    const w = signature.mass[k] / signature.total;
    row += w * binRow(signature.grid, signature.bins[k]);
    col += w * binCol(signature.grid, signature.bins[k]);
  }
  return [row, col];
}
