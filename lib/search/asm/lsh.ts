// AssemblyScript source of the LSH query path of lib/search/lsh.ts: bucket lookup and candidate
// collection (lshCollectAll), ordering by collision count (lshOrderByHits, lshClearHits), and the exact
// checks of the candidates: gathered L1 distances (l1U8Gather, l1I16Gather, l1U8GatherNearest) and the
// nearest candidate ruled in or out by lower bounds from quantized group sums before its row is read
// (l1U8NearestBounded). Built by lib/simd/build.ts into lib/search/_lsh_wasm.ts (base64); memory is
// imported (shared): the index's tables live in one WebAssembly memory that every Worker searches, each
// through its own scratch area. Rows have a stride that is a multiple of 16 bytes, zero padded.
// The checks use |a - b| directly: or(sub_sat_u) for uint8, max - min (as u16) for int16.

import { hsumU16, hsumU32, U8_CHUNK } from "../../simd/asm/v128";

function absDiffU8(x: v128, y: v128): v128 {
  return v128.or(i8x16.sub_sat_u(x, y), i8x16.sub_sat_u(y, x));
}

function absDiffI16(x: v128, y: v128): v128 {
  return i16x8.sub(i16x8.max_s(x, y), i16x8.min_s(x, y));
}

/**
 * uint8 rows, gathered: out[i] = L1(query, data row idx[i]) for i < count; `idxPtr` holds u32 row
 * indices. Used to check LSH candidates exactly. Four rows are walked together so that their (random)
 * memory accesses overlap.
 */
export function l1U8Gather(
  qPtr: usize,
  dPtr: usize,
  stride: i32,
  idxPtr: usize,
  count: i32,
  outPtr: usize,
): void {
  const s = <usize> stride;
  let i: i32 = 0;
  for (; i + 4 <= count; i += 4) {
    const ip = idxPtr + (<usize> i << 2);
    const d0 = dPtr + <usize> load<u32>(ip) * s;
    const d1 = dPtr + <usize> load<u32>(ip, 4) * s;
    const d2 = dPtr + <usize> load<u32>(ip, 8) * s;
    const d3 = dPtr + <usize> load<u32>(ip, 12) * s;
    let t0: u32 = 0, t1: u32 = 0, t2: u32 = 0, t3: u32 = 0;
    for (let c: usize = 0; c < s; c += U8_CHUNK) {
      const end = c + U8_CHUNK < s ? c + U8_CHUNK : s;
      let a0 = i16x8.splat(0), a1 = i16x8.splat(0), a2 = i16x8.splat(0), a3 = i16x8.splat(0);
      for (let t = c; t < end; t += 16) {
        const y = v128.load(qPtr + t);
        a0 = i16x8.add(a0, i16x8.extadd_pairwise_i8x16_u(absDiffU8(v128.load(d0 + t), y)));
        a1 = i16x8.add(a1, i16x8.extadd_pairwise_i8x16_u(absDiffU8(v128.load(d1 + t), y)));
        a2 = i16x8.add(a2, i16x8.extadd_pairwise_i8x16_u(absDiffU8(v128.load(d2 + t), y)));
        a3 = i16x8.add(a3, i16x8.extadd_pairwise_i8x16_u(absDiffU8(v128.load(d3 + t), y)));
      }
      t0 += hsumU16(a0);
      t1 += hsumU16(a1);
      t2 += hsumU16(a2);
      t3 += hsumU16(a3);
    }
    const op = outPtr + (<usize> i << 2);
    store<u32>(op, t0);
    store<u32>(op, t1, 4);
    store<u32>(op, t2, 8);
    store<u32>(op, t3, 12);
  }
  for (; i < count; i++) {
    const d = dPtr + <usize> load<u32>(idxPtr + (<usize> i << 2)) * s;
    let t0: u32 = 0;
    for (let c: usize = 0; c < s; c += U8_CHUNK) {
      const end = c + U8_CHUNK < s ? c + U8_CHUNK : s;
      let a0 = i16x8.splat(0);
      for (let t = c; t < end; t += 16) {
        a0 = i16x8.add(a0, i16x8.extadd_pairwise_i8x16_u(absDiffU8(v128.load(d + t), v128.load(qPtr + t))));
      }
      t0 += hsumU16(a0);
    }
    store<u32>(outPtr + (<usize> i << 2), t0);
  }
}

/**
 * uint8 rows, gathered, nearest only: like l1U8Gather, but a row is abandoned (out[i] = 0xffffffff)
 * as soon as its partial distance exceeds `bound`, and `bound` drops to every full distance below it.
 * So out[i] is the exact distance of row idx[i] whenever that distance is <= the smallest distance
 * before it (and <= the initial bound); the nearest row is always reported exactly.
 */
export function l1U8GatherNearest(
  qPtr: usize,
  dPtr: usize,
  stride: i32,
  idxPtr: usize,
  count: i32,
  outPtr: usize,
  bound: u32,
): void {
  const s = <usize> stride;
  for (let i: i32 = 0; i < count; i++) {
    const d = l1U8RowBounded(qPtr, dPtr + <usize> load<u32>(idxPtr + (<usize> i << 2)) * s, s, bound);
    store<u32>(outPtr + (<usize> i << 2), d);
    if (d < bound) bound = d;
  }
}

