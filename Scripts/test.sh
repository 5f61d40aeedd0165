#!/usr/bin/env bash
# Sets up, builds and runs the whole test suite (unit, store, and integration tests that start the
# built moderatod on 127.0.0.1 and run the built modctl).
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/bootstrap.sh
# The Akismet test drives the real `akismet` client from PyPI, installed into a throwaway environment.
rm -rf .build-akismet-venv
python3 -m venv .build-akismet-venv
.build-akismet-venv/bin/pip install --quiet --disable-pip-version-check akismet==25.10.1
export MODERATO_AKISMET_PYTHON=$PWD/.build-akismet-venv/bin/python
swift build --build-tests
# The linear-time tests compare how work grows with input size on both cores; they run on their own,
# after the rest, so that neither disturbs the other's timings.
timing="LinearTimeTests|DigestLinearTimeTests"
swift test --skip-build --skip "$timing" "$@"
swift test --skip-build --filter "$timing"
