// AssemblyScript source of the L1 (Manhattan) distance kernels on rows of uint8 pixels or int16
// latent values. Built by lib/simd/build.ts into lib/simd/_l1_wasm.ts (base64). Memory is imported
// (shared), so one compiled module serves every Worker; the caller owns the layout. Rows are stored with
// a stride that is a multiple of 16 bytes and zero padding, so there is no tail loop (padding zeros add
// nothing to sums or minima).
//
// Block kernels use L1(a, b) = sum(a) + sum(b) - 2 * sum(min(a, b)) (exact for integers since
// |a - b| = a + b - 2 min(a, b)); the row sums are computed once per row (rowSumsU8/rowSumsI16), so the
// inner loop is one min, one pairwise widening add and one add per 16 bytes and pair, instead of five
// operations for |a - b|. All arithmetic is exact modulo 2^32 and the true distance is < 2^32
// (784 x 255 for pixels; 200 x 25500, or any int16 data up to 65,537 dims), so results are exact.
// uint8: minima are added pairwise into u16 lanes, widened to u32 every U8_CHUNK (2048) bytes.
// int16: minima (signed) are added pairwise into i32 lanes.
// Query blocks of 4 x data rows in pairs share every load; the data range is walked in tiles of
// ~128 KiB so that a tile stays in L2 while every query block of the call passes over it.
//
// One generic source for both element types: every kernel below takes the element type T (u8 or i16)
// as a type argument, and what depends on it goes through the four functions under "Element type".
// `sizeof<T>()` is a compile-time constant, so each instance (the exports at the end name them) keeps
// only its own branch: the same code as a hand-written copy per type.

import { hsumU16, hsumU32, U8_CHUNK } from "./v128";

const TILE_BYTES: i32 = 131072;

function tileRows(stride: i32): i32 {
  const rows = TILE_BYTES / stride;
  return rows < 2 ? 2 : rows & ~1;
}

// Element type.

/** acc + the pairwise sums of min(x, y): u16 lanes for u8 rows, i32 lanes (signed minima) for i16. */
function addMin<T>(acc: v128, x: v128, y: v128): v128 {
  if (sizeof<T>() == 1) return i16x8.add(acc, i16x8.extadd_pairwise_i8x16_u(i8x16.min_u(x, y)));
  return i32x4.add(acc, i32x4.extadd_pairwise_i16x8_s(i16x8.min_s(x, y)));
}

/** acc + the pairwise sums of the values of x (lanes as in addMin). */
function addValues<T>(acc: v128, x: v128): v128 {
  if (sizeof<T>() == 1) return i16x8.add(acc, i16x8.extadd_pairwise_i8x16_u(x));
  return i32x4.add(acc, i32x4.extadd_pairwise_i16x8_s(x));
}

/** Sum of an accumulator's lanes (u32, modulo 2^32). */
function laneSum<T>(acc: v128): u32 {
  if (sizeof<T>() == 1) return hsumU16(acc);
  return hsumU32(acc);
}

/** Bytes accumulated before laneSum: U8_CHUNK for u8 (u16 lanes), the whole row `s` for i16 (i32 lanes). */
function chunkOf<T>(s: usize): usize {
  return sizeof<T>() == 1 ? U8_CHUNK : s;
}

/** Rows of T: out[i] = sum of row i (u32, modulo 2^32 for i16) for i < count. */
function rowSums<T>(ptr: usize, count: i32, stride: i32, outPtr: usize): void {
  const s = <usize> stride;
  const chunk = chunkOf<T>(s);
  for (let i: i32 = 0; i < count; i++) {
    const d = ptr + <usize> i * s;
    let total: u32 = 0;
    for (let c: usize = 0; c < s; c += chunk) {
      const end = c + chunk < s ? c + chunk : s;
      let a = v128.splat<i32>(0);
      for (let t = c; t < end; t += 16) a = addValues<T>(a, v128.load(d + t));
      total += laneSum<T>(a);
    }
    store<u32>(outPtr + (<usize> i << 2), total);
  }
}

