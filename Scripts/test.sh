#!/usr/bin/env bash
# Sets up, builds and runs the whole test suite (unit, store, and integration tests that start the
# built moderatod on 127.0.0.1 and run the built modctl).
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/bootstrap.sh
# The Akismet test drives the real `akismet` client from PyPI, installed into a throwaway environment.
rm -rf .build-akismet-venv
python3 -m venv .build-akismet-venv
.build-akismet-venv/bin/pip install --quiet --disable-pip-version-check akismet==25.10.1 openapi-spec-validator==0.9.0 selenium==4.51.0
export MODERATO_AKISMET_PYTHON=$PWD/.build-akismet-venv/bin/python
# The OpenAPI contract test checks the served document and real answers with openapi-spec-validator.
export MODERATO_OPENAPI_PYTHON=$PWD/.build-akismet-venv/bin/python
# The review queue's browser test drives the distribution's Chromium with Selenium.
export MODERATO_BROWSER_PYTHON=$PWD/.build-akismet-venv/bin/python
# The website examples (examples/php, examples/node) run with the distribution's PHP and Node.js.
missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v chromedriver >/dev/null || missing+=(chromium-driver)
command -v php >/dev/null || missing+=(php-cli)
command -v node >/dev/null || missing+=(nodejs)
# The install test checks the systemd units with systemd-analyze (no running systemd needed).
command -v systemd-analyze >/dev/null || missing+=(systemd)
if ((${#missing[@]})); then
  echo "test: installing ${missing[*]}" >&2
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# The PostgreSQL tests run against a real server from the distribution's packages, started here on
# loopback in a throwaway folder and stopped when the tests end.
postgres_dir=$(mktemp -d /tmp/moderato-test-postgres.XXXXXX)
trap 'Scripts/postgres.sh stop "$postgres_dir" >/dev/null 2>&1 || true; rm -rf "$postgres_dir"' EXIT
MODERATO_TEST_POSTGRES=$(Scripts/postgres.sh start "$postgres_dir" "${MODERATO_TEST_POSTGRES_PORT:-55439}")
export MODERATO_TEST_POSTGRES
swift build --build-tests
# The linear-time tests compare how work grows with input size on both cores; they run on their own,
# after the rest, so that neither disturbs the other's timings.
timing="LinearTimeTests|DigestLinearTimeTests"
swift test --skip-build --skip "$timing" "$@"
swift test --skip-build --filter "$timing"