/** int16 rows, gathered: out[i] = L1(query, data row idx[i]) for i < count. */
export function l1I16Gather(
  qPtr: usize,
  dPtr: usize,
  stride: i32,
  idxPtr: usize,
  count: i32,
  outPtr: usize,
): void {
  const s = <usize> stride;
  for (let i: i32 = 0; i < count; i++) {
    const d = dPtr + <usize> load<u32>(idxPtr + (<usize> i << 2)) * s;
    let a0 = i32x4.splat(0);
    for (let t: usize = 0; t < s; t += 16) {
      a0 = i32x4.add(a0, i32x4.extadd_pairwise_i16x8_u(absDiffI16(v128.load(d + t), v128.load(qPtr + t))));
    }
    store<u32>(outPtr + (<usize> i << 2), hsumU32(a0));
  }
}

/**
 * Keeps the `limit` candidates of idx[0..count) with the most hits, ordered by decreasing hit count
 * (ties in encounter order), clears the hit counts of all of them and returns how many were kept.
 * `histPtr` must hold max hits + 1 zeroed u32 (left zeroed); `hitScratchPtr` (`count` bytes) and
 * `orderedPtr` (`count` u32) are scratch space.
 */
export function lshOrderByHits(
  idxPtr: usize,
  count: i32,
  hitsPtr: usize,
  histPtr: usize,
  hitScratchPtr: usize,
  orderedPtr: usize,
  limit: i32,
): i32 {
  let top: u32 = 0;
  for (let c: i32 = 0; c < count; c++) {
    const rp = hitsPtr + <usize> load<u32>(idxPtr + (<usize> c << 2));
    const h = <u32> load<u8>(rp);
    store<u8>(rp, 0);
    store<u8>(hitScratchPtr + <usize> c, <u8> h);
    const hp = histPtr + (<usize> h << 2);
    store<u32>(hp, load<u32>(hp) + 1);
    if (h > top) top = h;
  }
  // Lowest hit count still needed to fill `limit`, and the start of every count's run at or above it.
  let offset: u32 = 0;
  let threshold: u32 = 1;
  for (let h = top; h >= 1; h--) {
    const hp = histPtr + (<usize> h << 2);
    const size = load<u32>(hp);
    store<u32>(hp, offset);
    offset += size;
    if (offset >= <u32> limit) {
      threshold = h;
      break;
    }
  }
  for (let c: i32 = 0; c < count; c++) {
    const h = <u32> load<u8>(hitScratchPtr + <usize> c);
    if (h < threshold) continue;
    const hp = histPtr + (<usize> h << 2);
    const at = load<u32>(hp);
    store<u32>(orderedPtr + (<usize> at << 2), load<u32>(idxPtr + (<usize> c << 2)));
    store<u32>(hp, at + 1);
  }
  memory.fill(histPtr, 0, (<usize> top + 1) << 2);
  const kept = count < limit ? count : limit;
  memory.copy(idxPtr, orderedPtr, <usize> kept << 2);
  return kept;
}

/** Clears the u8 hit counts of rows idx[0..count). */
export function lshClearHits(idxPtr: usize, count: i32, hitsPtr: usize): void {
  for (let c: i32 = 0; c < count; c++) {
    store<u8>(hitsPtr + <usize> load<u32>(idxPtr + (<usize> c << 2)), 0);
  }
}

/** Exact L1 of one uint8 row against the query, abandoned (0xffffffff) once it exceeds `bound`. */
function l1U8RowBounded(qPtr: usize, d: usize, s: usize, bound: u32): u32 {
  let total: u32 = 0;
  for (let c: usize = 0; c < s; c += 256) {
    const end = c + 256 < s ? c + 256 : s;
    let a0 = i16x8.splat(0);
    for (let t = c; t < end; t += 16) {
      a0 = i16x8.add(a0, i16x8.extadd_pairwise_i8x16_u(absDiffU8(v128.load(d + t), v128.load(qPtr + t))));
    }
    total += hsumU16(a0);
    if (total > bound) return 0xffffffff;
  }
  return total;
}

/**
 * Exact L1 of four uint8 rows against the query, read together (their cache misses overlap); a row is
 * abandoned (0xffffffff) once its partial sum exceeds `bound`, and all four stop when all are. Writes
 * four u32 to `outPtr`.
 */
