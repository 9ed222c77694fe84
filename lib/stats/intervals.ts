/**
 * 95 % intervals for every accuracy, correctness, recall or approximation figure the notebooks show:
 * Wilson score intervals for proportions, percentile bootstrap intervals for means.
 * @module
 */
import { InputError } from "../errors.ts";
import { createRandom } from "../util/random.ts";

/** The 97.5 % quantile of the standard normal distribution (two-sided 95 %). */
export const Z_95 = 1.959963984540054;

/** An estimate with its interval. */
export interface Interval {
  /** The point estimate (the proportion, or the sample mean). */
  estimate: number;
  /** Lower end. */
  low: number;
  /** Upper end. */
  high: number;
  /** Sample size. */
  n: number;
}

/** Options for {@linkcode wilsonInterval}. */
export interface WilsonOptions {
  /** Normal quantile; default {@linkcode Z_95}. */
  z?: number;
}

/**
 * The Wilson score interval for `successes` out of `n` (95 % by default). Well behaved at 0 and `n`,
 * unlike the normal approximation.
 */
export function wilsonInterval(successes: number, n: number, options: WilsonOptions = {}): Interval {
  if (!Number.isInteger(n) || n <= 0) {
    throw new InputError(`wilsonInterval: n must be a positive integer, got ${n}`);
  }
  if (!(successes >= 0 && successes <= n)) {
    throw new InputError(`wilsonInterval: successes must be in 0..${n}, got ${successes}`);
  }
  const z = options.z ?? Z_95;
  const p = successes / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (z / denominator) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { estimate: p, low: Math.max(0, centre - half), high: Math.min(1, centre + half), n };
}

/** Options for {@linkcode bootstrapMeanInterval}. */
export interface BootstrapOptions {
  /** Seed of the resampling (same seed → same interval). Default 1. */
  seed?: number;
  /** Number of bootstrap resamples. Default 2000. */
  resamples?: number;
  /** Confidence level. Default 0.95. */
  level?: number;
}

/** The `q`-quantile of sorted values, linear interpolation between order statistics. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - lower);
}

/**
 * Percentile bootstrap interval for the mean of `values`: resample with replacement `resamples`
 * times (seeded), take the 2.5 % and 97.5 % quantiles of the resampled means.
 */
export function bootstrapMeanInterval(values: ArrayLike<number>, options: BootstrapOptions = {}): Interval {
  const n = values.length;
  if (n === 0) throw new InputError("bootstrapMeanInterval: no values");
  const resamples = options.resamples ?? 2000;
  const level = options.level ?? 0.95;
  if (!Number.isInteger(resamples) || resamples < 1) {
    throw new InputError(`bootstrapMeanInterval: resamples must be a positive integer, got ${resamples}`);
  }
  let sum = 0;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(values[i])) {
      throw new InputError(`bootstrapMeanInterval: value ${i} is ${values[i]}`);
    }
    sum += values[i];
  }
  const random = createRandom(options.seed ?? 1);
  const means = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let total = 0;
    for (let i = 0; i < n; i++) total += values[random.int(n)];
    means[r] = total / n;
  }
  means.sort();
  const alpha = (1 - level) / 2;
  return { estimate: sum / n, low: quantileSorted(means, alpha), high: quantileSorted(means, 1 - alpha), n };
}

/** Formats an interval as `0.912 [0.893, 0.928] (n=1000)` with `digits` decimals (default 3). */
export function formatInterval(interval: Interval, digits = 3): string {
  return `${interval.estimate.toFixed(digits)} [${interval.low.toFixed(digits)}, ${
    interval.high.toFixed(digits)
  }] ` +
    `(n=${interval.n})`;
}
