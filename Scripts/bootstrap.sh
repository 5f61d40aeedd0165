#!/usr/bin/env bash
# Installs the system packages Moderato builds against, when they are missing.
# Debian/Ubuntu: libsqlite3-dev (SQLite), libpcre2-dev (PCRE2 with JIT) and pkg-config.
set -euo pipefail

packages=(libsqlite3-dev libpcre2-dev pkg-config)
missing=()
for package in "${packages[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "bootstrap: installing ${missing[*]}" >&2
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
command -v swift >/dev/null || { echo "bootstrap: the Swift 6 toolchain is required (swift not found on PATH)" >&2; exit 1; }
