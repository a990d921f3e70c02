#!/usr/bin/env bash
# Sila's soak test (issue 9): the server under mixed traffic for a bounded time while it is killed with SIGKILL and
# restarted three times, then checks that nothing acknowledged was lost and nothing is half-written.
#
#   scripts/soak.sh [--minutes 10] [--seed 9] [--rate 100] [--readers 4] [--writers 1] [--keep]
#     --minutes M    how long the traffic runs (default 10; 1 for a quick check)
#     --seed S       seeds the client's traffic and the kill moments (default 9)
#     --rate R       GET requests/s offered by the readers in all (default 100)
#     --writers W    connections sending writes, one at a time each (default 1)
#     --keep         keep the temporary directory (database, journal, logs) and print its path
#     --no-build     use the binaries already in .build-bench/release (while the sources do not build)
#   Environment: SILA_SOAK_CORPUS (default ../shared/data/ar-news-dev.jsonl).
#
# Everything stays on this machine: the server listens on a Unix socket in a fresh temporary directory (mode 0700).
# Steps: build release `sila` and `SilaBench` (scratch path .build-bench); `sila ingest` + `sila index` of the
# corpus into the temporary directory; start `sila serve`; run `SilaBench soak`, the client: readers send
# GET /v1/articles/{id}/related at a paced rate; writers send one write at a time (70% PUT — new articles and
# edited ones —, 30% DELETE), read each acknowledged write back, and pause 0.2 s (closed loop: on the dev corpus one
# PUT costs the server seconds of CPU, so paced writes would only pile up); one POST /v1/recompute at 30% of the run,
# its job polled until done and requested again if a kill interrupted it. Meanwhile this script kills the server
# with SIGKILL at three seeded random moments between 10% and 90% of the run and restarts it after 0.5–3 s. The
# client journals every write with its outcome and samples the server's RSS once a second.
#
# At the end (server still up) the client reads every written id back through the socket; a recompute job must have
# reached `done` (one failed by a kill is requested again, up to 4 times) and no request may have been answered with
# a 5xx (the server's log lines of such failures are printed); then the server is stopped (SIGTERM) and
# `SilaBench soak-verify` checks the database:
#   - PRAGMA integrity_check is ok;
#   - every acknowledged upsert is stored with exactly the content sent (a hash of every field after the server's
#     own validation) and every acknowledged delete is absent. A write whose answer never came (the server died
#     under it) may have happened or not: both are accepted, and how many ids were uncertain is printed;
#   - every stored list is whole: no list names a missing article, its own article, or one article twice, none is
#     longer than k, every article with a non-empty vector has a list;
#   - "consistent with a fresh recompute": `sila index` (no refit: the same model and list settings) on a copy of
#     the database, and each stored list compared with the recomputed one. Two lists agree when they have the same
#     length and, position by position, scores within 1e-6 and the same ids — except that inside a run of scores
#     tied within 1e-6 the order is free, and a tied run at the end of a list may hold different ids (which tied
#     candidate makes the cut is arbitrary). Live updates search again every list a write can change, so a live
#     list must equal the batch one: any list that differs (or exists on one side only) fails the soak;
#   - RSS: first/last/max per server process and over the run, with the slope over the second half of each
#     process's life (growth without bound shows as a steady positive slope).
# Exit status 0 when every check passed; 1 otherwise (a failed build or setup: 2).
set -uo pipefail

usage() { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; }
MINUTES=10
SEED=9
RATE=100
READERS=4
WRITERS=1
KEEP=0
BUILD=1
while [ $# -gt 0 ]; do
    case "$1" in
        --minutes) MINUTES="${2:-}"; shift ;;
        --seed) SEED="${2:-}"; shift ;;
        --rate) RATE="${2:-}"; shift ;;
        --readers) READERS="${2:-}"; shift ;;
        --writers) WRITERS="${2:-}"; shift ;;
        --keep) KEEP=1 ;;
        --no-build) BUILD=0 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "soak.sh: unknown option $1" >&2; usage >&2; exit 64 ;;
    esac
    shift
done
[[ "$MINUTES" =~ ^[0-9]+([.][0-9]+)?$ ]] || { echo "soak.sh: --minutes takes a number" >&2; exit 64; }
[[ "$SEED" =~ ^[0-9]+$ ]] || { echo "soak.sh: --seed takes an integer" >&2; exit 64; }

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
CORPUS="${SILA_SOAK_CORPUS:-$ROOT/../shared/data/ar-news-dev.jsonl}"
SCRATCH="$ROOT/.build-bench"
say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { echo "soak.sh: $*" >&2; exit 2; }
[ -f "$CORPUS" ] || die "the corpus is missing: $CORPUS (set SILA_SOAK_CORPUS)"

[ "$BUILD" = 1 ] && say "building sila and SilaBench (release, $SCRATCH)"
for product in sila SilaBench; do
    [ "$BUILD" = 1 ] || break
    swift build -c release --scratch-path "$SCRATCH" --product "$product" >"/tmp/sila-soak-build-$product.log" 2>&1 \
        || { grep -E "error:" "/tmp/sila-soak-build-$product.log" | head -5 >&2; die "release build of $product failed (/tmp/sila-soak-build-$product.log)"; }
