/**
 * The LSH module (`asm/lsh.ts`, built by `lib/simd/build.ts` into `_lsh_wasm.ts`): its exports and
 * instantiating it on an index's memory.
 * @module
 */
import { compileEmbeddedWasm, instantiateWasm } from "../simd/mod.ts";
import { LSH_WASM_BASE64 } from "./_lsh_wasm.ts";

/** A gather kernel: out[i] = L1(query, data row idx[i]) for i < count (u32 row indices at `idxPtr`). */
export type GatherKernel = (
  qPtr: number,
  dPtr: number,
  stride: number,
  idxPtr: number,
  count: number,
  outPtr: number,
) => void;

/** The functions the LSH module exports (pointers are byte offsets into the index's shared memory). */
export interface LshKernels {
  /** uint8 gathered rows. */
  l1U8Gather: GatherKernel;
  /** int16 gathered rows. */
  l1I16Gather: GatherKernel;
  /**
   * uint8 gathered rows, nearest only: a gather kernel with a last argument `bound`; rows beyond the
   * running bound are abandoned (0xffffffff).
   */
  l1U8GatherNearest: (...args: [...Parameters<GatherKernel>, bound: number]) => void;
  /**
   * uint8 nearest candidate, exact, reading few rows: level-0 bounds of all candidates (to `boundsPtr`),
   * the candidates in increasing order of bound (by bins), the first seeds read in full, then the others
   * filtered by the quantized group-sum levels until the bounds exceed the best distance (see
   * `asm/lsh.ts`); writes distance and row to `resultPtr`, returns the rows read in full.
   */
  l1U8NearestBounded(
    qPtr: number,
    dPtr: number,
    stride: number,
    levelsPtr: number,
    levels: number,
    idxPtr: number,
    count: number,
    seedCount: number,
    boundsPtr: number,
    seedsPtr: number,
    histPtr: number,
    orderPtr: number,
    resultPtr: number,
  ): number;
  /**
   * uint8 nearest candidate, approximate: level-0 bounds of all candidates, the `shortlist` smallest
   * raised by the finer levels, the `reads` smallest of those read in increasing order of bound (see
   * `asm/lsh.ts`); writes distance and row to `resultPtr`, returns the rows read.
   */
  l1U8NearestShortlist(
    qPtr: number,
    dPtr: number,
    stride: number,
    levelsPtr: number,
    levels: number,
    idxPtr: number,
    count: number,
    keepsPtr: number,
    boundsPtr: number,
    histPtr: number,
    pairsPtr: number,
    scratchPtr: number,
    resultPtr: number,
  ): number;
  /**
   * LSH: locates the buckets of all (table, key) probes (runs written to `runsPtr`) and appends their
   * unseen rows to idx after the `first` already there, skipping buckets over `maxBucket`; returns the
   * number of candidates.
   */
  lshCollectAll(
    tablesPtr: number,
    probesPtr: number,
    probeCount: number,
    runsPtr: number,
    hitsPtr: number,
    idxPtr: number,
    maxBucket: number,
    first: number,
  ): number;
  /** LSH: orders candidates by decreasing hits, clears their hits, keeps `limit`; returns the kept count. */
  lshOrderByHits(
    idxPtr: number,
    count: number,
    hitsPtr: number,
    histPtr: number,
    hitScratchPtr: number,
    orderedPtr: number,
    limit: number,
  ): number;
  /** LSH: clears the hit counts of idx[0..count). */
  lshClearHits(idxPtr: number, count: number, hitsPtr: number): void;
}

/** Instantiates the LSH module (compiled once per thread) on `memory`. */
export function instantiateLshKernels(memory: WebAssembly.Memory): LshKernels {
  return instantiateWasm<LshKernels>(compileEmbeddedWasm(LSH_WASM_BASE64), memory);
}