function l1U8Rows4Bounded(
  qPtr: usize,
  d0: usize,
  d1: usize,
  d2: usize,
  d3: usize,
  s: usize,
  bound: u32,
  outPtr: usize,
): void {
  let t0: u32 = 0, t1: u32 = 0, t2: u32 = 0, t3: u32 = 0;
  for (let c: usize = 0; c < s; c += 256) {
    const end = c + 256 < s ? c + 256 : s;
    let a0 = i16x8.splat(0), a1 = i16x8.splat(0), a2 = i16x8.splat(0), a3 = i16x8.splat(0);
    for (let t = c; t < end; t += 16) {
      const y = v128.load(qPtr + t);
      a0 = i16x8.add(a0, i16x8.extadd_pairwise_i8x16_u(absDiffU8(v128.load(d0 + t), y)));
      a1 = i16x8.add(a1, i16x8.extadd_pairwise_i8x16_u(absDiffU8(v128.load(d1 + t), y)));
      a2 = i16x8.add(a2, i16x8.extadd_pairwise_i8x16_u(absDiffU8(v128.load(d2 + t), y)));
      a3 = i16x8.add(a3, i16x8.extadd_pairwise_i8x16_u(absDiffU8(v128.load(d3 + t), y)));
    }
    t0 += hsumU16(a0);
    t1 += hsumU16(a1);
    t2 += hsumU16(a2);
    t3 += hsumU16(a3);
    if (t0 > bound && t1 > bound && t2 > bound && t3 > bound) break;
  }
  store<u32>(outPtr, t0 > bound ? 0xffffffff : t0);
  store<u32>(outPtr, t1 > bound ? 0xffffffff : t1, 4);
  store<u32>(outPtr, t2 > bound ? 0xffffffff : t2, 8);
  store<u32>(outPtr, t3 > bound ? 0xffffffff : t3, 12);
}

/**
 * Reads rows list[0..count) (u32 row indices) against the query, four at a time, and returns the new
 * best (distance, row) packed as distance * 2^32 + row, starting from `best`; ties: lowest row. Rows
 * above the best are abandoned. `scratchPtr` holds 4 u32.
 */
function nearestOfRows(
  qPtr: usize,
  dPtr: usize,
  s: usize,
  list: usize,
  count: i32,
  best: u64,
  scratchPtr: usize,
): u64 {
  let bestD = <u32> (best >> 32);
  let bestI = <u32> best;
  let j: i32 = 0;
  for (; j < count; j += 4) {
    const left = count - j;
    const r0 = load<u32>(list + (<usize> j << 2));
    const r1 = left > 1 ? load<u32>(list + (<usize> j << 2), 4) : r0;
    const r2 = left > 2 ? load<u32>(list + (<usize> j << 2), 8) : r0;
    const r3 = left > 3 ? load<u32>(list + (<usize> j << 2), 12) : r0;
    l1U8Rows4Bounded(
      qPtr,
      dPtr + <usize> r0 * s,
      dPtr + <usize> r1 * s,
      dPtr + <usize> r2 * s,
      dPtr + <usize> r3 * s,
      s,
      bestD,
      scratchPtr,
    );
    for (let e: i32 = 0; e < 4 && e < left; e++) {
      const d = load<u32>(scratchPtr + (<usize> e << 2));
      const row = load<u32>(list + (<usize> (j + e) << 2));
      if (d < bestD || (d == bestD && d != 0xffffffff && row < bestI)) {
        bestD = d;
        bestI = row;
      }
    }
  }
  return (<u64> bestD << 32) | <u64> bestI;
}

/**
 * Lower bound of the L1 distance between two vectors from their rows of quantized group sums: a row
 * holds m_g = floor(S_g / a) (u8) for every group g of a partition of the coordinates into groups of at
 * most `a` values, `s` bytes (a multiple of 16, zero padded). Since S = a·m + r with 0 ≤ r < a,
 * |S_p − S_q| ≥ a·|m_p − m_q| − (a − 1) when m_p ≠ m_q, so
 * L1(p, q) ≥ Σ_g |S_p − S_q| ≥ a·Σ|Δm| − (a − 1)·#{g : Δm ≠ 0}.
 */
function groupBound(x: usize, y: usize, s: usize, a: u32): u32 {
  let sad = i16x8.splat(0);
  let nonzero = i16x8.splat(0);
  for (let t: usize = 0; t < s; t += 16) {
    const d = absDiffU8(v128.load(x + t), v128.load(y + t));
    sad = i16x8.add(sad, i16x8.extadd_pairwise_i8x16_u(d));
    // 0xff (-1) where d != 0: subtracting it counts the groups that differ.
    nonzero = i16x8.sub(nonzero, i16x8.extadd_pairwise_i8x16_s(v128.not(i8x16.eq(d, i8x16.splat(0)))));
  }
  const total = hsumU16(sad) * a;
  const slack = hsumU16(nonzero) * (a - 1);
  return total > slack ? total - slack : 0;
}

/**
 * levelBounds touches the rows (their first byte) of TOUCH_BLOCK candidates at a time, one to two blocks
 * ahead of the bounds it computes: a loop of loads alone keeps many cache misses in flight (measured
 * faster than touching a few candidates ahead inside the bound loop), and two blocks of 64-byte rows stay
 * in L2.
 */
const TOUCH_BLOCK: i32 = 1024;

/** Candidates filtered together by the finer levels of l1U8NearestBounded. */
const BOUND_CHUNK: i32 = 16;

/** Bins of the histograms that order and select candidates by bound. */
const SELECT_BINS: i32 = 1024;

