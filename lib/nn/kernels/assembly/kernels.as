// AssemblyScript source of latentlab's SIMD helper kernels for the tfjs wasm backend (the `.as`
// extension keeps Deno's linter and type checker away from it). Built into `../_simd_binary.ts` by
// `deno run -A lib/nn/kernels/build_simd.ts`. The module imports the tfjs-wasm memory: every pointer
// is a byte offset of a tensor on the tfjs heap. No static data, no allocation: nothing is written
// outside the output regions passed in.

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
