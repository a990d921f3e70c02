#!/usr/bin/env python3
"""scikit-learn's side of the vectorizer benchmark (Benchmarks/SilaBench/VectorizerBench.swift is Sila's side).

Reads the analyzer's token lists, one JSON object per line as `sila analyze --jsonl` prints them:
    {"id": "...", "title_tokens": [...], "body_tokens": [...]}
and runs TfidfVectorizer(analyzer=identity, sublinear_tf=True, smooth_idf=True, norm='l2', min_df=2, max_df=0.5)
.fit_transform on title + body tokens (title weight 1, the only weighting scikit-learn has).

Only fit + transform is timed (not reading the file), --repeat times (default 3, each with a new vectorizer, the
previous matrix dropped first), as Sila's side repeats its own. Prints one JSON object:
    {"seconds": ..., "cpu_seconds": ..., "runs": [...], "peak_rss_mb": ..., "documents": ..., "vocabulary": ...}
seconds and cpu_seconds are the fastest run's (the least disturbed by other work on a shared machine); runs lists
every run's seconds. cpu_seconds (process CPU time of fit + transform) is the steadier figure on a loaded machine.
peak_rss_mb is the process's peak resident set (resource.getrusage ru_maxrss), imports and input included, as
Sila's figure (VmHWM) includes its input.

Usage: python3 Benchmarks/vectorizer/sklearn_tfidf.py TOKENS.jsonl [--repeat N]   (or the JSONL on stdin)
Needs scikit-learn (pip install scikit-learn, in a virtualenv outside the repo).
"""
import argparse
import json
import resource
import sys
import time

from sklearn.feature_extraction.text import TfidfVectorizer


def identity(tokens):
    return tokens


def read_token_lists(stream):
    documents = []
    for line in stream:
        if not line.strip():
            continue
        record = json.loads(line)
        documents.append(record.get("title_tokens", []) + record.get("body_tokens", []))
    return documents


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("tokens", nargs="?")
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args()
    if arguments.tokens:
        with open(arguments.tokens, encoding="utf-8") as stream:
            documents = read_token_lists(stream)
    else:
        documents = read_token_lists(sys.stdin)

    runs, cpu_runs = [], []
    matrix = vectorizer = None
    for _ in range(max(1, arguments.repeat)):
        matrix = vectorizer = None  # the previous run's matrix is freed first
        vectorizer = TfidfVectorizer(
            analyzer=identity, sublinear_tf=True, smooth_idf=True, norm="l2", min_df=2, max_df=0.5
        )
        start, start_cpu = time.perf_counter(), time.process_time()
        matrix = vectorizer.fit_transform(documents)
        runs.append(time.perf_counter() - start)
        cpu_runs.append(time.process_time() - start_cpu)
    seconds, cpu_seconds = min(runs), min(cpu_runs)

    # ru_maxrss is in KiB on Linux (bytes on macOS).
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    peak_mb = peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024
    print(json.dumps({
        "seconds": round(seconds, 4),
        "cpu_seconds": round(cpu_seconds, 4),
        "runs": [round(run, 4) for run in runs],
        "peak_rss_mb": round(peak_mb, 1),
        "documents": matrix.shape[0],
        "vocabulary": len(vectorizer.vocabulary_),
    }))


if __name__ == "__main__":
    main()
