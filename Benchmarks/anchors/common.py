"""Helpers shared by the Python anchors: reading the CSR matrix SilaBench exported, peak memory, BLAS info, output.

The matrix directory (written by `SilaBench csr`) holds indptr.npy (int64), indices.npy (int32), data.npy
(float32), shape.npy (int64 [rows, vocabulary]), queries.npy (int64 query rows) and ids.txt.
"""
import json
import os
import resource
import sys
import time

import numpy as np
import scipy.sparse as sp


def load_csr(directory):
    """The exported TF-IDF matrix as a scipy CSR matrix (float32), exactly the bytes Sila reads."""
    shape = np.load(os.path.join(directory, "shape.npy"))
    indptr = np.load(os.path.join(directory, "indptr.npy"))
    indices = np.load(os.path.join(directory, "indices.npy"))
    data = np.load(os.path.join(directory, "data.npy"))
    return sp.csr_matrix((data, indices, indptr), shape=(int(shape[0]), int(shape[1])))


def peak_rss_mb():
    """Peak resident set of this process in MiB (ru_maxrss is in KiB on Linux): comparable with Sila's VmHWM."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def blas_info():
    """Which BLAS libraries are loaded and which kernel each runs (threadpoolctl), plus the OpenBLAS variables."""
    try:
        from threadpoolctl import threadpool_info
        libraries = [
            {k: info.get(k) for k in ("prefix", "version", "architecture", "num_threads", "threading_layer")}
            for info in threadpool_info()
        ]
    except Exception as error:  # threadpoolctl missing or failing: say so, do not fail the benchmark
        libraries = [{"error": str(error)}]
    env = {k: os.environ[k] for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS") if k in os.environ}
    return {"libraries": libraries, "env": env}


def now():
    return time.perf_counter()


def emit(result, path=None):
    """Prints the result as one JSON line and writes it to `path` when given."""
    line = json.dumps(result, sort_keys=True)
    print(line, flush=True)
    if path:
        with open(path, "w") as out:
            json.dump(result, out, sort_keys=True, indent=1)


def arg(name, default=None):
    """`--name value` from sys.argv."""
    flag = "--" + name
    if flag in sys.argv:
        return sys.argv[sys.argv.index(flag) + 1]
    return default
