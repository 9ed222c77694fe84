/** Test helpers: seeded random point sets and naive O(n²) references. */
import { createRandom } from "../../lib/util/random.ts";
import type { PointSet } from "../../lib/cluster/points.ts";

/** Random uint8 or int16 points with values in [low, high]. */
export function randomPoints(
  count: number,
  dim: number,
  seed: number,
  type: "uint8" | "int16" = "uint8",
  range: [number, number] = [0, 255],
): PointSet {
  const random = createRandom(seed);
  const values = type === "uint8" ? new Uint8Array(count * dim) : new Int16Array(count * dim);
  for (let i = 0; i < values.length; i++) values[i] = range[0] + random.int(range[1] - range[0] + 1);
  return { count, dim, values };
}

/** Points around `k` random centres (so that k-medians has structure to find). */
export function blobPoints(count: number, dim: number, k: number, seed: number): PointSet {
  const random = createRandom(seed);
  const centres = Array.from({ length: k * dim }, () => 30 + random.int(196));
  const values = new Uint8Array(count * dim);
  for (let i = 0; i < count; i++) {
    const c = random.int(k);
    for (let t = 0; t < dim; t++) {
      values[i * dim + t] = Math.max(0, Math.min(255, centres[c * dim + t] + random.int(61) - 30));
    }
  }
  return { count, dim, values };
}

/** L1 distance between points i and j. */
export function l1(points: PointSet, i: number, j: number): number {
  let sum = 0;
  for (let t = 0; t < points.dim; t++) {
    sum += Math.abs(points.values[i * points.dim + t] - points.values[j * points.dim + t]);
  }
  return sum;
}

/** Naive silhouette straight from the definition. */
export function naiveSilhouette(points: PointSet, labels: ArrayLike<number>, k: number) {
  const n = points.count;
  const sizes = new Array(k).fill(0);
  for (let i = 0; i < n; i++) sizes[labels[i]]++;
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const sums = new Array(k).fill(0);
    for (let j = 0; j < n; j++) if (j !== i) sums[labels[j]] += l1(points, i, j);
    const own = labels[i];
    if (sizes[own] === 1) {
      samples.push(0);
      continue;
    }
    const a = sums[own] / (sizes[own] - 1);
    let b = Infinity;
    for (let c = 0; c < k; c++) if (c !== own && sizes[c] > 0) b = Math.min(b, sums[c] / sizes[c]);
    samples.push(Math.max(a, b) === 0 ? 0 : (b - a) / Math.max(a, b));
  }
  const clusters = Array.from({ length: k }, (_, c) => {
    const members = samples.filter((_, i) => labels[i] === c);
    return members.length ? members.reduce((s, x) => s + x, 0) / members.length : NaN;
  });
  return { samples, clusters, overall: samples.reduce((s, x) => s + x, 0) / n };
}

/** Sort-based lower median. */
export function sortedLowerMedian(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[(sorted.length - 1) >> 1];
}

/**
 * Naive partition medians: each cluster's sort-based lower median per coordinate, and the objective
 * Σ L1 from every point to its cluster's median (no code of `lib/cluster/` involved).
 */
export function naiveMedians(points: PointSet, labels: ArrayLike<number>, k: number) {
  const { count, dim, values } = points;
  const medians: number[][] = [];
  let objective = 0;
  for (let c = 0; c < k; c++) {
    const members = Array.from({ length: count }, (_, i) => i).filter((i) => labels[i] === c);
    const median = Array.from(
      { length: dim },
      (_, t) => members.length ? sortedLowerMedian(members.map((i) => values[i * dim + t])) : 0,
    );
    for (const i of members) {
      for (let t = 0; t < dim; t++) objective += Math.abs(values[i * dim + t] - median[t]);
    }
    medians.push(median);
  }
  return { medians, objective };
}
