import assert from "node:assert/strict";
import {
  bootstrapMeanInterval,
  formatInterval,
  quantileSorted,
  wilsonInterval,
} from "../../lib/stats/intervals.ts";
import { InputError } from "../../lib/errors.ts";

function near(actual: number, expected: number, tolerance: number) {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${actual} is not within ${tolerance} of ${expected}`);
}

Deno.test("wilsonInterval matches published values", () => {
  // 0 of 10: the classic example where the Wald interval collapses to [0, 0]; Wilson gives [0, 0.2775].
  const zero = wilsonInterval(0, 10);
  near(zero.low, 0, 1e-12);
  near(zero.high, 0.27754, 5e-5);
  // 5 of 10: [0.2366, 0.7634].
  const half = wilsonInterval(5, 10);
  near(half.low, 0.23659, 5e-5);
  near(half.high, 0.76341, 5e-5);
  // 10 of 10 mirrors 0 of 10.
  const all = wilsonInterval(10, 10);
  near(all.low, 1 - 0.27754, 5e-5);
  near(all.high, 1, 1e-12);
  // 81 of 263 (Wikipedia's Clopper–Pearson comparison case): Wilson 95 % = [0.2553, 0.3662].
  const p = wilsonInterval(81, 263);
  near(p.estimate, 81 / 263, 1e-15);
  near(p.low, 0.25527, 5e-5);
  near(p.high, 0.36619, 5e-5);
  assert.equal(p.n, 263);
});

Deno.test("wilsonInterval rejects bad counts", () => {
  assert.throws(() => wilsonInterval(1, 0), InputError);
  assert.throws(() => wilsonInterval(11, 10), InputError);
  assert.throws(() => wilsonInterval(-1, 10), InputError);
});

Deno.test("bootstrapMeanInterval is seeded, centred and about the normal-theory width", () => {
  const values = Array.from({ length: 100 }, (_, i) => i % 2); // mean 0.5, sd of the mean 0.05
  const a = bootstrapMeanInterval(values, { seed: 7, resamples: 4000 });
  const b = bootstrapMeanInterval(values, { seed: 7, resamples: 4000 });
  assert.deepEqual(a, b);
  assert.equal(a.estimate, 0.5);
  assert.equal(a.n, 100);
  // Normal theory: 0.5 ± 1.96 * 0.05 = [0.402, 0.598].
  near(a.low, 0.402, 0.015);
  near(a.high, 0.598, 0.015);
  // Another seed gives another (close) interval on continuous data.
  const smooth = Array.from({ length: 37 }, (_, i) => Math.sin(i) * 3);
  const s7 = bootstrapMeanInterval(smooth, { seed: 7 });
  const s8 = bootstrapMeanInterval(smooth, { seed: 8 });
  assert.notDeepEqual(s7, s8);
  near(s7.low, s8.low, 0.1);
});

Deno.test("bootstrapMeanInterval of constant values is a point", () => {
  const interval = bootstrapMeanInterval([3, 3, 3, 3], { resamples: 50 });
  assert.deepEqual([interval.low, interval.estimate, interval.high], [3, 3, 3]);
  assert.throws(() => bootstrapMeanInterval([]), InputError);
  assert.throws(() => bootstrapMeanInterval([1, NaN]), InputError);
});

Deno.test("quantileSorted interpolates and formatInterval prints n", () => {
  assert.equal(quantileSorted([0, 10], 0.25), 2.5);
  assert.equal(quantileSorted([1, 2, 3], 0.5), 2);
  assert.equal(
    formatInterval({ estimate: 0.5, low: 0.25, high: 0.75, n: 10 }, 2),
    "0.50 [0.25, 0.75] (n=10)",
  );
});
