/**
 * Locality-sensitive hashing for L1. Two standard families (option `family`):
 *
 * - `grid` (default), randomly shifted grids: `h(p) = floor((p[c] + s) / w)` with the coordinate `c`
 *   drawn with probability proportional to its range (max − min) in the data and the shift `s` uniform
 *   in [0, w). This is bit sampling on the unary embedding of L1 (the textbook L1 family), evaluated
 *   in O(1) per function.
 * - `cauchy`, 1-stable projections: `h(p) = floor((a·p + b) / w)` with `a` i.i.d. standard Cauchy and
 *   `b` uniform in [0, w); `a·p − a·q` is Cauchy with scale ‖p − q‖₁.
 *
 * A table concatenates `k` functions (its key is a 32-bit hash of the tuple of the `k` values; a hash
 * collision between different tuples only adds candidates, which are all checked); `L` independent
 * tables are built once over the data set (members sorted by key, each bucket's run found through an
 * open-addressing directory).
 * A query collects the members of its bucket in every table, plus, with multi-probe (`probes` > 0),
 * the `probes` buckets per table whose keys differ by ±1 in the function whose boundary is nearest to
 * the query's value (single-step multi-probe order); a bucket with more than `maxBucket` members
 * (default n / 64, at least 512) is skipped: such crowded buckets hold most of the members a query
 * would visit but say little about nearness. Distinct candidates are checked with the exact L1
 * distance (WebAssembly SIMD), and the best `neighbours` are returned with per-query candidate counts.
 * With `maxChecks`, a query with more candidates checks only the `maxChecks` that collide with it in
 * the most tables (collision counting; hit counts saturate at 255). A query whose buckets are all empty
 * has no candidate: it is counted, and its result is index -1 (never a distance of 0).
 *
 * Nearest-neighbour searches (`neighbours` 1) of uint8 data check their candidates without reading
 * most of their rows (option `bounds`, default on): sums of the pixels in 7×7, 4×4 and 2×2 blocks
 * (`shape` given; else runs of 49, 16 and 4 coordinates) are stored per data row, and since
 * |Σ_g a − Σ_g b| ≤ Σ_g |a − b|, the L1 distance between the block sums of the query and of a row is a
 * lower bound of their exact distance. The 8 candidates with the most hits are read in full; the
 * others, 16 at a time, are dropped as soon as a bound (coarsest first) exceeds the best distance found
 * so far, and only the survivors are read (abandoned part-way once above it). A dropped candidate can
 * be neither nearer nor tied, so the result is exactly that of checking every candidate; `rowsRead`
 * reports how many rows were read. Candidate collection, ordering and checks run in WebAssembly.
 *
 * Bucket width rule (when `w` is not given): with `r` the median, over `W_SAMPLE` data vectors drawn
 * with the index's seed, of the exact L1 distance to their nearest other data vector (among at most
 * `W_REFERENCE` data vectors, also drawn with the seed): `w = GRID_W_FACTOR × r / dim` for `grid`
 * (a multiple of the typical per-coordinate difference between near neighbours) and
 * `w = CAUCHY_W_FACTOR × r` for `cauchy`. The factors were picked by sweeps on Fashion-MNIST (grid: 12, up
 * from 8 once crowded buckets were skipped: with k 14, L 60 and 500 checks, recall@1 0.960 instead of 0.936,
 * `deno task bench:knn --dataset fashion-mnist --no-peers [--w 127.55]`).
 * @module
 */
import { l1DistanceBlock, type L1Vectors } from "../kernels/l1.ts";
import {
  align16,
  createSharedMemory,
  ensureMemory,
  instantiateKernels,
  kernelModule,
  kindOf,
  MEMORY_BASE,
  rowCount,
  rowStride,
  writeRows,
} from "../kernels/_wasm.ts";
import { createRandom, seededPermutation } from "../util/random.ts";
import type { NeighbourLists } from "./exact.ts";

