/**
 * Locality-sensitive hashing for L1, built once over a data set and queried many times.
 *
 * **Hash functions** (`_lsh_family.ts`): every function hashes the sums of the vector over
 * `block × block` pixel blocks (default 4 × 4 with an image `shape`; `block` 1 = single coordinates).
 * Family `grid` (default): randomly shifted grids `floor((B(p)[c] + s) / w)` on blocks `c` drawn in
 * proportion to the spread of their sums over the data; family `cauchy`: 1-stable projections
 * `floor((a·B(p) + b) / w)`. The block-sum map never increases L1 distances, so near vectors keep
 * their collision probability; on images, whose pixels are mostly 0 or 255 and shift by a pixel between
 * near neighbours, block sums are far more informative per function than single pixels. A table
 * concatenates `k` functions; `L` tables are built once (members sorted by key, each bucket's run found
 * through an open-addressing directory).
 *
 * **Query** (at most {@linkcode LshIndex.probes} × L + 2·k·L + L buckets, in this order):
 * 1. its own bucket in every table;
 * 2. if it has fewer than `candidates` distinct candidates: query-directed multi-probe (Lv et al., VLDB
 *    2007): the neighbouring buckets most likely to hold near neighbours, over all tables in one score
 *    order, until it has `candidates` or has probed `probes` × L buckets;
 * 3. widening (unless `widen` is false), only while it has no candidate at all: up to 2·k·L further
 *    buckets of the same sequence, then the smallest crowded bucket it met.
 * Buckets with more than `maxBucket` members are crowded and skipped in steps 1–3: they hold most of the
 * members a query would visit but say little about nearness. A query left without candidates (all its
 * buckets empty) is counted, and its result is index -1 (never a distance of 0).
 *
 * **Checks**: distinct candidates are checked with the exact L1 distance (WebAssembly SIMD), best
 * `neighbours` returned. With `maxChecks`, a query with more candidates checks only the `maxChecks`
 * that collide with it in the most buckets (collision counting; hit counts saturate at 255). Nearest-
 * neighbour searches (`neighbours` 1) of uint8 data read few rows (option `bounds`, default on): the
 * sums of the pixels in 4×4 and 2×2 blocks are stored per data row (quantized: floor(sum / pixels)),
 * and since |Σ_g a − Σ_g b| ≤ Σ_g |a − b|, the L1 distance between block sums is a lower bound of the
 * exact distance. The candidates are taken in increasing order of their 4×4 bound (binned); the first 8
 * are read in full; the others, 16 at a time, are dropped as soon as a bound (coarsest first) exceeds
 * the best distance so far, and only the survivors are read (abandoned part-way once above it); the
 * walk ends where the 4×4 bounds exceed the best distance. A dropped candidate can be neither nearer nor
 * tied, so the result is exactly that of checking every candidate; `rowsRead` reports how many rows
 * were read.
 *
 * **Fewer reads, approximate** (`maxReads` R, nearest-neighbour searches with bounds): the SHORTLIST_FACTOR
 * (8) · R candidates with the smallest 4×4 bounds are bounded again by their 2×2 sums, and only the R
 * smallest of those are read, smallest bound first (stopping once a bound exceeds the best distance).
 * The block-sum bounds rank near images well, so few reads keep most nearest neighbours: the speed/recall
 * knob at the low-recall end (with `maxChecks` limiting the candidates bounded at all).
 *
 * **Defaults chosen from the data for the given k and L** (each option overrides its rule):
 * - `candidates` = {@linkcode defaultLshCandidates}(n) = min(n, ⌈24·√n⌉) (2,147 for 8,000 images, 5,879
 *   for 60,000): the number of candidates a query aims at;
 * - `maxBucket` = {@linkcode defaultMaxBucket} = ⌈4 · candidates / L⌉ (a bucket is crowded when it
 *   alone holds four tables' share of the target);
 * - `probes` = {@linkcode defaultLshProbes}(L) = ⌈max(4·L, 128) / L⌉ buckets per table;
 * - `w`: the width at which the median query's own buckets (step 1, buckets over the default crowded
 *   limit skipped: a given `maxBucket` changes what searches skip, not the width) hold half of
 *   `candidates`, found by bisection on a sample: the index's hash functions over
 *   {@linkcode RULE_ROWS} data rows drawn with the seed, {@linkcode RULE_QUERIES} of them as queries,
 *   targets and bucket limit scaled by the sample's share of the data.
 * So small k or L get wide buckets and large ones narrow buckets, and multi-probe tops up the queries
 * whose own buckets are nearly empty.
 * @module
 */
import {
  align16,
  createSharedMemory,
  kindOf,
  type L1Vectors,
  layOutDataRows,
  rowCount,
  writeRows,
} from "../simd/mod.ts";
import { instantiateLshKernels } from "./_lsh_kernels.ts";
import { seededPermutation } from "../util/random.ts";
import type { NeighbourLists } from "./exact.ts";
import {
  blockLayout,
  coarsening,
  coarsenSums,
  createHashFunctions,
  type GroupLayout,
  groupSums,
  type HashFunctions,
  hashFunctionsFromSpec,
  type HashSpec,
  type LshFamily,
  ProbeSequence,
  tableKeys,
} from "./_lsh_family.ts";

export type { HashSpec, LshFamily } from "./_lsh_family.ts";

/** Default candidates per query: ⌈CANDIDATE_FACTOR · √n⌉ (at most n). */
export const CANDIDATE_FACTOR = 24;
/** Default crowded-bucket limit: ⌈CROWDED_FACTOR · candidates / L⌉. */
export const CROWDED_FACTOR = 4;
/** Default multi-probe budget: ⌈max(PROBES_PER_TABLE · L, PROBES_MIN) / L⌉ buckets per table. */
export const PROBES_PER_TABLE = 4;
/** See {@linkcode PROBES_PER_TABLE}. */
export const PROBES_MIN = 128;
/** Data rows the width rule hashes. */
export const RULE_ROWS = 4000;
/** Sampled rows the width rule uses as queries. */
export const RULE_QUERIES = 200;

