// AssemblyScript source of latentlab's SIMD helper kernels for the tfjs wasm backend (the `.as`
// extension keeps Deno's linter and type checker away from it). Built into `../_simd_wasm.ts` by the
// project's one WebAssembly pipeline, `deno run -A lib/simd/build.ts`. The module imports the tfjs-wasm
// memory: every pointer is a byte offset of a tensor on the tfjs heap. No static data, no allocation:
// nothing is written outside the output regions passed in.

// out[k] = sum over r of src[r * c + k] (float32 in and out; float32 blocks of 32 rows are folded
// into float64 accumulators at `scratch`, c float64 values).
export function sumRows(src: usize, rows: i32, c: i32, scratch: usize, out: usize): void {
  for (let k = 0; k < c; k++) store<f64>(scratch + (<usize>k << 3), 0.0);
  const c4 = c & ~3;
  const rowBytes = <usize>c << 2;
  for (let r0 = 0; r0 < rows; r0 += 32) {
    const r1 = min(r0 + 32, rows);
    memory.fill(out, 0, rowBytes);
    for (let r = r0; r < r1; r++) {
      const row = src + <usize>r * rowBytes;
      let k = 0;
      for (; k < c4; k += 4) {
        const at = out + (<usize>k << 2);
        v128.store(at, f32x4.add(v128.load(at), v128.load(row + (<usize>k << 2))));
      }
      for (; k < c; k++) {
        const at = out + (<usize>k << 2);
        store<f32>(at, load<f32>(at) + load<f32>(row + (<usize>k << 2)));
      }
    }
    for (let k = 0; k < c; k++) {
      const at = scratch + (<usize>k << 3);
      store<f64>(at, load<f64>(at) + <f64>load<f32>(out + (<usize>k << 2)));
    }
  }
  for (let k = 0; k < c; k++) store<f32>(out + (<usize>k << 2), <f32>load<f64>(scratch + (<usize>k << 3)));
}

// Max-pool gradient, NHWC, dilation 1: each window's dy goes to its first maximum (row-major order,
// strict >), summed where windows overlap; dx is zeroed first.
export function maxPoolGrad(
  x: usize, dy: usize, dx: usize,
  n: i32, h: i32, w: i32, c: i32, oh: i32, ow: i32,
  fh: i32, fw: i32, sh: i32, sw: i32, top: i32, left: i32,
): void {
  memory.fill(dx, 0, <usize>n * <usize>h * <usize>w * <usize>c << 2);
  const c4 = c & ~3;
  const lanes = i32x4(0, 1, 2, 3);
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < oh; i++) {
      const y0 = max(i * sh - top, 0);
      const y1 = min(i * sh - top + fh, h);
      for (let j = 0; j < ow; j++) {
        const x0 = max(j * sw - left, 0);
        const x1 = min(j * sw - left + fw, w);
        const g = dy + ((<usize>((b * oh + i) * ow + j) * <usize>c) << 2);
        let k = 0;
        for (; k < c4; k += 4) {
          let best = f32x4.splat(-Infinity);
          let where = i32x4.splat(-1);
          for (let y = y0; y < y1; y++) {
            for (let xx = x0; xx < x1; xx++) {
              const index = ((b * h + y) * w + xx) * c + k;
              const v = v128.load(x + (<usize>index << 2));
              const better = f32x4.gt(v, best);
              best = v128.bitselect(v, best, better);
              where = v128.bitselect(i32x4.add(i32x4.splat(index), lanes), where, better);
            }
          }
          const g4 = v128.load(g + (<usize>k << 2));
          addAt(dx, i32x4.extract_lane(where, 0), f32x4.extract_lane(g4, 0));
          addAt(dx, i32x4.extract_lane(where, 1), f32x4.extract_lane(g4, 1));
          addAt(dx, i32x4.extract_lane(where, 2), f32x4.extract_lane(g4, 2));
          addAt(dx, i32x4.extract_lane(where, 3), f32x4.extract_lane(g4, 3));
        }
        for (; k < c; k++) {
          let best: f32 = -Infinity;
          let where = -1;
          for (let y = y0; y < y1; y++) {
            for (let xx = x0; xx < x1; xx++) {
              const index = ((b * h + y) * w + xx) * c + k;
              const v = load<f32>(x + (<usize>index << 2));
              if (v > best) {
                best = v;
                where = index;
              }
            }
          }
          addAt(dx, where, load<f32>(g + (<usize>k << 2)));
        }
      }
    }
  }
}

