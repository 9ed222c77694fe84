"""k-NN peers for latentlab (called by lib/search/peers.ts, used by bench/knn.ts and notebook B): faiss
IndexFlat(d, METRIC_L1) exact 1-NN and pynndescent (metric manhattan, default build parameters,
random_state 0) on the same uint8 IDX image files (plain or gzip). Prints one JSON object on stdout.

usage: /usr/bin/python3 lib/search/_knn_peers.py TRAIN_IMAGES QUERY_IMAGES [--faiss-queries M]
       [--nnd-queries Q] [--reps R] [--faiss-reps F] [--no-faiss] [--no-nnd] [--nnd-epsilons 0,0.05,0.1,0.2,0.3]
       [--nnd-jobs J] [--nnd-parallel-queries]

faiss (unless --no-faiss): the first M queries searched R times (--faiss-reps, default R); "faiss" holds the median time and the
last run's distances and indices (first neighbour).

pynndescent (unless --no-nnd): a JIT warm-up (a small index on the first 2,000 images, queried once),
then one index on all of TRAIN_IMAGES (build + prepare, n_jobs J, default 2), one warm-up query, then
for every epsilon of --nnd-epsilons (default: only 0.1, pynndescent's default) the first Q queries
searched R times with k=10, the first neighbour scored. "pynndescent" is the epsilon 0.1 result (run
on the same index when 0.1 is not in the list), with build and warm-up times; "pynndescent_points" lists
one {epsilon, queries, runs_s, median_s, ms_per_query, distances, indices} per epsilon, in the order
given. --nnd-parallel-queries sets parallel_batch_queries (queries spread over the numba threads);
without it pynndescent searches on one thread.

Times are wall-clock (perf_counter) and, as cpu_*, the process's CPU time over all its threads
(process_time), which a busy machine inflates less.

Distances are L1 on the uint8 pixels (exact in float32 for 784-d images), rounded to integers.
"""
import argparse
import gzip
import json
import os
import struct
import time

import numpy as np


def read_idx(path):
    opener = gzip.open if open(path, "rb").read(2) == b"\x1f\x8b" else open
    with opener(path, "rb") as f:
        buf = f.read()
    zero, dtype, ndim = struct.unpack(">HBB", buf[:4])
    assert zero == 0 and dtype == 0x08, path + ": only uint8 IDX supported"
    shape = struct.unpack(">" + "I" * ndim, buf[4:4 + 4 * ndim])
    return np.frombuffer(buf, np.uint8, offset=4 + 4 * ndim).reshape(shape[0], -1)


def epsilons(text):
    values = [float(x) for x in text.split(",") if x.strip() != ""]
    if not values or any(not (v >= 0) for v in values):
        raise argparse.ArgumentTypeError("expected a comma-separated list of epsilons >= 0")
    return values


def timed_queries(nnd, queries, epsilon, reps):
    times, cpu = [], []
    for _ in range(reps):
        t, c = time.perf_counter(), time.process_time()
        Ia, Da = nnd.query(queries, k=10, epsilon=epsilon)  # k=10 search, its first neighbour is scored
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    med = float(np.median(times))
    return {"epsilon": epsilon, "queries": int(len(queries)), "runs_s": times, "median_s": med,
            "ms_per_query": 1e3 * med / len(queries), "cpu_runs_s": cpu,
            "cpu_ms_per_query": 1e3 * float(np.median(cpu)) / len(queries),
            "distances": np.rint(Da[:, 0]).astype(np.int64).tolist(),
            "indices": Ia[:, 0].astype(np.int64).tolist()}


def main():
    p = argparse.ArgumentParser(description="faiss and pynndescent L1 1-NN on IDX image files (JSON on stdout)")
    p.add_argument("train")
    p.add_argument("queries")
    p.add_argument("--faiss-queries", type=int, default=1000)
    p.add_argument("--nnd-queries", type=int, default=10000)
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--faiss-reps", type=int, default=None, help="repetitions of the faiss search (default: --reps)")
    p.add_argument("--no-faiss", action="store_true")
    p.add_argument("--no-nnd", action="store_true")
    p.add_argument("--nnd-epsilons", type=epsilons, default=[0.1])
    p.add_argument("--nnd-jobs", type=int, default=2)
    p.add_argument("--nnd-parallel-queries", action="store_true")
    a = p.parse_args()
    if a.reps < 1:
        p.error("--reps must be >= 1")
    X = read_idx(a.train)
    Q = read_idx(a.queries)
    if X.shape[1] != Q.shape[1]:
        p.error(f"train images have {X.shape[1]} pixels, queries {Q.shape[1]}")
    Xf, Qf = X.astype(np.float32), Q.astype(np.float32)
    r = {"n": int(len(X)), "dim": int(X.shape[1]), "load_before": os.getloadavg()}
    if not a.no_faiss:
        import faiss
        r["faiss_version"] = faiss.__version__
        r["faiss_threads"] = faiss.omp_get_max_threads()
        index = faiss.IndexFlat(X.shape[1], faiss.METRIC_L1)
        index.add(Xf)
        fq = min(a.faiss_queries, len(Q))
        times, cpu = [], []
        for _ in range(a.faiss_reps or a.reps):
            t, c = time.perf_counter(), time.process_time()
            D, I = index.search(Qf[:fq], 1)
            times.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
        med = float(np.median(times))
        r["faiss"] = {"queries": fq, "runs_s": times, "median_s": med, "ms_per_query": 1e3 * med / fq,
                      "cpu_runs_s": cpu, "cpu_ms_per_query": 1e3 * float(np.median(cpu)) / fq,
                      "distances": D[:, 0].astype(np.int64).tolist(),
                      "indices": I[:, 0].astype(np.int64).tolist()}
    if not a.no_nnd:
        import pynndescent
        r["pynndescent_version"] = getattr(pynndescent, "__version__", "unknown")
        nq = min(a.nnd_queries, len(Q))
        options = {"metric": "manhattan", "random_state": 0, "n_jobs": a.nnd_jobs,
                   "parallel_batch_queries": a.nnd_parallel_queries}
        t = time.perf_counter()
        pynndescent.NNDescent(Xf[:2000], **options).query(Qf[:10], k=10)
        warm = time.perf_counter() - t
        t = time.perf_counter()
        nnd = pynndescent.NNDescent(Xf, **options)
        nnd.prepare()
        build = time.perf_counter() - t
        nnd.query(Qf[:10], k=10)
        points = [timed_queries(nnd, Qf[:nq], e, a.reps) for e in a.nnd_epsilons]
        default = next((pt for pt in points if pt["epsilon"] == 0.1), None) or timed_queries(nnd, Qf[:nq], 0.1, a.reps)
        r["pynndescent"] = {"queries": nq, "params": {**options, "query_k": 10, "query_epsilon": 0.1},
                            "jit_warmup_s": warm, "build_s": build, "runs_s": default["runs_s"],
                            "median_s": default["median_s"], "ms_per_query": default["ms_per_query"],
                            "cpu_runs_s": default["cpu_runs_s"], "cpu_ms_per_query": default["cpu_ms_per_query"],
                            "distances": default["distances"], "indices": default["indices"]}
        r["pynndescent_points"] = points
    r["load_after"] = os.getloadavg()
    print(json.dumps(r))


if __name__ == "__main__":
    main()