/** Options for {@linkcode buildLshIndex}. */
export interface LshOptions {
  /** Hash functions per table (≥ 1). */
  k: number;
  /** Number of tables (≥ 1). */
  L: number;
  /** Bucket width (> 0); chosen from the data for k and L when absent (see the module docs). */
  w?: number;
  /** Hash family: randomly shifted grids on block sums (default) or Cauchy projections of block sums. */
  family?: LshFamily;
  /** Side of the pixel blocks whose sums are hashed (1 = single coordinates). Default 4 with `shape`, else 1. */
  block?: number;
  /**
   * Candidates a query aims at: multi-probe stops once a query has this many, and the default width is
   * set so that the median query's own buckets hold half of it. Default {@linkcode defaultLshCandidates}.
   */
  candidates?: number;
  /** Multi-probe budget in buckets per table (0 = own buckets only). Default {@linkcode defaultLshProbes}. */
  probes?: number;
  /** Seed of the hash functions and of the width rule's sample. Default 1. */
  seed?: number;
  /**
   * Largest number of candidates checked exactly per query (default: all). When a query has more, the
   * ones that collide with it in the most buckets are checked (collision counting); the others are
   * dropped, never scored.
   */
  maxChecks?: number;
  /** Buckets with more members than this are skipped (crowded). Default {@linkcode defaultMaxBucket}. */
  maxBucket?: number;
  /**
   * Largest number of candidate rows read in full per query (nearest-neighbour searches of uint8 data
   * with `bounds`; default: all, exact over the candidates). The candidates are ranked by their
   * group-sum lower bounds instead: the {@linkcode SHORTLIST_FACTOR} × `maxReads` smallest coarsest-level
   * bounds are bounded again by the finer level, and the `maxReads` smallest of those are read in
   * increasing order of bound, stopping once a bound exceeds the best distance so far. Approximate: the
   * speed/recall knob of the checks (see the module docs).
   */
  maxReads?: number;
  /**
   * Widen the search of a query left without candidates (more probes, then the smallest crowded bucket).
   * Default true.
   */
  widen?: boolean;
  /**
   * Image shape `[rows, cols]` of the vectors (rows × cols = dim): hashed blocks and the lower-bound
   * group sums of uint8 data are square pixel blocks. Without it, they are runs of consecutive
   * coordinates. Default: none.
   */
  shape?: readonly [number, number];
  /**
   * Rule out uint8 candidates by the group-sum lower bounds before reading their rows (nearest-neighbour
   * searches only; exact: a skipped candidate is provably farther than the best one so far). Default true.
   */
  bounds?: boolean;
}

/** Options for {@linkcode LshIndex.search}. */
export interface LshSearchOptions {
  /** Neighbours per query (default 1). */
  neighbours?: number;
  /** Override the index's multi-probe budget (buckets per table). */
  probes?: number;
  /** Override the index's candidate target. */
  candidates?: number;
  /** Override the index's limit on exact checks per query. */
  maxChecks?: number;
  /** Override the index's bucket size limit. */
  maxBucket?: number;
  /** Override the index's widening switch. */
  widen?: boolean;
  /** Override the index's limit on rows read per query. */
  maxReads?: number;
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
  /** Buckets probed per query (own buckets included; crowded and empty ones too). */
  probed: Uint32Array;
  /** Number of queries that had no candidate after multi-probe and needed widening. */
  widened: number;
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
  /** How `w` was obtained (given, or the data rule with its figures). */
  readonly wRule: string;
  /** Side of the hashed pixel blocks. */
  readonly block: number;
  /** Default candidate target per query. */
  readonly candidates: number;
  /**
   * How the defaults were set: `candidates`, `maxBucket`, `probes` and `w`, each "given" or its data
   * rule with its figures.
   */
  readonly rules: { candidates: string; maxBucket: string; probes: string; w: string };
  /** Default multi-probe budget (buckets per table). */
  readonly probes: number;
  /** Default limit on exact checks per query (Infinity = all candidates). */
  readonly maxChecks: number;
  /** Default limit on rows read in full per query (Infinity = every candidate not ruled out). */
  readonly maxReads: number;
  /** Buckets with more members are skipped (Infinity = none). */
  readonly maxBucket: number;
  /** Whether queries without candidates are widened by default. */
  readonly widen: boolean;
  /** Seed used. */
  readonly seed: number;
  /** Hash family. */
  readonly family: LshFamily;
  /** Milliseconds spent building (width rule, hash functions, tables, bounds). */
  readonly buildMs: number;
  /** Whether nearest-neighbour searches use the group-sum lower bounds (uint8 data only). */
  readonly bounds: boolean;
  /** Searches the tables for each query (same element type as the data). */
  search(queries: L1Vectors, options?: LshSearchOptions): LshSearchResult;
}

/** Default candidate target of an index over `n` vectors: min(n, ⌈24·√n⌉). */
export function defaultLshCandidates(n: number): number {
  return Math.max(1, Math.min(n, Math.ceil(CANDIDATE_FACTOR * Math.sqrt(n))));
}

/** Default crowded-bucket limit for a candidate target and L tables: ⌈4 · candidates / L⌉. */
export function defaultMaxBucket(candidates: number, L: number): number {
  return Math.max(1, Math.ceil((CROWDED_FACTOR * candidates) / L));
}

/** Default multi-probe budget in buckets per table: ⌈max(4·L, 128) / L⌉. */
export function defaultLshProbes(L: number): number {
  return Math.ceil(Math.max(PROBES_PER_TABLE * L, PROBES_MIN) / L);
}

/** Members of one table sorted by key, and its bucket directory. */
interface Table {
  /** Row numbers sorted by key (ties by row). */
  list: Uint32Array;
  /** Open-addressing slots of 4 int32: key, start (-1 = empty), end, padding. */
  slots: Int32Array;
}

/** Sorts rows 0..n-1 by `keys[offset + row]` and builds the bucket directory. */
function buildTable(keys: Int32Array, offset: number, n: number): Table {
  const list = new Uint32Array(n);
  const sortedKeys = new Int32Array(n);
  if (n <= 1 << 21) {
    const packed = new Float64Array(n);
    for (let i = 0; i < n; i++) packed[i] = (keys[offset + i] + 2147483648) * 2097152 + i;
    packed.sort();
    for (let p = 0; p < n; p++) {
      const i = packed[p] % 2097152;
      list[p] = i;
      sortedKeys[p] = keys[offset + i];
    }
  } else {
    const order = Array.from({ length: n }, (_, i) => i);
    order.sort((x, y) => keys[offset + x] - keys[offset + y] || x - y);
    for (let p = 0; p < n; p++) {
      list[p] = order[p];
      sortedKeys[p] = keys[offset + order[p]];
    }
  }
  let buckets = 0;
  for (let p = 0; p < n; p++) if (p === 0 || sortedKeys[p] !== sortedKeys[p - 1]) buckets++;
  let size = 1;
  while (size < 2 * buckets) size *= 2;
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
  return { list, slots };
}

