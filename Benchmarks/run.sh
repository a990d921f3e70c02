#!/usr/bin/env bash
# Sila's benchmarks, the one command: builds Sila in release, sets up the Python anchors, runs both sides on the same
# corpus in the same run and prints one table with ratios. See Benchmarks/README.md.
#
#   Benchmarks/run.sh [--quick] [--only NAME]
#     --quick      the dev corpus only (no synthetic 100k corpus)
#     --only NAME  one benchmark: similarity | ingest | analyzer | vectorizer | relevance | server
#   Environment: SILA_BENCH_CORPUS (default ../shared/data/ar-news-dev.jsonl), SILA_BENCH_SYNTH_COUNT (100000),
#   SILA_BENCH_THREADS (2).
set -uo pipefail

usage() { sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; }
QUICK=0
ONLY=""
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) QUICK=1 ;;
        --only) ONLY="${2:-}"; shift ;;
        --only=*) ONLY="${1#--only=}" ;;
        -h|--help) usage; exit 0 ;;
        *) echo "run.sh: unknown option $1" >&2; usage >&2; exit 64 ;;
    esac
    shift
done
case "$ONLY" in ""|similarity|ingest|analyzer|vectorizer|relevance|server) ;; *) echo "run.sh: --only takes similarity, ingest, analyzer, vectorizer, relevance or server" >&2; exit 64 ;; esac
wants() { [ -z "$ONLY" ] || [ "$ONLY" = "$1" ]; }

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
BENCH_DIR="$ROOT/Benchmarks"
OUT="$BENCH_DIR/out"
LOGS="$OUT/logs"
SCRATCH="$ROOT/.build-bench"
THREADS="${SILA_BENCH_THREADS:-2}"
SYNTH_COUNT="${SILA_BENCH_SYNTH_COUNT:-100000}"
SYNTH_SET="syn$((SYNTH_COUNT / 1000))k"
CORPUS="${SILA_BENCH_CORPUS:-$ROOT/../shared/data/ar-news-dev.jsonl}"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { echo "run.sh: $*" >&2; exit 1; }

if [ ! -f "$CORPUS" ]; then
    die "the dev corpus is missing: $CORPUS
  The benchmarks run on the ANT-derived dev corpus (shared/data/ar-news-dev.jsonl beside this repository);
  put it there or point SILA_BENCH_CORPUS at a JSONL file of articles."
fi
CORPUS="$(cd "$(dirname "$CORPUS")" && pwd)/$(basename "$CORPUS")"