/** groupBound of the query row `x` against four data rows at once (their cache misses overlap), to `outPtr`. */
function groupBound4(
  x: usize,
  y0: usize,
  y1: usize,
  y2: usize,
  y3: usize,
  s: usize,
  a: u32,
  outPtr: usize,
): void {
  const zero = i8x16.splat(0);
  let s0 = i16x8.splat(0), s1 = i16x8.splat(0), s2 = i16x8.splat(0), s3 = i16x8.splat(0);
  let n0 = i16x8.splat(0), n1 = i16x8.splat(0), n2 = i16x8.splat(0), n3 = i16x8.splat(0);
  for (let t: usize = 0; t < s; t += 16) {
    const q = v128.load(x + t);
    const d0 = absDiffU8(v128.load(y0 + t), q);
    const d1 = absDiffU8(v128.load(y1 + t), q);
    const d2 = absDiffU8(v128.load(y2 + t), q);
    const d3 = absDiffU8(v128.load(y3 + t), q);
    s0 = i16x8.add(s0, i16x8.extadd_pairwise_i8x16_u(d0));
    s1 = i16x8.add(s1, i16x8.extadd_pairwise_i8x16_u(d1));
    s2 = i16x8.add(s2, i16x8.extadd_pairwise_i8x16_u(d2));
    s3 = i16x8.add(s3, i16x8.extadd_pairwise_i8x16_u(d3));
    // eq(d, 0) is -1 where a group does not differ: n accumulates minus the number of equal groups.
    n0 = i16x8.add(n0, i16x8.extadd_pairwise_i8x16_s(i8x16.eq(d0, zero)));
    n1 = i16x8.add(n1, i16x8.extadd_pairwise_i8x16_s(i8x16.eq(d1, zero)));
    n2 = i16x8.add(n2, i16x8.extadd_pairwise_i8x16_s(i8x16.eq(d2, zero)));
    n3 = i16x8.add(n3, i16x8.extadd_pairwise_i8x16_s(i8x16.eq(d3, zero)));
  }
  // The four rows' sums side by side (a transpose of their lane sums), then the bounds of all four at
  // once: differing groups = bytes + (minus equal groups); padding bytes are equal (0 = 0) in every row.
  const sad = sum4(
    i32x4.extadd_pairwise_i16x8_u(s0),
    i32x4.extadd_pairwise_i16x8_u(s1),
    i32x4.extadd_pairwise_i16x8_u(s2),
    i32x4.extadd_pairwise_i16x8_u(s3),
  );
  const differing = i32x4.add(
    i32x4.splat(<i32> s),
    sum4(
      i32x4.extadd_pairwise_i16x8_s(n0),
      i32x4.extadd_pairwise_i16x8_s(n1),
      i32x4.extadd_pairwise_i16x8_s(n2),
      i32x4.extadd_pairwise_i16x8_s(n3),
    ),
  );
  const bound = i32x4.sub(
    i32x4.mul(sad, i32x4.splat(<i32> a)),
    i32x4.mul(differing, i32x4.splat(<i32> a - 1)),
  );
  v128.store(outPtr, i32x4.max_s(bound, i32x4.splat(0)));
}

/**
 * Touches every cache line of `count` rows (their u32 row indices at list + i·listStride; `bytes` bytes
 * each at data + row·step), so that their cache misses overlap before the rows are read; returns the sum
 * of the bytes touched (stored by the caller so that the loads are kept).
 */
function touchRows(list: usize, count: i32, listStride: usize, data: usize, step: usize, bytes: usize): u32 {
  let touched: u32 = 0;
  for (let e: i32 = 0; e < count; e++) {
    const row = data + <usize> load<u32>(list + <usize> e * listStride) * step;
    for (let t: usize = 0; t + 1 < bytes; t += 64) touched += <u32> load<u8>(row + t);
    touched += <u32> load<u8>(row + bytes - 1);
  }
  return touched;
}

/** The lane sums of four i32x4 vectors: [Σ w0, Σ w1, Σ w2, Σ w3]. */
function sum4(w0: v128, w1: v128, w2: v128, w3: v128): v128 {
  const w01 = i32x4.add(v128.shuffle<i32>(w0, w1, 0, 4, 1, 5), v128.shuffle<i32>(w0, w1, 2, 6, 3, 7));
  const w23 = i32x4.add(v128.shuffle<i32>(w2, w3, 0, 4, 1, 5), v128.shuffle<i32>(w2, w3, 2, 6, 3, 7));
  return i32x4.add(v128.shuffle<i32>(w01, w23, 0, 1, 4, 5), v128.shuffle<i32>(w01, w23, 2, 3, 6, 7));
}

/**
 * Nearest candidate of a uint8 query among rows idx[0..count) (u32 row indices), exact, reading as few
 * rows as possible. Levels (`levelsPtr`: `levels` entries of five u32: query row pointer, data rows
 * pointer, bytes between data rows, bytes per row (a multiple of 16), group size a) hold quantized group
 * sums (see groupBound), coarsest first; each gives a lower bound of the exact distance.
 * 1. The level-0 bound of every candidate goes to `boundsPtr` (u32 each), and the candidates are put in
 *    increasing order of bound, by bins (a counting sort over SELECT_BINS bins of the bounds' range;
 *    `histPtr`: SELECT_BINS zeroed u32, left zeroed; `orderPtr`: count u32).
 * 2. The first `seedCount` (at most 16) in that order are read in full, so the best distance is tight
 *    from the start.
 * 3. The others, in that order, 16 at a time: dropped when a bound (level 0, then the finer levels)
 *    exceeds the best distance so far, else read (abandoned once above it); the walk stops at the first
 *    bin whose bounds all exceed the best distance.
 * A dropped candidate can be neither nearer nor tied, so the result is the exact nearest of all `count`
 * candidates (ties: lowest row index). Writes distance and row to `resultPtr` (u32 each) and returns the
 * number of rows read in full (seeds included). `seedsPtr` is scratch for 20 u32.
 */