// @ts-ignore: decorator
@inline function addAt(base: usize, index: i32, value: f32): void {
  if (index >= 0) {
    const at = base + (<usize>index << 2);
    store<f32>(at, load<f32>(at) + value);
  }
}

// col2im scatter-add for conv2d's input gradient: cols [n, oh, ow, kh, kw, ci] into dx [n, h, w, ci]
// (dx zeroed first).
export function col2im(
  cols: usize, dx: usize,
  n: i32, h: i32, w: i32, ci: i32, oh: i32, ow: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, top: i32, left: i32,
): void {
  memory.fill(dx, 0, <usize>n * <usize>h * <usize>w * <usize>ci << 2);
  const c4 = ci & ~3;
  const k = kh * kw * ci;
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < oh; i++) {
      for (let ky = 0; ky < kh; ky++) {
        const y = i * sh - top + ky;
        if (y < 0 || y >= h) continue;
        for (let j = 0; j < ow; j++) {
          const rowBase = ((b * oh + i) * ow + j) * k + ky * kw * ci;
          for (let kx = 0; kx < kw; kx++) {
            const xx = j * sw - left + kx;
            if (xx < 0 || xx >= w) continue;
            const s = cols + (<usize>(rowBase + kx * ci) << 2);
            const d = dx + (<usize>(((b * h + y) * w + xx) * ci) << 2);
            let c = 0;
            for (; c < c4; c += 4) {
              const at = d + (<usize>c << 2);
              v128.store(at, f32x4.add(v128.load(at), v128.load(s + (<usize>c << 2))));
            }
            for (; c < ci; c++) {
              const at = d + (<usize>c << 2);
              store<f32>(at, load<f32>(at) + load<f32>(s + (<usize>c << 2)));
            }
          }
        }
      }
    }
  }
}

// Transposed im2col for conv2d's filter gradient: colsT [kh * kw * ci, n * oh * ow] gathered from
// x [n, h, w, ci] (zeros where the window leaves the padded input). Runs of 4 output pixels whose
// taps are all inside the input move 4 channels × 4 pixels at a time through a 4×4 register
// transpose; the rest is scalar.
export function im2colT(
  x: usize, colsT: usize,
  n: i32, h: i32, w: i32, ci: i32, oh: i32, ow: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, top: i32, left: i32,
): void {
  const m = <usize>n * <usize>oh * <usize>ow;
  const rowStride = m << 2;
  const c4 = ci & ~3;
  const pixelBytes = <usize>ci << 2;
  const stepBytes = <usize>sw * pixelBytes;
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < oh; i++) {
      const rowStart = <usize>((b * oh + i) * ow);
      for (let ky = 0; ky < kh; ky++) {
        const y = i * sh - top + ky;
        const inY = y >= 0 && y < h;
        for (let kx = 0; kx < kw; kx++) {
          const tapRow = colsT + ((<usize>((ky * kw + kx) * ci) * m) << 2);
          let j = 0;
          if (inY && c4 > 0) {
            // First and last j with the whole run of 4 pixels inside the input.
            for (; j + 3 < ow; j += 4) {
              const x0 = j * sw - left + kx;
              if (x0 < 0) {
                scalarPixel(x, tapRow, rowStride, rowStart + <usize>j, b, y, x0, h, w, ci, true);
                j -= 3;
                continue;
              }
              if (x0 + 3 * sw >= w) break;
              const src = x + (<usize>(((b * h + y) * w + x0) * ci) << 2);
              let d = tapRow + ((rowStart + <usize>j) << 2);
              let c = 0;
              for (; c < c4; c += 4, d += rowStride << 2) {
                const at = src + (<usize>c << 2);
                const v0 = v128.load(at);
                const v1 = v128.load(at + stepBytes);
                const v2 = v128.load(at + 2 * stepBytes);
                const v3 = v128.load(at + 3 * stepBytes);
                const a0 = v128.shuffle<f32>(v0, v1, 0, 4, 1, 5);
                const a1 = v128.shuffle<f32>(v0, v1, 2, 6, 3, 7);
                const a2 = v128.shuffle<f32>(v2, v3, 0, 4, 1, 5);
                const a3 = v128.shuffle<f32>(v2, v3, 2, 6, 3, 7);
                v128.store(d, v128.shuffle<f32>(a0, a2, 0, 1, 4, 5));
                v128.store(d + rowStride, v128.shuffle<f32>(a0, a2, 2, 3, 6, 7));
                v128.store(d + 2 * rowStride, v128.shuffle<f32>(a1, a3, 0, 1, 4, 5));
                v128.store(d + 3 * rowStride, v128.shuffle<f32>(a1, a3, 2, 3, 6, 7));
              }
              for (; c < ci; c++, d += rowStride) {
                const at = src + (<usize>c << 2);
                store<f32>(d, load<f32>(at));
                store<f32>(d + 4, load<f32>(at + stepBytes));
                store<f32>(d + 8, load<f32>(at + 2 * stepBytes));
                store<f32>(d + 12, load<f32>(at + 3 * stepBytes));
              }
            }
          }
          for (; j < ow; j++) {
            scalarPixel(x, tapRow, rowStride, rowStart + <usize>j, b, y, j * sw - left + kx, h, w, ci, inY);
          }
        }
      }
    }
  }
}

