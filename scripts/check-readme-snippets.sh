#!/usr/bin/env bash
# Runs the integration snippets of README.md ("Calling Sila from a CMS") exactly as written, against `sila demo`
# serving Data/sila.sock from a scratch copy of the repository's Data/ and Models/, and fails when one of them
# exits non-zero or prints no suggestion.
#
#   scripts/check-readme-snippets.sh [SILA_BINARY]     (default: builds .build/debug/sila)
# Needs curl, php (with its curl extension), python3 and node; a missing one is reported and counted as a failure.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SILA="${1:-}"
if [ -z "$SILA" ]; then
    swift build --package-path "$ROOT" --product sila >/dev/null || { echo "build failed" >&2; exit 1; }
    SILA="$ROOT/.build/debug/sila"
fi
WORK="$(mktemp -d)"
chmod 700 "$WORK"
trap 'kill -INT $DEMO 2>/dev/null; wait $DEMO 2>/dev/null; rm -rf "$WORK"' EXIT
mkdir -p "$WORK/Data" "$WORK/Models"
cp "$ROOT/Data/sample-articles.jsonl" "$WORK/Data/"
cp "$ROOT/Models/sample.silamodel" "$WORK/Models/"
cd "$WORK"
"$SILA" demo >demo.log 2>&1 &
DEMO=$!
for _ in $(seq 1 300); do [ -S Data/sila.sock ] && break; sleep 0.2; done
[ -S Data/sila.sock ] || { cat demo.log >&2; echo "sila demo did not start serving" >&2; exit 1; }

# The fenced block of LANGUAGE that follows the line "INTRO" in the README's CMS section.
snippet() {
    awk -v intro="$1" '
        /^### Calling Sila from a CMS/ { section = 1 }
        /^### Running it as a service/ { section = 0 }
        section && $0 == intro { armed = 1; next }
        armed && /^```/ && !inside { inside = 1; next }
        inside && /^```/ { exit }
        inside { print }
    ' "$ROOT/README.md"
}

FAILED=0
run() {  # run NAME FILE COMMAND...: the snippet must exit 0 and print at least one scored line
    local name="$1"; shift
    if ! command -v "$1" >/dev/null; then echo "$name: $1 is not installed" >&2; FAILED=1; return; fi
    local output
    output="$("$@" 2>&1)"
    local status=$?
    if [ $status -ne 0 ] || [ -z "$output" ]; then
        echo "FAIL $name (exit $status):" >&2; echo "$output" | sed 's/^/    /' >&2; FAILED=1
    else
        echo "ok   $name: $(echo "$output" | head -1)"
    fi
}
snippet "curl:" >curl.sh
snippet "PHP (WordPress; the curl extension):" >snippet.php
snippet "Python (standard library only):" >snippet.py
snippet "Node (built-in \`http\`):" >snippet.js
for file in curl.sh snippet.php snippet.py snippet.js; do
    [ -s "$file" ] || { echo "FAIL: no snippet found for $file in README.md" >&2; FAILED=1; }
done
run curl bash -e curl.sh
run php php snippet.php
run python python3 snippet.py
run node node snippet.js
exit $FAILED
