/**
 * The hash functions of the LSH index (`lsh.ts`) and their query-directed multi-probe sequence.
 *
 * Every function hashes the **block sums** of a vector: the sums of its values over `block × block`
 * pixel blocks (runs of `block²` consecutive coordinates when no image shape is given; `block` 1 keeps
 * the coordinates). The block-sum map B is 1-Lipschitz for L1 (‖B(p) − B(q)‖₁ ≤ ‖p − q‖₁), so a family
 * that is locality-sensitive for L1 on B(p) keeps its collision probability for near pairs on p; far
 * pairs may collide more often (their differences can cancel inside a block), which only adds
 * candidates, all checked exactly.
 *
 * - `grid`: g(p) = floor((B(p)[c] + s) / w), the block `c` drawn with probability proportional to the
 *   standard deviation of its sum over the data (blocks that never change are never drawn), `s`
 *   uniform in [0, w): randomly shifted grids, the L1 family of bit sampling on the unary embedding.
 * - `cauchy`: g(p) = floor((a·B(p) + b) / w), `a` i.i.d. standard Cauchy (1-stable), `b` uniform in
 *   [0, w).
 *
 * A table's key combines its `k` cells by XOR of per-function cell hashes (`cellHash`), so the key of a
 * neighbouring bucket (one or more cells moved by ±1) is the table key XOR a few precomputable deltas.
 * Different cell tuples can share a key (probability 2⁻³²); that only adds candidates.
 *
 * The multi-probe sequence is query-directed (Lv et al., "Multi-probe LSH", VLDB 2007): for function j
 * of a table, x_j(−1) and x_j(+1) are the query's distances (in units of w) to the lower and upper
 * boundary of its cell; a perturbation set moves some cells by ±1 and scores Σ x²; the sets of each
 * table are generated in increasing score by the shift/expand heap over the table's 2k sorted
 * distances, and the tables' sequences are merged by score, so the buckets most likely to hold the
 * query's near neighbours come first, whatever table they are in. For small k (2k < 16) the moves by
 * d = 2, 3, … cells (distance x + d − 1) join the sorted list, so that a sequence does not end after the
 * few one-cell moves of a short key (at most 30 moves per table; one move per function per set).
 * @module
 */
import type { L1Vectors } from "../simd/l1.ts";
import { createRandom } from "../util/random.ts";

/** Hash family: randomly shifted grids on block sums (`grid`) or Cauchy projections of block sums. */
export type LshFamily = "grid" | "cauchy";

/** Group (block) of every coordinate, and the number of groups. */
export interface GroupLayout {
  /** Group id of each coordinate. */
  of: Int32Array;
  /** Number of groups. */
  count: number;
  /**
   * The coordinates as runs of consecutive coordinates of one group: triples (first coordinate, length,
   * group), in coordinate order (what {@linkcode groupSums} walks).
   */
  runs: Int32Array;
}

/**
 * Square `block × block` pixel blocks of images of `shape` (partial blocks at the right and bottom
 * edges), or runs of `block²` consecutive coordinates without a shape.
 */
export function blockLayout(dim: number, block: number, shape?: readonly [number, number]): GroupLayout {
  const of = new Int32Array(dim);
  let count: number;
  if (shape === undefined) {
    const run = block * block;
    for (let t = 0; t < dim; t++) of[t] = Math.floor(t / run);
    count = Math.ceil(dim / run);
  } else {
    const [rows, cols] = shape;
    const across = Math.ceil(cols / block);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        of[r * cols + c] = Math.floor(r / block) * across + Math.floor(c / block);
      }
    }
    count = Math.ceil(rows / block) * across;
  }
  const runs: number[] = [];
  for (let t = 0; t < dim;) {
    let end = t + 1;
    while (end < dim && of[end] === of[t]) end++;
    runs.push(t, end - t, of[t]);
    t = end;
  }
  return { of, count, runs: Int32Array.from(runs) };
}

/**
 * out[0..count) = the sums of a row's values (at `rowOffset` of `vectors`) over the layout's groups,
 * run by run (each run summed in a register).
 */
export function groupSums(
  vectors: L1Vectors,
  rowOffset: number,
  layout: GroupLayout,
  out: Float64Array,
): void {
  const runs = layout.runs;
  out.fill(0, 0, layout.count);
  for (let r = 0; r < runs.length; r += 3) {
    const first = rowOffset + runs[r];
    const end = first + runs[r + 1];
    let sum = 0;
    for (let t = first; t < end; t++) sum += vectors[t];
    out[runs[r + 2]] += sum;
  }
}

