/**
 * The protocol between the L1 engine and its Workers (see `lib/util/worker_pool.ts`).
 * @module
 */
import type { L1Kind } from "./memory.ts";

/** Gives a Worker the module and the shared memory. */
export interface InitRequest {
  /** The compiled kernels. */
  module: WebAssembly.Module;
  /** The shared memory holding data, queries and results. */
  memory: WebAssembly.Memory;
}

/** Fields shared by work requests: queries against data rows [first, end). */
export interface WorkRequest {
  /** Element kind. */
  kind: L1Kind;
  /** Byte offset of the first query row. */
  queryPtr: number;
  /** Number of queries. */
  queryCount: number;
  /** Byte offset of the queries' u32 row sums. */
  querySumPtr: number;
  /** Byte offset of data row 0. */
  dataPtr: number;
  /** Byte offset of the data rows' u32 row sums. */
  dataSumPtr: number;
  /** First data row of this Worker's range. */
  first: number;
  /** One past the last data row of the range. */
  end: number;
  /** Row stride in bytes. */
  stride: number;
}

/** Writes distances out[q * outStride + j] (u32) for j in [first, end). */
export interface DistancesRequest extends WorkRequest {
  /** Byte offset of out[0]. */
  outPtr: number;
  /** Row length of out, in values. */
  outStride: number;
}

/** Writes the k best (dist, index) per query within [first, end) at resultPtr (dists, then indices). */
export interface KnnRequest extends WorkRequest {
  /** Neighbours per query. */
  k: number;
  /** Scratch area for a distance tile. */
  scratchPtr: number;
  /** Data rows per tile. */
  scratchRows: number;
  /** Queries per tile. */
  blockQueries: number;
  /** Byte offset of the result (queryCount * k u32 distances, then as many u32 indices). */
  resultPtr: number;
}

/** Request types of an L1 Worker; every reply is `null` (results are written to the shared memory). */
export type L1Protocol = {
  init: { request: InitRequest; reply: null };
  distances: { request: DistancesRequest; reply: null };
  knn: { request: KnnRequest; reply: null };
};