// One output pixel's channels for one tap of im2colT (zeros outside the input).
// @ts-ignore: decorator
@inline function scalarPixel(
  x: usize, tapRow: usize, rowStride: usize, column: usize,
  b: i32, y: i32, xx: i32, h: i32, w: i32, ci: i32, inY: bool,
): void {
  let d = tapRow + (column << 2);
  if (!inY || xx < 0 || xx >= w) {
    for (let c = 0; c < ci; c++, d += rowStride) store<f32>(d, 0);
    return;
  }
  const s = x + (<usize>(((b * h + y) * w + xx) * ci) << 2);
  for (let c = 0; c < ci; c++, d += rowStride) store<f32>(d, load<f32>(s + (<usize>c << 2)));
}

// One Adam step over n float32 values, in the same operation order (and so with the same float32
// rounding) as tfjs's AdamOptimizer: m' = m*b1 + g*(1-b1); v' = v*b2 + g*g*(1-b2);
// w' = (m'/(1-b1^t)) / (sqrt(v'/(1-b2^t)) + eps) * (-lr) + w. Updates m and v in place, writes w'.
export function adam(
  w: usize, g: usize, m: usize, v: usize, out: usize, n: i32,
  beta1: f32, oneMinusBeta1: f32, beta2: f32, oneMinusBeta2: f32,
  oneMinusAcc1: f32, oneMinusAcc2: f32, epsilon: f32, negLr: f32,
): void {
  const b1 = f32x4.splat(beta1);
  const c1 = f32x4.splat(oneMinusBeta1);
  const b2 = f32x4.splat(beta2);
  const c2 = f32x4.splat(oneMinusBeta2);
  const a1 = f32x4.splat(oneMinusAcc1);
  const a2 = f32x4.splat(oneMinusAcc2);
  const e = f32x4.splat(epsilon);
  const lr = f32x4.splat(negLr);
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    const at = <usize>i << 2;
    const gi = v128.load(g + at);
    const mi = f32x4.add(f32x4.mul(v128.load(m + at), b1), f32x4.mul(gi, c1));
    const vi = f32x4.add(f32x4.mul(v128.load(v + at), b2), f32x4.mul(f32x4.mul(gi, gi), c2));
    v128.store(m + at, mi);
    v128.store(v + at, vi);
    const step = f32x4.div(f32x4.div(mi, a1), f32x4.add(f32x4.sqrt(f32x4.div(vi, a2)), e));
    v128.store(out + at, f32x4.add(f32x4.mul(step, lr), v128.load(w + at)));
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    const gi = load<f32>(g + at);
    const mi = load<f32>(m + at) * beta1 + gi * oneMinusBeta1;
    const vi = load<f32>(v + at) * beta2 + gi * gi * oneMinusBeta2;
    store<f32>(m + at, mi);
    store<f32>(v + at, vi);
    const step = (mi / oneMinusAcc1) / (Mathf.sqrt(vi / oneMinusAcc2) + epsilon);
    store<f32>(out + at, step * negLr + load<f32>(w + at));
  }
}

