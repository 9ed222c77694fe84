"""Peers for bench/knn.ts: faiss IndexFlat(d, METRIC_L1) exact 1-NN and pynndescent (manhattan, default
parameters) on the same IDX files. Prints one JSON object on stdout.

usage: /usr/bin/python3 bench/knn_peers.py TRAIN_IMAGES QUERY_IMAGES --faiss-queries M --nnd-queries Q [--reps R]
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


def main():
    p = argparse.ArgumentParser()
    p.add_argument("train")
    p.add_argument("queries")
    p.add_argument("--faiss-queries", type=int, default=1000)
    p.add_argument("--nnd-queries", type=int, default=10000)
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--no-nnd", action="store_true")
    a = p.parse_args()
    import faiss
    X = read_idx(a.train)
    Q = read_idx(a.queries)
    Xf, Qf = X.astype(np.float32), Q.astype(np.float32)
    r = {"n": int(len(X)), "dim": int(X.shape[1]), "faiss_version": faiss.__version__,
         "faiss_threads": faiss.omp_get_max_threads(), "load_before": os.getloadavg()}
    index = faiss.IndexFlat(X.shape[1], faiss.METRIC_L1)
    index.add(Xf)
    fq = min(a.faiss_queries, len(Q))
    times = []
    for _ in range(a.reps):
        t = time.perf_counter()
        D, I = index.search(Qf[:fq], 1)
        times.append(time.perf_counter() - t)
    med = float(np.median(times))
    r["faiss"] = {"queries": fq, "runs_s": times, "median_s": med, "ms_per_query": 1e3 * med / fq,
                  "distances": D[:, 0].astype(np.int64).tolist(), "indices": I[:, 0].astype(np.int64).tolist()}
    if not a.no_nnd:
        import pynndescent
        nq = min(a.nnd_queries, len(Q))
        t = time.perf_counter()
        pynndescent.NNDescent(Xf[:2000], metric="manhattan", random_state=0).query(Qf[:10], k=10)
        warm = time.perf_counter() - t
        t = time.perf_counter()
        nnd = pynndescent.NNDescent(Xf, metric="manhattan", random_state=0, n_jobs=2)
        nnd.prepare()
        build = time.perf_counter() - t
        nnd.query(Qf[:10], k=10)
        times = []
        for _ in range(a.reps):
            t = time.perf_counter()
            Ia, Da = nnd.query(Qf[:nq], k=10)  # as in the anchors: k=10 search, its first neighbour is scored
            times.append(time.perf_counter() - t)
        med = float(np.median(times))
        r["pynndescent"] = {"queries": nq, "params": {"metric": "manhattan", "random_state": 0, "n_jobs": 2,
                                                      "query_k": 10, "query_epsilon": 0.1},
                            "jit_warmup_s": warm, "build_s": build, "runs_s": times, "median_s": med,
                            "ms_per_query": 1e3 * med / nq,
                            "distances": np.rint(Da[:, 0]).astype(np.int64).tolist(),
                            "indices": Ia[:, 0].astype(np.int64).tolist()}
    r["load_after"] = os.getloadavg()
    print(json.dumps(r))


if __name__ == "__main__":
    main()