export function l1U8NearestBounded(
  qPtr: usize,
  dPtr: usize,
  stride: i32,
  levelsPtr: usize,
  levels: i32,
  idxPtr: usize,
  count: i32,
  seedCount: i32,
  boundsPtr: usize,
  seedsPtr: usize,
  histPtr: usize,
  orderPtr: usize,
  resultPtr: usize,
): i32 {
  const s = <usize> stride;
  const chunk = seedsPtr;
  const scratch = seedsPtr + (<usize> BOUND_CHUNK << 2);
  // 1. Level-0 bounds, then the candidates' positions ordered by bin of bound.
  const touched = levelBounds(levelsPtr, idxPtr, count, boundsPtr, false, scratch);
  store<u32>(resultPtr, touched); // keeps the touching loads
  const binned = binning(boundsPtr, count);
  const low = <u32> (binned >> 32);
  const shift = <u32> (binned & 0xff);
  const bins = count > 0 ? <u32> (binned >> 8) & 0xffffff : 0;
  for (let c: i32 = 0; c < count; c++) {
    const hp = histPtr + (<usize> binOf(load<u32>(boundsPtr + (<usize> c << 2)), low, shift) << 2);
    store<u32>(hp, load<u32>(hp) + 1);
  }
  let total: u32 = 0;
  for (let b: u32 = 0; b < bins; b++) {
    const hp = histPtr + (<usize> b << 2);
    const size = load<u32>(hp);
    store<u32>(hp, total);
    total += size;
  }
  for (let c: i32 = 0; c < count; c++) {
    const hp = histPtr + (<usize> binOf(load<u32>(boundsPtr + (<usize> c << 2)), low, shift) << 2);
    const at = load<u32>(hp);
    store<u32>(orderPtr + (<usize> at << 2), <u32> c);
    store<u32>(hp, at + 1);
  }
  memory.fill(histPtr, 0, <usize> bins << 2);
  // 2. Seeds: the first in bound order, read in full.
  const wanted = seedCount < BOUND_CHUNK ? seedCount : BOUND_CHUNK;
  let j: i32 = 0;
  let live: i32 = 0;
  while (j < count && live < wanted) {
    const c = <usize> load<u32>(orderPtr + (<usize> j << 2));
    store<u32>(chunk + (<usize> live << 2), load<u32>(idxPtr + (c << 2)));
    live++;
    j++;
  }
  let best = nearestOfRows(qPtr, dPtr, s, chunk, live, 0xffffffffffffffff, scratch);
  let bestD = <u32> (best >> 32);
  let read = live;
  // 3. The others in bound order, CHUNK at a time: kept when their level-0 bound is <= the best distance,
  // then each finer level filters the survivors four at a time (their cache misses overlap), then the
  // rest are read.
  while (j < count) {
    live = 0;
    while (j < count && live < BOUND_CHUNK) {
      const c = <usize> load<u32>(orderPtr + (<usize> j << 2));
      const bound = load<u32>(boundsPtr + (c << 2));
      if (bound <= bestD) {
        store<u32>(chunk + (<usize> live << 2), load<u32>(idxPtr + (c << 2)));
        live++;
      } else if (low + (binOf(bound, low, shift) << shift) > bestD) {
        j = count; // this bin and every later one lie above the best distance
        break;
      }
      j++;
    }
    for (let level: i32 = 1; level < levels && live > 0; level++) {
      const lp = levelsPtr + <usize> level * 20;
      const q = <usize> load<u32>(lp);
      const data = <usize> load<u32>(lp, 4);
      const step = <usize> load<u32>(lp, 8);
      const bytes = <usize> load<u32>(lp, 12);
      const a = load<u32>(lp, 16);
      store<u32>(scratch, touchRows(chunk, live, 4, data, step, bytes));
      let kept: i32 = 0;
      let e: i32 = 0;
      for (; e + 4 <= live; e += 4) {
        const cp = chunk + (<usize> e << 2);
        const r0 = load<u32>(cp);
        const r1 = load<u32>(cp, 4);
        const r2 = load<u32>(cp, 8);
        const r3 = load<u32>(cp, 12);
        groupBound4(
          q,
          data + <usize> r0 * step,
          data + <usize> r1 * step,
          data + <usize> r2 * step,
          data + <usize> r3 * step,
          bytes,
          a,
          scratch,
        );
        const b0 = load<u32>(scratch);
        const b1 = load<u32>(scratch, 4);
        const b2 = load<u32>(scratch, 8);
        const b3 = load<u32>(scratch, 12);
        store<u32>(chunk + (<usize> kept << 2), r0);
        kept += <i32> (b0 <= bestD);
        store<u32>(chunk + (<usize> kept << 2), r1);
        kept += <i32> (b1 <= bestD);
        store<u32>(chunk + (<usize> kept << 2), r2);
        kept += <i32> (b2 <= bestD);
        store<u32>(chunk + (<usize> kept << 2), r3);
        kept += <i32> (b3 <= bestD);
      }
      for (; e < live; e++) {
        const row = load<u32>(chunk + (<usize> e << 2));
        store<u32>(chunk + (<usize> kept << 2), row);
        kept += <i32> (groupBound(q, data + <usize> row * step, bytes, a) <= bestD);
      }
      live = kept;
    }
    if (live > 0) {
      store<u32>(scratch, touchRows(chunk, live, 4, dPtr, s, s));
      best = nearestOfRows(qPtr, dPtr, s, chunk, live, best, scratch);
      bestD = <u32> (best >> 32);
      read += live;
    }
  }
  store<u32>(resultPtr, bestD);
  store<u32>(resultPtr, <u32> best, 4);
  return read;
}

