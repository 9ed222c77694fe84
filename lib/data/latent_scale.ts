/**
 * The scale of latent files (spec section 0): one global min/max is taken over all values of the
 * *dataset*'s latent vectors and applied to the dataset and to the queries, values are clipped to that
 * range and mapped linearly to integers 0..25500. So distances between a query and the dataset are
 * comparable, and a query equal to a dataset image gets the same integer vector.
 *
 * Used by `reduce` (through `lib/nn/latent.ts`) and by the random-projection stand-in
 * (`lib/data/stand_in.ts`).
 * @module
 */
import { InputError } from "../errors.ts";
import { LATENT_SCALE, type LatentSet } from "./idx.ts";

/** A global linear scale: `min` maps to 0, `max` to {@linkcode LATENT_SCALE}. */
export interface LatentScale {
  /** Smallest latent value of the dataset. */
  min: number;
  /** Largest latent value of the dataset. */
  max: number;
}

/** The global min/max over all values (all vectors, all dimensions). Throws on empty or non-finite input. */
export function fitLatentScale(values: ArrayLike<number>): LatentScale {
  if (values.length === 0) throw new InputError("latent scale: no values");
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) throw new Error(`latent scale: value ${v} at ${i} is not finite`);
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
}

/**
 * Maps values to integers 0..25500 with `scale`, clipping values outside [min, max]:
 * `round((v - min) / (max - min) * 25500)`. When max = min every value maps to 0.
 */
export function applyLatentScale(values: ArrayLike<number>, scale: LatentScale): Int16Array {
  const out = new Int16Array(values.length);
  const range = scale.max - scale.min;
  if (!(range > 0)) return out;
  const factor = LATENT_SCALE / range;
  for (let i = 0; i < values.length; i++) {
    const scaled = Math.round((values[i] - scale.min) * factor);
    out[i] = scaled < 0 ? 0 : scaled > LATENT_SCALE ? LATENT_SCALE : scaled;
  }
  return out;
}

/** Maps stored integers back to latent values (`min + q / 25500 * (max - min)`, within rounding). */
export function invertLatentScale(values: ArrayLike<number>, scale: LatentScale): Float32Array {
  const out = new Float32Array(values.length);
  const step = (scale.max - scale.min) / LATENT_SCALE;
  for (let i = 0; i < values.length; i++) out[i] = scale.min + values[i] * step;
  return out;
}

/** Options for {@linkcode toLatentSet}. */
export interface ToLatentSetOptions {
  /** The scale; default: fitted on `values` (use the dataset's scale for queries). */
  scale?: LatentScale;
}

/** Scales `count × dim` float latent vectors into a {@linkcode LatentSet} ready for `writeLatent`. */
export function toLatentSet(values: Float32Array, dim: number, options: ToLatentSetOptions = {}): LatentSet {
  if (!Number.isInteger(dim) || dim <= 0) throw new InputError(`latent dim: ${dim} must be an integer > 0`);
  if (values.length % dim !== 0) {
    throw new Error(`toLatentSet: ${values.length} values are not a multiple of ${dim}`);
  }
  const scale = options.scale ?? fitLatentScale(values);
  return { count: values.length / dim, dim, values: applyLatentScale(values, scale) };
}