// Filter gradient of conv2d, computed directly (no im2col): dw[ky, kx, c, o] = Σ over (b, i, j) of
// x[b, i*sh - top + ky, j*sw - left + kx, c] · dy[b, i, j, o], taps outside the input skipped; dw is
// zeroed first. For each output row (b, i) the dy row stays in L1 while every tap sweeps it; the
// partial sums of a tap over one row of j are kept in registers (2 input channels × 16 output
// channels = 8 accumulators, or 1 × 16 when ci is 1) and added to dw once per row.
export function convFilterGrad(
  x: usize, dy: usize, dw: usize,
  n: i32, h: i32, w: i32, ci: i32, oh: i32, ow: i32, co: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, top: i32, left: i32,
): void {
  memory.fill(dw, 0, <usize>(kh * kw * ci * co) << 2);
  const co16 = co & ~15;
  const co4 = co & ~3;
  const ci2 = ci & ~1;
  const xStep = <usize>(sw * ci) << 2; // bytes between the x pixels of consecutive j
  const dyStep = <usize>co << 2;
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < oh; i++) {
      const dyRow = dy + (<usize>((b * oh + i) * ow * co) << 2);
      for (let ky = 0; ky < kh; ky++) {
        const y = i * sh - top + ky;
        if (y < 0 || y >= h) continue;
        const xRow = x + (<usize>((b * h + y) * w * ci) << 2);
        for (let kx = 0; kx < kw; kx++) {
          // Valid j: 0 <= j*sw - left + kx < w.
          let j0 = 0;
          if (left - kx > 0) j0 = (left - kx + sw - 1) / sw;
          let j1 = (w - 1 + left - kx) / sw;
          if (w - 1 + left - kx < 0) j1 = -1;
          if (j1 > ow - 1) j1 = ow - 1;
          if (j0 > j1) continue;
          const count = j1 - j0 + 1;
          const tap = dw + (<usize>((ky * kw + kx) * ci * co) << 2);
          const xStart = xRow + (<usize>((j0 * sw - left + kx) * ci) << 2);
          const dyStart = dyRow + (<usize>(j0 * co) << 2);
          let c = 0;
          for (; c < ci2; c += 2) {
            const outA = tap + (<usize>(c * co) << 2);
            const outB = outA + dyStep;
            let o = 0;
            for (; o < co16; o += 16) {
              let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
              let b0 = f32x4.splat(0), b1 = f32x4.splat(0), b2 = f32x4.splat(0), b3 = f32x4.splat(0);
              let xp = xStart + (<usize>c << 2);
              let dp = dyStart + (<usize>o << 2);
              for (let t = 0; t < count; t++, xp += xStep, dp += dyStep) {
                const xa = v128.load32_splat(xp);
                const xb = v128.load32_splat(xp + 4);
                const d0 = v128.load(dp);
                const d1 = v128.load(dp + 16);
                const d2 = v128.load(dp + 32);
                const d3 = v128.load(dp + 48);
                a0 = f32x4.add(a0, f32x4.mul(xa, d0));
                a1 = f32x4.add(a1, f32x4.mul(xa, d1));
                a2 = f32x4.add(a2, f32x4.mul(xa, d2));
                a3 = f32x4.add(a3, f32x4.mul(xa, d3));
                b0 = f32x4.add(b0, f32x4.mul(xb, d0));
                b1 = f32x4.add(b1, f32x4.mul(xb, d1));
                b2 = f32x4.add(b2, f32x4.mul(xb, d2));
                b3 = f32x4.add(b3, f32x4.mul(xb, d3));
              }
              const pa = outA + (<usize>o << 2);
              const pb = outB + (<usize>o << 2);
              v128.store(pa, f32x4.add(v128.load(pa), a0));
              v128.store(pa + 16, f32x4.add(v128.load(pa + 16), a1));
              v128.store(pa + 32, f32x4.add(v128.load(pa + 32), a2));
              v128.store(pa + 48, f32x4.add(v128.load(pa + 48), a3));
              v128.store(pb, f32x4.add(v128.load(pb), b0));
              v128.store(pb + 16, f32x4.add(v128.load(pb + 16), b1));
              v128.store(pb + 32, f32x4.add(v128.load(pb + 32), b2));
              v128.store(pb + 48, f32x4.add(v128.load(pb + 48), b3));
            }
            if (co16 < co) {
              filterGradNarrow(xStart + (<usize>c << 2), dyStart, outA, count, xStep, dyStep, co16, co4);
              filterGradNarrow(xStart + (<usize>(c + 1) << 2), dyStart, outB, count, xStep, dyStep, co16, co4);
            }
          }
          for (; c < ci; c++) {
            const out = tap + (<usize>(c * co) << 2);
            const xc = xStart + (<usize>c << 2);
            let o = 0;
            for (; o < co16; o += 16) {
              let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
              let xp = xc;
              let dp = dyStart + (<usize>o << 2);
              for (let t = 0; t < count; t++, xp += xStep, dp += dyStep) {
                const xa = v128.load32_splat(xp);
                a0 = f32x4.add(a0, f32x4.mul(xa, v128.load(dp)));
                a1 = f32x4.add(a1, f32x4.mul(xa, v128.load(dp + 16)));
                a2 = f32x4.add(a2, f32x4.mul(xa, v128.load(dp + 32)));
                a3 = f32x4.add(a3, f32x4.mul(xa, v128.load(dp + 48)));
              }
              const p = out + (<usize>o << 2);
              v128.store(p, f32x4.add(v128.load(p), a0));
              v128.store(p + 16, f32x4.add(v128.load(p + 16), a1));
              v128.store(p + 32, f32x4.add(v128.load(p + 32), a2));
              v128.store(p + 48, f32x4.add(v128.load(p + 48), a3));
            }
            if (o < co) filterGradNarrow(xc, dyStart, out, count, xStep, dyStep, o, co4);
          }
        }
      }
    }
  }
}