// Block kernels: 4 or 1 queries against 2 or 1 data rows, writing every distance (blockQxD) or keeping
// each query's nearest row (blockQxDMin). Accumulators start at all-zero lanes (v128.splat<i32>(0): the
// same bits for any lane type).

function block4x2<T>(qPtr: usize, dPtr: usize, s: usize, o: usize, os: usize, qs: usize, ds: usize): void {
  const sq0 = load<u32>(qs, 0);
  const sq1 = load<u32>(qs, 4);
  const sq2 = load<u32>(qs, 8);
  const sq3 = load<u32>(qs, 12);
  const sd0 = load<u32>(ds, 0);
  const sd1 = load<u32>(ds, 4);
  let t00: u32 = 0;
  let t01: u32 = 0;
  let t10: u32 = 0;
  let t11: u32 = 0;
  let t20: u32 = 0;
  let t21: u32 = 0;
  let t30: u32 = 0;
  let t31: u32 = 0;
  const chunk = chunkOf<T>(s);
  for (let c: usize = 0; c < s; c += chunk) {
    const end = c + chunk < s ? c + chunk : s;
    let a00 = v128.splat<i32>(0);
    let a01 = v128.splat<i32>(0);
    let a10 = v128.splat<i32>(0);
    let a11 = v128.splat<i32>(0);
    let a20 = v128.splat<i32>(0);
    let a21 = v128.splat<i32>(0);
    let a30 = v128.splat<i32>(0);
    let a31 = v128.splat<i32>(0);
    for (let t = c; t < end; t += 16) {
      const x0 = v128.load(dPtr + t);
      const x1 = v128.load(dPtr + t + 1 * s);
      const y0 = v128.load(qPtr + t);
      a00 = addMin<T>(a00, x0, y0);
      a01 = addMin<T>(a01, x1, y0);
      const y1 = v128.load(qPtr + t + 1 * s);
      a10 = addMin<T>(a10, x0, y1);
      a11 = addMin<T>(a11, x1, y1);
      const y2 = v128.load(qPtr + t + 2 * s);
      a20 = addMin<T>(a20, x0, y2);
      a21 = addMin<T>(a21, x1, y2);
      const y3 = v128.load(qPtr + t + 3 * s);
      a30 = addMin<T>(a30, x0, y3);
      a31 = addMin<T>(a31, x1, y3);
    }
    t00 += laneSum<T>(a00);
    t01 += laneSum<T>(a01);
    t10 += laneSum<T>(a10);
    t11 += laneSum<T>(a11);
    t20 += laneSum<T>(a20);
    t21 += laneSum<T>(a21);
    t30 += laneSum<T>(a30);
    t31 += laneSum<T>(a31);
  }
  store<u32>(o, sq0 + sd0 - 2 * t00);
  store<u32>(o, sq0 + sd1 - 2 * t01, 4);
  store<u32>(o + 1 * os, sq1 + sd0 - 2 * t10);
  store<u32>(o + 1 * os, sq1 + sd1 - 2 * t11, 4);
  store<u32>(o + 2 * os, sq2 + sd0 - 2 * t20);
  store<u32>(o + 2 * os, sq2 + sd1 - 2 * t21, 4);
  store<u32>(o + 3 * os, sq3 + sd0 - 2 * t30);
  store<u32>(o + 3 * os, sq3 + sd1 - 2 * t31, 4);
}