/** Cauchy family: w = CAUCHY_W_FACTOR × typical nearest-neighbour distance (when `w` is not given). */
export const CAUCHY_W_FACTOR = 4;
/** Grid family: w = GRID_W_FACTOR × typical nearest-neighbour distance / dim (when `w` is not given). */
export const GRID_W_FACTOR = 12;
/** Data vectors sampled to estimate the typical nearest-neighbour distance. */
export const W_SAMPLE = 100;
/** Data vectors the sampled ones are compared with. */
export const W_REFERENCE = 20000;

/** Options for {@linkcode buildLshIndex}. */
export interface LshOptions {
  /** Hash functions per table (≥ 1). */
  k: number;
  /** Number of tables (≥ 1). */
  L: number;
  /** Bucket width (> 0); chosen from the data when absent (see the module docs). */
  w?: number;
  /** Extra buckets probed per table (multi-probe; 0 = plain LSH). Default 0. */
  probes?: number;
  /** Seed of the hash functions and of the width estimate. Default 1. */
  seed?: number;
  /**
   * Largest number of candidates checked exactly per query (default: all). When a query has more, the
   * ones that collide with it in the most tables are checked (collision counting); the others are
   * dropped, never scored.
   */
  maxChecks?: number;
  /** Hash family: randomly shifted grids on sampled coordinates (default) or Cauchy projections. */
  family?: LshFamily;
  /**
   * Buckets with more members than this are skipped by queries: their members share the query's key
   * with too many others to be informative, yet they hold most of the members a query would visit.
   * Default: {@linkcode defaultMaxBucket}.
   */
  maxBucket?: number;
  /**
   * Image shape `[rows, cols]` of the vectors (rows × cols = dim), used to lay out the lower-bound group
   * sums of uint8 data as 7×7, 4×4 and 2×2 pixel blocks. Without it, groups are runs of 49, 16 and 4 consecutive
   * coordinates. Default: none.
   */
  shape?: readonly [number, number];
  /**
   * Rule out uint8 candidates by the group-sum lower bounds before reading their rows (nearest-neighbour
   * searches only; exact: a skipped candidate is provably farther than the best one so far). Default true.
   */
  bounds?: boolean;
}

/**
 * `grid`: h(p) = floor((p[c] + s) / w) with coordinate c drawn with probability proportional to its
 * range (max − min) in the data and shift s uniform in [0, w) (randomly shifted grid; the L1 family of
 * bit sampling on the unary embedding). `cauchy`: h(p) = floor((a·p + b) / w) with a i.i.d. standard
 * Cauchy (1-stable) and b uniform in [0, w).
 */
export type LshFamily = "grid" | "cauchy";

/** Options for {@linkcode LshIndex.search}. */
export interface LshSearchOptions {
  /** Neighbours per query (default 1). */
  neighbours?: number;
  /** Override the index's multi-probe count for this search. */
  probes?: number;
  /** Override the index's limit on exact checks per query. */
  maxChecks?: number;
  /** Override the index's bucket size limit. */
  maxBucket?: number;
}

/** Result of an LSH search. */
export interface LshSearchResult extends NeighbourLists {
  /** Distinct candidates found in the probed buckets, per query. */
  candidates: Uint32Array;
  /** Candidates checked exactly, per query (≤ candidates; fewer when `maxChecks` applies). */
  checked: Uint32Array;
  /**
   * Checked candidates whose full row was read, per query (≤ checked; fewer when the group-sum lower
   * bounds ruled some out).
   */
  rowsRead: Uint32Array;
  /** Number of queries that had no candidate at all. */
  noCandidate: number;
  /** Wall time of the search in milliseconds (hashing, probing and exact checks). */
  ms: number;
}