// The output channels from `o0` on (fewer than 16) of one input channel and one tap: 4 at a time up
// to co4, then one at a time.
function filterGradNarrow(
  xc: usize, dyStart: usize, out: usize, count: i32, xStep: usize, dyStep: usize, o0: i32, co4: i32,
): void {
  const co = <i32>(dyStep >> 2);
  let o = o0;
  for (; o < co4; o += 4) {
    let a = f32x4.splat(0);
    let xp = xc;
    let dp = dyStart + (<usize>o << 2);
    for (let t = 0; t < count; t++, xp += xStep, dp += dyStep) {
      a = f32x4.add(a, f32x4.mul(v128.load32_splat(xp), v128.load(dp)));
    }
    const p = out + (<usize>o << 2);
    v128.store(p, f32x4.add(v128.load(p), a));
  }
  for (; o < co; o++) {
    let a: f32 = 0;
    let xp = xc;
    let dp = dyStart + (<usize>o << 2);
    for (let t = 0; t < count; t++, xp += xStep, dp += dyStep) a += load<f32>(xp) * load<f32>(dp);
    const p = out + (<usize>o << 2);
    store<f32>(p, load<f32>(p) + a);
  }
}

// Elementwise with broadcasting along the last axis: out[r * c + k] = a[r * c + k] (op) b[k] for
// r < rows, k < c; op 0 = add, 1 = subtract, 2 = multiply, 3 = reversed subtract (b[k] - a[...]).
// With c = 1, b is one scalar.
export function broadcastLast(op: i32, a: usize, b: usize, out: usize, rows: i32, c: i32): void {
  const c4 = c & ~3;
  if (c == 1) {
    const n = rows;
    const s = v128.load32_splat(b);
    const n4 = n & ~3;
    let i = 0;
    for (; i < n4; i += 4) {
      const at = <usize>i << 2;
      v128.store(out + at, applyOp(op, v128.load(a + at), s));
    }
    const sv = load<f32>(b);
    for (; i < n; i++) {
      const at = <usize>i << 2;
      store<f32>(out + at, applyScalar(op, load<f32>(a + at), sv));
    }
    return;
  }
  const rowBytes = <usize>c << 2;
  for (let r = 0; r < rows; r++) {
    const ar = a + <usize>r * rowBytes;
    const or = out + <usize>r * rowBytes;
    let k = 0;
    for (; k < c4; k += 4) {
      const at = <usize>k << 2;
      v128.store(or + at, applyOp(op, v128.load(ar + at), v128.load(b + at)));
    }
    for (; k < c; k++) {
      const at = <usize>k << 2;
      store<f32>(or + at, applyScalar(op, load<f32>(ar + at), load<f32>(b + at)));
    }
  }
}

