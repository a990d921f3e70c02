#!/usr/bin/env bash
# The embedded default: installs missing system packages, builds Sila, loads Data/'s sample corpus into
# Data/sila.sqlite, indexes it, prints the «شاهد أيضاً» box for a few articles and serves on Data/sila.sock
# until Ctrl-C. Extra arguments go to `sila demo` (e.g. --no-serve).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-system-packages.sh
swift build --product sila
exec .build/debug/sila demo "$@"
