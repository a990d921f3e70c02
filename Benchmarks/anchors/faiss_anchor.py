#!/usr/bin/env python3
"""faiss anchor of the all-pairs similarity benchmark (issue 5): LSA-256 + IndexFlatIP, an approximate answer.

Two steps, each its own process (so each peak RSS is its own, and so that the OpenBLAS variables can be unset for
the numpy/scikit-learn step alone while faiss keeps its own older bundled OpenBLAS under the machine's settings):

  faiss_anchor.py svd DIR [--dims 256] [--json FILE]
      TruncatedSVD(n_components=dims, random_state=0).fit_transform(A), then L2-normalize rows; writes
      DIR/lsa<dims>.npy (float32). Timed: SVD + normalization (loading the matrix not).
  faiss_anchor.py search DIR [--dims 256] [--k 10] [--threads 2] [--exact FILE] [--json FILE]
      faiss.IndexFlatIP(dims): add all rows, search every row for k + 1, self removed. Timed: add + search.
      recall@k against the exact top-k in --exact (int32 rows x k, -1 padded: sparse_dot_topn's or Sila's).
"""
import os
import sys

import numpy as np

from common import arg, blas_info, emit, load_csr, now, peak_rss_mb


def svd(directory, dims):
    from sklearn.decomposition import TruncatedSVD
    from sklearn.preprocessing import normalize

    A = load_csr(directory)
    start = now()
    X = TruncatedSVD(n_components=dims, random_state=0).fit_transform(A)
    X = normalize(X).astype(np.float32)
    seconds = now() - start
    path = os.path.join(directory, f"lsa{dims}.npy")
    np.save(path, X)
    return {
        "benchmark": "similarity-all",
        "side": "faiss-svd",
        "rows": A.shape[0],
        "dims": dims,
        "svd_s": round(seconds, 4),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "embedding": path,
        "blas": blas_info(),
    }


def search(directory, dims, k, threads, exact_path):
    import faiss

    X = np.ascontiguousarray(np.load(os.path.join(directory, f"lsa{dims}.npy")), dtype=np.float32)
    faiss.omp_set_num_threads(threads)
    start = now()
    index = faiss.IndexFlatIP(X.shape[1])
    index.add(X)
    _, found = index.search(X, k + 1)
    seconds = now() - start
    peak = peak_rss_mb()
    n = X.shape[0]
    ids = np.full((n, k), -1, dtype=np.int64)
    for row in range(n):
        others = found[row][(found[row] != row) & (found[row] >= 0)][:k]
        ids[row, : len(others)] = others
    result = {
        "benchmark": "similarity-all",
        "side": "faiss",
        "version": faiss.__version__,
        "rows": n,
        "dims": dims,
        "k": k,
        "threads": threads,
        "search_s": round(seconds, 4),
        "peak_rss_mb": round(peak, 1),
        "blas": blas_info(),
    }
    if exact_path and os.path.exists(exact_path):
        exact = np.load(exact_path)
        total = 0.0
        counted = 0
        for row in range(n):
            truth = exact[row][exact[row] >= 0]
            if len(truth) == 0:
                continue
            total += len(np.intersect1d(truth, ids[row])) / len(truth)
            counted += 1
        result["recall_at_k"] = round(total / counted, 6) if counted else None
        result["recall_reference"] = exact_path
    return result


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in ("svd", "search"):
        sys.exit(__doc__)
    step, directory = sys.argv[1], sys.argv[2]
    dims = int(arg("dims", 256))
    if step == "svd":
        result = svd(directory, dims)
    else:
        result = search(directory, dims, int(arg("k", 10)), int(arg("threads", 2)), arg("exact"))
    emit(result, arg("json"))


if __name__ == "__main__":
    main()