// @ts-ignore: decorator
@inline function applyOp(op: i32, x: v128, y: v128): v128 {
  if (op == 0) return f32x4.add(x, y);
  if (op == 1) return f32x4.sub(x, y);
  if (op == 2) return f32x4.mul(x, y);
  return f32x4.sub(y, x);
}

// @ts-ignore: decorator
@inline function applyScalar(op: i32, x: f32, y: f32): f32 {
  if (op == 0) return x + y;
  if (op == 1) return x - y;
  if (op == 2) return x * y;
  return y - x;
}

// ReLU gradient: out = dy · step(x) (dy where x > 0, else dy · 0), as tfjs's mul(dy, cast(step(x))).
export function reluGrad(dy: usize, x: usize, out: usize, n: i32): void {
  const zero = f32x4.splat(0);
  const one = f32x4.splat(1);
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    const at = <usize>i << 2;
    const mask = v128.bitselect(one, zero, f32x4.gt(v128.load(x + at), zero));
    v128.store(out + at, f32x4.mul(v128.load(dy + at), mask));
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    store<f32>(out + at, load<f32>(dy + at) * (load<f32>(x + at) > 0 ? <f32>1 : <f32>0));
  }
}

// Sum of n float32 values: float32 blocks of 4 × 32 values folded into a float64 total, written
// as float32 to out.
export function sumAll(src: usize, n: i32, out: usize): void {
  let total: f64 = 0;
  const n128 = n & ~127;
  let i = 0;
  for (; i < n128; i += 128) {
    let acc = f32x4.splat(0);
    for (let k = 0; k < 128; k += 4) acc = f32x4.add(acc, v128.load(src + (<usize>(i + k) << 2)));
    total += <f64>f32x4.extract_lane(acc, 0) + <f64>f32x4.extract_lane(acc, 1) +
      <f64>f32x4.extract_lane(acc, 2) + <f64>f32x4.extract_lane(acc, 3);
  }
  for (; i < n; i++) total += <f64>load<f32>(src + (<usize>i << 2));
  store<f32>(out, <f32>total);
}