function block4x1<T>(qPtr: usize, dPtr: usize, s: usize, o: usize, os: usize, qs: usize, ds: usize): void {
  const sq0 = load<u32>(qs, 0);
  const sq1 = load<u32>(qs, 4);
  const sq2 = load<u32>(qs, 8);
  const sq3 = load<u32>(qs, 12);
  const sd0 = load<u32>(ds, 0);
  let t00: u32 = 0;
  let t10: u32 = 0;
  let t20: u32 = 0;
  let t30: u32 = 0;
  const chunk = chunkOf<T>(s);
  for (let c: usize = 0; c < s; c += chunk) {
    const end = c + chunk < s ? c + chunk : s;
    let a00 = v128.splat<i32>(0);
    let a10 = v128.splat<i32>(0);
    let a20 = v128.splat<i32>(0);
    let a30 = v128.splat<i32>(0);
    for (let t = c; t < end; t += 16) {
      const x0 = v128.load(dPtr + t);
      const y0 = v128.load(qPtr + t);
      a00 = addMin<T>(a00, x0, y0);
      const y1 = v128.load(qPtr + t + 1 * s);
      a10 = addMin<T>(a10, x0, y1);
      const y2 = v128.load(qPtr + t + 2 * s);
      a20 = addMin<T>(a20, x0, y2);
      const y3 = v128.load(qPtr + t + 3 * s);
      a30 = addMin<T>(a30, x0, y3);
    }
    t00 += laneSum<T>(a00);
    t10 += laneSum<T>(a10);
    t20 += laneSum<T>(a20);
    t30 += laneSum<T>(a30);
  }
  store<u32>(o, sq0 + sd0 - 2 * t00);
  store<u32>(o + 1 * os, sq1 + sd0 - 2 * t10);
  store<u32>(o + 2 * os, sq2 + sd0 - 2 * t20);
  store<u32>(o + 3 * os, sq3 + sd0 - 2 * t30);
}

function block1x2<T>(qPtr: usize, dPtr: usize, s: usize, o: usize, _os: usize, qs: usize, ds: usize): void {
  const sq0 = load<u32>(qs, 0);
  const sd0 = load<u32>(ds, 0);
  const sd1 = load<u32>(ds, 4);
  let t00: u32 = 0;
  let t01: u32 = 0;
  const chunk = chunkOf<T>(s);
  for (let c: usize = 0; c < s; c += chunk) {
    const end = c + chunk < s ? c + chunk : s;
    let a00 = v128.splat<i32>(0);
    let a01 = v128.splat<i32>(0);
    for (let t = c; t < end; t += 16) {
      const x0 = v128.load(dPtr + t);
      const x1 = v128.load(dPtr + t + 1 * s);
      const y0 = v128.load(qPtr + t);
      a00 = addMin<T>(a00, x0, y0);
      a01 = addMin<T>(a01, x1, y0);
    }
    t00 += laneSum<T>(a00);
    t01 += laneSum<T>(a01);
  }
  store<u32>(o, sq0 + sd0 - 2 * t00);
  store<u32>(o, sq0 + sd1 - 2 * t01, 4);
}

function block1x1<T>(qPtr: usize, dPtr: usize, s: usize, o: usize, _os: usize, qs: usize, ds: usize): void {
  const sq0 = load<u32>(qs, 0);
  const sd0 = load<u32>(ds, 0);
  let t00: u32 = 0;
  const chunk = chunkOf<T>(s);
  for (let c: usize = 0; c < s; c += chunk) {
    const end = c + chunk < s ? c + chunk : s;
    let a00 = v128.splat<i32>(0);
    for (let t = c; t < end; t += 16) {
      const x0 = v128.load(dPtr + t);
      const y0 = v128.load(qPtr + t);
      a00 = addMin<T>(a00, x0, y0);
    }
    t00 += laneSum<T>(a00);
  }
  store<u32>(o, sq0 + sd0 - 2 * t00);
}

/**
 * Rows of T: out[q * outStride + j] = L1(query q, data row j) for q < nq, j < nd (u32). `stride` is
 * the row length in bytes (a multiple of 16, zero padded); `qSumPtr`/`dSumPtr` hold the u32 row sums
 * of the queries and of the data rows (see rowSums).
 */