/** Result of the width rule. */
interface WidthChoice {
  w: number;
  rule: string;
}

/**
 * The width rule (module docs): the width at which the median sampled query's own buckets (crowded ones
 * skipped) hold `home` distinct other rows, on a sample of the data, by bracketing and bisection in
 * log w.
 */
function chooseWidth(
  functions: HashFunctions,
  data: L1Vectors,
  n: number,
  settings: { home: number; maxBucket: number; seed: number },
): WidthChoice {
  const { k, L, repDim, offset } = functions;
  const m = k * L;
  const rows = Math.min(n, RULE_ROWS);
  const sampleQueries = Math.min(rows, RULE_QUERIES);
  const scale = rows / n;
  const target = Math.max(1, settings.home * scale);
  const bucketLimit = settings.maxBucket * scale;
  // Grid cells narrower than 1 split no pair of integer block sums further.
  const minWidth = functions.family === "grid" ? 1 : 0;
  const order = seededPermutation(n, settings.seed ^ 0x5bd1e995);
  const rep = new Float64Array(repDim);
  const raw = new Float64Array(rows * m);
  const projected = new Float64Array(m);
  for (let i = 0; i < rows; i++) {
    functions.represent(data, order[i], rep);
    functions.project(rep, 0, projected);
    raw.set(projected, i * m);
  }
  // A starting width: the median |difference| of a function's values between sampled pairs.
  const differences: number[] = [];
  for (let s = 0; s < 512 && rows > 1; s++) {
    const a = (s * 7919) % rows;
    const b = (s * 104729 + 1) % rows;
    const f = (s * 31) % m;
    const d = Math.abs(raw[a * m + f] - raw[b * m + f]);
    if (d > 0) differences.push(d);
  }
  differences.sort((x, y) => x - y);
  const start = differences.length > 0 ? differences[differences.length >> 1] : 1;

  // Per evaluation: the table keys of every sampled row; per table, the sampled queries' keys in a small
  // open-addressing set (chained to the queries sharing a key); then one pass over the rows marks, per
  // query, the rows that share its key in some table (a bit set per query).
  const keys = new Int32Array(L * rows);
  const values = new Float64Array(m);
  const rowKeys = new Int32Array(L);
  let size = 1;
  while (size < 2 * sampleQueries) size *= 2;
  const slotKey = new Int32Array(size);
  const slotHead = new Int32Array(size);
  const slotCount = new Int32Array(size);
  const nextQuery = new Int32Array(sampleQueries);
  const words = Math.ceil(rows / 32);
  const marks = new Uint32Array(sampleQueries * words);
  const counts = new Float64Array(sampleQueries);
  const medianHome = (w: number): number => {
    for (let i = 0; i < rows; i++) {
      for (let f = 0; f < m; f++) values[f] = raw[i * m + f] / w + offset[f];
      tableKeys(functions, values, rowKeys, 0, 1);
      for (let l = 0; l < L; l++) keys[l * rows + i] = rowKeys[l];
    }
    marks.fill(0);
    for (let l = 0; l < L; l++) {
      slotHead.fill(-1);
      slotCount.fill(0);
      const tableOffset = l * rows;
      for (let q = 0; q < sampleQueries; q++) {
        const key = keys[tableOffset + q];
        let slot = Math.imul(key, 0x9e3779b1) >>> 0 & (size - 1);
        while (slotHead[slot] >= 0 && slotKey[slot] !== key) slot = (slot + 1) & (size - 1);
        slotKey[slot] = key;
        nextQuery[q] = slotHead[slot];
        slotHead[slot] = q;
      }
      // Bucket sizes first (crowded buckets are skipped, as by queries), then the marks.
      for (let pass = 0; pass < 2; pass++) {
        for (let i = 0; i < rows; i++) {
          const key = keys[tableOffset + i];
          let slot = Math.imul(key, 0x9e3779b1) >>> 0 & (size - 1);
          while (slotHead[slot] >= 0 && slotKey[slot] !== key) slot = (slot + 1) & (size - 1);
          if (slotHead[slot] < 0) continue;
          if (pass === 0) slotCount[slot]++;
          else if (slotCount[slot] <= bucketLimit) {
            for (let q = slotHead[slot]; q >= 0; q = nextQuery[q]) {
              marks[q * words + (i >>> 5)] |= 1 << (i & 31);
            }
          }
        }
      }
    }
    for (let q = 0; q < sampleQueries; q++) {
      marks[q * words + (q >>> 5)] &= ~(1 << (q & 31)); // the query itself is not a candidate
      let count = 0;
      for (let word = 0; word < words; word++) {
        let bits = marks[q * words + word];
        while (bits !== 0) {
          bits &= bits - 1;
          count++;
        }
      }
      counts[q] = count;
    }
    const sorted = counts.slice().sort();
    return sorted[sorted.length >> 1];
  };
  // Bracket the target (low: below it, high: at or above it), then bisect in log w. Skipping crowded
  // buckets can make the target unreachable (wider buckets become crowded before the union grows enough):
  // then the doubling stops past the peak and the width with the most candidates is taken.
  let low = 0;
  let high = 0;
  let best = { w: 0, value: -1 };
  const seen = new Map<number, number>();
  const evaluate = (w: number) => {
    const value = seen.get(w) ?? medianHome(w);
    seen.set(w, value);
    if (value > best.value) best = { w, value };
    return value;
  };
  let w = Math.max(start, minWidth);
  if (evaluate(w) >= target) {
    high = w;
    for (let step = 0; step < 40 && w > minWidth; step++) {
      w = Math.max(w / 2, minWidth);
      if (evaluate(w) < target) {
        low = w;
        break;
      }
      high = w;
    }
  } else {
    low = w;
    for (let step = 0; step < 40; step++) {
      w *= 2;
      const value = evaluate(w);
      if (value >= target) {
        high = w;
        break;
      }
      if (value < best.value / 2) break; // past the peak
      low = w;
    }
  }
  let chosen: number;
  if (high > 0 && low > 0) {
    for (let step = 0; step < 8; step++) {
      const mid = Math.sqrt(low * high);
      if (evaluate(mid) >= target) high = mid;
      else low = mid;
    }
    chosen = high;
  } else if (high > 0) chosen = high;
  else {
    // Unreachable: refine around the best width of the doubling.
    let centre = best.w;
    for (const factor of [Math.SQRT2, 2 ** 0.25]) {
      for (const candidate of [centre / factor, centre * factor]) {
        if (candidate >= minWidth) evaluate(candidate);
      }
      centre = best.w;
    }
    chosen = best.w;
  }
  const reached = evaluate(chosen);
  return {
    w: chosen,
    rule: `data: median own-bucket candidates ${(reached / scale).toFixed(0)} (target ${
      settings.home.toFixed(0)
    } = half of ${2 * settings.home} candidates${
      reached < target ? ", not reachable: the width with the most" : ""
    }; crowded buckets skipped; ${rows} sampled rows, ${sampleQueries} as queries)`,
  };
}