/**
 * Bounds of one level (`levelPtr`: its entry of five u32, see l1U8NearestBounded) for candidates
 * idx[0..count) (u32 row indices): to boundsPtr[i], or, when `raise`, boundsPtr[i] = max(boundsPtr[i],
 * bound) (every level's bound is a lower bound). Four candidates at a time, their rows touched first a
 * block at a time (see TOUCH_BLOCK). `scratchPtr` holds 4 u32.
 */
function levelBounds(
  levelPtr: usize,
  idxPtr: usize,
  count: i32,
  boundsPtr: usize,
  raise: bool,
  scratchPtr: usize,
): u32 {
  const q = <usize> load<u32>(levelPtr);
  const data = <usize> load<u32>(levelPtr, 4);
  const step = <usize> load<u32>(levelPtr, 8);
  const bytes = <usize> load<u32>(levelPtr, 12);
  const a = load<u32>(levelPtr, 16);
  let touched: u32 = 0;
  let ahead: i32 = 0; // candidates touched so far
  let i: i32 = 0;
  for (; i + 4 <= count; i += 4) {
    const ip = idxPtr + (<usize> i << 2);
    if (i % TOUCH_BLOCK == 0) {
      const until = min(count, i + 2 * TOUCH_BLOCK);
      for (; ahead < until; ahead++) {
        touched += <u32> load<u8>(data + <usize> load<u32>(idxPtr + (<usize> ahead << 2)) * step);
      }
    }
    groupBound4(
      q,
      data + <usize> load<u32>(ip) * step,
      data + <usize> load<u32>(ip, 4) * step,
      data + <usize> load<u32>(ip, 8) * step,
      data + <usize> load<u32>(ip, 12) * step,
      bytes,
      a,
      scratchPtr,
    );
    const bp = boundsPtr + (<usize> i << 2);
    const b = v128.load(scratchPtr);
    v128.store(bp, raise ? i32x4.max_u(v128.load(bp), b) : b);
  }
  for (; i < count; i++) {
    const bp = boundsPtr + (<usize> i << 2);
    const b = groupBound(q, data + <usize> load<u32>(idxPtr + (<usize> i << 2)) * step, bytes, a);
    store<u32>(bp, raise && load<u32>(bp) > b ? load<u32>(bp) : b);
  }
  return touched;
}

/**
 * How the bounds at `boundsPtr` are binned: bins of 2^shift bound units from the smallest bound `low`,
 * spanning [low, low + 2·(mean − low)] (at most the largest bound), where the small bounds that matter
 * lie; the last of the SELECT_BINS bins also holds every larger bound. Returns low << 32 | (bins in
 * use) << 8 | shift.
 */
function binning(boundsPtr: usize, count: i32): u64 {
  let low: u32 = 0xffffffff;
  let high: u32 = 0;
  let sum: u64 = 0;
  for (let c: i32 = 0; c < count; c++) {
    const b = load<u32>(boundsPtr + (<usize> c << 2));
    if (b < low) low = b;
    if (b > high) high = b;
    sum += <u64> b;
  }
  if (count == 0) return 0;
  const mean = sum / <u64> count;
  const wide = <u64> low + 2 * (mean - <u64> low);
  const top = wide < <u64> high ? <u32> wide : high;
  let shift: u32 = 0;
  while (((top - low) >> shift) >= <u32> SELECT_BINS) shift++;
  const bins = binOf(high, low, shift) + 1;
  return (<u64> low << 32) | (<u64> bins << 8) | <u64> shift;
}

/** The bin of bound `b` (see binning). */
function binOf(b: u32, low: u32, shift: u32): u32 {
  const bin = (b - low) >> shift;
  return bin < <u32> SELECT_BINS - 1 ? bin : <u32> SELECT_BINS - 1;
}

/**
 * Keeps the `keep` candidates of idx[0..count) with the smallest bounds (boundsPtr, u32 each; ties: the
 * earlier position), compacting idx and bounds in place (kept candidates in no particular order);
 * returns how many were kept (min(count, keep)). Selection by a histogram of the bounds (see binning;
 * `histPtr`: SELECT_BINS zeroed u32, left zeroed), the boundary bin sorted exactly; `pairsPtr` holds
 * `count` u64.
 */