// Max-pool gradient for 2×2 windows with stride 2 that tile the input exactly (h = 2·oh, w = 2·ow,
// no padding) and c a multiple of 4: each window's dy goes to its first maximum in row-major order
// (strict >, as maxPoolGrad), the other three positions get 0; every dx value is written once.
export function maxPoolGrad2x2(x: usize, dy: usize, dx: usize, n: i32, oh: i32, ow: i32, c: i32): void {
  const zero = f32x4.splat(0);
  const one = i32x4.splat(1);
  const two = i32x4.splat(2);
  const three = i32x4.splat(3);
  const pixel = <usize>c << 2;
  const row = <usize>(2 * ow) * pixel;
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < oh; i++) {
      const top = <usize>((b * 2 * oh + 2 * i) * 2 * ow) * pixel;
      for (let j = 0; j < ow; j++) {
        const p00 = top + <usize>(2 * j) * pixel;
        const g = dy + (<usize>((b * oh + i) * ow + j) * pixel);
        for (let k: usize = 0; k < pixel; k += 16) {
          const a0 = p00 + k;
          const a1 = a0 + pixel;
          const a2 = a0 + row;
          const a3 = a2 + pixel;
          const v0 = v128.load(x + a0);
          const v1 = v128.load(x + a1);
          const v2 = v128.load(x + a2);
          const v3 = v128.load(x + a3);
          let best = v0;
          let at = i32x4.splat(0);
          let m = f32x4.gt(v1, best);
          best = v128.bitselect(v1, best, m);
          at = v128.bitselect(one, at, m);
          m = f32x4.gt(v2, best);
          best = v128.bitselect(v2, best, m);
          at = v128.bitselect(two, at, m);
          m = f32x4.gt(v3, best);
          at = v128.bitselect(three, at, m);
          const gv = v128.load(g + k);
          v128.store(dx + a0, v128.bitselect(gv, zero, i32x4.eq(at, i32x4.splat(0))));
          v128.store(dx + a1, v128.bitselect(gv, zero, i32x4.eq(at, one)));
          v128.store(dx + a2, v128.bitselect(gv, zero, i32x4.eq(at, two)));
          v128.store(dx + a3, v128.bitselect(gv, zero, i32x4.eq(at, three)));
        }
      }
    }
  }
}

// Matrix products for few rows (a dense layer on a small batch), without packing the weights the
// way XNNPACK does on every call (the weights change every step, so its packing cache never hits):
// - matmulNN: c[M, N] = a[M, K] · b[K, N];
// - matmulNT: c[M, N] = a[M, K] · b[N, K]ᵀ (dot products of rows).
// Row-major float32; every sum runs over k in order.
export function matmulNN(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32): void {
  const n8 = n & ~7;
  const n4 = n & ~3;
  const aRow = <usize>k << 2;
  const bRow = <usize>n << 2;
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const a0 = a + <usize>i * aRow;
    const a1 = a0 + aRow;
    const a2 = a1 + aRow;
    const a3 = a2 + aRow;
    const c0 = c + <usize>i * bRow;
    let j = 0;
    for (; j < n8; j += 8) {
      let s00 = f32x4.splat(0), s01 = f32x4.splat(0), s10 = f32x4.splat(0), s11 = f32x4.splat(0);
      let s20 = f32x4.splat(0), s21 = f32x4.splat(0), s30 = f32x4.splat(0), s31 = f32x4.splat(0);
      let bp = b + (<usize>j << 2);
      for (let t = 0; t < k; t++, bp += bRow) {
        const at = <usize>t << 2;
        const b0 = v128.load(bp);
        const b1 = v128.load(bp + 16);
        const x0 = v128.load32_splat(a0 + at);
        const x1 = v128.load32_splat(a1 + at);
        const x2 = v128.load32_splat(a2 + at);
        const x3 = v128.load32_splat(a3 + at);
        s00 = f32x4.add(s00, f32x4.mul(x0, b0));
        s01 = f32x4.add(s01, f32x4.mul(x0, b1));
        s10 = f32x4.add(s10, f32x4.mul(x1, b0));
        s11 = f32x4.add(s11, f32x4.mul(x1, b1));
        s20 = f32x4.add(s20, f32x4.mul(x2, b0));
        s21 = f32x4.add(s21, f32x4.mul(x2, b1));
        s30 = f32x4.add(s30, f32x4.mul(x3, b0));
        s31 = f32x4.add(s31, f32x4.mul(x3, b1));
      }
      const cp = c0 + (<usize>j << 2);
      v128.store(cp, s00);
      v128.store(cp + 16, s01);
      v128.store(cp + bRow, s10);
      v128.store(cp + bRow + 16, s11);
      v128.store(cp + 2 * bRow, s20);
      v128.store(cp + 2 * bRow + 16, s21);
      v128.store(cp + 3 * bRow, s30);
      v128.store(cp + 3 * bRow + 16, s31);
    }
    for (; j < n; j++) {
      for (let r = 0; r < 4; r++) matmulNNScalar(a0 + <usize>r * aRow, b, c0 + <usize>r * bRow, k, n, j);
    }
  }
  for (; i < m; i++) {
    const ai = a + <usize>i * aRow;
    const ci = c + <usize>i * bRow;
    let j = 0;
    for (; j < n4; j += 4) {
      let s = f32x4.splat(0);
      let bp = b + (<usize>j << 2);
      for (let t = 0; t < k; t++, bp += bRow) s = f32x4.add(s, f32x4.mul(v128.load32_splat(ai + (<usize>t << 2)), v128.load(bp)));
      v128.store(ci + (<usize>j << 2), s);
    }
    for (; j < n; j++) matmulNNScalar(ai, b, ci, k, n, j);
  }
}

