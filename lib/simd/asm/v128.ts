// AssemblyScript helpers on v128 values, shared by the WebAssembly sources of the project
// (lib/simd/asm/l1.ts, lib/search/asm/lsh.ts). Only the entry files' exports become module exports.

/**
 * Bytes of uint8 values whose pairwise sums (|a - b| or min(a, b), at most 255 each) fit in u16 lanes:
 * 2048 bytes are 128 steps of 16, each adding at most 2 x 255 = 510 to a lane (128 x 510 <= 65535).
 * Kernels on uint8 rows widen their u16 accumulators to u32 once per chunk.
 */
export const U8_CHUNK: usize = 2048;

/** Sum of the eight u16 lanes of `a`, as u32. */
export function hsumU16(a: v128): u32 {
  const w = i32x4.extadd_pairwise_i16x8_u(a);
  return (i32x4.extract_lane(w, 0) as u32) + (i32x4.extract_lane(w, 1) as u32) +
    (i32x4.extract_lane(w, 2) as u32) + (i32x4.extract_lane(w, 3) as u32);
}

/** Sum of the four u32 lanes of `w` (modulo 2^32). */
export function hsumU32(w: v128): u32 {
  return (i32x4.extract_lane(w, 0) as u32) + (i32x4.extract_lane(w, 1) as u32) +
    (i32x4.extract_lane(w, 2) as u32) + (i32x4.extract_lane(w, 3) as u32);
}
