#!/usr/bin/env bash
# Installs Moderato as a service (Debian and other systemd systems), or upgrades an installation.
#
#   sudo Scripts/install.sh [--prefix DIR] [--root DIR] [--binaries DIR] [--no-start]
#
#   --prefix DIR     where programs and shared files go (default /usr/local): DIR/bin/moderatod and
#                    modctl, DIR/share/moderato/{Rules,Models}, DIR/share/doc/moderato, completions
#   --root DIR       install below DIR instead of / (a staging tree, for packaging and tests): no
#                    system user, no systemctl, files owned by the caller
#   --binaries DIR   take moderatod and modctl from DIR instead of building them (release)
#   --no-start       install and enable, but do not start or restart the service
#
# What it does, idempotently (run it again to upgrade):
#   builds the release binaries; creates the `moderato` system user and /var/lib/moderato (0700);
#   writes /etc/moderato/moderato.yml from Scripts/service/moderato.yml unless it exists (a changed
#   example goes beside it as moderato.yml.new), and /etc/moderato/moderato.env with a new random API
#   token unless it exists (0640, root:moderato); installs the systemd units (moderato.service,
#   moderato-digest.service and .timer) and shell completions for bash, zsh and fish.
#   On an upgrade of a running service: stops it, backs the database up with the installed modctl
#   (/var/lib/moderato/backups/), installs, and starts it again (moderatod migrates the schema).
# Scripts/uninstall.sh removes all of it but the data.
set -euo pipefail
cd "$(dirname "$0")/.."

prefix=/usr/local root="" binaries="" start=1
while (($#)); do
  case $1 in
    --prefix) prefix=${2:?--prefix needs a folder}; shift 2 ;;
    --root) root=${2:?--root needs a folder}; shift 2 ;;
    --binaries) binaries=${2:?--binaries needs a folder}; shift 2 ;;
    --no-start) start=0; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "install: unknown argument $1 (see --help)" >&2; exit 64 ;;
  esac
