#!/usr/bin/env bash
# Removes what Scripts/install.sh installed, except the data.
#
#   sudo Scripts/uninstall.sh [--prefix DIR] [--root DIR] [--purge-settings]
#
# Stops and disables the service and the digest timer, and removes the programs, rules, model,
# documentation, completions and units. Kept: /var/lib/moderato (the database, backups and reports)
# and the moderato user that owns it; /etc/moderato (settings and the API token) unless
# --purge-settings. To remove the data too, afterwards: rm -rf /var/lib/moderato && userdel moderato
set -euo pipefail
prefix=/usr/local root="" purge=0
while (($#)); do
  case $1 in
    --prefix) prefix=${2:?--prefix needs a folder}; shift 2 ;;
    --root) root=${2:?--root needs a folder}; shift 2 ;;
    --purge-settings) purge=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "uninstall: unknown argument $1 (see --help)" >&2; exit 64 ;;
  esac
done
[[ $root == / ]] && root=""
say() { echo "uninstall: $*" >&2; }
if [[ -z $root ]] && [[ $(id -u) -ne 0 ]]; then
  echo "uninstall: removing the service needs root (sudo Scripts/uninstall.sh)" >&2
  exit 1
fi
if [[ -z $root ]] && command -v systemctl >/dev/null && [[ -d /run/systemd/system ]]; then
  systemctl disable --now --quiet moderato.service moderato-digest.timer 2>/dev/null || true
fi
rm -f "$root$prefix/bin/moderatod" "$root$prefix/bin/modctl" \
  "$root$prefix/share/bash-completion/completions/modctl" "$root$prefix/share/zsh/site-functions/_modctl" \
  "$root$prefix/share/fish/vendor_completions.d/modctl.fish" \
  "$root/etc/systemd/system/moderato.service" "$root/etc/systemd/system/moderato-digest.service" \
  "$root/etc/systemd/system/moderato-digest.timer"
rm -rf "$root$prefix/share/moderato" "$root$prefix/share/doc/moderato"
if [[ -z $root ]] && command -v systemctl >/dev/null && [[ -d /run/systemd/system ]]; then systemctl daemon-reload; fi
if ((purge)); then
  rm -rf "$root/etc/moderato"
  say "removed the settings in $root/etc/moderato"
fi
say "removed Moderato from ${root}$prefix; the data stays in ${root}/var/lib/moderato"