function keepSmallest(
  idxPtr: usize,
  boundsPtr: usize,
  count: i32,
  keep: i32,
  histPtr: usize,
  pairsPtr: usize,
): i32 {
  if (count <= keep) return count;
  const binned = binning(boundsPtr, count);
  const low = <u32> (binned >> 32);
  const shift = <u32> (binned & 0xff);
  for (let c: i32 = 0; c < count; c++) {
    const hp = histPtr + (<usize> binOf(load<u32>(boundsPtr + (<usize> c << 2)), low, shift) << 2);
    store<u32>(hp, load<u32>(hp) + 1);
  }
  let below: i32 = 0;
  let boundary: u32 = 0;
  while (below + <i32> load<u32>(histPtr + (<usize> boundary << 2)) < keep) {
    below += <i32> load<u32>(histPtr + (<usize> boundary << 2));
    boundary++;
  }
  memory.fill(histPtr, 0, <usize> SELECT_BINS << 2);
  // Candidates below the boundary bin move to the front; the boundary bin's go to pairsPtr as
  // (bound, position) and the smallest of them fill the rest.
  let kept: i32 = 0;
  let tied: i32 = 0;
  for (let c: i32 = 0; c < count; c++) {
    const b = load<u32>(boundsPtr + (<usize> c << 2));
    const bin = binOf(b, low, shift);
    if (bin < boundary) {
      store<u32>(idxPtr + (<usize> kept << 2), load<u32>(idxPtr + (<usize> c << 2)));
      store<u32>(boundsPtr + (<usize> kept << 2), b);
      kept++;
    } else if (bin == boundary) {
      store<u64>(pairsPtr + (<usize> tied << 3), (<u64> b << 32) | <u64> c);
      tied++;
    }
  }
  // The boundary bin's candidates sorted by (bound, position).
  sortU64(pairsPtr, tied);
  for (let t: i32 = 0; kept < keep; t++) {
    const x = load<u64>(pairsPtr + (<usize> t << 3));
    const c = <usize> <u32> x;
    // kept <= c: the slot written was read already, or is c itself.
    store<u32>(idxPtr + (<usize> kept << 2), load<u32>(idxPtr + (c << 2)));
    store<u32>(boundsPtr + (<usize> kept << 2), <u32> (x >> 32));
    kept++;
  }
  return kept;
}

/** Sorts `count` u64 at `ptr` ascending (heapsort). */
function sortU64(ptr: usize, count: i32): void {
  for (let start = (count >> 1) - 1; start >= 0; start--) siftDownU64(ptr, start, count);
  for (let end = count - 1; end > 0; end--) {
    const top = load<u64>(ptr);
    store<u64>(ptr, load<u64>(ptr + (<usize> end << 3)));
    store<u64>(ptr + (<usize> end << 3), top);
    siftDownU64(ptr, 0, end);
  }
}

function siftDownU64(ptr: usize, root: i32, count: i32): void {
  const x = load<u64>(ptr + (<usize> root << 3));
  let r = root;
  while (true) {
    let child = 2 * r + 1;
    if (child >= count) break;
    if (
      child + 1 < count && load<u64>(ptr + (<usize> (child + 1) << 3)) > load<u64>(ptr + (<usize> child << 3))
    ) {
      child++;
    }
    const y = load<u64>(ptr + (<usize> child << 3));
    if (y <= x) break;
    store<u64>(ptr + (<usize> r << 3), y);
    r = child;
  }
  store<u64>(ptr + (<usize> r << 3), x);
}

/**
 * Nearest candidate of a uint8 query among rows idx[0..count), approximate, reading at most `reads`
 * rows: the level-0 bounds (levels as in l1U8NearestBounded) of all candidates; the `shortlist` with
 * the smallest of them; their bounds raised by every finer level; the `reads` with the smallest bounds
 * read in increasing order of bound (ties: lower row), stopping at the first bound above the best
 * distance so far. With `shortlist` and `reads` ≥ count the result is the exact nearest candidate (ties:
 * lowest row). idx and the bounds at `boundsPtr` are reordered. `histPtr`: SELECT_BINS zeroed u32 (left
 * zeroed); `pairsPtr`: count u64; `scratchPtr`: 24 u32. Writes distance and row to `resultPtr` (u32
 * each; 0xffffffff and 0 when count is 0) and returns the number of rows read.
 */
export function l1U8NearestShortlist(
  qPtr: usize,
  dPtr: usize,
  stride: i32,
  levelsPtr: usize,
  levels: i32,
  idxPtr: usize,
  count: i32,
  keepsPtr: usize,
  boundsPtr: usize,
  histPtr: usize,
  pairsPtr: usize,
  scratchPtr: usize,
  resultPtr: usize,
): i32 {
  const s = <usize> stride;
  let touched: u32 = 0;
  let live = count;
  for (let level: i32 = 0; level < levels; level++) {
    const lp = levelsPtr + <usize> level * 20;
    touched += levelBounds(lp, idxPtr, live, boundsPtr, level > 0, scratchPtr);
    const keep = <i32> load<u32>(keepsPtr + (<usize> level << 2));
    live = keepSmallest(idxPtr, boundsPtr, live, keep, histPtr, pairsPtr);
  }
  store<u32>(resultPtr, touched); // keeps the touching loads
  for (let c: i32 = 0; c < live; c++) {
    store<u64>(
      pairsPtr + (<usize> c << 3),
      (<u64> load<u32>(boundsPtr + (<usize> c << 2)) << 32) | <u64> load<u32>(idxPtr + (<usize> c << 2)),
    );
  }
  sortU64(pairsPtr, live);
  // (the row is the low half of each pair)
  store<u32>(resultPtr, touched + touchRows(pairsPtr, live, 8, dPtr, s, s));
  let best: u64 = 0xffffffffffffffff;
  let bestD: u32 = 0xffffffff;
  let read: i32 = 0;
  const chunk = scratchPtr + 16;
  for (let j: i32 = 0; j < live;) {
    let group: i32 = 0;
    while (j < live && group < 4) {
      const x = load<u64>(pairsPtr + (<usize> j << 3));
      if (<u32> (x >> 32) > bestD) {
        j = live;
        break;
      }
      store<u32>(chunk + (<usize> group << 2), <u32> x);
      group++;
      j++;
    }
    if (group > 0) {
      best = nearestOfRows(qPtr, dPtr, s, chunk, group, best, scratchPtr);
      bestD = <u32> (best >> 32);
      read += group;
    }
  }
  store<u32>(resultPtr, bestD);
  store<u32>(resultPtr, <u32> best, 4);
  return read;
}

