/**
 * Loading the L1 WebAssembly kernels and laying out rows in their (shared) memory.
 * @module
 */
import { decodeBase64 } from "../util/base64.ts";
import { L1_WASM_BASE64 } from "./_l1_wasm.ts";

/** Vectors stored back to back: uint8 pixels or int16 latent values. */
export type L1Vectors = Uint8Array | Int16Array;

/** Element kind of a vector set. */
export type L1Kind = "u8" | "i16";

/** The kernels exported by the wasm module (pointers are byte offsets into the shared memory). */
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
  /** uint8 nearest row per query (see asm/l1.ts): best[2q], best[2q + 1] = distance, index. */
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
  /** uint8 gathered rows: out[i] = L1(query, row idx[i]). */
  l1U8Gather(qPtr: number, dPtr: number, stride: number, idxPtr: number, count: number, outPtr: number): void;
  /** uint8 gathered rows, nearest only (rows beyond the running bound are abandoned: 0xffffffff). */
  l1U8GatherNearest(
    qPtr: number,
    dPtr: number,
    stride: number,
    idxPtr: number,
    count: number,
    outPtr: number,
    bound: number,
  ): void;
  /**
   * uint8 nearest candidate, exact, reading few rows: level-0 bounds of all candidates (to `boundsPtr`),
   * the seeds with the smallest bounds read in full, then the others filtered by the quantized group-sum
   * levels (see asm/l1.ts); writes distance and row to `resultPtr`, returns the rows read in full.
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
  /** int16 gathered rows. */
  l1I16Gather(
    qPtr: number,
    dPtr: number,
    stride: number,
    idxPtr: number,
    count: number,
    outPtr: number,
  ): void;
}

/** Bytes below this offset are left to the module (AssemblyScript statics); layouts start here. */
export const MEMORY_BASE = 65536;
/** Maximum pages of the shared memory (4 GiB, the wasm32 limit). */
export const MAX_PAGES = 65536;
const PAGE = 65536;

let cachedModule: WebAssembly.Module | undefined;

/** The compiled kernel module (compiled once per thread; it can be posted to Workers). */
export function kernelModule(): WebAssembly.Module {
  if (cachedModule === undefined) {
    cachedModule = new WebAssembly.Module(decodeBase64(L1_WASM_BASE64));
  }
  return cachedModule;
}

/** Creates a shared memory able to hold at least `bytes` bytes. */
export function createSharedMemory(bytes: number): WebAssembly.Memory {
  const pages = Math.max(1, Math.ceil(bytes / PAGE));
  if (pages > MAX_PAGES) throw new RangeError(`L1 kernels: ${bytes} bytes exceed the 4 GiB wasm memory`);
  return new WebAssembly.Memory({ initial: pages, maximum: MAX_PAGES, shared: true });
}

/** Grows `memory` so that it holds at least `bytes` bytes. */
export function ensureMemory(memory: WebAssembly.Memory, bytes: number): void {
  const have = memory.buffer.byteLength;
  if (have >= bytes) return;
  const pages = Math.ceil((bytes - have) / PAGE);
  if (have / PAGE + pages > MAX_PAGES) {
    throw new RangeError(`L1 kernels: ${bytes} bytes exceed the 4 GiB wasm memory`);
  }
  memory.grow(pages);
}

/** Instantiates the kernels on `memory`. */
export function instantiateKernels(module: WebAssembly.Module, memory: WebAssembly.Memory): L1Kernels {
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  return instance.exports as unknown as L1Kernels;
}

/** The element kind of a typed array. */
export function kindOf(vectors: L1Vectors): L1Kind {
  if (vectors instanceof Uint8Array) return "u8";
  if (vectors instanceof Int16Array) return "i16";
  throw new TypeError("L1 kernels: vectors must be a Uint8Array or an Int16Array");
}

/** Row stride in bytes: `dim` elements rounded up to 16 bytes. */
export function rowStride(kind: L1Kind, dim: number): number {
  const bytes = kind === "u8" ? dim : dim * 2;
  return Math.ceil(bytes / 16) * 16;
}

/** Rounds `offset` up to a multiple of 16. */
export function align16(offset: number): number {
  return Math.ceil(offset / 16) * 16;
}

/**
 * Copies `count` rows of `dim` elements from `source` (starting at row `first`) into `memory` at byte
 * offset `ptr` with the padded stride, zeroing the padding.
 */
export function writeRows(
  memory: WebAssembly.Memory,
  ptr: number,
  source: L1Vectors,
  dim: number,
  range: { first: number; count: number },
): void {
  const kind = kindOf(source);
  const stride = rowStride(kind, dim);
  const rowBytes = kind === "u8" ? dim : dim * 2;
  const buffer = memory.buffer;
  const { first, count } = range;
  if (kind === "u8") {
    const target = new Uint8Array(buffer, ptr, count * stride);
    if (stride === rowBytes) {
      target.set((source as Uint8Array).subarray(first * dim, (first + count) * dim));
      return;
    }
    target.fill(0);
    for (let r = 0; r < count; r++) {
      target.set((source as Uint8Array).subarray((first + r) * dim, (first + r + 1) * dim), r * stride);
    }
    return;
  }
  const target = new Int16Array(buffer, ptr, (count * stride) / 2);
  const strideValues = stride / 2;
  if (strideValues === dim) {
    target.set((source as Int16Array).subarray(first * dim, (first + count) * dim));
    return;
  }
  target.fill(0);
  for (let r = 0; r < count; r++) {
    target.set((source as Int16Array).subarray((first + r) * dim, (first + r + 1) * dim), r * strideValues);
  }
}

/** Checks that `vectors` holds whole rows of `dim` elements and returns the row count. */
export function rowCount(vectors: L1Vectors, dim: number, what: string): number {
  if (!Number.isInteger(dim) || dim < 1) {
    throw new RangeError(`L1 kernels: dim must be a positive integer, got ${dim}`);
  }
  if (vectors.length % dim !== 0) {
    throw new RangeError(`L1 kernels: ${what} has ${vectors.length} values, not a multiple of dim ${dim}`);
  }
  return vectors.length / dim;
}