/** The settings of a built index (the {@linkcode LshIndex} fields other than `search`). */
export type LshIndexMeta = Omit<LshIndex, "search">;

/** One level of quantized group sums: its data rows and its group size (the query rows are per searcher). */
export interface LshLevelSpec {
  /** Byte offset of the data rows. */
  dataPtr: number;
  /** Bytes per row (and between rows). */
  bytes: number;
  /** Group size a: a row holds floor(group sum / a) per group. */
  group: number;
}

/** Per-searcher scratch: where one thread's query, candidates and probes live in the shared memory (byte offsets). */
export interface LshScratchLayout {
  /** The query row. */
  queryPtr: number;
  /** Candidate rows (u32, one more than the data rows). */
  idxPtr: number;
  /** Their distances (u32). */
  outPtr: number;
  /** The level table (five u32 per level). */
  levelTablePtr: number;
  /** The query's row of every level. */
  levelQueryPtrs: number[];
  /** Seeds and chunk scratch of the bounded check. */
  seedsPtr: number;
  /** u8 hit count per data row. */
  hitsPtr: number;
  /** Hit counts of the candidates (u8 each). */
  hitScratchPtr: number;
  /** Histogram of hit counts (256 u32). */
  histogramPtr: number;
  /** Candidates ordered by hits (u32). */
  orderedPtr: number;
  /** Result of the bounded check (two u32). */
  resultPtr: number;
  /** (bound, row) pairs of the shortlist check (u64, one per data row). */
  pairsPtr: number;
  /** Histogram of the shortlist selection (SELECT_BINS u32, zeroed). */
  selectPtr: number;
  /** Shortlist size per lower-bound level (u32 each). */
  keepsPtr: number;
  /** Probe list (then the run list) of one query. */
  probesPtr: number;
  /** Entries the probe and run lists hold. */
  probeCapacity: number;
}

/**
 * A built LSH index as shareable data: the shared WebAssembly memory holding the data, the lower-bound
 * levels, the tables and one scratch area per searcher, plus the hash functions and settings as plain
 * data. Structured-clonable (the memory is shared, not copied), so Workers can search the same tables:
 * {@linkcode attachLshIndex} makes a searcher of one scratch area.
 */
export interface LshIndexImage {
  /** Settings of the index. */
  meta: LshIndexMeta;
  /** Element kind of the data. */
  kind: "u8" | "i16";
  /** The shared memory. */
  memory: WebAssembly.Memory;
  /** The hash functions. */
  hash: HashSpec;
  /** Image shape, if given. */
  shape?: readonly [number, number];
  /** Byte offset of the data rows. */
  dataPtr: number;
  /** Bytes between data rows. */
  stride: number;
  /** Byte offset of the table entries (slots pointer, slot mask, member list pointer per table). */
  tablesPtr: number;
  /** Lower-bound levels, coarsest first (uint8 data with bounds). */
  levels: LshLevelSpec[];
  /** Rows sorted by their cell of the first hash function (widening's last step). */
  byFirstCell: Uint32Array;
  /** Those rows' cells, ascending. */
  sortedFirstCells: Float64Array;
  /** Scratch areas, one per searcher. */
  scratch: LshScratchLayout[];
}

/** Builds an {@linkcode LshIndex} over `data` (`count × dim` uint8 or int16 values). */
export function buildLshIndex(data: L1Vectors, dim: number, options: LshOptions): LshIndex {
  return attachLshIndex(buildLshImage(data, dim, options), 0);
}

/**
 * Builds the tables of an LSH index over `data` once, with scratch areas for `searchers` threads
 * (default 1); see {@linkcode LshIndexImage}.
 */