done
[[ $prefix == /* ]] || { echo "install: --prefix must be an absolute path, not $prefix" >&2; exit 64; }
if [[ -n $root ]]; then
  mkdir -p "$root"
  root=$(cd "$root" && pwd)
fi
system=0  # 1: the real system (user, ownership, systemctl)
[[ -z $root || $root == / ]] && { root=""; system=1; }
if ((system)) && [[ $(id -u) -ne 0 ]]; then
  echo "install: installing as a service needs root (sudo Scripts/install.sh), or use --root DIR for a staging tree" >&2
  exit 1
fi
say() { echo "install: $*" >&2; }

# 1. The programs.
if [[ -z $binaries ]]; then
  Scripts/bootstrap.sh
  say "building the release binaries (10-20 minutes the first time)"
  swift build -c release --product moderatod >&2
  swift build -c release --product modctl >&2
  binaries=.build/release
fi
for program in moderatod modctl; do
  [[ -x $binaries/$program ]] || { echo "install: $binaries/$program is missing; build it or leave out --binaries" >&2; exit 1; }
done

systemd=0
((system)) && command -v systemctl >/dev/null && [[ -d /run/systemd/system ]] && systemd=1
running=0
if ((systemd)) && systemctl is-active --quiet moderato.service; then running=1; fi

# 2. An upgrade of a running service: stop it and back the database up with the modctl in place.
state=$root/var/lib/moderato
if ((running)); then
  say "stopping moderato.service for the upgrade"
  systemctl stop moderato.service
  database=/var/lib/moderato/moderato.sqlite
  if [[ -f $database && -x $prefix/bin/modctl ]]; then
    mkdir -p "$state/backups"
    chown moderato:moderato "$state/backups"; chmod 0700 "$state/backups"
    backup=$state/backups/before-upgrade-$(date +%Y%m%d-%H%M%S).sqlite
    runuser -u moderato -- "$prefix/bin/modctl" backup --database "$database" "$backup" >&2
  fi
fi

# 3. The user and the folders.
if ((system)) && ! id moderato >/dev/null 2>&1; then
  say "creating the system user moderato"
  useradd --system --home-dir /var/lib/moderato --no-create-home --shell /usr/sbin/nologin moderato
fi
install -d -m 0755 "$root$prefix/bin" "$root$prefix/share/moderato" "$root$prefix/share/doc/moderato" \
  "$root$prefix/share/bash-completion/completions" "$root$prefix/share/zsh/site-functions" \
  "$root$prefix/share/fish/vendor_completions.d" "$root/etc/systemd/system"
install -d -m 0700 "$state"
install -d -m 0750 "$root/etc/moderato"
if ((system)); then
  chown moderato:moderato "$state"
  chown root:moderato "$root/etc/moderato"
fi

# 4. Programs, rules, model, documentation, completions.
install -m 0755 "$binaries/moderatod" "$binaries/modctl" "$root$prefix/bin/"
rm -rf "$root$prefix/share/moderato/Rules" "$root$prefix/share/moderato/Models"
cp -R Rules Models "$root$prefix/share/moderato/"
chmod -R u=rwX,go=rX "$root$prefix/share/moderato"
install -m 0644 README.md docs/*.md "$root$prefix/share/doc/moderato/"
"$root$prefix/bin/modctl" --generate-completion-script bash > "$root$prefix/share/bash-completion/completions/modctl"
"$root$prefix/bin/modctl" --generate-completion-script zsh > "$root$prefix/share/zsh/site-functions/_modctl"
"$root$prefix/bin/modctl" --generate-completion-script fish > "$root$prefix/share/fish/vendor_completions.d/modctl.fish"

# 5. Settings and secrets: never overwritten.
render() { sed "s|@PREFIX@|$prefix|g" "$1"; }
settings=$root/etc/moderato/moderato.yml
if [[ ! -f $settings ]]; then
  render Scripts/service/moderato.yml > "$settings"
  say "wrote $settings"
elif ! cmp -s <(render Scripts/service/moderato.yml) "$settings"; then
  render Scripts/service/moderato.yml > "$settings.new"
  say "kept your $settings; this version's example is beside it as moderato.yml.new"
fi
chmod 0640 "$settings"
environment=$root/etc/moderato/moderato.env
if [[ ! -f $environment ]]; then
  umask 077
  {
    echo "# The environment of moderato.service and moderato-digest.service (secrets stay out of moderato.yml)."
    echo "# The website sends this token as 'Authorization: Bearer TOKEN'."
    echo "MODERATO_API_TOKEN=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    echo "# MODERATO_WEBHOOK_SECRET=..."
    echo "# MODERATO_TIME_ZONE=Europe/London"
  } > "$environment"
  umask 022
  say "wrote $environment with a new API token"
fi
chmod 0640 "$environment"
if ((system)); then
  chown root:moderato "$settings" "$environment"
  if [[ -f $settings.new ]]; then chown root:moderato "$settings.new"; fi
fi

# 6. systemd units.
for unit in moderato.service moderato-digest.service moderato-digest.timer; do
  render "Scripts/service/$unit" > "$root/etc/systemd/system/$unit"
  chmod 0644 "$root/etc/systemd/system/$unit"
done

if ((systemd)); then
  systemctl daemon-reload
  systemctl enable --quiet moderato.service moderato-digest.timer
  if ((start)); then
    systemctl restart moderato.service
    systemctl start moderato-digest.timer
    say "moderato.service is $(systemctl is-active moderato.service); logs: journalctl -u moderato"
  fi
elif ((system)); then
  say "systemd is not running here: start the daemon yourself, as the moderato user with its environment:"
  say "  runuser -u moderato -- sh -c 'set -a; . /etc/moderato/moderato.env; exec $prefix/bin/moderatod --config /etc/moderato/moderato.yml'"
fi
say "installed Moderato in ${root:-}$prefix (settings in ${root:-}/etc/moderato, data in ${root:-}/var/lib/moderato)"