/** An LSH index over one data set (see the module docs). */
export interface LshIndex {
  /** Number of data vectors. */
  readonly count: number;
  /** Vector dimension. */
  readonly dim: number;
  /** Hash functions per table. */
  readonly k: number;
  /** Number of tables. */
  readonly L: number;
  /** Bucket width used. */
  readonly w: number;
  /** How `w` was obtained (given, or the data rule with its estimate). */
  readonly wRule: string;
  /** Default multi-probe count. */
  readonly probes: number;
  /** Default limit on exact checks per query (Infinity = all candidates). */
  readonly maxChecks: number;
  /** Buckets with more members are skipped (Infinity = none). */
  readonly maxBucket: number;
  /** Seed used. */
  readonly seed: number;
  /** Hash family. */
  readonly family: LshFamily;
  /** Milliseconds spent building (width estimate, projections, tables). */
  readonly buildMs: number;
  /** Whether nearest-neighbour searches use the group-sum lower bounds (uint8 data only). */
  readonly bounds: boolean;
  /** Searches the tables for each query (same element type as the data). */
  search(queries: L1Vectors, options?: LshSearchOptions): LshSearchResult;
}

/**
 * Median over `samples` data vectors (drawn with `seed`) of the exact L1 distance to the nearest
 * other data vector among at most `reference` vectors (also drawn with `seed`).
 */
export function typicalNeighbourDistance(
  data: L1Vectors,
  dim: number,
  options: { samples?: number; reference?: number; seed?: number } = {},
): number {
  const n = rowCount(data, dim, "data");
  if (n < 2) return 0;
  const seed = options.seed ?? 1;
  const order = seededPermutation(n, seed ^ 0x5bd1e995);
  const sampleCount = Math.min(options.samples ?? W_SAMPLE, n);
  const referenceCount = Math.min(options.reference ?? W_REFERENCE, n);
  const take = (first: number, count: number) => {
    const out = data instanceof Uint8Array ? new Uint8Array(count * dim) : new Int16Array(count * dim);
    for (let i = 0; i < count; i++) {
      const row = order[(first + i) % n];
      out.set(data.subarray(row * dim, (row + 1) * dim), i * dim);
    }
    return out;
  };
  // Samples are the first rows of the permutation; the reference set starts at the same place, so a
  // sample meets itself once in the reference set (skipped by position).
  const samples = take(0, sampleCount);
  const reference = take(0, referenceCount);
  const distances = l1DistanceBlock(samples, reference, dim);
  const nearest: number[] = [];
  for (let s = 0; s < sampleCount; s++) {
    let best = Infinity;
    for (let j = 0; j < referenceCount; j++) {
      if (j === s) continue;
      const d = distances[s * referenceCount + j];
      if (d < best) best = d;
    }
    if (Number.isFinite(best)) nearest.push(best);
  }
  if (nearest.length === 0) return 0;
  nearest.sort((a, b) => a - b);
  return nearest[Math.floor(nearest.length / 2)];
}

function standardCauchy(next: () => number): number {
  let u = next();
  while (u === 0 || u === 0.5) u = next();
  return Math.tan(Math.PI * (u - 0.5));
}

