/**
 * The L1 module (`asm/l1.ts`, built into `_l1_wasm.ts`): its exports and compiling it.
 * @module
 */
import { L1_WASM_BASE64 } from "./_l1_wasm.ts";
import { compileEmbeddedWasm, instantiateWasm } from "./memory.ts";

/**
 * A block kernel: out[q * outStride + j] = L1(query q, data row j) for q < nq, j < nd, given both
 * sides' u32 row sums.
 */
export type L1BlockKernel = (
  qPtr: number,
  nq: number,
  dPtr: number,
  nd: number,
  stride: number,
  outPtr: number,
  outStride: number,
  qSumPtr: number,
  dSumPtr: number,
) => void;

/**
 * A nearest-row kernel: best[2q], best[2q + 1] (u32 at `bestPtr`) become the smallest distance of
 * query q to data rows j < nd and its index `firstIndex + j`, when smaller than the stored one.
 */
export type L1NearestKernel = (
  qPtr: number,
  nq: number,
  dPtr: number,
  nd: number,
  stride: number,
  qSumPtr: number,
  dSumPtr: number,
  firstIndex: number,
  bestPtr: number,
) => void;

/** A row-sum kernel: out[i] = sum of row i (u32; modulo 2^32 for int16) for i < count. */
export type RowSumsKernel = (ptr: number, count: number, stride: number, outPtr: number) => void;

/** The functions the L1 module exports (pointers are byte offsets into the shared memory). */
export interface L1Kernels {
  /** uint8 block kernel. */
  l1U8: L1BlockKernel;
  /** int16 block kernel. */
  l1I16: L1BlockKernel;
  /** uint8 nearest-row kernel. */
  l1U8Min: L1NearestKernel;
  /** int16 nearest-row kernel. */
  l1I16Min: L1NearestKernel;
  /** uint8 row sums. */
  rowSumsU8: RowSumsKernel;
  /** int16 row sums. */
  rowSumsI16: RowSumsKernel;
}

/** The compiled L1 module (compiled once per thread; it can be posted to Workers). */
export function l1Module(): WebAssembly.Module {
  return compileEmbeddedWasm(L1_WASM_BASE64);
}

/** Instantiates the L1 module on `memory`. */
export function instantiateL1Kernels(module: WebAssembly.Module, memory: WebAssembly.Memory): L1Kernels {
  return instantiateWasm<L1Kernels>(module, memory);
}
