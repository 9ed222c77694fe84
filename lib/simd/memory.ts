/**
 * The memory API of the project's WebAssembly modules: how a caller lays out rows and scratch areas in a
 * (shared) `WebAssembly.Memory` and instantiates a module on it. Every module built by `build.ts` follows
 * the same conventions, so that one memory can serve every Worker and several modules:
 *
 * - the memory is imported as `env.memory`; {@linkcode createSharedMemory} makes a shared one (Workers
 *   get it by `postMessage`, without a copy) and {@linkcode ensureMemory} grows it (up to 4 GiB);
 * - bytes below {@linkcode MEMORY_BASE} belong to the module (AssemblyScript statics); the caller owns
 *   everything above it and passes byte offsets ("pointers") to the exported functions;
 * - rows of uint8 or int16 values ({@linkcode L1Vectors}) are stored back to back with a stride of
 *   {@linkcode rowStride} bytes (a multiple of 16, zero padded, see {@linkcode writeRows}), and areas
 *   start on 16-byte boundaries ({@linkcode align16}), so the kernels need no tail loops;
 * - {@linkcode layOutDataRows} places a data set's rows first, from {@linkcode MEMORY_BASE};
 * - {@linkcode instantiateWasm} instantiates a compiled module on a memory, typed by an interface of
 *   its exports.
 *
 * Used by the L1 kernels of this folder and by the LSH index (`lib/search/lsh.ts`), whose tables live in
 * such a memory.
 * @module
 */
import { decodeBase64 } from "../util/base64.ts";

/** Vectors stored back to back: uint8 pixels or int16 latent values. */
export type L1Vectors = Uint8Array | Int16Array;

/** Element kind of a vector set. */
export type L1Kind = "u8" | "i16";

/** Bytes below this offset are left to the module (AssemblyScript statics); layouts start here. */
export const MEMORY_BASE = 65536;
/** Maximum pages of the shared memory (4 GiB, the wasm32 limit). */
export const MAX_PAGES = 65536;
const PAGE = 65536;

const compiled = new Map<string, WebAssembly.Module>();

/**
 * Compiles a module embedded as base64 (the constant of a generated `_*_wasm.ts` module, see
 * `build.ts`), once per thread; a compiled module can be posted to Workers.
 */
export function compileEmbeddedWasm(base64: string): WebAssembly.Module {
  let module = compiled.get(base64);
  if (module === undefined) {
    module = new WebAssembly.Module(decodeBase64(base64));
    compiled.set(base64, module);
  }
  return module;
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

/**
 * Instantiates `module` on `memory` (imported as `env.memory`) and returns its exports, typed as `K`
 * (an interface of the module's exported functions; pointers are byte offsets into `memory`).
 */
export function instantiateWasm<K>(module: WebAssembly.Module, memory: WebAssembly.Memory): K {
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  return instance.exports as unknown as K;
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
  const stride = rowStride(kindOf(source), dim);
  const strideValues = stride / source.BYTES_PER_ELEMENT;
  const { first, count } = range;
  const target = source instanceof Uint8Array
    ? new Uint8Array(memory.buffer, ptr, count * stride)
    : new Int16Array(memory.buffer, ptr, count * strideValues);
  if (strideValues === dim) {
    target.set(source.subarray(first * dim, (first + count) * dim));
    return;
  }
  target.fill(0);
  for (let r = 0; r < count; r++) {
    target.set(source.subarray((first + r) * dim, (first + r + 1) * dim), r * strideValues);
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

/** Where a data set's rows lie in a module memory (see {@linkcode layOutDataRows}). */
export interface DataRows {
  /** Element kind of the rows. */
  kind: L1Kind;
  /** Number of rows. */
  count: number;
  /** Bytes from one row to the next ({@linkcode rowStride}). */
  stride: number;
  /** Byte offset of the first row: {@linkcode MEMORY_BASE}. */
  ptr: number;
  /** The first 16-aligned byte after the rows, where the caller's next area may start. */
  end: number;
}

/**
 * Checks that `data` holds whole rows of `dim` uint8 or int16 values and lays them out the way every
 * caller of the kernels does: from {@linkcode MEMORY_BASE}, {@linkcode rowStride} bytes apart (copy
 * them there with {@linkcode writeRows}).
 */
export function layOutDataRows(data: L1Vectors, dim: number): DataRows {
  const kind = kindOf(data);
  const count = rowCount(data, dim, "data");
  const stride = rowStride(kind, dim);
  return { kind, count, stride, ptr: MEMORY_BASE, end: align16(MEMORY_BASE + count * stride) };
}