function l1Block<T>(
  qPtr: usize,
  nq: i32,
  dPtr: usize,
  nd: i32,
  stride: i32,
  outPtr: usize,
  outStride: i32,
  qSumPtr: usize,
  dSumPtr: usize,
): void {
  const tile = tileRows(stride);
  const s = <usize> stride;
  const os = (<usize> outStride) << 2;
  for (let j0: i32 = 0; j0 < nd; j0 += tile) {
    const j1 = j0 + tile < nd ? j0 + tile : nd;
    let q: i32 = 0;
    for (; q + 4 <= nq; q += 4) {
      const qp = qPtr + <usize> q * s;
      const qs = qSumPtr + (<usize> q << 2);
      const ob = outPtr + <usize> q * os;
      let j = j0;
      for (; j + 2 <= j1; j += 2) {
        block4x2<T>(qp, dPtr + <usize> j * s, s, ob + (<usize> j << 2), os, qs, dSumPtr + (<usize> j << 2));
      }
      if (j < j1) {
        block4x1<T>(qp, dPtr + <usize> j * s, s, ob + (<usize> j << 2), os, qs, dSumPtr + (<usize> j << 2));
      }
    }
    for (; q < nq; q++) {
      const qp = qPtr + <usize> q * s;
      const qs = qSumPtr + (<usize> q << 2);
      const ob = outPtr + <usize> q * os;
      let j = j0;
      for (; j + 2 <= j1; j += 2) {
        block1x2<T>(qp, dPtr + <usize> j * s, s, ob + (<usize> j << 2), os, qs, dSumPtr + (<usize> j << 2));
      }
      if (j < j1) {
        block1x1<T>(qp, dPtr + <usize> j * s, s, ob + (<usize> j << 2), os, qs, dSumPtr + (<usize> j << 2));
      }
    }
  }
}

