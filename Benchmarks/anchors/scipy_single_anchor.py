#!/usr/bin/env python3
"""scipy anchor of the single-article query benchmark (issue 5): exact top-k of one stored row, vector given.

For each seeded query row r of queries.npy (the rows SilaBench similarity-one times), one call is timed:
    s = (q @ AT).toarray().ravel(); s[r] = -inf; top = argpartition(-s, k)[:k]; top = top[argsort(-s[top])]
with q = A[r] and AT = A.T in CSR built beforehand (vector given, as on Sila's side). The same number of warm-up
queries as Sila's are run first and not timed.

Usage: scipy_single_anchor.py DIR [--k 10] [--warmup 100] [--json FILE]
"""
import os
import sys
import time

import numpy as np

from common import arg, blas_info, emit, load_csr, peak_rss_mb


def query(q, AT, row, k):
    scores = (q @ AT).toarray().ravel()
    scores[row] = -np.inf
    top = np.argpartition(-scores, k)[:k]
    return top[np.argsort(-scores[top], kind="stable")]


def main():
    if len(sys.argv) < 2 or sys.argv[1].startswith("--"):
        sys.exit(__doc__)
    directory = sys.argv[1]
    k = int(arg("k", 10))
    warmup = int(arg("warmup", 100))
    A = load_csr(directory)
    AT = A.T.tocsr()
    rows = np.load(os.path.join(directory, "queries.npy")).astype(np.int64).tolist()
    vectors = [A[r] for r in rows]
    k = min(k, A.shape[0] - 1)
    for position in range(min(warmup, len(rows))):
        query(vectors[position], AT, rows[position], k)
    latencies = []
    clock = time.perf_counter_ns
    for position, row in enumerate(rows):
        start = clock()
        query(vectors[position], AT, row, k)
        latencies.append((clock() - start) / 1000.0)
    latencies = np.sort(np.array(latencies))

    def pct(p):  # nearest rank, the same rule as SilaBench's
        rank = int(np.ceil(p / 100 * len(latencies)))
        return float(latencies[min(max(rank, 1), len(latencies)) - 1])

    emit(
        {
            "benchmark": "similarity-one",
            "side": "scipy",
            "rows": A.shape[0],
            "queries": len(rows),
            "k": k,
            "warmup": min(warmup, len(rows)),
            "p50_us": round(pct(50), 1),
            "p90_us": round(pct(90), 1),
            "p99_us": round(pct(99), 1),
            "max_us": round(float(latencies[-1]), 1),
            "mean_us": round(float(latencies.mean()), 1),
            "peak_rss_mb": round(peak_rss_mb(), 1),
            "blas": blas_info(),
        },
        arg("json"),
    )


if __name__ == "__main__":
    main()
