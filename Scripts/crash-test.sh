#!/usr/bin/env bash
# The longer crash test: bounded load over loopback, moderatod killed with SIGKILL at random moments
# CYCLES times (default 20), restarted each time; every comment that got a 202 must end with exactly
# one verdict and one system decision. CI runs the same test with 3 cycles.
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/bootstrap.sh
swift build --build-tests
MODERATO_CRASH_CYCLES=${1:-20} swift test --skip-build --filter crashesLoseNothingAndJudgeNothingTwice
