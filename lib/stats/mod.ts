/**
 * Statistics for the figures the notebooks and tools report: 95 % Wilson score intervals for
 * proportions and percentile bootstrap intervals for means (seeded), and their one-line format.
 *
 * @example A proportion and a mean, each with its interval and sample size
 * ```ts
 * import assert from "node:assert/strict";
 * import { bootstrapMeanInterval, formatInterval, wilsonInterval } from "./mod.ts";
 *
 * assert.equal(formatInterval(wilsonInterval(45, 50)), "0.900 [0.786, 0.957] (n=50)");
 * const mean = bootstrapMeanInterval([0.8, 0.9, 1, 0.7], { seed: 1, resamples: 500 });
 * assert.ok(mean.low <= mean.estimate && mean.estimate <= mean.high && mean.n === 4);
 * ```
 * @module
 */
export {
  bootstrapMeanInterval,
  type BootstrapOptions,
  formatInterval,
  type Interval,
  quantileSorted,
  wilsonInterval,
  type WilsonOptions,
  Z_95,
} from "./intervals.ts";
