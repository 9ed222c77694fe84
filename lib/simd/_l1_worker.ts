/**
 * Worker side of the L1 engine: instantiates the kernels on the shared memory it is given and computes
 * distance blocks or k-nearest-neighbour lists for a range of data rows.
 * @module
 */
import { serveWorker } from "../util/worker_pool.ts";
import { instantiateL1Kernels, type L1Kernels } from "./_l1_kernels.ts";
import type { DistancesRequest, InitRequest, KnnRequest, L1Protocol } from "./_protocol.ts";
import { scanTopK } from "./_topk.ts";

let memory: WebAssembly.Memory | undefined;
let kernels: L1Kernels | undefined;

function init(request: InitRequest): null {
  memory = request.memory;
  kernels = instantiateL1Kernels(request.module, request.memory);
  return null;
}

function initialised(): { memory: WebAssembly.Memory; kernels: L1Kernels } {
  if (memory === undefined || kernels === undefined) throw new Error("L1 worker: not initialised");
  return { memory, kernels };
}

function distances(request: DistancesRequest): null {
  const { kernels } = initialised();
  const kernel = request.kind === "u8" ? kernels.l1U8 : kernels.l1I16;
  const { queryPtr, queryCount, querySumPtr, dataPtr, dataSumPtr, first, end, stride, outPtr, outStride } =
    request;
  kernel(
    queryPtr,
    queryCount,
    dataPtr + first * stride,
    end - first,
    stride,
    outPtr + first * 4,
    outStride,
    querySumPtr,
    dataSumPtr + first * 4,
  );
  return null;
}

/** Query blocks × data chunks into the scratch area, then a top-k scan per query. */
function knn(request: KnnRequest): null {
  const { memory, kernels } = initialised();
  const kernel = request.kind === "u8" ? kernels.l1U8 : kernels.l1I16;
  const { queryPtr, queryCount, querySumPtr, dataPtr, dataSumPtr, first, end, stride, k } = request;
  const { scratchPtr, scratchRows, resultPtr } = request;
  const blockQueries = request.blockQueries;
  const bestDist = new Uint32Array(memory.buffer, resultPtr, queryCount * k);
  const bestIndex = new Uint32Array(memory.buffer, resultPtr + queryCount * k * 4, queryCount * k);
  bestDist.fill(0xffffffff);
  bestIndex.fill(0xffffffff);
  if (k === 1) {
    // Fused nearest-row kernel: no distance tile, the running minimum stays in wasm.
    const nearest = request.kind === "u8" ? kernels.l1U8Min : kernels.l1I16Min;
    for (let q0 = 0; q0 < queryCount; q0 += blockQueries) {
      const nq = Math.min(blockQueries, queryCount - q0);
      new Uint32Array(memory.buffer, scratchPtr, nq * 2).fill(0xffffffff);
      nearest(
        queryPtr + q0 * stride,
        nq,
        dataPtr + first * stride,
        end - first,
        stride,
        querySumPtr + q0 * 4,
        dataSumPtr + first * 4,
        first,
        scratchPtr,
      );
      const best = new Uint32Array(memory.buffer, scratchPtr, nq * 2);
      for (let q = 0; q < nq; q++) {
        bestDist[q0 + q] = best[2 * q];
        bestIndex[q0 + q] = best[2 * q + 1];
      }
    }
    return null;
  }
  for (let q0 = 0; q0 < queryCount; q0 += blockQueries) {
    const nq = Math.min(blockQueries, queryCount - q0);
    for (let j0 = first; j0 < end; j0 += scratchRows) {
      const nd = Math.min(scratchRows, end - j0);
      kernel(
        queryPtr + q0 * stride,
        nq,
        dataPtr + j0 * stride,
        nd,
        stride,
        scratchPtr,
        nd,
        querySumPtr + q0 * 4,
        dataSumPtr + j0 * 4,
      );
      const scratch = new Uint32Array(memory.buffer, scratchPtr, nq * nd);
      for (let q = 0; q < nq; q++) {
        scanTopK(scratch.subarray(q * nd, (q + 1) * nd), j0, {
          k,
          dist: bestDist.subarray((q0 + q) * k, (q0 + q + 1) * k),
          index: bestIndex.subarray((q0 + q) * k, (q0 + q + 1) * k),
        });
      }
    }
  }
  return null;
}

serveWorker<L1Protocol>({ init, distances, knn });