export function buildLshImage(
  data: L1Vectors,
  dim: number,
  options: LshOptions,
  searchers = 1,
): LshIndexImage {
  const started = performance.now();
  if (!Number.isInteger(searchers) || searchers < 1) {
    throw new RangeError(`LSH: searchers must be a positive integer, got ${searchers}`);
  }
  const rows = layOutDataRows(data, dim);
  const { kind, count: n } = rows;
  if (n === 0) throw new RangeError("LSH: the data set is empty");
  const { k, L } = options;
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`LSH: k must be a positive integer, got ${k}`);
  if (!Number.isInteger(L) || L < 1) throw new RangeError(`LSH: L must be a positive integer, got ${L}`);
  const seed = options.seed ?? 1;
  const family = options.family ?? "grid";
  if (family !== "grid" && family !== "cauchy") throw new RangeError(`LSH: unknown family ${family}`);
  const shape = options.shape;
  if (shape !== undefined) {
    const [rows, cols] = shape;
    if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1 || rows * cols !== dim) {
      throw new RangeError(`LSH: shape ${rows}x${cols} does not match dim ${dim}`);
    }
  }
  const block = options.block ?? (shape !== undefined ? 4 : 1);
  if (!Number.isInteger(block) || block < 1) {
    throw new RangeError(`LSH: block must be a positive integer, got ${block}`);
  }
  const defaultMaxChecks = options.maxChecks ?? Infinity;
  if (!(defaultMaxChecks >= 1)) throw new RangeError(`LSH: maxChecks must be >= 1, got ${defaultMaxChecks}`);
  const defaultMaxReads = options.maxReads ?? Infinity;
  if (!(defaultMaxReads >= 1) || !(Number.isInteger(defaultMaxReads) || defaultMaxReads === Infinity)) {
    throw new RangeError(`LSH: maxReads must be a positive integer, got ${defaultMaxReads}`);
  }
  const indexCandidates = options.candidates ?? defaultLshCandidates(n);
  const rules = {
    candidates: options.candidates !== undefined
      ? "given"
      : `min(n, ${CANDIDATE_FACTOR} x sqrt(n)) with n = ${n}`,
    maxBucket: options.maxBucket !== undefined
      ? "given"
      : `${CROWDED_FACTOR} x candidates / L = ${CROWDED_FACTOR} x ${indexCandidates} / ${L}`,
    probes: options.probes !== undefined
      ? "given"
      : `max(${PROBES_PER_TABLE} x L, ${PROBES_MIN}) / L with L = ${L}`,
    w: "given",
  };
  if (!Number.isInteger(indexCandidates) || indexCandidates < 1) {
    throw new RangeError(`LSH: candidates must be a positive integer, got ${indexCandidates}`);
  }
  const indexMaxBucket = options.maxBucket ?? defaultMaxBucket(indexCandidates, L);
  if (!(indexMaxBucket >= 1)) throw new RangeError(`LSH: maxBucket must be >= 1, got ${indexMaxBucket}`);
  const defaultProbes = options.probes ?? defaultLshProbes(L);
  if (!Number.isInteger(defaultProbes) || defaultProbes < 0) {
    throw new RangeError(`LSH: probes must be a non-negative integer, got ${defaultProbes}`);
  }
  const indexWiden = options.widen ?? true;
  const functions = createHashFunctions(data, dim, n, { family, k, L, block, shape, seed });
  let w: number;
  let wRule: string;
  if (options.w !== undefined) {
    if (!(options.w > 0) || !Number.isFinite(options.w)) {
      throw new RangeError(`LSH: w must be > 0, got ${options.w}`);
    }
    w = options.w;
    wRule = "given";
  } else {
    // The rule assumes the default crowded limit: a given maxBucket changes only which buckets a search
    // skips (raising it keeps more buckets at the same width, for a higher recall).
    const choice = chooseWidth(functions, data, n, {
      home: indexCandidates / 2,
      maxBucket: defaultMaxBucket(indexCandidates, L),
      seed,
    });
    w = choice.w;
    wRule = choice.rule;
  }
  rules.w = wRule;

  // Table keys of every data row, then per table the members sorted by key and the bucket directory.
  const m = k * L;
  const { offset: shiftOffset, repDim } = functions;
  // Also the rows sorted by their cell of the first function (the last step of widening).
  const keys = new Int32Array(L * n);
  const firstCells = new Float64Array(n);
  {
    const rep = new Float64Array(repDim);
    const values = new Float64Array(m);
    for (let i = 0; i < n; i++) {
      functions.represent(data, i, rep);
      functions.project(rep, 0, values);
      for (let f = 0; f < m; f++) values[f] = values[f] / w + shiftOffset[f];
      tableKeys(functions, values, keys, i, n);
      firstCells[i] = Math.floor(values[0]);
    }
  }
  const tables: Table[] = [];
  for (let l = 0; l < L; l++) tables.push(buildTable(keys, l * n, n));
  const byFirstCell = Uint32Array.from({ length: n }, (_, i) => i).sort((x, y) =>
    firstCells[x] - firstCells[y] || x - y
  );
  const sortedFirstCells = Float64Array.from(byFirstCell, (i) => firstCells[i]);

  // Shared part of the memory: the data rows, then for uint8 data with bounds the quantized group sums
  // of every level (coarsest first), each level's data rows back to back (the coarsest, 64 bytes a row,
  // is read for every checked candidate), then the tables: per table the slot records (directory) and
  // the member list, and a table of entries (slots, mask, list).
  const bounded = kind === "u8" && (options.bounds ?? true);
  if (Number.isFinite(defaultMaxReads) && !bounded) {
    throw new RangeError("LSH: maxReads needs uint8 data with bounds");
  }
  const layouts = bounded ? groupLayouts(dim, shape) : [];
  const { stride, ptr: dataPtr } = rows;
  let offset = rows.end;
  const levels = layouts.map(({ layout, group }) => {
    const bytes = align16(layout.count);
    const level = { dataPtr: Math.ceil(offset / 64) * 64, bytes, group }; // rows start on a cache line
    offset = align16(level.dataPtr + n * bytes);
    return level;
  });
  const tablesPtr = align16(offset);
  offset = align16(tablesPtr + L * 12);
  const tableEntries = tables.map(({ slots }) => {
    const entry = { slots: offset, mask: slots.length / 4 - 1, list: align16(offset + slots.length * 4) };
    offset = align16(entry.list + n * 4);
    return entry;
  });
  // One scratch area per searcher: the query row and its level rows, the candidates (idx; one entry more
  // for lshCollectAll) and their distances, the level table (query pointer, data pointer, bytes between
  // data rows, bytes per row, group size per level), the u8 hit counts per row (saturating at 255; 0 =
  // not seen by the current query, cleared after each query), the hit histogram and ordering scratch,
  // and the probe and run lists of one query (grown by a search that needs more).
  const probeCapacity = maxProbeBuffer(k, L, defaultProbes);
  const scratch: LshScratchLayout[] = [];
  for (let s = 0; s < searchers; s++) {
    const queryPtr = align16(offset);
    const idxPtr = align16(queryPtr + stride);
    const outPtr = align16(idxPtr + (n + 1) * 4);
    const levelTablePtr = align16(outPtr + n * 4);
    let at = align16(levelTablePtr + levels.length * 20);
    const levelQueryPtrs = levels.map((level) => {
      const ptr = at;
      at = align16(at + level.bytes);
      return ptr;
    });
    const seedsPtr = at;
    const hitsPtr = align16(seedsPtr + (BOUND_SEEDS + 20) * 4);
    const hitScratchPtr = align16(hitsPtr + n);
    const histogramPtr = align16(hitScratchPtr + n);
    const orderedPtr = align16(histogramPtr + 256 * 4);
    const resultPtr = align16(orderedPtr + n * 4);
    const pairsPtr = align16(resultPtr + 16);
    const selectPtr = align16(pairsPtr + n * 8);
    const keepsPtr = align16(selectPtr + SELECT_BINS * 4);
    const probesPtr = align16(keepsPtr + Math.max(1, levels.length) * 4);
    offset = probesPtr + 16 * probeCapacity + 16;
    scratch.push({
      queryPtr,
      idxPtr,
      outPtr,
      levelTablePtr,
      levelQueryPtrs,
      seedsPtr,
      hitsPtr,
      hitScratchPtr,
      histogramPtr,
      orderedPtr,
      resultPtr,
      pairsPtr,
      selectPtr,
      keepsPtr,
      probesPtr,
      probeCapacity,
    });
  }
  const memory = createSharedMemory(offset);
  writeRows(memory, dataPtr, data, dim, { first: 0, count: n });
  const buffer = memory.buffer;
  const groupScratch = new Float64Array(Math.max(0, ...layouts.map(({ layout }) => layout.count)));
  levels.forEach((level, i) => {
    const rows = new Uint8Array(buffer, level.dataPtr, n * level.bytes);
    const spec = { ...layouts[i], bytes: level.bytes };
    for (let r = 0; r < n; r++) groupMeans(data, r * dim, spec, groupScratch, rows, r * level.bytes);
  });
  const tableTable = new Uint32Array(buffer, tablesPtr, L * 3);
  tableEntries.forEach((entry, l) => {
    tableTable.set([entry.slots, entry.mask, entry.list], 3 * l);
    new Int32Array(buffer, entry.slots, tables[l].slots.length).set(tables[l].slots);
    new Uint32Array(buffer, entry.list, n).set(tables[l].list);
  });
  tables.length = 0;
  const meta: LshIndexMeta = {
    count: n,
    dim,
    k,
    L,
    w,
    wRule,
    block,
    candidates: indexCandidates,
    rules,
    probes: defaultProbes,
    maxChecks: defaultMaxChecks,
    maxReads: defaultMaxReads,
    maxBucket: indexMaxBucket,
    widen: indexWiden,
    seed,
    family,
    buildMs: performance.now() - started,
    bounds: levels.length > 0,
  };
  return {
    meta,
    kind,
    memory,
    hash: functions.spec,
    shape,
    dataPtr,
    stride,
    tablesPtr,
    levels,
    byFirstCell,
    sortedFirstCells,
    scratch,
  };
}