/** Builds an {@linkcode LshIndex} over `data` (`count × dim` uint8 or int16 values). */
export function buildLshIndex(data: L1Vectors, dim: number, options: LshOptions): LshIndex {
  const started = performance.now();
  const kind = kindOf(data);
  const n = rowCount(data, dim, "data");
  if (n === 0) throw new RangeError("LSH: the data set is empty");
  const { k, L } = options;
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`LSH: k must be a positive integer, got ${k}`);
  if (!Number.isInteger(L) || L < 1) throw new RangeError(`LSH: L must be a positive integer, got ${L}`);
  const seed = options.seed ?? 1;
  const family = options.family ?? "grid";
  const defaultMaxChecks = options.maxChecks ?? Infinity;
  if (!(defaultMaxChecks >= 1)) throw new RangeError(`LSH: maxChecks must be >= 1, got ${defaultMaxChecks}`);
  const indexMaxBucket = options.maxBucket ?? defaultMaxBucket(n);
  if (!(indexMaxBucket >= 1)) throw new RangeError(`LSH: maxBucket must be >= 1, got ${indexMaxBucket}`);
  const defaultProbes = options.probes ?? 0;
  if (!Number.isInteger(defaultProbes) || defaultProbes < 0) {
    throw new RangeError(`LSH: probes must be a non-negative integer, got ${defaultProbes}`);
  }
  let w: number;
  let wRule: string;
  if (options.w !== undefined) {
    if (!(options.w > 0) || !Number.isFinite(options.w)) {
      throw new RangeError(`LSH: w must be > 0, got ${options.w}`);
    }
    w = options.w;
    wRule = "given";
  } else {
    const r = typicalNeighbourDistance(data, dim, { seed });
    if (family === "cauchy") {
      w = Math.max(1, CAUCHY_W_FACTOR * r);
      wRule = `data: ${CAUCHY_W_FACTOR} x median nearest-neighbour distance ${r}`;
    } else {
      w = Math.max(1, (GRID_W_FACTOR * r) / dim);
      wRule = `data: ${GRID_W_FACTOR} x median nearest-neighbour distance ${r} / dim ${dim}`;
    }
  }

  // Hash functions f = table * k + j. projection[f] = (value + shift) / w; the key of a table hashes
  // the floors of its k values.
  const m = k * L;
  const random = createRandom(seed);
  const projection = new Float64Array(m);
  let project: (vectors: L1Vectors, row: number) => void;
  if (family === "cauchy") {
    const a = new Float64Array(dim * m);
    for (let f = 0; f < m; f++) for (let t = 0; t < dim; t++) a[t * m + f] = standardCauchy(random.next);
    const b = new Float64Array(m);
    for (let f = 0; f < m; f++) b[f] = random.next() * w;
    project = (vectors, row) => {
      projection.fill(0);
      const offset = row * dim;
      for (let t = 0; t < dim; t++) {
        const v = vectors[offset + t];
        if (v === 0) continue;
        const base = t * m;
        for (let f = 0; f < m; f++) projection[f] += v * a[base + f];
      }
      for (let f = 0; f < m; f++) projection[f] = (projection[f] + b[f]) / w;
    };
  } else {
    // Coordinates drawn with probability proportional to their range in the data.
    const lo = new Float64Array(dim).fill(Infinity);
    const hi = new Float64Array(dim).fill(-Infinity);
    for (let i = 0; i < n; i++) {
      const offset = i * dim;
      for (let t = 0; t < dim; t++) {
        const v = data[offset + t];
        if (v < lo[t]) lo[t] = v;
        if (v > hi[t]) hi[t] = v;
      }
    }
    const cumulative = new Float64Array(dim);
    let total = 0;
    for (let t = 0; t < dim; t++) {
      total += hi[t] - lo[t];
      cumulative[t] = total;
    }
    const coordinate = new Int32Array(m);
    const shift = new Float64Array(m);
    for (let f = 0; f < m; f++) {
      if (total === 0) coordinate[f] = random.int(dim);
      else {
        const u = random.next() * total;
        let low = 0;
        let high = dim - 1;
        while (low < high) {
          const mid = (low + high) >> 1;
          if (cumulative[mid] > u) high = mid;
          else low = mid + 1;
        }
        coordinate[f] = low;
      }
      shift[f] = random.next() * w;
    }
    project = (vectors, row) => {
      const offset = row * dim;
      for (let f = 0; f < m; f++) projection[f] = (vectors[offset + coordinate[f]] + shift[f]) / w;
    };
  }
  function tableKey(table: number, changed = -1, delta = 0): number {
    let h = (0x811c9dc5 ^ Math.imul(table + 1, 0x9e3779b1)) | 0;
    const base = table * k;
    for (let j = 0; j < k; j++) {
      let g = Math.floor(projection[base + j]);
      if (j === changed) g += delta;
      h = Math.imul(h ^ (g | 0), 0x01000193);
      h = Math.imul(h ^ ((g / 4294967296) | 0), 0x01000193);
    }
    h ^= h >>> 15;
    return Math.imul(h, 0x2c1b3c6d) ^ (h >>> 12);
  }

  // Tables: per table the members sorted by key (keys[l][p] is the key of members[l][p]); a bucket is
  // a run of equal keys, found by binary search.
  const directory: Int32Array[] = [];
  const members: Uint32Array[] = [];
  const keys = new Int32Array(L * n);
  for (let i = 0; i < n; i++) {
    project(data, i);
    for (let l = 0; l < L; l++) keys[l * n + i] = tableKey(l);
  }
  const packable = n <= 1 << 21;
  for (let l = 0; l < L; l++) {
    const sortedKeys = new Int32Array(n);
    const list = new Uint32Array(n);
    if (packable) {
      const packed = new Float64Array(n);
      for (let i = 0; i < n; i++) packed[i] = (keys[l * n + i] + 2147483648) * 2097152 + i;
      packed.sort();
      for (let p = 0; p < n; p++) {
        const i = packed[p] % 2097152;
        list[p] = i;
        sortedKeys[p] = keys[l * n + i];
      }
    } else {
      const order = Array.from({ length: n }, (_, i) => i);
      order.sort((x, y) => keys[l * n + x] - keys[l * n + y] || x - y);
      for (let p = 0; p < n; p++) {
        list[p] = order[p];
        sortedKeys[p] = keys[l * n + order[p]];
      }
    }
    members.push(list);
    // Bucket directory: open addressing (linear probing) from key to the bucket's run in `list`.
    let buckets = 0;
    for (let p = 0; p < n; p++) if (p === 0 || sortedKeys[p] !== sortedKeys[p - 1]) buckets++;
    let size = 1;
    while (size < 2 * buckets) size *= 2;
    // Slot records of 4 int32: key, start (-1 = empty), end, padding.
    const slots = new Int32Array(4 * size);
    for (let slot = 0; slot < size; slot++) slots[4 * slot + 1] = -1;
    for (let p = 0; p < n;) {
      const key = sortedKeys[p];
      let end = p + 1;
      while (end < n && sortedKeys[end] === key) end++;
      let slot = Math.imul(key, 0x9e3779b1) >>> 0 & (size - 1);
      while (slots[4 * slot + 1] >= 0) slot = (slot + 1) & (size - 1);
      slots[4 * slot] = key;
      slots[4 * slot + 1] = p;
      slots[4 * slot + 2] = end;
      p = end;
    }
    directory.push(slots);
  }

  // Exact checks: the data in this thread's wasm memory, candidates gathered by index. For uint8 data
  // with bounds, the group sums of every level (coarsest first) follow it: the query's rows of all
  // levels, then the coarsest level's data rows back to back (small, so it stays in cache), then one
  // record per data row holding its rows of the other levels side by side (a candidate that passes one
  // level finds the next on the same memory page). The level table has an entry (query pointer, data
  // pointer, bytes between data rows, bytes per row) per level.
  const bounded = kind === "u8" && (options.bounds ?? true);
  const layouts = bounded ? groupLayouts(dim, options.shape) : [];
  const stride = rowStride(kind, dim);
  const dataPtr = MEMORY_BASE;
  const queryPtr = align16(dataPtr + n * stride);
  const idxPtr = align16(queryPtr + stride);
  const outPtr = align16(idxPtr + (n + 1) * 4); // lshCollectAll may write one entry past the last candidate
  const levelTablePtr = align16(outPtr + n * 4);
  let offset = align16(levelTablePtr + layouts.length * 16);
  const levelBytes = layouts.map((layout) => align16(2 * layout.count));
  const recordBytes = levelBytes.slice(1).reduce((a, b) => a + b, 0);
  const levels = layouts.map((layout, i) => {
    const queryPtr = offset;
    offset += levelBytes[i];
    return {
      layout,
      bytes: levelBytes[i],
      queryPtr,
      dataPtr: 0,
      rowStride: i === 0 ? levelBytes[0] : recordBytes,
    };
  });
  if (levels.length > 0) {
    levels[0].dataPtr = offset;
    offset += n * levelBytes[0];
    let within = 0;
    for (const level of levels.slice(1)) {
      level.dataPtr = offset + within;
      within += level.bytes;
    }
    offset += n * recordBytes;
  }
  // Candidate collection: the tables' member lists, u8 hit counts per row (saturating at 255; 0 = not seen by
  // the current query, cleared after each query), the hit histogram and scratch for the ordering.
  // Per table: slot records (directory) and the member list; a table entry (slots, mask, list) each.
  const maxHits = Math.min(L * (1 + 2 * k), 0xff);
  const maxProbes = L * (1 + 2 * k);
  const tablesPtr = align16(offset);
  offset = align16(tablesPtr + L * 12);
  const tableEntries = directory.map((slots) => {
    const entry = { slots: offset, mask: slots.length / 4 - 1, list: align16(offset + slots.length * 4) };
    offset = align16(entry.list + n * 4);
    return entry;
  });
  const hitsPtr = offset;
  const hitScratchPtr = align16(hitsPtr + n);
  const histogramPtr = align16(hitScratchPtr + n);
  const orderedPtr = align16(histogramPtr + (maxHits + 1) * 4);
  const probesPtr = align16(orderedPtr + n * 4);
  const runsPtr = align16(probesPtr + maxProbes * 8);
  const resultPtr = align16(runsPtr + maxProbes * 8 + 4);
  const memoryEnd = resultPtr + 16;
  const memory = createSharedMemory(memoryEnd);
  writeRows(memory, dataPtr, data, dim, { first: 0, count: n });
  const kernels = instantiateKernels(kernelModule(), memory);
  const gather = kind === "u8" ? kernels.l1U8Gather : kernels.l1I16Gather;
  const gatherNearest = kind === "u8" ? kernels.l1U8GatherNearest : undefined;
  ensureMemory(memory, memoryEnd);
  // Views cached once (each read of a shared memory's `buffer` creates a new object); the memory does
  // not grow after this point. The query row's padding stays zero.
  const buffer = memory.buffer;
  const idx = new Uint32Array(buffer, idxPtr, n);
  const distView = new Uint32Array(buffer, outPtr, n);
  const queryRow = kind === "u8"
    ? new Uint8Array(buffer, queryPtr, dim)
    : new Int16Array(buffer, queryPtr, dim);
  new Uint8Array(buffer, queryPtr, stride).fill(0);
  const levelTable = new Uint32Array(buffer, levelTablePtr, levels.length * 4);
  const levelQueries = levels.map((level, i) => {
    levelTable.set([level.queryPtr, level.dataPtr, level.rowStride, level.bytes], 4 * i);
    const rows = new Uint16Array(buffer, level.dataPtr, ((n - 1) * level.rowStride + level.bytes) / 2);
    for (let r = 0; r < n; r++) groupSums(data, r * dim, dim, level.layout, rows, (r * level.rowStride) / 2);
    return new Uint16Array(buffer, level.queryPtr, level.bytes / 2);
  });
  const tableTable = new Uint32Array(buffer, tablesPtr, L * 3);
  tableEntries.forEach((entry, l) => {
    tableTable.set([entry.slots, entry.mask, entry.list], 3 * l);
    new Int32Array(buffer, entry.slots, directory[l].length).set(directory[l]);
    new Uint32Array(buffer, entry.list, n).set(members[l]);
  });
  members.length = 0;
  directory.length = 0;
  const probeList = new Int32Array(buffer, probesPtr, maxProbes * 2);
  const result = new Uint32Array(buffer, resultPtr, 2);

  const buildMs = performance.now() - started;

  function search(queries: L1Vectors, searchOptions: LshSearchOptions = {}): LshSearchResult {
    if (kindOf(queries) !== kind) throw new TypeError("LSH: queries must have the data's element type");
    const nq = rowCount(queries, dim, "queries");
    const neighbours = searchOptions.neighbours ?? 1;
    if (!Number.isInteger(neighbours) || neighbours < 1) {
      throw new RangeError(`LSH: neighbours must be a positive integer, got ${neighbours}`);
    }
    const probes = Math.min(searchOptions.probes ?? defaultProbes, 2 * k);
    const t0 = performance.now();
    const indices = new Int32Array(nq * neighbours).fill(-1);
    const distances = new Uint32Array(nq * neighbours);
    const candidates = new Uint32Array(nq);
    const checked = new Uint32Array(nq);
    const rowsRead = new Uint32Array(nq);
    const maxChecks = searchOptions.maxChecks ?? defaultMaxChecks;
    const maxBucket = searchOptions.maxBucket ?? indexMaxBucket;
    if (!(maxBucket >= 1)) throw new RangeError(`LSH: maxBucket must be >= 1, got ${maxBucket}`);
    const maxBucketLimit = Math.min(maxBucket, 0xffffffff);
    let noCandidate = 0;
    const score = new Float64Array(2 * k);
    const probeOrder: number[] = Array.from({ length: 2 * k }, (_, i) => i);
    for (let q = 0; q < nq; q++) {
      project(queries, q);
      // The buckets to visit, as (table, key) pairs, then all collected at once.
      let probeCount = 0;
      const probe = (table: number, key: number) => {
        probeList[2 * probeCount] = table;
        probeList[2 * probeCount + 1] = key;
        probeCount++;
      };
      for (let l = 0; l < L; l++) {
        probe(l, tableKey(l));
        if (probes === 0) continue;
        for (let j = 0; j < k; j++) {
          const frac = projection[l * k + j] - Math.floor(projection[l * k + j]);
          score[2 * j] = frac; // step down: distance to the lower boundary
          score[2 * j + 1] = 1 - frac; // step up
        }
        probeOrder.sort((x, y) => score[x] - score[y]);
        for (let p = 0; p < probes; p++) {
          const option = probeOrder[p];
          probe(l, tableKey(l, option >> 1, option & 1 ? 1 : -1));
        }
      }
      let count = kernels.lshCollectAll(
        tablesPtr,
        probesPtr,
        probeCount,
        runsPtr,
        hitsPtr,
        idxPtr,
        maxBucketLimit,
      );
      candidates[q] = count;
      const nearestOnly = neighbours === 1 && gatherNearest !== undefined;
      // Most frequent candidates first (collision counting), at most maxChecks of them.
      if (count > maxChecks || nearestOnly) {
        count = kernels.lshOrderByHits(
          idxPtr,
          count,
          hitsPtr,
          histogramPtr,
          hitScratchPtr,
          orderedPtr,
          Math.min(count, maxChecks),
        );
      } else kernels.lshClearHits(idxPtr, count, hitsPtr);
      checked[q] = count;
      if (count === 0) {
        noCandidate++;
        continue;
      }
      queryRow.set(queries.subarray(q * dim, (q + 1) * dim) as never);
      if (nearestOnly) {
        // Most frequent candidates first, so the running bound tightens early. With bounds, the
        // first BOUND_SEEDS are read in full, then the lower-bound levels filter the rest (see
        // l1U8NearestBounded); without, rows beyond the bound are abandoned part-way (0xffffffff).
        if (levels.length > 0) {
          levels.forEach((level, i) => groupSums(queries, q * dim, dim, level.layout, levelQueries[i], 0));
          rowsRead[q] = kernels.l1U8NearestBounded(
            queryPtr,
            dataPtr,
            stride,
            levelTablePtr,
            levels.length,
            idxPtr,
            count,
            BOUND_SEEDS,
            BOUND_CHUNK,
            resultPtr,
          );
          indices[q] = result[1];
          distances[q] = result[0];
          continue;
        }
        gatherNearest(queryPtr, dataPtr, stride, idxPtr, count, outPtr, 0xffffffff);
        rowsRead[q] = count;
        let bestD = 0xffffffff;
        let bestI = -1;
        for (let c = 0; c < count; c++) {
          const d = distView[c];
          if (d === 0xffffffff) continue;
          if (d < bestD || (d === bestD && idx[c] < bestI)) {
            bestD = d;
            bestI = idx[c];
          }
        }
        indices[q] = bestI;
        distances[q] = bestD;
        continue;
      }
      rowsRead[q] = count;
      gather(queryPtr, dataPtr, stride, idxPtr, count, outPtr);
      const dist = distView;
      const ids = idx;
      const base = q * neighbours;
      let filled = 0;
      for (let c = 0; c < count; c++) {
        const d = dist[c];
        const i = ids[c];
        if (filled === neighbours) {
          const lastD = distances[base + filled - 1];
          if (d > lastD || (d === lastD && i > indices[base + filled - 1])) continue;
        } else filled++;
        let p = filled - 1;
        while (
          p > 0 &&
          (distances[base + p - 1] > d || (distances[base + p - 1] === d && indices[base + p - 1] > i))
        ) {
          distances[base + p] = distances[base + p - 1];
          indices[base + p] = indices[base + p - 1];
          p--;
        }
        distances[base + p] = d;
        indices[base + p] = i;
      }
    }
    return {
      neighbours,
      indices,
      distances,
      candidates,
      checked,
      rowsRead,
      noCandidate,
      ms: performance.now() - t0,
    };
  }

  return {
    count: n,
    dim,
    k,
    L,
    w,
    wRule,
    probes: defaultProbes,
    maxChecks: defaultMaxChecks,
    maxBucket: indexMaxBucket,
    seed,
    family,
    buildMs,
    bounds: levels.length > 0,
    search,
  };
}

