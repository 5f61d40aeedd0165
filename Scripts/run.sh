#!/usr/bin/env bash
# Sets up, builds (release) and runs moderatod on its defaults: var/moderato.sqlite, Rules/,
# 127.0.0.1:8088. Extra arguments go to moderatod. Without MODERATO_API_TOKEN a development token
# is created in var/api-token.
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/bootstrap.sh
swift build -c release --product modctl
swift build -c release --product moderatod
echo "run: modctl is at .build/release/modctl" >&2
exec .build/release/moderatod "$@"
