#!/usr/bin/env bash
# The whole test suite: installs missing system packages, builds, runs every test target.
# Tests that need ../shared/data (the ANT dev corpus) skip with a message when it is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-system-packages.sh
swift build --build-tests
swift test --skip-build "$@"