function block4x2Min<T>(qPtr: usize, dPtr: usize, s: usize, best: usize, j: u32, qs: usize, ds: usize): void {
  const sq0 = load<u32>(qs, 0);
  const sq1 = load<u32>(qs, 4);
  const sq2 = load<u32>(qs, 8);
  const sq3 = load<u32>(qs, 12);
  const sd0 = load<u32>(ds, 0);
  const sd1 = load<u32>(ds, 4);
  let t00: u32 = 0;
  let t01: u32 = 0;
  let t10: u32 = 0;
  let t11: u32 = 0;
  let t20: u32 = 0;
  let t21: u32 = 0;
  let t30: u32 = 0;
  let t31: u32 = 0;
  const chunk = chunkOf<T>(s);
  for (let c: usize = 0; c < s; c += chunk) {
    const end = c + chunk < s ? c + chunk : s;
    let a00 = v128.splat<i32>(0);
    let a01 = v128.splat<i32>(0);
    let a10 = v128.splat<i32>(0);
    let a11 = v128.splat<i32>(0);
    let a20 = v128.splat<i32>(0);
    let a21 = v128.splat<i32>(0);
    let a30 = v128.splat<i32>(0);
    let a31 = v128.splat<i32>(0);
    for (let t = c; t < end; t += 16) {
      const x0 = v128.load(dPtr + t);
      const x1 = v128.load(dPtr + t + 1 * s);
      const y0 = v128.load(qPtr + t);
      a00 = addMin<T>(a00, x0, y0);
      a01 = addMin<T>(a01, x1, y0);
      const y1 = v128.load(qPtr + t + 1 * s);
      a10 = addMin<T>(a10, x0, y1);
      a11 = addMin<T>(a11, x1, y1);
      const y2 = v128.load(qPtr + t + 2 * s);
      a20 = addMin<T>(a20, x0, y2);
      a21 = addMin<T>(a21, x1, y2);
      const y3 = v128.load(qPtr + t + 3 * s);
      a30 = addMin<T>(a30, x0, y3);
      a31 = addMin<T>(a31, x1, y3);
    }
    t00 += laneSum<T>(a00);
    t01 += laneSum<T>(a01);
    t10 += laneSum<T>(a10);
    t11 += laneSum<T>(a11);
    t20 += laneSum<T>(a20);
    t21 += laneSum<T>(a21);
    t30 += laneSum<T>(a30);
    t31 += laneSum<T>(a31);
  }
  const d00: u32 = sq0 + sd0 - 2 * t00;
  if (d00 < load<u32>(best, 0)) {
    store<u32>(best, d00, 0);
    store<u32>(best, j + 0, 4);
  }
  const d01: u32 = sq0 + sd1 - 2 * t01;
  if (d01 < load<u32>(best, 0)) {
    store<u32>(best, d01, 0);
    store<u32>(best, j + 1, 4);
  }
  const d10: u32 = sq1 + sd0 - 2 * t10;
  if (d10 < load<u32>(best, 8)) {
    store<u32>(best, d10, 8);
    store<u32>(best, j + 0, 12);
  }
  const d11: u32 = sq1 + sd1 - 2 * t11;
  if (d11 < load<u32>(best, 8)) {
    store<u32>(best, d11, 8);
    store<u32>(best, j + 1, 12);
  }
  const d20: u32 = sq2 + sd0 - 2 * t20;
  if (d20 < load<u32>(best, 16)) {
    store<u32>(best, d20, 16);
    store<u32>(best, j + 0, 20);
  }
  const d21: u32 = sq2 + sd1 - 2 * t21;
  if (d21 < load<u32>(best, 16)) {
    store<u32>(best, d21, 16);
    store<u32>(best, j + 1, 20);
  }
  const d30: u32 = sq3 + sd0 - 2 * t30;
  if (d30 < load<u32>(best, 24)) {
    store<u32>(best, d30, 24);
    store<u32>(best, j + 0, 28);
  }
  const d31: u32 = sq3 + sd1 - 2 * t31;
  if (d31 < load<u32>(best, 24)) {
    store<u32>(best, d31, 24);
    store<u32>(best, j + 1, 28);
  }
}

function block4x1Min<T>(qPtr: usize, dPtr: usize, s: usize, best: usize, j: u32, qs: usize, ds: usize): void {
  const sq0 = load<u32>(qs, 0);
  const sq1 = load<u32>(qs, 4);
  const sq2 = load<u32>(qs, 8);
  const sq3 = load<u32>(qs, 12);
  const sd0 = load<u32>(ds, 0);
  let t00: u32 = 0;
  let t10: u32 = 0;
  let t20: u32 = 0;
  let t30: u32 = 0;
  const chunk = chunkOf<T>(s);
  for (let c: usize = 0; c < s; c += chunk) {
    const end = c + chunk < s ? c + chunk : s;
    let a00 = v128.splat<i32>(0);
    let a10 = v128.splat<i32>(0);
    let a20 = v128.splat<i32>(0);
    let a30 = v128.splat<i32>(0);
    for (let t = c; t < end; t += 16) {
      const x0 = v128.load(dPtr + t);
      const y0 = v128.load(qPtr + t);
      a00 = addMin<T>(a00, x0, y0);
      const y1 = v128.load(qPtr + t + 1 * s);
      a10 = addMin<T>(a10, x0, y1);
      const y2 = v128.load(qPtr + t + 2 * s);
      a20 = addMin<T>(a20, x0, y2);
      const y3 = v128.load(qPtr + t + 3 * s);
      a30 = addMin<T>(a30, x0, y3);
    }
    t00 += laneSum<T>(a00);
    t10 += laneSum<T>(a10);
    t20 += laneSum<T>(a20);
    t30 += laneSum<T>(a30);
  }
  const d00: u32 = sq0 + sd0 - 2 * t00;
  if (d00 < load<u32>(best, 0)) {
    store<u32>(best, d00, 0);
    store<u32>(best, j + 0, 4);
  }
  const d10: u32 = sq1 + sd0 - 2 * t10;
  if (d10 < load<u32>(best, 8)) {
    store<u32>(best, d10, 8);
    store<u32>(best, j + 0, 12);
  }
  const d20: u32 = sq2 + sd0 - 2 * t20;
  if (d20 < load<u32>(best, 16)) {
    store<u32>(best, d20, 16);
    store<u32>(best, j + 0, 20);
  }
  const d30: u32 = sq3 + sd0 - 2 * t30;
  if (d30 < load<u32>(best, 24)) {
    store<u32>(best, d30, 24);
    store<u32>(best, j + 0, 28);
  }
}

