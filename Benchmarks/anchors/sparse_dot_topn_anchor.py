#!/usr/bin/env python3
"""sparse_dot_topn anchor of the all-pairs similarity benchmark (issue 5), and the exactness cross-check.

Reads the CSR matrix SilaBench exported (the same bytes Sila's side reads) and times
    sp_matmul_topn(A, A.T, top_n=k + 1, n_threads=threads, sort=True)
(k + 1 because each row finds itself; loading the files is not timed). Then the self match is removed and the
top-k row ids are written to --out-topk (int32, rows x k, -1 padded).

With --sila-topk (SilaBench similarity-all's output) it compares the two answers row by row:
  identical_sets  the top-k id sets are equal;
  equal_up_to_ties  the sets differ only among scores tied within 1e-6: the two lists' exact scores (recomputed in
                    float64 from the matrix) agree position by position within --tie-tolerance;
  mismatch        anything else (a real difference: one side missed a neighbour).

Usage: sparse_dot_topn_anchor.py DIR [--k 10] [--threads 2] [--sila-topk FILE] [--out-topk FILE] [--json FILE]
Prints one JSON object; peak_rss_mb is the process's ru_maxrss (imports and input included, like Sila's VmHWM).
"""
import os
import sys

import numpy as np

from common import arg, blas_info, emit, load_csr, now, peak_rss_mb


def topk_without_self(C, k):
    """Rows x k int32 ids (-1 padded) and float32 scores from the sorted top-(k+1) matrix, self removed."""
    n = C.shape[0]
    ids = np.full((n, k), -1, dtype=np.int32)
    scores = np.zeros((n, k), dtype=np.float32)
    indptr, indices, data = C.indptr, C.indices, C.data
    for row in range(n):
        start, end = indptr[row], indptr[row + 1]
        cols = indices[start:end]
        vals = data[start:end]
        order = np.argsort(-vals, kind="stable")
        cols, vals = cols[order], vals[order]
        keep = (cols != row) & (vals > 0)
        cols, vals = cols[keep][:k], vals[keep][:k]
        ids[row, : len(cols)] = cols
        scores[row, : len(vals)] = vals
    return ids, scores


def compare(A, sila_ids, anchor_ids, tolerance):
    """Row-by-row comparison of two top-k id arrays (see the module doc)."""
    n, k = anchor_ids.shape
    A64 = A.astype(np.float64)
    identical = 0
    tied = 0
    mismatches = []
    recall_sum = 0.0
    recall_rows = 0
    for row in range(n):
        s = sila_ids[row][sila_ids[row] >= 0]
        a = anchor_ids[row][anchor_ids[row] >= 0]
        if len(a) > 0:
            recall_sum += len(np.intersect1d(s, a)) / len(a)
            recall_rows += 1
        if len(s) == len(a) and set(s.tolist()) == set(a.tolist()):
            identical += 1
            continue
        union = np.union1d(s, a)
        exact = dict(zip(union.tolist(), (A64[union] @ A64[row].T).toarray().ravel().tolist())) if len(union) else {}
        s_scores = sorted((exact[j] for j in s.tolist()), reverse=True)
        a_scores = sorted((exact[j] for j in a.tolist()), reverse=True)
        if len(s_scores) == len(a_scores) and all(abs(x - y) <= tolerance for x, y in zip(s_scores, a_scores)):
            tied += 1
        else:
            mismatches.append(
                {
                    "row": row,
                    "sila_count": len(s),
                    "anchor_count": len(a),
                    "only_sila": [[j, round(exact[j], 7)] for j in sorted(set(s.tolist()) - set(a.tolist()))][:5],
                    "only_anchor": [[j, round(exact[j], 7)] for j in sorted(set(a.tolist()) - set(s.tolist()))][:5],
                }
            )
    return {
        "rows": n,
        "identical_sets": identical,
        "equal_up_to_ties": tied,
        "mismatch": len(mismatches),
        "agree_fraction": round((identical + tied) / n, 6) if n else 1.0,
        "identical_fraction": round(identical / n, 6) if n else 1.0,
        "sila_recall_at_k": round(recall_sum / recall_rows, 6) if recall_rows else 1.0,
        "tie_tolerance": tolerance,
        "mismatch_examples": mismatches[:5],
    }


def main():
    if len(sys.argv) < 2 or sys.argv[1].startswith("--"):
        sys.exit(__doc__)
    directory = sys.argv[1]
    k = int(arg("k", 10))
    threads = int(arg("threads", 2))
    sila_topk = arg("sila-topk")
    out_topk = arg("out-topk", os.path.join(directory, "sdt_topk.npy"))
    tolerance = float(arg("tie-tolerance", 1e-6))

    import sparse_dot_topn
    from sparse_dot_topn import sp_matmul_topn

    start = now()
    A = load_csr(directory)
    load_seconds = now() - start

    start = now()
    C = sp_matmul_topn(A, A.T, top_n=k + 1, n_threads=threads, sort=True)
    search_seconds = now() - start
    peak = peak_rss_mb()

    ids, scores = topk_without_self(C, k)
    np.save(out_topk, ids)
    np.save(out_topk.replace(".npy", "_scores.npy"), scores)
    result = {
        "benchmark": "similarity-all",
        "side": "sparse_dot_topn",
        "version": sparse_dot_topn.__version__,
        "call": f"sp_matmul_topn(A, A.T, top_n={k + 1}, n_threads={threads}, sort=True)",
        "rows": A.shape[0],
        "vocabulary": A.shape[1],
        "nnz": int(A.nnz),
        "k": k,
        "threads": threads,
        "load_s": round(load_seconds, 4),
        "search_s": round(search_seconds, 4),
        "peak_rss_mb": round(peak, 1),
        "topk_file": out_topk,
        "blas": blas_info(),
    }
    if sila_topk and os.path.exists(sila_topk):
        sila_ids = np.load(sila_topk)
        if sila_ids.shape != ids.shape:
            result["exactness"] = {"error": f"shape {sila_ids.shape} != {ids.shape}"}
        else:
            result["exactness"] = compare(A, sila_ids, ids, tolerance)
    emit(result, arg("json"))


if __name__ == "__main__":
    main()