mkdir -p "$OUT" "$LOGS"
# Results are per run: the table never mixes figures of an older run.
rm -rf "$OUT"/*/results "$OUT/table" "$LOGS"/*
mkdir -p "$LOGS"

# ── System packages and builds ───────────────────────────────────────────────────────────────────────────────────
say "system packages"
bash "$ROOT/scripts/ensure-system-packages.sh" || die "could not install the system packages"
if ! command -v python3 >/dev/null || ! python3 -m venv --help >/dev/null 2>&1; then
    say "installing python3 and python3-venv"
    export DEBIAN_FRONTEND=noninteractive
    { apt-get install -y --no-install-recommends python3 python3-venv >/dev/null 2>&1 \
        || { apt-get update >/dev/null && apt-get install -y --no-install-recommends python3 python3-venv >/dev/null; }; } \
        || die "python3 with venv is needed for the anchors"
fi

say "building SilaBench (release, $SCRATCH)"
swift build -c release --scratch-path "$SCRATCH" --product SilaBench >"$LOGS/build-silabench.log" 2>&1 \
    || { tail -40 "$LOGS/build-silabench.log" >&2; die "release build of SilaBench failed (log: $LOGS/build-silabench.log)"; }
SILA_BUILT=0
if wants ingest || wants relevance || wants server; then
    say "building sila (release; the first time compiles the server's dependencies: several minutes)"
    if swift build -c release --scratch-path "$SCRATCH" --product sila >"$LOGS/build-sila.log" 2>&1; then
        SILA_BUILT=1
    else
        # The other benchmarks do not need the CLI: go on without the ingest/index benchmark, and fail at the end.
        grep -E "error:" "$LOGS/build-sila.log" | head -5 >&2
        echo "run.sh: release build of sila failed (log: $LOGS/build-sila.log): the ingest/index benchmark is skipped" >&2
    fi
fi
BIN="$(swift build -c release --scratch-path "$SCRATCH" --show-bin-path)"
BENCH="$BIN/SilaBench"
SILA="$BIN/sila"

# ── Python anchors ───────────────────────────────────────────────────────────────────────────────────────────────
VENV="$BENCH_DIR/.venv"
REQUIREMENTS="$BENCH_DIR/anchors/requirements.txt"
if [ ! -x "$VENV/bin/python" ]; then
    say "creating the anchors' virtualenv ($VENV)"
    python3 -m venv "$VENV" || die "python3 -m venv failed"
fi
STAMP="$VENV/.requirements.sha256"
if [ "$(cat "$STAMP" 2>/dev/null)" != "$(sha256sum "$REQUIREMENTS" | cut -d' ' -f1)" ]; then
    say "installing the anchors' packages (requirements.txt)"
    "$VENV/bin/python" -m pip install -q --upgrade pip >"$LOGS/pip.log" 2>&1
    "$VENV/bin/python" -m pip install -q -r "$REQUIREMENTS" >>"$LOGS/pip.log" 2>&1 \
        || { tail -20 "$LOGS/pip.log" >&2; die "pip install failed (log: $LOGS/pip.log)"; }
    sha256sum "$REQUIREMENTS" | cut -d' ' -f1 >"$STAMP"
fi
PY="$VENV/bin/python"
ANCHORS="$BENCH_DIR/anchors"

# OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE are set on some machines because older OpenBLAS builds compute wrong results
# or crash there; they slow a current numpy. They are unset, both together, for the numpy/scipy anchor commands
# alone — never for Sila, and not for faiss's search, which runs the older OpenBLAS faiss bundles.
PY_ENV=(env)
OPENBLAS_NOTE="OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE not set"
if [ -n "${OPENBLAS_CORETYPE+x}" ] || [ -n "${OPENBLAS_L2_SIZE+x}" ]; then
    PY_ENV=(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE)
    OPENBLAS_NOTE="OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-} OPENBLAS_L2_SIZE=${OPENBLAS_L2_SIZE:-} set here: unset for the numpy/scipy anchors only (Sila and faiss's search keep them)"
fi
NUMPY_KERNEL="$("${PY_ENV[@]}" "$PY" -c '
import numpy, scipy.sparse
from threadpoolctl import threadpool_info
libraries = [info for info in threadpool_info() if info.get("internal_api") == "openblas"]
print(", ".join("%s %s kernel %s" % (info["prefix"], info.get("version"), info.get("architecture")) for info in libraries))
' 2>/dev/null || echo unknown)"

# ── Steps ────────────────────────────────────────────────────────────────────────────────────────────────────────
FAILED=()
[ "$SILA_BUILT" = 1 ] || ! { wants ingest || wants server; } || FAILED+=("build-sila")
# step NAME TIMEOUT_S command...: runs one measurement, its output in $LOGS/NAME.log; a failure is recorded, not fatal.
step() {
    local name="$1" limit="$2"
    shift 2
    local start=$SECONDS
    printf '    %-28s' "$name" >&2
    timeout --kill-after=30 "$limit" "$@" >"$LOGS/$name.log" 2>&1
    local status=$?
    if [ $status -eq 0 ]; then
        echo "ok ($((SECONDS - start)) s)" >&2
    else
        [ $status -eq 124 ] && echo "TIMED OUT after ${limit} s" >&2 || echo "FAILED (exit $status; log: $LOGS/$name.log)" >&2
        tail -5 "$LOGS/$name.log" | sed 's/^/        /' >&2
        FAILED+=("$name")
    fi
    return $status
}

# similarity SET CORPUS_FILE LIMIT_S: the issue-5 benchmark on one corpus, every side in its own process.
similarity() {
    local set="$1" corpus="$2" limit="$3"
    local csr="$OUT/$set/csr" results="$OUT/$set/results"
    mkdir -p "$csr" "$results"
    say "similarity benchmark: $set"
    step "$set-csr" "$limit" "$BENCH" csr --corpus "$corpus" --out "$csr" --threads "$THREADS" || return 0
    cp "$csr/meta.json" "$results/csr.json"
    rm -f "$csr"/sila_topk*.npy "$csr"/sdt_topk*.npy "$csr"/lsa*.npy
    step "$set-sila-all" "$limit" "$BENCH" similarity-all --csr "$csr" --k 10 --threads "$THREADS" \
        --out-topk "$csr/sila_topk.npy" --json "$results/sila_all.json"
    step "$set-sila-one" "$limit" "$BENCH" similarity-one --csr "$csr" --k 10 --threads "$THREADS" \
        --json "$results/sila_one.json"
    step "$set-sparse_dot_topn" "$limit" "${PY_ENV[@]}" "$PY" "$ANCHORS/sparse_dot_topn_anchor.py" "$csr" --k 10 \
        --threads "$THREADS" --sila-topk "$csr/sila_topk.npy" --out-topk "$csr/sdt_topk.npy" --json "$results/sdt.json"
    step "$set-scipy-one" "$limit" "${PY_ENV[@]}" "$PY" "$ANCHORS/scipy_single_anchor.py" "$csr" --k 10 \
        --json "$results/scipy_one.json"
    local exact="$csr/sdt_topk.npy"
    [ -f "$exact" ] || exact="$csr/sila_topk.npy"
    if step "$set-faiss-svd" "$limit" "${PY_ENV[@]}" "$PY" "$ANCHORS/faiss_anchor.py" svd "$csr" --dims 256 \
        --json "$results/faiss_svd.json"; then
        step "$set-faiss-search" "$limit" "$PY" "$ANCHORS/faiss_anchor.py" search "$csr" --dims 256 --k 10 \
            --threads "$THREADS" --exact "$exact" --json "$results/faiss.json"
    fi
    return 0
}

# ingest SET CORPUS_FILE LIMIT_S: the issue-6 benchmark: sila ingest + sila index on a fresh database.
ingest() {
    local set="$1" corpus="$2" limit="$3"
    mkdir -p "$OUT/$set/ingest" "$OUT/$set/results"
    say "ingest/index benchmark: $set"
    step "$set-ingest-index" "$((2 * limit + 60))" "$BENCH" ingest-index --sila "$SILA" --corpus "$corpus" \
        --work "$OUT/$set/ingest" --threads "$THREADS" --timeout "$limit" --json "$OUT/$set/results/ingest_index.json"
    [ -f "$OUT/$set/ingest/index.stdout.log" ] && sed 's/^/        sila index: /' "$OUT/$set/ingest/index.stdout.log" >&2
    return 0
}

SETS="dev"
wants similarity && similarity dev "$CORPUS" 900
wants ingest && [ "$SILA_BUILT" = 1 ] && ingest dev "$CORPUS" 900

if [ $QUICK -eq 0 ] && { wants similarity || wants ingest; }; then
    SETS="dev,$SYNTH_SET"
    SYNTH="$OUT/synth-$SYNTH_SET.jsonl"
    say "synthetic corpus: $SYNTH_COUNT articles from the dev corpus (seed 1) → $SYNTH"
    if step "synth-$SYNTH_SET" 900 "$BENCH" synth --from "$CORPUS" --count "$SYNTH_COUNT" --seed 1 --out "$SYNTH"; then
        wants similarity && similarity "$SYNTH_SET" "$SYNTH" 2400
        wants ingest && [ "$SILA_BUILT" = 1 ] && ingest "$SYNTH_SET" "$SYNTH" 2400
    fi
fi

# Optional benchmarks of other modules, run when this SilaBench build registers them (see main.swift).
if wants analyzer && "$BENCH" list | grep -qx analyzer; then
    say "analyzer benchmark"
    step analyzer 1800 "$BENCH" analyzer --corpus "$CORPUS" --out "$OUT" --json "$OUT/analyzer.json"
fi
if wants vectorizer && "$BENCH" list | grep -qx vectorizer; then
    say "vectorizer benchmark"
    if [ "$SILA_BUILT" = 1 ] || swift build -c release --scratch-path "$SCRATCH" --product sila >"$LOGS/build-sila.log" 2>&1; then
        if "$SILA" analyze --jsonl <"$CORPUS" >"$OUT/dev-tokens.jsonl" 2>"$LOGS/analyze-tokens.log"; then
            step vectorizer 1800 "$BENCH" vectorizer --tokens "$OUT/dev-tokens.jsonl" --corpus "$CORPUS" --out "$OUT" --json "$OUT/vectorizer.json"
        else
            FAILED+=("analyze-tokens")
        fi
    else
        FAILED+=("build-sila")
    fi
fi

# Relevance: Sila's defaults (`sila eval`) and the plain Python pipeline, same corpus, same metrics.
if wants relevance && [ "$SILA_BUILT" = 1 ]; then
    say "relevance benchmark (sila eval vs the plain Python pipeline)"
    step relevance-sila 1800 sh -c "\"$SILA\" eval \"$CORPUS\" --json --threads $THREADS > \"$OUT/relevance-sila.json\""
    step relevance-plain 3600 sh -c "\"$VENV/bin/python\" Benchmarks/relevance/plain_pipeline.py \"$CORPUS\" > \"$OUT/relevance-plain.json\""
    [ -s "$OUT/relevance-sila.json" ] && [ -s "$OUT/relevance-plain.json" ] \
        && "$VENV/bin/python" Benchmarks/relevance/table_rows.py "$OUT/relevance-sila.json" "$OUT/relevance-plain.json" "$OUT"
fi

# Server (issue 7): `sila serve` on a Unix socket loaded by `SilaBench loadgen` (GET, paced GET, PUT alone, mixed
# GET/PUT, RSS, `sila related` per process); its rows join the table through out/table/server.json, its notes follow it.
if wants server && [ "$SILA_BUILT" = 1 ] && "$BENCH" list | grep -qx loadgen; then
    say "server benchmark (sila serve under SilaBench loadgen; client and server share the machine's cores)"
    mkdir -p "$OUT/server"
    step server 1800 "$BENCH" loadgen --sila "$SILA" --corpus "$CORPUS" --work "$OUT/server" --threads "$THREADS" \
        --out "$OUT" --json "$OUT/server/result.json"
fi

# ── The table ────────────────────────────────────────────────────────────────────────────────────────────────────
echo
echo "Sila benchmarks — $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet 2>/dev/null || echo ' (+ uncommitted changes)')"
echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(free -g | awk '/^Mem:/ {print $2}') GiB; threads $THREADS on both sides"
echo "OpenBLAS: Sila links $(dpkg-query -W -f='${Status} ${Package} ${Version}\n' 'libopenblas0-*' 2>/dev/null | awk '/install ok installed/ {print $4, $5; exit}'); numpy/scipy anchors: ${NUMPY_KERNEL}; ${OPENBLAS_NOTE}"
echo "Corpus: $(basename "$CORPUS") ($(wc -l <"$CORPUS") articles) — ANT corpus, Chouigui et al. 2017/2021 (AICCSA 2017 pp. 135-142; Arab. J. Sci. Eng. 46(8), 2021)"
[ "$SETS" != "dev" ] && echo "Synthetic: $SYNTH_COUNT articles generated from it (SilaBench synth, seed 1; Benchmarks/out only, never committed)"
echo
"$BENCH" report --out "$OUT" --sets "$SETS"
[ -f "$OUT/table/server.notes" ] && sed 's/^/- /' "$OUT/table/server.notes"
if [ ${#FAILED[@]} -gt 0 ]; then
    echo
    echo "Steps that failed or timed out: ${FAILED[*]} (logs in $LOGS)"
    exit 1
fi