function block1x2Min<T>(qPtr: usize, dPtr: usize, s: usize, best: usize, j: u32, qs: usize, ds: usize): void {
  const sq0 = load<u32>(qs, 0);
  const sd0 = load<u32>(ds, 0);
  const sd1 = load<u32>(ds, 4);
  let t00: u32 = 0;
  let t01: u32 = 0;
  const chunk = chunkOf<T>(s);
  for (let c: usize = 0; c < s; c += chunk) {
    const end = c + chunk < s ? c + chunk : s;
    let a00 = v128.splat<i32>(0);
    let a01 = v128.splat<i32>(0);
    for (let t = c; t < end; t += 16) {
      const x0 = v128.load(dPtr + t);
      const x1 = v128.load(dPtr + t + 1 * s);
      const y0 = v128.load(qPtr + t);
      a00 = addMin<T>(a00, x0, y0);
      a01 = addMin<T>(a01, x1, y0);
    }
    t00 += laneSum<T>(a00);
    t01 += laneSum<T>(a01);
  }
  const d00: u32 = sq0 + sd0 - 2 * t00;
  if (d00 < load<u32>(best, 0)) {
    store<u32>(best, d00, 0);
    store<u32>(best, j + 0, 4);
  }
  const d01: u32 = sq0 + sd1 - 2 * t01;
  if (d01 < load<u32>(best, 0)) {
    store<u32>(best, d01, 0);
    store<u32>(best, j + 1, 4);
  }
}

function block1x1Min<T>(qPtr: usize, dPtr: usize, s: usize, best: usize, j: u32, qs: usize, ds: usize): void {
  const sq0 = load<u32>(qs, 0);
  const sd0 = load<u32>(ds, 0);
  let t00: u32 = 0;
  const chunk = chunkOf<T>(s);
  for (let c: usize = 0; c < s; c += chunk) {
    const end = c + chunk < s ? c + chunk : s;
    let a00 = v128.splat<i32>(0);
    for (let t = c; t < end; t += 16) {
      const x0 = v128.load(dPtr + t);
      const y0 = v128.load(qPtr + t);
      a00 = addMin<T>(a00, x0, y0);
    }
    t00 += laneSum<T>(a00);
  }
  const d00: u32 = sq0 + sd0 - 2 * t00;
  if (d00 < load<u32>(best, 0)) {
    store<u32>(best, d00, 0);
    store<u32>(best, j + 0, 4);
  }
}

/**
 * Rows of T, nearest only: for every query q < nq, best[2q] / best[2q + 1] (u32 distance / index)
 * become the smallest L1 distance to data rows j < nd and its index `firstIndex + j` when it is smaller
 * than the stored one (ties keep the stored, lower index). The caller initialises best to 0xffffffff.
 */
