#!/usr/bin/env python3
"""POT (ot.emd2, network simplex in C++) side of bench/emd.ts.

Reads a JSON spec (argv[1]) with the images file(s), the pairs, the window sizes and the k-NN job;
computes signatures exactly like lib/emd/signature.ts (window pixel sum / image total, empty windows
dropped, window centres in pixels, Euclidean ground distance) and prints a JSON result on stdout.
Per-pair time includes building the ground-distance matrix (as in /work/shared/anchors/emd.py);
reported as the median wall time over pairs and as process CPU time per pair over a whole pass.
Run with Debian's /usr/bin/python3 (python3-pot).
"""
import gzip
import json
import os
import statistics
import sys
import time

import numpy as np
import ot


def read_images(path):
    raw = open(path, "rb").read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    n, rows, cols = (int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(3))
    return np.frombuffer(raw, np.uint8, n * rows * cols, 16).reshape(n, rows, cols)


def signatures(X, s):
    n, rows, cols = X.shape
    gr, gc = rows // s, cols // s
    W = X.reshape(n, gr, s, gc, s).sum((2, 4), dtype=np.float64).reshape(n, -1)
    W /= W.sum(1, keepdims=True)
    r = np.arange(gr) * s + (s - 1) / 2
    c = np.arange(gc) * s + (s - 1) / 2
    P = np.stack(np.meshgrid(r, c, indexing="ij"), -1).reshape(-1, 2)
    return [(w[w > 0], P[w > 0]) for w in W]


def ground(pa, pb):
    return np.sqrt(((pa[:, None, :] - pb[None, :, :]) ** 2).sum(-1))


def emd(a, b):
    return ot.emd2(a[0], b[0], ground(a[1], b[1]), numItermax=10_000_000)


def main():
    spec = json.load(open(sys.argv[1]))
    X = read_images(spec["images"])
    out = {"pot": ot.__version__, "numpy": np.__version__, "load_before": os.getloadavg(), "pairs": {}}
    pairs = spec["pairs"]
    idx = sorted({i for p in pairs for i in p})
    for s in spec["windows"]:
        sig = dict(zip(idx, signatures(X[idx], s)))
        for a, b in pairs[:20]:
            emd(sig[a], sig[b])  # warm-up
        medians, cpu, values = [], [], []
        for _ in range(spec["reps"]):
            times, values = [], []
            c = time.process_time()
            for a, b in pairs:
                t = time.perf_counter()
                values.append(emd(sig[a], sig[b]))
                times.append(time.perf_counter() - t)
            cpu.append(1e6 * (time.process_time() - c) / len(pairs))
            medians.append(1e6 * statistics.median(times))
        out["pairs"][str(s)] = {"us_median": statistics.median(medians), "us_runs": medians,
                                "cpu_us_per_pair": statistics.median(cpu), "cpu_us_runs": cpu, "values": values}
    knn = spec.get("knn")
    if knn and knn["queries"] > 0:
        Q = read_images(spec["query_images"])[: knn["queries"]]
        s, k = knn["window"], knn["k"]
        t = time.perf_counter()
        sigX = signatures(X, s)
        sigQ = signatures(Q, s)
        t_sig = time.perf_counter() - t
        nn_idx, nn_dist, per_query = [], [], []
        for q in sigQ:
            t = time.perf_counter()
            d = np.array([emd(q, x) for x in sigX])
            per_query.append(time.perf_counter() - t)
            order = np.argsort(d, kind="stable")[:k]
            nn_idx.append(order.tolist())
            nn_dist.append(d[order].tolist())
        out["knn"] = {"window": s, "k": k, "queries": len(sigQ), "signature_s": t_sig,
                      "ms_per_query": 1e3 * statistics.mean(per_query), "ms_runs": [1e3 * x for x in per_query],
                      "indices": nn_idx, "distances": nn_dist}
    out["load_after"] = os.getloadavg()
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