done
BIN="$(swift build -c release --scratch-path "$SCRATCH" --show-bin-path)"
SILA="$BIN/sila"
BENCH="$BIN/SilaBench"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/sila-soak.XXXXXX")"
chmod 700 "$WORK"
DB="$WORK/soak.sqlite"
SOCK="$WORK/sila.sock"
SERVER_PID=""
CLIENT_PID=""
cleanup() {
    # Only the processes this script started, by their pids.
    [ -n "$CLIENT_PID" ] && kill "$CLIENT_PID" 2>/dev/null
    [ -n "$SERVER_PID" ] && kill -9 "$SERVER_PID" 2>/dev/null
    if [ "$KEEP" = 1 ]; then echo "kept: $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

say "ingest + index of $(basename "$CORPUS") into $WORK"
"$SILA" ingest --db "$DB" --quiet "$CORPUS" >"$WORK/ingest.log" 2>&1 || die "sila ingest failed: $(tail -3 "$WORK/ingest.log")"
"$SILA" index --db "$DB" --models-dir "$WORK/models" --threads 2 --quiet >"$WORK/index.log" 2>&1 || die "sila index failed: $(tail -3 "$WORK/index.log")"

# The server runs in $WORK (a recompute writes its model file under ./Models there, never in the repository).
start_server() {
    (cd "$WORK" && exec "$SILA" serve --db "$DB" --socket "$SOCK") >>"$WORK/serve.log" 2>&1 &
    SERVER_PID=$!
    echo "$SERVER_PID" >"$WORK/server.pid"
}

say "serving on $SOCK; soak client for $MINUTES min ($READERS readers at $RATE GET/s, $WRITERS writer(s), seed $SEED)"
start_server
"$BENCH" soak --socket "$SOCK" --corpus "$CORPUS" --minutes "$MINUTES" --journal "$WORK/journal.jsonl" \
    --pid-file "$WORK/server.pid" --rss-out "$WORK/rss.csv" --summary "$WORK/client-summary.json" --seed "$SEED" \
    --rate "$RATE" --readers "$READERS" --writers "$WRITERS" >"$WORK/client.log" 2>&1 &
CLIENT_PID=$!

# Three kill moments, seeded, between 10% and 90% of the run (seconds after the client starts; the client first
# waits for the server to answer, which takes about as long as the server's start).
# $RANDOM is drawn in this shell only: bash reseeds it in subshells (command substitutions), which would undo the seed.
RANDOM=$SEED
DURATION=$(awk -v m="$MINUTES" 'BEGIN { printf "%d", m * 60 }')
DRAWS=()
for _ in 1 2 3; do DRAWS+=($(( DURATION / 10 + RANDOM % (DURATION * 8 / 10 + 1) ))); done
PAUSE_DRAWS=($RANDOM $RANDOM $RANDOM)
KILLS=$(printf '%s\n' "${DRAWS[@]}" | sort -n)
STARTED=$SECONDS
RESTARTS=0
for moment in $KILLS; do
    R=${PAUSE_DRAWS[$RESTARTS]}
    while [ $((SECONDS - STARTED)) -lt "$moment" ] && kill -0 "$CLIENT_PID" 2>/dev/null; do sleep 0.2; done
    kill -0 "$CLIENT_PID" 2>/dev/null || break
    kill -9 "$SERVER_PID"
    wait "$SERVER_PID" 2>/dev/null
    PAUSE=$(awk -v r="$R" 'BEGIN { printf "%.1f", 0.5 + (r % 26) / 10 }')
    echo "$(date -u +%H:%M:%S) +$((SECONDS - STARTED)) s: killed server $SERVER_PID (SIGKILL); restarting in $PAUSE s" | tee -a "$WORK/kills.log" >&2
    sleep "$PAUSE"
    start_server
    RESTARTS=$((RESTARTS + 1))
done
wait "$CLIENT_PID"
CLIENT_STATUS=$?
CLIENT_PID=""
cat "$WORK/client.log"

say "stopping the server (SIGTERM) and verifying the database"
kill -TERM "$SERVER_PID" 2>/dev/null
wait "$SERVER_PID" 2>/dev/null
SERVER_PID=""
"$BENCH" soak-verify --db "$DB" --journal "$WORK/journal.jsonl" --corpus "$CORPUS" --sila "$SILA" --work "$WORK" \
    --json "$WORK/verify.json" | tee "$WORK/verify.log"
VERIFY_STATUS=${PIPESTATUS[0]}

echo
echo "soak: $MINUTES min, seed $SEED; server killed with SIGKILL and restarted $RESTARTS times (kill moments, s: $(echo $KILLS | tr '\n' ' '))"
echo "RSS samples (seconds,pid,MiB): first $(sed -n 2p "$WORK/rss.csv" | cut -d, -f1-3), last $(tail -1 "$WORK/rss.csv" | cut -d, -f1-3)"
READ_BACK_OK=$(grep -c "read-back through the socket: .* 0 violations" "$WORK/client.log")
RYW_OK=$(grep -c "read-your-writes during the run: 0 violations" "$WORK/client.log")
RECOMPUTE_OK=$(grep -c "recompute completed: yes" "$WORK/client.log")
NO_5XX=$(grep -c "server errors (5xx answers): 0$" "$WORK/client.log")
if [ "$NO_5XX" -ne 1 ]; then
    echo "the server's log of failed requests:"
    grep -E " (error|critical) " "$WORK/serve.log" | head -10
fi
if [ "$CLIENT_STATUS" -eq 0 ] && [ "$VERIFY_STATUS" -eq 0 ] && [ "$READ_BACK_OK" -eq 1 ] && [ "$RYW_OK" -eq 1 ] && [ "$RECOMPUTE_OK" -eq 1 ] \
    && [ "$NO_5XX" -eq 1 ] && [ "$RESTARTS" -eq 3 ]; then
    echo "soak: PASSED"
    exit 0
fi
echo "soak: FAILED (client exit $CLIENT_STATUS, verify exit $VERIFY_STATUS, read-back ok $READ_BACK_OK, read-your-writes ok $RYW_OK, recompute done $RECOMPUTE_OK, no 5xx $NO_5XX, restarts $RESTARTS)"
exit 1
