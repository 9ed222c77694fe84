#!/usr/bin/env python3
"""Peer side of `deno task bench:cluster`: pyclustering k-medians and scikit-learn's silhouette.

Run with Debian's /usr/bin/python3 (python3-pyclustering, python3-sklearn). Reads one IDX image file
(plain or .gz) and, optionally, the labels of our clustering (raw little-endian int32, one per image),
and writes one JSON object to --out:

* k-medians: pyclustering `kmeans_plusplus_initializer(X, k, random_state=seed)` (its defaults:
  Euclidean, 3 candidates), then `kmedians(metric=MANHATTAN, tolerance=0.001, itermax=100,
  ccore=True)` with a C++ core built by shared/anchors/build_ccore.sh, variants:
    fixed    - the released code with the one-line fix of annoviko/pyclustering#708, i.e. true
               coordinate-wise medians (the anchor used for the targets)
    upstream - the released code: its median update sorts whole points lexicographically (#708);
               very slow (~550 s on 8,000 x 784), run only when asked
  time = the whole kmedians(...).process() call (as in shared/anchors/cluster.py), wall-clock and
  process CPU time (time.process_time); objective = sum of
  L1 distances to the coordinate-wise median (np.median) of each final cluster.
  The initial medians are written out so that our k-medians can start from the same ones.
* silhouette: sklearn.metrics.silhouette_score(X, labels, metric="manhattan") on our labels; exact
  when n <= --sil-max-n, else on a random subset of --sil-sample points (numpy default_rng(seed)),
  whose indices are written out (we compute ours on the same subset) and whose time is extrapolated
  to all n points by (n / m)^2 (labelled "extrapolated").
"""
import argparse
import gzip
import json
import os
import struct
import sys
import time
import warnings

import numpy as np

if not hasattr(np, "warnings"):  # pyclustering 0.10.1.2's k-means++ uses numpy.warnings (gone in numpy 1.24)
    np.warnings = warnings


def read_images(path):
    with open(path, "rb") as f:
        buf = f.read()
    if buf[:2] == b"\x1f\x8b":
        buf = gzip.decompress(buf)
    zero, dtype, ndim = struct.unpack(">HBB", buf[:4])
    if zero != 0 or dtype != 0x08 or ndim != 3:
        sys.exit(f"{path}: not an IDX uint8 image file")
    shape = struct.unpack(">" + "I" * ndim, buf[4:4 + 4 * ndim])
    return np.frombuffer(buf, np.uint8, offset=4 + 4 * ndim).reshape(shape[0], -1)


def use_ccore(path):
    import pyclustering.core.wrapper as w
    w.PATH_PYCLUSTERING_CCORE_LIBRARY = path
    w.ccore_library._ccore_library__initialized = False
    w.ccore_library._ccore_library__library = None
    return w.ccore_library.workable()


def objective(X, labels):
    return float(sum(np.abs(X[labels == c] - np.median(X[labels == c], 0)).sum() for c in np.unique(labels)))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--images", required=True)
    p.add_argument("--labels", help="our labels, raw int32 little-endian (for the silhouette)")
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--variants", default="fixed", help="comma list of fixed, upstream; empty = none")
    p.add_argument("--lib-dir", required=True, help="folder with libpyclustering[_fixed].so")
    p.add_argument("--sil-max-n", type=int, default=10000)
    p.add_argument("--sil-sample", type=int, default=8000)
    p.add_argument("--out", required=True)
    a = p.parse_args()

    from pyclustering.cluster.center_initializer import kmeans_plusplus_initializer
    from pyclustering.cluster.kmedians import kmedians
    from pyclustering.utils.metric import distance_metric, type_metric
    from sklearn.metrics import silhouette_score
    import sklearn

    X8 = read_images(a.images)
    X = X8.astype(np.float64)
    n = len(X)
    R = {"n": n, "dim": X.shape[1], "k": a.k, "seed": a.seed, "load_before": os.getloadavg(),
         "versions": {"numpy": np.__version__, "sklearn": sklearn.__version__, "pyclustering": "0.10.1.2"}}
    if a.variants:
        t = time.perf_counter()
        init = kmeans_plusplus_initializer(X, a.k, random_state=a.seed).initialize()
        R["init_s"] = time.perf_counter() - t
        R["initial_medians"] = np.asarray(init).astype(int).tolist()
        Xl = X.tolist()
        for v in a.variants.split(","):
            lib = os.path.join(a.lib_dir, "libpyclustering_fixed.so" if v == "fixed" else "libpyclustering.so")
            if not use_ccore(lib):
                sys.exit(f"could not load {lib}")
            t, cpu = time.perf_counter(), time.process_time()
            km = kmedians(Xl, init, tolerance=0.001, ccore=True, itermax=100,
                          metric=distance_metric(type_metric.MANHATTAN))
            km.process()
            dt, dcpu = time.perf_counter() - t, time.process_time() - cpu
            lab = np.empty(n, np.int64)
            for c, members in enumerate(km.get_clusters()):
                lab[members] = c
            R[f"kmedians_{v}"] = {"time_s": dt, "cpu_s": dcpu, "objective": objective(X, lab),
                                  "cluster_sizes": np.bincount(lab).tolist()}
            print(f"peer: pyclustering {v}: {dt:.2f} s, objective {R[f'kmedians_{v}']['objective']:.0f}",
                  file=sys.stderr, flush=True)
    if a.labels:
        labels = np.fromfile(a.labels, dtype="<i4")
        assert len(labels) == n, "labels and images differ in count"
        if n <= a.sil_max_n:
            idx, exact = np.arange(n), True
        else:
            idx, exact = np.sort(np.random.default_rng(a.seed).choice(n, a.sil_sample, replace=False)), False
        t, cpu = time.perf_counter(), time.process_time()
        s = silhouette_score(X[idx], labels[idx], metric="manhattan")
        dt, dcpu = time.perf_counter() - t, time.process_time() - cpu
        m = len(idx)
        R["silhouette"] = {"value": float(s), "exact_all_points": exact, "m": m, "time_s": dt,
                           "cpu_s": dcpu, "time_all_points_s": dt * (n / m) ** 2,
                           "cpu_all_points_s": dcpu * (n / m) ** 2,
                           "time_all_points_kind": "measured" if exact else "extrapolated (n/m)^2",
                           "subset": None if exact else idx.tolist()}
        print(f"peer: sklearn silhouette on {m} points: {dt:.2f} s, value {s:.9f}", file=sys.stderr, flush=True)
    R["load_after"] = os.getloadavg()
    with open(a.out, "w") as f:
        json.dump(R, f)


if __name__ == "__main__":
    main()
