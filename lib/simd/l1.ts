/**
 * Manhattan (L1) distances between integer vectors: uint8 pixels or int16 latent values.
 *
 * - {@linkcode l1DistanceBlockReference}: the plain typed-array loop, the reference every faster kernel
 *   must equal exactly.
 * - {@linkcode l1DistanceBlock}: same contract, WebAssembly SIMD kernels on the calling thread.
 * - `createL1Engine` (in `engine.ts`): the parallel engine (Workers sharing one wasm memory).
 * @module
 */
import {
  align16,
  createSharedMemory,
  ensureMemory,
  kindOf,
  type L1Vectors,
  layOutDataRows,
  MEMORY_BASE,
  rowCount,
  writeRows,
} from "./memory.ts";
import { instantiateL1Kernels, type L1Kernels, l1Module } from "./_l1_kernels.ts";

export type { L1Vectors } from "./memory.ts";

/**
 * Fills `out[q * n + j]` with the L1 distance between query `q` and data vector `j`, where
 * `n = data.length / dim`. Exact integer arithmetic (uint32 results; 784×255 and 200×25500 both fit).
 */
export function l1DistanceBlockReference(
  queries: L1Vectors,
  data: L1Vectors,
  dim: number,
  out?: Uint32Array,
): Uint32Array {
  const queryCount = queries.length / dim;
  const dataCount = data.length / dim;
  const result = out ?? new Uint32Array(queryCount * dataCount);
  for (let q = 0; q < queryCount; q++) {
    const qo = q * dim;
    for (let j = 0; j < dataCount; j++) {
      const jo = j * dim;
      let sum = 0;
      for (let t = 0; t < dim; t++) {
        const d = queries[qo + t] - data[jo + t];
        sum += d < 0 ? -d : d;
      }
      result[q * dataCount + j] = sum;
    }
  }
  return result;
}

interface LocalKernels {
  memory: WebAssembly.Memory;
  kernels: L1Kernels;
}

let local: LocalKernels | undefined;

function localKernels(): LocalKernels {
  if (local === undefined) {
    const memory = createSharedMemory(MEMORY_BASE + (1 << 20));
    local = { memory, kernels: instantiateL1Kernels(l1Module(), memory) };
  }
  return local;
}

/** Output bytes computed per kernel call by {@linkcode l1DistanceBlock} (the rest is copied out). */
const OUT_CHUNK_BYTES = 32 << 20;

/**
 * Same contract as {@linkcode l1DistanceBlockReference} (identical results), computed with the
 * WebAssembly SIMD kernels on the calling thread. `queries` and `data` must have the same type
 * (both `Uint8Array` or both `Int16Array`). The data is copied into a wasm memory owned by this thread
 * (it grows to the largest call and is reused); for many calls against the same data, or to use
 * several cores, use `createL1Engine`.
 */
export function l1DistanceBlock(
  queries: L1Vectors,
  data: L1Vectors,
  dim: number,
  out?: Uint32Array,
): Uint32Array {
  const kind = kindOf(data);
  if (kindOf(queries) !== kind) {
    throw new TypeError("l1DistanceBlock: queries and data must have the same type");
  }
  const queryCount = rowCount(queries, dim, "queries");
  const rows = layOutDataRows(data, dim);
  const dataCount = rows.count;
  const result = out ?? new Uint32Array(queryCount * dataCount);
  if (result.length < queryCount * dataCount) {
    throw new RangeError(
      `l1DistanceBlock: out holds ${result.length} values, needs ${queryCount * dataCount}`,
    );
  }
  if (queryCount === 0 || dataCount === 0) return result;
  const { memory, kernels } = localKernels();
  const { stride, ptr: dataPtr, end: dataSumPtr } = rows;
  const chunk = Math.max(1, Math.min(queryCount, Math.floor(OUT_CHUNK_BYTES / (4 * dataCount))));
  const queryPtr = align16(dataSumPtr + dataCount * 4);
  const querySumPtr = align16(queryPtr + chunk * stride);
  const outPtr = align16(querySumPtr + chunk * 4);
  ensureMemory(memory, outPtr + chunk * dataCount * 4);
  writeRows(memory, dataPtr, data, dim, { first: 0, count: dataCount });
  const kernel = kind === "u8" ? kernels.l1U8 : kernels.l1I16;
  const rowSums = kind === "u8" ? kernels.rowSumsU8 : kernels.rowSumsI16;
  rowSums(dataPtr, dataCount, stride, dataSumPtr);
  for (let q0 = 0; q0 < queryCount; q0 += chunk) {
    const count = Math.min(chunk, queryCount - q0);
    writeRows(memory, queryPtr, queries, dim, { first: q0, count });
    rowSums(queryPtr, count, stride, querySumPtr);
    kernel(queryPtr, count, dataPtr, dataCount, stride, outPtr, dataCount, querySumPtr, dataSumPtr);
    result.set(new Uint32Array(memory.buffer, outPtr, count * dataCount), q0 * dataCount);
  }
  return result;
}