/**
 * LSH candidate collection for one query over many buckets: `probesPtr` holds `probeCount` pairs of
 * i32 (table, key); `tablesPtr` holds per table u32 (slot records pointer, slot mask, member list
 * pointer); a slot record is 16 bytes: i32 key, i32 start (-1 = empty slot), u32 end, pad (open
 * addressing with linear probing from hash(key)). Bucket runs are first located for all probes and
 * written to `runsPtr` (per probe: u32 pointer to the run's first member, or 0 when the bucket is empty,
 * and u32 length, also for buckets longer than `maxBucket`, which are not collected), and the first
 * member of every collected run is touched so that their cache misses overlap; then every run up to
 * `maxBucket` members is walked: a row's u8 hit count (saturating at 255) is incremented, and a row
 * seen for the first time is appended to idx after the `first` candidates already there. `runsPtr`
 * needs `probeCount` × 8 + 4 bytes; idx needs room for one entry more than the candidates. Returns the
 * number of distinct candidates in idx.
 */
export function lshCollectAll(
  tablesPtr: usize,
  probesPtr: usize,
  probeCount: i32,
  runsPtr: usize,
  hitsPtr: usize,
  idxPtr: usize,
  maxBucket: u32,
  first: i32,
): i32 {
  // The probes' first directory slots touched first, so that their cache misses overlap.
  let slotsTouched: u32 = 0;
  for (let p: i32 = 0; p < probeCount; p++) {
    const tp = tablesPtr + <usize> load<u32>(probesPtr + (<usize> p << 3)) * 12;
    const slot = (<u32> load<i32>(probesPtr + (<usize> p << 3), 4) * 0x9e3779b1) & load<u32>(tp, 4);
    slotsTouched += load<u32>(<usize> load<u32>(tp) + (<usize> slot << 4));
  }
  store<u32>(runsPtr, slotsTouched); // keeps the touching loads
  for (let p: i32 = 0; p < probeCount; p++) {
    const table = <usize> load<u32>(probesPtr + (<usize> p << 3));
    const key = load<i32>(probesPtr + (<usize> p << 3), 4);
    const tp = tablesPtr + table * 12;
    const slots = <usize> load<u32>(tp);
    const mask = load<u32>(tp, 4);
    let slot = (<u32> key * 0x9e3779b1) & mask;
    let start: i32 = -1;
    let end: u32 = 0;
    while (true) {
      const rp = slots + (<usize> slot << 4);
      start = load<i32>(rp, 4);
      if (start < 0) break;
      if (load<i32>(rp) == key) {
        end = load<u32>(rp, 8);
        break;
      }
      slot = (slot + 1) & mask;
    }
    const list = <usize> load<u32>(tp, 8);
    store<u32>(runsPtr + (<usize> p << 3), start < 0 ? 0 : <u32> (list + (<usize> start << 2)));
    store<u32>(runsPtr + (<usize> p << 3), start < 0 ? 0 : end - <u32> start, 4);
  }
  let touched: u32 = 0;
  for (let p: i32 = 0; p < probeCount; p++) {
    const run = <usize> load<u32>(runsPtr + (<usize> p << 3));
    const length = load<u32>(runsPtr + (<usize> p << 3), 4);
    if (run != 0 && length <= maxBucket) touched += <u32> load<u8>(hitsPtr + <usize> load<u32>(run));
  }
  store<u32>(runsPtr + (<usize> probeCount << 3), touched); // keeps the touching loads
  let c: i32 = first;
  for (let p: i32 = 0; p < probeCount; p++) {
    const run = <usize> load<u32>(runsPtr + (<usize> p << 3));
    const length = load<u32>(runsPtr + (<usize> p << 3), 4);
    if (length > maxBucket) continue;
    for (let q: u32 = 0; q < length; q++) {
      const row = load<u32>(run + (<usize> q << 2));
      const hp = hitsPtr + <usize> row;
      const h = <u32> load<u8>(hp);
      store<u32>(idxPtr + (<usize> c << 2), row);
      c += <i32> (h == 0);
      store<u8>(hp, <u8> (h + <u32> (h != 0xff)));
    }
  }
  return c;
}