function l1Nearest<T>(
  qPtr: usize,
  nq: i32,
  dPtr: usize,
  nd: i32,
  stride: i32,
  qSumPtr: usize,
  dSumPtr: usize,
  firstIndex: u32,
  bestPtr: usize,
): void {
  const tile = tileRows(stride);
  const s = <usize> stride;
  for (let j0: i32 = 0; j0 < nd; j0 += tile) {
    const j1 = j0 + tile < nd ? j0 + tile : nd;
    let q: i32 = 0;
    for (; q + 4 <= nq; q += 4) {
      const qp = qPtr + <usize> q * s;
      const qs = qSumPtr + (<usize> q << 2);
      const bp = bestPtr + (<usize> q << 3);
      let j = j0;
      for (; j + 2 <= j1; j += 2) {
        block4x2Min<T>(qp, dPtr + <usize> j * s, s, bp, firstIndex + <u32> j, qs, dSumPtr + (<usize> j << 2));
      }
      if (j < j1) {
        block4x1Min<T>(qp, dPtr + <usize> j * s, s, bp, firstIndex + <u32> j, qs, dSumPtr + (<usize> j << 2));
      }
    }
    for (; q < nq; q++) {
      const qp = qPtr + <usize> q * s;
      const qs = qSumPtr + (<usize> q << 2);
      const bp = bestPtr + (<usize> q << 3);
      let j = j0;
      for (; j + 2 <= j1; j += 2) {
        block1x2Min<T>(qp, dPtr + <usize> j * s, s, bp, firstIndex + <u32> j, qs, dSumPtr + (<usize> j << 2));
      }
      if (j < j1) {
        block1x1Min<T>(qp, dPtr + <usize> j * s, s, bp, firstIndex + <u32> j, qs, dSumPtr + (<usize> j << 2));
      }
    }
  }
}

// The module's exports: the kernels instantiated for uint8 pixels and int16 latent values.

/** uint8 rows: out[i] = sum of row i (u32) for i < count. */
export function rowSumsU8(ptr: usize, count: i32, stride: i32, outPtr: usize): void {
  rowSums<u8>(ptr, count, stride, outPtr);
}

/** int16 rows: out[i] = sum of row i (as u32, modulo 2^32) for i < count. */
export function rowSumsI16(ptr: usize, count: i32, stride: i32, outPtr: usize): void {
  rowSums<i16>(ptr, count, stride, outPtr);
}

/** uint8 rows: every distance (see l1Block). */
export function l1U8(
  qPtr: usize,
  nq: i32,
  dPtr: usize,
  nd: i32,
  stride: i32,
  outPtr: usize,
  outStride: i32,
  qSumPtr: usize,
  dSumPtr: usize,
): void {
  l1Block<u8>(qPtr, nq, dPtr, nd, stride, outPtr, outStride, qSumPtr, dSumPtr);
}

/** int16 rows: every distance (see l1Block). */
export function l1I16(
  qPtr: usize,
  nq: i32,
  dPtr: usize,
  nd: i32,
  stride: i32,
  outPtr: usize,
  outStride: i32,
  qSumPtr: usize,
  dSumPtr: usize,
): void {
  l1Block<i16>(qPtr, nq, dPtr, nd, stride, outPtr, outStride, qSumPtr, dSumPtr);
}

/** uint8 rows: each query's nearest row (see l1Nearest). */
export function l1U8Min(
  qPtr: usize,
  nq: i32,
  dPtr: usize,
  nd: i32,
  stride: i32,
  qSumPtr: usize,
  dSumPtr: usize,
  firstIndex: u32,
  bestPtr: usize,
): void {
  l1Nearest<u8>(qPtr, nq, dPtr, nd, stride, qSumPtr, dSumPtr, firstIndex, bestPtr);
}

/** int16 rows: each query's nearest row (see l1Nearest). */
export function l1I16Min(
  qPtr: usize,
  nq: i32,
  dPtr: usize,
  nd: i32,
  stride: i32,
  qSumPtr: usize,
  dSumPtr: usize,
  firstIndex: u32,
  bestPtr: usize,
): void {
  l1Nearest<i16>(qPtr, nq, dPtr, nd, stride, qSumPtr, dSumPtr, firstIndex, bestPtr);
}