// c[j] = Σ_t a[t] · b[t, j] for one row a and one column j.
function matmulNNScalar(a: usize, b: usize, c: usize, k: i32, n: i32, j: i32): void {
  let s: f32 = 0;
  let bp = b + (<usize>j << 2);
  const bRow = <usize>n << 2;
  for (let t = 0; t < k; t++, bp += bRow) s += load<f32>(a + (<usize>t << 2)) * load<f32>(bp);
  store<f32>(c + (<usize>j << 2), s);
}

export function matmulNT(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32): void {
  const k4 = k & ~3;
  const row = <usize>k << 2;
  const cRow = <usize>n << 2;
  for (let i = 0; i < m; i++) {
    const ai = a + <usize>i * row;
    const ci = c + <usize>i * cRow;
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const b0 = b + <usize>j * row;
      const b1 = b0 + row;
      const b2 = b1 + row;
      const b3 = b2 + row;
      let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
      let t = 0;
      for (; t < k4; t += 4) {
        const at = <usize>t << 2;
        const x = v128.load(ai + at);
        s0 = f32x4.add(s0, f32x4.mul(x, v128.load(b0 + at)));
        s1 = f32x4.add(s1, f32x4.mul(x, v128.load(b1 + at)));
        s2 = f32x4.add(s2, f32x4.mul(x, v128.load(b2 + at)));
        s3 = f32x4.add(s3, f32x4.mul(x, v128.load(b3 + at)));
      }
      // Horizontal sums of the four: transpose and add.
      const u0 = v128.shuffle<f32>(s0, s1, 0, 4, 1, 5);
      const u1 = v128.shuffle<f32>(s0, s1, 2, 6, 3, 7);
      const u2 = v128.shuffle<f32>(s2, s3, 0, 4, 1, 5);
      const u3 = v128.shuffle<f32>(s2, s3, 2, 6, 3, 7);
      const v0 = f32x4.add(u0, u1); // lanes: s0 0+2, s1 0+2, s0 1+3, s1 1+3
      const v1 = f32x4.add(u2, u3);
      let sum = f32x4.add(v128.shuffle<f32>(v0, v1, 0, 1, 4, 5), v128.shuffle<f32>(v0, v1, 2, 3, 6, 7));
      for (; t < k; t++) {
        const at = <usize>t << 2;
        const x = load<f32>(ai + at);
        sum = f32x4.add(sum, f32x4(x * load<f32>(b0 + at), x * load<f32>(b1 + at), x * load<f32>(b2 + at), x * load<f32>(b3 + at)));
      }
      v128.store(ci + (<usize>j << 2), sum);
    }
    for (; j < n; j++) {
      const bj = b + <usize>j * row;
      let s = f32x4.splat(0);
      let t = 0;
      for (; t < k4; t += 4) s = f32x4.add(s, f32x4.mul(v128.load(ai + (<usize>t << 2)), v128.load(bj + (<usize>t << 2))));
      let total: f32 = f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 2) + (f32x4.extract_lane(s, 1) + f32x4.extract_lane(s, 3));
      for (; t < k; t++) total += load<f32>(ai + (<usize>t << 2)) * load<f32>(bj + (<usize>t << 2));
      store<f32>(ci + (<usize>j << 2), total);
    }
  }
}