/** Coordinates' group ids of one group-sum layout, and the number of groups. */
interface GroupLayout {
  of: Int32Array;
  count: number;
}

/**
 * Default bucket size limit of an index over `n` vectors: n / 64 rounded up, at least 512 (937 for
 * Fashion-MNIST's 60,000 images).
 */
export function defaultMaxBucket(n: number): number {
  return Math.max(512, Math.ceil(n / 64));
}

/** Candidates read in full (most hits first) before the lower-bound levels filter the others. */
const BOUND_SEEDS = 8;
/** Candidates filtered by the lower-bound levels together (then their survivors are read). */
const BOUND_CHUNK = 16;

/** Block sides of the lower-bound levels, coarsest first (a level's groups hold at most 7 × 7 values). */
const BOUND_BLOCKS = [7, 4, 2] as const;

/**
 * The group layouts of the lower-bound levels, coarsest first: square pixel blocks of side 7, 4 and 2
 * when the image shape is known (4×4, 7×7 and 14×14 groups for 28×28 images), otherwise runs of 49,
 * 16 and 4 consecutive coordinates. A uint8 group sum is at most 49 × 255 = 12,495, within the
 * kernel's signed 16-bit lanes.
 */
function groupLayouts(dim: number, shape?: readonly [number, number]): GroupLayout[] {
  if (shape !== undefined) {
    const [rows, cols] = shape;
    if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1 || rows * cols !== dim) {
      throw new RangeError(`LSH: shape ${rows}x${cols} does not match dim ${dim}`);
    }
  }
  return BOUND_BLOCKS.map((block): GroupLayout => {
    const of = new Int32Array(dim);
    if (shape === undefined) {
      for (let t = 0; t < dim; t++) of[t] = Math.floor(t / (block * block));
      return { of, count: Math.ceil(dim / (block * block)) };
    }
    const [rows, cols] = shape;
    const across = Math.ceil(cols / block);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        of[r * cols + c] = Math.floor(r / block) * across + Math.floor(c / block);
      }
    }
    return { of, count: Math.ceil(rows / block) * across };
  });
}

/** out[offset + g] = sum of the row's values in group g (out's padding beyond the groups stays 0). */
function groupSums(
  vectors: L1Vectors,
  rowOffset: number,
  dim: number,
  layout: GroupLayout,
  out: Uint16Array,
  offset: number,
): void {
  const of = layout.of;
  out.fill(0, offset, offset + layout.count);
  for (let t = 0; t < dim; t++) out[offset + of[t]] += vectors[rowOffset + t];
}
