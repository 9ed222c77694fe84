/**
 * The L1 module (`asm/l1.ts`, built into `_l1_wasm.ts`): its exports and compiling it.
 * @module
 */
import { L1_WASM_BASE64 } from "./_l1_wasm.ts";
import { compileEmbeddedWasm, instantiateWasm } from "./memory.ts";

/** The functions the L1 module exports (pointers are byte offsets into the shared memory). */
export interface L1Kernels {
  /** uint8 block: out[q * outStride + j] = L1(query q, row j), given both sides' u32 row sums. */
  l1U8(
    qPtr: number,
    nq: number,
    dPtr: number,
    nd: number,
    stride: number,
    outPtr: number,
    outStride: number,
    qSumPtr: number,
    dSumPtr: number,
  ): void;
  /** int16 block. */
  l1I16(
    qPtr: number,
    nq: number,
    dPtr: number,
    nd: number,
    stride: number,
    outPtr: number,
    outStride: number,
    qSumPtr: number,
    dSumPtr: number,
  ): void;
  /** uint8 nearest row per query (see `asm/l1.ts`): best[2q], best[2q + 1] = distance, index. */
  l1U8Min(
    qPtr: number,
    nq: number,
    dPtr: number,
    nd: number,
    stride: number,
    qSumPtr: number,
    dSumPtr: number,
    firstIndex: number,
    bestPtr: number,
  ): void;
  /** int16 nearest row per query. */
  l1I16Min(
    qPtr: number,
    nq: number,
    dPtr: number,
    nd: number,
    stride: number,
    qSumPtr: number,
    dSumPtr: number,
    firstIndex: number,
    bestPtr: number,
  ): void;
  /** uint8 row sums (u32). */
  rowSumsU8(ptr: number, count: number, stride: number, outPtr: number): void;
  /** int16 row sums (u32, modulo 2^32). */
  rowSumsI16(ptr: number, count: number, stride: number, outPtr: number): void;
}

/** The compiled L1 module (compiled once per thread; it can be posted to Workers). */
export function l1Module(): WebAssembly.Module {
  return compileEmbeddedWasm(L1_WASM_BASE64);
}

/** Instantiates the L1 module on `memory`. */
export function instantiateL1Kernels(module: WebAssembly.Module, memory: WebAssembly.Memory): L1Kernels {
  return instantiateWasm<L1Kernels>(module, memory);
}
