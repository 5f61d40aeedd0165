#!/usr/bin/env bash
# Sets up, builds and runs the whole test suite (unit, store, and integration tests that start the
# built moderatod on 127.0.0.1 and run the built modctl).
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/bootstrap.sh
swift build --build-tests
swift test --skip-build "$@"