/**
 * For every group of `fine`, the group of `coarse` that holds it, when every coarse group is a union of
 * fine groups (`fine` refines `coarse`: 2×2 blocks refine 4×4 blocks); otherwise undefined.
 */
export function coarsening(fine: GroupLayout, coarse: GroupLayout): Int32Array | undefined {
  if (fine.of.length !== coarse.of.length) return undefined;
  const map = new Int32Array(fine.count).fill(-1);
  for (let t = 0; t < fine.of.length; t++) {
    const g = fine.of[t];
    if (map[g] < 0) map[g] = coarse.of[t];
    else if (map[g] !== coarse.of[t]) return undefined;
  }
  return map;
}

/** out[0..coarseCount) = the sums of `fineSums` over the fine groups of each coarse group (`map`: see {@linkcode coarsening}). */
export function coarsenSums(
  fineSums: Float64Array,
  map: Int32Array,
  coarseCount: number,
  out: Float64Array,
): void {
  out.fill(0, 0, coarseCount);
  for (let g = 0; g < map.length; g++) out[map[g]] += fineSums[g];
}

/** Hash of cell `g` of the function with salt `salt` (a 32-bit mix; |g| < 2⁵³). */
export function cellHash(salt: number, g: number): number {
  let h = salt ^ (g | 0);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  if (g < -2147483648 || g > 2147483647) h ^= Math.floor(g / 4294967296) | 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** The `k × L` hash functions of an index, before the width is applied. */
export interface HashFunctions {
  /** Family. */
  readonly family: LshFamily;
  /** Functions per table. */
  readonly k: number;
  /** Tables. */
  readonly L: number;
  /** Block side. */
  readonly block: number;
  /** Number of block sums per vector. */
  readonly repDim: number;
  /** The blocks whose sums the functions hash (`repDim` groups). */
  readonly layout: GroupLayout;
  /** Per function: uniform offset in [0, 1) (the shift in units of w). */
  readonly offset: Float64Array;
  /** Per function: salt of its cell hashes. */
  readonly salt: Int32Array;
  /** Block sums of row `row` of `vectors` into `out` (`repDim` values). */
  represent(vectors: L1Vectors, row: number, out: Float64Array): void;
  /** Raw projections (before dividing by w) of block sums `rep` (at `repOffset`) into `out` (k·L values). */
  project(rep: Float64Array, repOffset: number, out: Float64Array): void;
  /** The drawn functions as plain data (structured-clonable), for {@linkcode hashFunctionsFromSpec}. */
  readonly spec: HashSpec;
}

/** Hash functions as plain data: what {@linkcode hashFunctionsFromSpec} needs to rebuild them. */
export interface HashSpec {
  /** Family. */
  family: LshFamily;
  /** Functions per table. */
  k: number;
  /** Tables. */
  L: number;
  /** Block side. */
  block: number;
  /** Vector dimension. */
  dim: number;
  /** Image shape, for square blocks. */
  shape?: readonly [number, number];
  /** Grid: the block of every function. Cauchy: the projection matrix, block-major (repDim × k·L). */
  weights: Int32Array | Float64Array;
  /** Per function: uniform offset in [0, 1). */
  offset: Float64Array;
  /** Per function: salt of its cell hashes. */
  salt: Int32Array;
}

/** Options of {@linkcode createHashFunctions}. */
export interface HashFunctionOptions {
  /** Family. */
  family: LshFamily;
  /** Functions per table. */
  k: number;
  /** Tables. */
  L: number;
  /** Block side (≥ 1). */
  block: number;
  /** Image shape, for square blocks. */
  shape?: readonly [number, number];
  /** Seed. */
  seed: number;
}

/** Rows used to estimate the spread of the block sums (grid family). */
const SPREAD_SAMPLE = 20000;

/** Draws the hash functions of an index over `data` (`n × dim`). */
export function createHashFunctions(
  data: L1Vectors,
  dim: number,
  n: number,
  options: HashFunctionOptions,
): HashFunctions {
  const { family, k, L, block, shape, seed } = options;
  const layout = blockLayout(dim, block, shape);
  const repDim = layout.count;
  const m = k * L;
  const random = createRandom(seed);
  let weights: Int32Array | Float64Array;
  if (family === "cauchy") {
    const a = new Float64Array(repDim * m);
    for (let i = 0; i < a.length; i++) {
      let u = random.next();
      while (u === 0 || u === 0.5) u = random.next();
      a[i] = Math.tan(Math.PI * (u - 0.5));
    }
    weights = a;
  } else {
    // Block c drawn with probability proportional to the standard deviation of its sum.
    const rows = Math.min(n, SPREAD_SAMPLE);
    const step = n / rows;
    const sum = new Float64Array(repDim);
    const squares = new Float64Array(repDim);
    const rep = new Float64Array(repDim);
    for (let i = 0; i < rows; i++) {
      groupSums(data, Math.floor(i * step) * dim, layout, rep);
      for (let t = 0; t < repDim; t++) {
        sum[t] += rep[t];
        squares[t] += rep[t] * rep[t];
      }
    }
    const cumulative = new Float64Array(repDim);
    let total = 0;
    for (let t = 0; t < repDim; t++) {
      const mean = sum[t] / rows;
      total += Math.sqrt(Math.max(0, squares[t] / rows - mean * mean));
      cumulative[t] = total;
    }
    const coordinate = new Int32Array(m);
    for (let f = 0; f < m; f++) {
      if (!(total > 0)) {
        coordinate[f] = random.int(repDim);
        continue;
      }
      const u = random.next() * total;
      let low = 0;
      let high = repDim - 1;
      while (low < high) {
        const mid = (low + high) >> 1;
        if (cumulative[mid] > u) high = mid;
        else low = mid + 1;
      }
      coordinate[f] = low;
    }
    weights = coordinate;
  }
  const offset = new Float64Array(m);
  const salt = new Int32Array(m);
  for (let f = 0; f < m; f++) {
    offset[f] = random.next();
    salt[f] = (random.next() * 4294967296) | 0;
  }
  return hashFunctionsFromSpec({ family, k, L, block, dim, shape, weights, offset, salt });
}

/** The hash functions described by `spec` (see {@linkcode HashFunctions.spec}). */
export function hashFunctionsFromSpec(spec: HashSpec): HashFunctions {
  const { family, k, L, block, dim, shape, weights, offset, salt } = spec;
  const layout = blockLayout(dim, block, shape);
  const repDim = layout.count;
  const m = k * L;
  const represent = (vectors: L1Vectors, row: number, out: Float64Array) =>
    groupSums(vectors, row * dim, layout, out);
  let project: (rep: Float64Array, repOffset: number, out: Float64Array) => void;
  if (family === "cauchy") {
    const a = weights as Float64Array;
    project = (rep, repOffset, out) => {
      out.fill(0, 0, m);
      for (let t = 0; t < repDim; t++) {
        const v = rep[repOffset + t];
        if (v === 0) continue;
        const row = t * m;
        for (let f = 0; f < m; f++) out[f] += v * a[row + f];
      }
    };
  } else {
    const coordinate = weights as Int32Array;
    project = (rep, repOffset, out) => {
      for (let f = 0; f < m; f++) out[f] = rep[repOffset + coordinate[f]];
    };
  }
  return { family, k, L, block, repDim, layout, offset, salt, represent, project, spec };
}

/**
 * Table keys of one vector: `values` holds the k·L scaled projections (raw / w + offset); writes the L
 * keys to `keys` (at `keyOffset`, stride `keyStride`).
 */
export function tableKeys(
  functions: HashFunctions,
  values: Float64Array,
  keys: Int32Array,
  keyOffset: number,
  keyStride: number,
): void {
  const { k, L, salt } = functions;
  for (let l = 0; l < L; l++) {
    let key = 0;
    const base = l * k;
    for (let j = 0; j < k; j++) key ^= cellHash(salt[base + j], Math.floor(values[base + j]));
    keys[keyOffset + l * keyStride] = key;
  }
}

/** Largest number of sorted moves (per table) the perturbation sets draw from (small k). */
const MAX_SORTED = 31;
/** For 2k ≥ 16: the sets draw from the SELECTED shortest one-cell moves of a table (4,096 sets). */
const SELECTED = 12;

/**
 * Query-directed multi-probe sequence over all tables (see the module docs). `reset` starts the
 * sequence of one query; `next` returns the table of the next bucket (its key in `key`), or -1 when
 * every perturbation set of every table has been produced.
 */
export class ProbeSequence {
  /** Key of the bucket returned by the last `next`. */
  key = 0;
  readonly #functions: HashFunctions;
  readonly #k: number;
  readonly #sorted: number;
  // Per table: base key; its shortest moves sorted by distance, each with its score (distance²),
  // function, cell offset and key delta (computed when first used: bit a of deltaReady); whether the
  // table's moves have been sorted.
  readonly #baseKey: Int32Array;
  readonly #score: Float64Array;
  readonly #fn: Int32Array;
  readonly #move: Int32Array;
  readonly #delta: Int32Array;
  readonly #deltaReady: Uint32Array;
  readonly #ready: Uint8Array;
  #values: Float64Array;
  readonly #entryScratch: Float64Array;
  readonly #indexScratch: Int32Array;
  // Global heap of (score, table, set as a bit mask over the table's sorted moves).
  #heapScore = new Float64Array(64);
  #heapTable = new Int32Array(64);
  #heapMask = new Uint32Array(64);
  #heapSize = 0;

  /** A sequence for queries hashed by `functions`. */
  constructor(functions: HashFunctions) {
    this.#functions = functions;
    const { k, L } = functions;
    this.#k = k;
    // Small k: the one-cell moves of every function, then moves by 2, 3, … cells while they fit.
    this.#sorted = 2 * k >= 16 ? SELECTED : 2 * k * Math.floor(MAX_SORTED / (2 * k));
    this.#baseKey = new Int32Array(L);
    this.#score = new Float64Array(L * this.#sorted);
    this.#fn = new Int32Array(L * this.#sorted);
    this.#move = new Int32Array(L * this.#sorted);
    this.#delta = new Int32Array(L * this.#sorted);
    this.#deltaReady = new Uint32Array(L);
    this.#ready = new Uint8Array(L);
    this.#values = new Float64Array(k * L);
    this.#entryScratch = new Float64Array(2 * k);
    this.#indexScratch = new Int32Array(2 * k);
  }

  /**
   * Starts the sequence of a query whose k·L scaled projections are `values` and whose table keys are
   * `keys` (the home buckets, not part of the sequence). Both arrays must stay unchanged until the
   * query's last `next`.
   */
  reset(values: Float64Array, keys: Int32Array): void {
    const k = this.#k;
    const L = this.#functions.L;
    this.#values = values;
    this.#baseKey.set(keys.subarray(0, L));
    this.#ready.fill(0);
    this.#heapSize = 0;
    // Each table enters the heap with its shortest move; its moves are sorted when it is first popped.
    for (let l = 0; l < L; l++) {
      let best = Infinity;
      for (let j = 0; j < k; j++) {
        const v = values[l * k + j];
        const x = v - Math.floor(v);
        const low = x < 1 - x ? x : 1 - x;
        if (low < best) best = low;
      }
      this.#push(best * best, l, 1);
    }
  }

  /** The table of the next bucket (key in `this.key`), or -1 when the sequence is exhausted. */
  next(): number {
    const s = this.#sorted;
    const fn = this.#fn;
    while (this.#heapSize > 0) {
      const score = this.#heapScore[0];
      const table = this.#heapTable[0];
      const mask = this.#heapMask[0];
      this.#pop();
      if (!this.#ready[table]) this.#prepare(table);
      const base = table * s;
      const top = 31 - Math.clz32(mask);
      // A set is invalid when it moves one function twice. A conflict among the elements below the top
      // stays in every set generated from it (shift and expand change only the top): drop them all. A
      // conflict with the top stays in the expanded set, but shifting the top may resolve it.
      const topFunction = fn[base + top];
      let lowConflict = false;
      let topConflict = false;
      let key = this.#baseKey[table] ^ this.#deltaOf(table, top);
      for (let rest = mask & ~(1 << top); rest !== 0;) {
        const a = 31 - Math.clz32(rest & -rest); // lowest element
        rest &= rest - 1;
        const j = fn[base + a];
        if (j === topFunction) topConflict = true;
        for (let other = rest; other !== 0; other &= other - 1) {
          if (fn[base + 31 - Math.clz32(other & -other)] === j) lowConflict = true;
        }
        key ^= this.#deltaOf(table, a);
      }
      if (lowConflict) continue;
      if (top + 1 < s) {
        // shift: replace the largest element by the next one; expand: add the next one.
        const next = this.#score[base + top + 1];
        this.#push(score - this.#score[base + top] + next, table, (mask ^ (1 << top)) | (1 << (top + 1)));
        if (!topConflict) this.#push(score + next, table, mask | (1 << (top + 1)));
      }
      if (topConflict) continue;
      this.key = key;
      return table;
    }
    return -1;
  }

  #deltaOf(table: number, a: number): number {
    const at = table * this.#sorted + a;
    if ((this.#deltaReady[table] & (1 << a)) === 0) {
      const f = table * this.#k + this.#fn[at];
      const salt = this.#functions.salt[f];
      const g = Math.floor(this.#values[f]);
      this.#delta[at] = cellHash(salt, g) ^ cellHash(salt, g + this.#move[at]);
      this.#deltaReady[table] |= 1 << a;
    }
    return this.#delta[at];
  }

  #prepare(table: number): void {
    const k = this.#k;
    const s = this.#sorted;
    const entries = this.#entryScratch;
    const index = this.#indexScratch;
    const values = this.#values;
    for (let j = 0; j < k; j++) {
      const v = values[table * k + j];
      const x = v - Math.floor(v);
      entries[2 * j] = x; // move down: distance to the lower boundary
      entries[2 * j + 1] = 1 - x; // move up
    }
    // The shortest one-cell moves, sorted by distance (ties: lower entry number first): insertion into
    // a sorted prefix of at most `keep` entries.
    const keep = Math.min(2 * k, s);
    let kept = 0;
    for (let e = 0; e < 2 * k; e++) {
      const x = entries[e];
      if (kept === keep && entries[index[kept - 1]] <= x) continue;
      let p = kept < keep ? kept++ : kept - 1;
      while (p > 0 && entries[index[p - 1]] > x) {
        index[p] = index[p - 1];
        p--;
      }
      index[p] = e;
    }
    // Small k: a move by d cells is d − 1 farther than the one-cell move, so the moves by d cells
    // follow all shorter ones, in the same order.
    const base = table * s;
    for (let a = 0; a < s; a++) {
      const level = Math.floor(a / keep);
      const e = index[a - level * keep];
      const x = entries[e] + level;
      this.#score[base + a] = x * x;
      this.#fn[base + a] = e >> 1;
      this.#move[base + a] = e & 1 ? 1 + level : -1 - level;
    }
    this.#deltaReady[table] = 0;
    this.#ready[table] = 1;
  }

  #push(score: number, table: number, mask: number): void {
    if (this.#heapSize === this.#heapScore.length) {
      const grow = <T extends Float64Array | Int32Array | Uint32Array>(a: T, make: (n: number) => T): T => {
        const b = make(a.length * 2);
        b.set(a as never);
        return b;
      };
      this.#heapScore = grow(this.#heapScore, (n) => new Float64Array(n));
      this.#heapTable = grow(this.#heapTable, (n) => new Int32Array(n));
      this.#heapMask = grow(this.#heapMask, (n) => new Uint32Array(n));
    }
    const hs = this.#heapScore;
    let i = this.#heapSize++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (hs[parent] <= score) break;
      this.#heapMove(i, parent);
      i = parent;
    }
    this.#heapSet(i, score, table, mask);
  }

  #pop(): void {
    const hs = this.#heapScore;
    const size = --this.#heapSize;
    if (size === 0) return;
    const score = hs[size];
    const table = this.#heapTable[size];
    const mask = this.#heapMask[size];
    let i = 0;
    while (true) {
      let child = 2 * i + 1;
      if (child >= size) break;
      if (child + 1 < size && hs[child + 1] < hs[child]) child++;
      if (hs[child] >= score) break;
      this.#heapMove(i, child);
      i = child;
    }
    this.#heapSet(i, score, table, mask);
  }

  /** Copies the heap entry at `from` to `to` (score, table and mask). */
  #heapMove(to: number, from: number): void {
    this.#heapScore[to] = this.#heapScore[from];
    this.#heapTable[to] = this.#heapTable[from];
    this.#heapMask[to] = this.#heapMask[from];
  }

  /** Writes the heap entry at `i` (the mask is stored as an unsigned 32-bit integer). */
  #heapSet(i: number, score: number, table: number, mask: number): void {
    this.#heapScore[i] = score;
    this.#heapTable[i] = table;
    this.#heapMask[i] = mask >>> 0;
  }
}