/** Probe and run list entries one query may need: own buckets, multi-probe and widening. */
function maxProbeBuffer(k: number, L: number, probes: number): number {
  return L + probes * L + Math.min(2 * k * L, 1 << 16);
}

/** A searcher over a built index (see {@linkcode LshIndexImage}) using its scratch area `slot`. */
export function attachLshIndex(image: LshIndexImage, slot: number): LshIndex {
  const { meta, kind, memory, dataPtr, stride, tablesPtr, byFirstCell, sortedFirstCells } = image;
  const area = image.scratch[slot];
  if (area === undefined) throw new RangeError(`LSH: no scratch area ${slot}`);
  const { count: n, dim, k, L, w } = meta;
  const indexCandidates = meta.candidates;
  const defaultProbes = meta.probes;
  const defaultMaxChecks = meta.maxChecks;
  const defaultMaxReads = meta.maxReads;
  const indexMaxBucket = meta.maxBucket;
  const indexWiden = meta.widen;
  const functions = hashFunctionsFromSpec(image.hash);
  const m = k * L;
  const { offset: shiftOffset, repDim } = functions;
  const widenLimit = Math.min(2 * k * L, 1 << 16);
  const {
    queryPtr,
    idxPtr,
    outPtr,
    levelTablePtr,
    seedsPtr,
    hitsPtr,
    hitScratchPtr,
    histogramPtr,
    orderedPtr,
    pairsPtr,
    selectPtr,
    keepsPtr,
  } = area;
  const resultPtr = area.resultPtr;
  const layouts = image.levels.length > 0 ? groupLayouts(dim, image.shape) : [];
  const levels = image.levels.map((level, i) => ({
    ...level,
    layout: layouts[i].layout,
    queryPtr: area.levelQueryPtrs[i],
  }));
  const kernels = instantiateLshKernels(memory);
  const gather = kind === "u8" ? kernels.l1U8Gather : kernels.l1I16Gather;
  const gatherNearest = kind === "u8" ? kernels.l1U8GatherNearest : undefined;
  // Views cached (each read of a shared memory's `buffer` creates a new object); the probe lists move to
  // new memory (grown at the end) when a search asks for more probes than they hold.
  let buffer = memory.buffer;
  const idx = new Uint32Array(buffer, idxPtr, n);
  const distView = new Uint32Array(buffer, outPtr, n);
  const queryRow = kind === "u8"
    ? new Uint8Array(buffer, queryPtr, dim)
    : new Int16Array(buffer, queryPtr, dim);
  new Uint8Array(buffer, queryPtr, stride).fill(0);
  const levelTable = new Uint32Array(buffer, levelTablePtr, levels.length * 5);
  const groupScratch = new Float64Array(Math.max(0, ...levels.map((level) => level.layout.count)));
  // A query's sums over the finest level's groups are taken once; the coarser levels' and the hash
  // functions' block sums are added up from them when their groups are unions of the finest groups.
  const finest = levels.length > 0 ? levels[levels.length - 1].layout : undefined;
  const finestSums = new Float64Array(finest?.count ?? 0);
  const fromFinest = (layout: GroupLayout) => (finest === undefined ? undefined : coarsening(finest, layout));
  const levelMaps = levels.map((level) => fromFinest(level.layout));
  const hashMap = fromFinest(functions.layout);
  const levelQueries = levels.map((level, i) => {
    levelTable.set([level.queryPtr, level.dataPtr, level.bytes, level.bytes, level.group], 5 * i);
    return new Uint8Array(buffer, level.queryPtr, level.bytes);
  });
  const result = new Uint32Array(buffer, resultPtr, 2);
  const hitsView = new Uint8Array(buffer, hitsPtr, n);
  // Probes (table, key) and runs (pointer, length) of the current query, back to back.
  let probesPtr = area.probesPtr;
  let probeCapacity = area.probeCapacity;
  const runsPtr = () => probesPtr + 8 * probeCapacity;
  let probeList = new Int32Array(buffer, probesPtr, 2 * probeCapacity);
  let runList = new Uint32Array(buffer, runsPtr(), 2 * probeCapacity + 1);
  const ensureProbes = (probes: number) => {
    const needed = maxProbeBuffer(k, L, probes);
    if (needed <= probeCapacity) return;
    // memory.grow is atomic: the pages from the old end on belong to this searcher alone.
    const pages = Math.ceil((16 * needed + 16) / 65536);
    probesPtr = memory.grow(pages) * 65536;
    probeCapacity = needed;
    buffer = memory.buffer;
    probeList = new Int32Array(buffer, probesPtr, 2 * probeCapacity);
    runList = new Uint32Array(buffer, runsPtr(), 2 * probeCapacity + 1);
  };
  const sequence = new ProbeSequence(functions);
  const rep = new Float64Array(repDim);
  const values = new Float64Array(m);
  const homeKeys = new Int32Array(L);

  /**
   * Widening, last step: writes to idx the rows whose cell of the first function is nearest to the
   * query's cell `g` (the nearest non-empty cell; the lower one on a tie), with one hit each; returns
   * their number (≥ 1).
   */
  function nearestFirstCell(g: number): number {
    let low = 0;
    let high = n;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (sortedFirstCells[mid] < g) low = mid + 1;
      else high = mid;
    }
    const above = low < n ? sortedFirstCells[low] : Infinity;
    const below = low > 0 ? sortedFirstCells[low - 1] : -Infinity;
    const cell = g - below <= above - g ? below : above;
    let first = cell === below ? low - 1 : low;
    while (first > 0 && sortedFirstCells[first - 1] === cell) first--;
    let count = 0;
    for (let p = first; p < n && sortedFirstCells[p] === cell; p++) {
      idx[count++] = byFirstCell[p];
      hitsView[byFirstCell[p]] = 1;
    }
    return count;
  }

  function search(queries: L1Vectors, searchOptions: LshSearchOptions = {}): LshSearchResult {
    if (kindOf(queries) !== kind) throw new TypeError("LSH: queries must have the data's element type");
    const nq = rowCount(queries, dim, "queries");
    const neighbours = searchOptions.neighbours ?? 1;
    if (!Number.isInteger(neighbours) || neighbours < 1) {
      throw new RangeError(`LSH: neighbours must be a positive integer, got ${neighbours}`);
    }
    const probes = searchOptions.probes ?? defaultProbes;
    if (!Number.isInteger(probes) || probes < 0) {
      throw new RangeError(`LSH: probes must be a non-negative integer, got ${probes}`);
    }
    const target = searchOptions.candidates ?? indexCandidates;
    if (!(target >= 1)) throw new RangeError(`LSH: candidates must be >= 1, got ${target}`);
    const maxChecks = searchOptions.maxChecks ?? defaultMaxChecks;
    if (!(maxChecks >= 1)) throw new RangeError(`LSH: maxChecks must be >= 1, got ${maxChecks}`);
    const maxBucket = searchOptions.maxBucket ?? indexMaxBucket;
    if (!(maxBucket >= 1)) throw new RangeError(`LSH: maxBucket must be >= 1, got ${maxBucket}`);
    const widen = searchOptions.widen ?? indexWiden;
    const maxReads = searchOptions.maxReads ?? defaultMaxReads;
    if (!(maxReads >= 1) || !(Number.isInteger(maxReads) || maxReads === Infinity)) {
      throw new RangeError(`LSH: maxReads must be a positive integer, got ${maxReads}`);
    }
    const shortlisted = Number.isFinite(maxReads);
    if (shortlisted && (neighbours !== 1 || levels.length === 0)) {
      throw new RangeError(
        "LSH: maxReads needs a nearest-neighbour search (neighbours 1) of uint8 data with bounds",
      );
    }
    if (shortlisted) {
      new Uint32Array(memory.buffer, keepsPtr, levels.length).set(shortlistSizes(maxReads, levels.length));
    }
    ensureProbes(probes);
    const maxBucketLimit = Math.min(maxBucket, 0xffffffff);
    const probeLimit = L + probes * L;
    const t0 = performance.now();
    const found = emptyLshResult(nq, neighbours);
    const { indices, distances, candidates, checked, rowsRead, probed } = found;
    let noCandidate = 0;
    let widened = 0;
    const batch = Math.max(8, Math.min(64, L));
    for (let q = 0; q < nq; q++) {
      if (finest !== undefined) groupSums(queries, q * dim, finest, finestSums);
      if (hashMap !== undefined) coarsenSums(finestSums, hashMap, repDim, rep);
      else functions.represent(queries, q, rep);
      functions.project(rep, 0, values);
      for (let f = 0; f < m; f++) values[f] = values[f] / w + shiftOffset[f];
      tableKeys(functions, values, homeKeys, 0, 1);
      // 1. The query's own buckets.
      for (let l = 0; l < L; l++) {
        probeList[2 * l] = l;
        probeList[2 * l + 1] = homeKeys[l];
      }
      let total = L;
      let count = kernels.lshCollectAll(
        tablesPtr,
        probesPtr,
        L,
        runsPtr(),
        hitsPtr,
        idxPtr,
        maxBucketLimit,
        0,
      );
      // 2. Multi-probe until the target, 3. widening while empty: the same probe sequence, in batches.
      let started = false;
      let exhausted = false;
      const probeUntil = (limit: number, enough: number) => {
        if (!started) {
          sequence.reset(values, homeKeys);
          started = true;
        }
        while (count < enough && total < limit && !exhausted) {
          const first = total;
          const end = Math.min(limit, total + batch);
          while (total < end) {
            const table = sequence.next();
            if (table < 0) {
              exhausted = true;
              break;
            }
            probeList[2 * total] = table;
            probeList[2 * total + 1] = sequence.key;
            total++;
          }
          if (total > first) {
            count = kernels.lshCollectAll(
              tablesPtr,
              probesPtr + 8 * first,
              total - first,
              runsPtr() + 8 * first,
              hitsPtr,
              idxPtr,
              maxBucketLimit,
              count,
            );
          }
        }
      };
      if (count < target && probes > 0) probeUntil(probeLimit, target);
      if (count === 0 && widen) {
        widened++;
        probeUntil(probeLimit + widenLimit, 1);
        if (count === 0) {
          // The smallest crowded bucket met (crowded buckets are never empty).
          let smallest = -1;
          for (let p = 0; p < total; p++) {
            const length = runList[2 * p + 1];
            if (length > maxBucketLimit && (smallest < 0 || length < runList[2 * smallest + 1])) smallest = p;
          }
          if (smallest >= 0) {
            count = kernels.lshCollectAll(
              tablesPtr,
              probesPtr + 8 * smallest,
              1,
              runsPtr() + 8 * total,
              hitsPtr,
              idxPtr,
              0xffffffff,
              0,
            );
          }
        }
        if (count === 0) count = nearestFirstCell(Math.floor(values[0]));
      }
      probed[q] = total;
      candidates[q] = count;
      const nearestOnly = neighbours === 1 && gatherNearest !== undefined;
      // Most frequent candidates first (collision counting), at most maxChecks of them.
      if (count > maxChecks || (nearestOnly && levels.length === 0)) {
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
        // With bounds: smallest bound first, the first BOUND_SEEDS read in full, then the lower-bound
        // levels filter the rest (l1U8NearestBounded), or only the maxReads with the smallest bounds are
        // read (l1U8NearestShortlist). Without: most frequent candidates first, so the running bound
        // tightens early, and rows beyond it are abandoned part-way (0xffffffff).
        if (levels.length > 0) {
          levels.forEach((level, i) => {
            const map = levelMaps[i];
            if (map === undefined) groupSums(queries, q * dim, level.layout, groupScratch);
            else coarsenSums(finestSums, map, level.layout.count, groupScratch);
            quantizeSums(groupScratch, level, levelQueries[i], 0);
          });
          if (shortlisted) {
            rowsRead[q] = kernels.l1U8NearestShortlist(
              queryPtr,
              dataPtr,
              stride,
              levelTablePtr,
              levels.length,
              idxPtr,
              count,
              keepsPtr,
              outPtr,
              selectPtr,
              pairsPtr,
              seedsPtr,
              resultPtr,
            );
            indices[q] = result[1];
            distances[q] = result[0];
            continue;
          }
          rowsRead[q] = kernels.l1U8NearestBounded(
            queryPtr,
            dataPtr,
            stride,
            levelTablePtr,
            levels.length,
            idxPtr,
            count,
            BOUND_SEEDS,
            outPtr,
            seedsPtr,
            selectPtr,
            pairsPtr,
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
    found.widened = widened;
    found.noCandidate = noCandidate;
    found.ms = performance.now() - t0;
    return found;
  }

  return { ...meta, search };
}

/**
 * A search result for `queries` queries of `neighbours` neighbours each, to fill: no neighbour (index
 * -1) and zero counts.
 */
export function emptyLshResult(queries: number, neighbours: number): LshSearchResult {
  return {
    neighbours,
    indices: new Int32Array(queries * neighbours).fill(-1),
    distances: new Uint32Array(queries * neighbours),
    candidates: new Uint32Array(queries),
    checked: new Uint32Array(queries),
    rowsRead: new Uint32Array(queries),
    probed: new Uint32Array(queries),
    widened: 0,
    noCandidate: 0,
    ms: 0,
  };
}

/**
 * Copies `part`, the result of a search of queries `first`, `first + 1`, …, into `into` at those
 * queries and adds its query counts (`widened`, `noCandidate`; not its time).
 */
export function mergeLshResult(into: LshSearchResult, part: LshSearchResult, first: number): void {
  const neighbours = into.neighbours;
  into.indices.set(part.indices, first * neighbours);
  into.distances.set(part.distances, first * neighbours);
  into.candidates.set(part.candidates, first);
  into.checked.set(part.checked, first);
  into.rowsRead.set(part.rowsRead, first);
  into.probed.set(part.probed, first);
  into.widened += part.widened;
  into.noCandidate += part.noCandidate;
}

/**
 * With `maxReads` R: candidates kept after each lower-bound level, coarsest first, are R ×
 * SHORTLIST_FACTOR^(levels after it): the SHORTLIST_FACTOR·R smallest coarsest-level bounds, then the R
 * smallest finer-level bounds of those.
 */
export const SHORTLIST_FACTOR = 8;

/** Candidates kept after each of `levels` lower-bound levels, coarsest first, for `maxReads` reads. */
function shortlistSizes(maxReads: number, levels: number): number[] {
  return Array.from(
    { length: levels },
    (_, level) => Math.min(0xffffffff, maxReads * SHORTLIST_FACTOR ** (levels - 1 - level)),
  );
}

/** Bins of the shortlist selection histogram (SELECT_BINS in asm/lsh.ts). */
const SELECT_BINS = 1024;

/** Candidates first in bound order, read in full before the others are filtered (at most 16). */
const BOUND_SEEDS = 8;

/** Block sides of the lower-bound levels, coarsest first. */
const BOUND_BLOCKS = [4, 2] as const;

/** A lower-bound level: its groups and their size `a` (the quantization divisor). */
interface BoundLayout {
  layout: GroupLayout;
  group: number;
}

/**
 * The group layouts of the lower-bound levels, coarsest first: square pixel blocks of side 4 and 2 when
 * the image shape is known (7×7 and 14×14 groups for 28×28 images), otherwise runs of 16 and 4
 * consecutive coordinates.
 */
function groupLayouts(dim: number, shape?: readonly [number, number]): BoundLayout[] {
  return BOUND_BLOCKS.map((block) => ({ layout: blockLayout(dim, block, shape), group: block * block }));
}

/**
 * out[offset + g] = floor(S_g / a), S_g the sum of the row's values in group g and a the level's group
 * size (at most 255 for uint8 values); out's padding beyond the groups stays 0.
 */
function groupMeans(
  vectors: L1Vectors,
  rowOffset: number,
  level: { layout: GroupLayout; group: number },
  scratch: Float64Array,
  out: Uint8Array,
  offset: number,
): void {
  groupSums(vectors, rowOffset, level.layout, scratch);
  quantizeSums(scratch, level, out, offset);
}

/** out[offset + g] = floor(sums[g] / a) for the level's groups g (a: its group size). */
function quantizeSums(
  sums: Float64Array,
  level: { layout: GroupLayout; group: number },
  out: Uint8Array,
  offset: number,
): void {
  const count = level.layout.count;
  for (let g = 0; g < count; g++) out[offset + g] = Math.floor(sums[g] / level.group);
}
