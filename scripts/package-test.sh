#!/usr/bin/env bash
# scripts/package-test.sh -- builds the Debian package with scripts/package.sh and checks it
# the way an admin meets it: what the .deb holds (dpkg-deb --info, --contents), what
# `dpkg -i` leaves on the machine (the adsync user, the config's owner and mode, the state
# dir, the unit, which systemd-analyze verify must accept), that the installed binary runs
# (--version, completions, its man page), and that `dpkg --purge` takes everything away but
# the adsync user. scripts/test.sh runs it after the suite.
#
# ADSYNC_DEB=FILE checks that package instead of building one.
#
# Needs root (it installs and purges the package) and a machine without the adsync package:
# it refuses to touch an installation it did not make. Installs man-db and systemd when
# their tools are missing. Leaves the machine as it found it: the package purged and, if
# this run created it, the adsync user removed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export DEBIAN_FRONTEND=noninteractive

log() { echo "[package-test] $*"; }
passed=0
failed=0
ok() { passed=$((passed + 1)); echo "  ok   $*"; }
bad() { failed=$((failed + 1)); echo "  FAIL $*"; }
check() { # check DESCRIPTION COMMAND...
  local what=$1
  shift
  if "$@" >/dev/null 2>&1; then ok "$what"; else bad "$what"; fi
}

# installed, config-files, half-installed, … or not-installed
pkg_state() { dpkg-query -W -f='${db:Status-Status}' adsync 2>/dev/null || echo not-installed; }

[ "$(id -u)" = 0 ] || { echo "package-test: needs root (dpkg -i, dpkg --purge)" >&2; exit 1; }
if [ "$(pkg_state)" != not-installed ]; then
  echo "package-test: the adsync package is on this machine ($(pkg_state)); purge it first (dpkg --purge adsync)" >&2
  exit 1
fi

pkgs=()
command -v man >/dev/null || pkgs+=(man-db)
command -v systemd-analyze >/dev/null || pkgs+=(systemd)
command -v python3 >/dev/null || pkgs+=(python3)
command -v git >/dev/null || pkgs+=(git)
if [ ${#pkgs[@]} -gt 0 ]; then
  log "installing ${pkgs[*]}"
  apt-get update -q && apt-get install -y -q --no-install-recommends "${pkgs[@]}"
fi

user_existed=0
getent passwd adsync >/dev/null && user_existed=1
work=$(mktemp -d)
cleanup() {
  [ "$(pkg_state)" = not-installed ] || dpkg --purge adsync >/dev/null 2>&1 || true
  if [ "$user_existed" = 0 ] && getent passwd adsync >/dev/null; then
    userdel adsync || true
    getent group adsync >/dev/null && groupdel adsync || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

if [ -n "${ADSYNC_DEB:-}" ]; then
  deb=$ADSYNC_DEB
else
  log "scripts/package.sh"
  start=$(date +%s)
  scripts/package.sh
  log "package built in $(($(date +%s) - start)) s"
  deb=$(ls target/debian/adsync_*.deb)
fi
dpkg-deb -x "$deb" "$work/root"

log "dpkg-deb --info $deb"
dpkg-deb --info "$deb" >"$work/info"
field() { dpkg-deb --field "$deb" "$1"; }
check "Package: adsync" test "$(field Package)" = adsync
check "Version is the crate's" test "$(field Version)" = "$(grep -m1 '^version' Cargo.toml | cut -d'"' -f2)-1"
check "Depends names passwd (useradd)" grep -q 'passwd' <<<"$(field Depends)"
for script in postinst prerm postrm conffiles; do
  check "control member $script" grep -qw "$script" "$work/info"
done
dpkg-deb --control "$deb" "$work/control"
for conffile in /etc/adsync/config.toml /etc/systemd/system/adsync.service.d/credentials.conf; do
  check "conffile $conffile" grep -qx "$conffile" "$work/control/conffiles"
done
check "postinst creates the system user" grep -q 'useradd --system' "$work/control/postinst"

log "dpkg-deb --contents $deb"
dpkg-deb --contents "$deb" | awk '{print $1, $2, $6}' >"$work/contents"
has() { # has MODE UID/GID PATH
  if grep -qxF -- "$1 $2 ./${3#/}" "$work/contents"; then ok "$2 $1 $3"; else bad "$2 $1 $3 (got: $(grep -F -- " ./${3#/}" "$work/contents" || echo missing))"; fi
}
has -rwxr-xr-x 0/0 /usr/bin/adsync
has -rw-r----- 0/0 /etc/adsync/config.toml
has -rw-r--r-- 0/0 /etc/systemd/system/adsync.service.d/credentials.conf
has -rw-r--r-- 0/0 /usr/lib/systemd/system/adsync.service
has -rw-r--r-- 0/0 /usr/share/doc/adsync/examples/fleet.conf
has -rw-r--r-- 0/0 /usr/share/bash-completion/completions/adsync
has -rw-r--r-- 0/0 /usr/share/zsh/vendor-completions/_adsync
has -rw-r--r-- 0/0 /usr/share/fish/vendor_completions.d/adsync.fish
# One page for adsync and one per subcommand: whatever the binary renders must be packaged.
"$work/root/usr/bin/adsync" man --dir "$work/man"
pages=0
for page in "$work"/man/*.1; do
  has -rw-r--r-- 0/0 "/usr/share/man/man1/$(basename "$page").gz"
  pages=$((pages + 1))
done
check "man pages for adsync and its subcommands ($pages)" test "$pages" -ge 10

if [ -d /run/systemd/system ]; then
  log "dpkg -i (systemd is running here)"
else
  log "dpkg -i (systemd is not running here: the maintainer scripts must do without it)"
fi
dpkg -i "$deb"
IFS=: read -r _ _ uid _ _ home shell <<<"$(getent passwd adsync)"
check "user adsync exists" getent passwd adsync
check "adsync is a system user (uid $uid)" test "$uid" -lt 1000
check "adsync's home is the state dir ($home)" test "$home" = /var/lib/adsync
check "adsync has no login shell ($shell)" test "$shell" = /usr/sbin/nologin
check "config is root:adsync 0640 ($(stat -c '%U:%G %a' /etc/adsync/config.toml))" \
  test "$(stat -c '%U:%G %a' /etc/adsync/config.toml)" = "root:adsync 640"
check "/var/lib/adsync is adsync:adsync 0750 ($(stat -c '%U:%G %a' /var/lib/adsync))" \
  test "$(stat -c '%U:%G %a' /var/lib/adsync)" = "adsync:adsync 750"
check "packaged config keeps state in /var/lib/adsync" grep -qx 'state_dir = "/var/lib/adsync"' /etc/adsync/config.toml
check "packaged config reads the bind password from its credential" \
  grep -q '^password_file = "/run/credentials/adsync.service/bind-password"' /etc/adsync/config.toml
check "packaged config reads the service password from its credential" \
  grep -q '^password_file = "/run/credentials/adsync.service/service-password"' /etc/adsync/config.toml
check "the unit is not enabled" test ! -e /etc/systemd/system/multi-user.target.wants/adsync.service
# What an admin does: commands as the service's user find the system config unaided.
check "adsync reads and validates its config (no --config)" \
  runuser -u adsync -- env -u XDG_CONFIG_HOME -u ADSYNC_CONFIG /usr/bin/adsync config check
check "adsync cannot rewrite its config" bash -c '! runuser -u adsync -- test -w /etc/adsync/config.toml'
check "adsync can write its state dir" runuser -u adsync -- touch /var/lib/adsync/.package-test
rm -f /var/lib/adsync/.package-test

version=$(/usr/bin/adsync --version)
commit=$(git rev-parse --short=12 HEAD 2>/dev/null || true)
check "--version: $version" grep -Eq "^adsync [0-9]+\.[0-9]+\.[0-9]+" <<<"$version"
if [ -n "$commit" ]; then
  check "--version names the commit $commit" grep -q "(commit $commit)" <<<"$version"
fi
/usr/bin/adsync completions bash >"$work/completion.bash"
check "completions bash defines _adsync" grep -q '^_adsync()' "$work/completion.bash"
check "completions bash is valid bash" bash -n "$work/completion.bash"
check "installed bash completion matches the binary's" cmp "$work/completion.bash" /usr/share/bash-completion/completions/adsync
MANWIDTH=80 man -l /usr/share/man/man1/adsync.1.gz >"$work/adsync.man" 2>&1 || true
check "man -l adsync.1.gz renders" grep -q '^NAME' "$work/adsync.man"
check "the man page lists the subcommands" grep -q 'adsync-schedule(1)' "$work/adsync.man"
MANWIDTH=80 man -l /usr/share/man/man1/adsync-schedule.1.gz >"$work/schedule.man" 2>/dev/null || true
check "man -l adsync-schedule.1.gz renders its options" grep -q -- '--runs' "$work/schedule.man"

log "systemd-analyze verify"
# After the install, so ExecStart's binary and the Documentation= pages exist; a warning
# about the unit (an unknown key, a value it ignores) fails as well as an error.
if systemd-analyze verify /usr/lib/systemd/system/adsync.service >"$work/verify" 2>&1 &&
  ! grep -q adsync "$work/verify"; then
  ok "systemd-analyze verify adsync.service"
else
  bad "systemd-analyze verify adsync.service"
  sed 's/^/    /' "$work/verify"
fi
unit_has() { # the unit with its drop-in
  # grep reads the files itself: in a pipe, its early exit on -q would fail the pipe (pipefail)
  if grep -qxF -- "$1" /usr/lib/systemd/system/adsync.service \
    /etc/systemd/system/adsync.service.d/credentials.conf; then ok "unit: $1"; else bad "unit: $1"; fi
}
unit_has 'ExecStart=/usr/bin/adsync --config /etc/adsync/config.toml schedule'
unit_has 'User=adsync'
unit_has 'NoNewPrivileges=yes'
unit_has 'ProtectSystem=strict'
unit_has 'ReadWritePaths=/var/lib/adsync'
unit_has 'PrivateTmp=yes'
unit_has 'ProtectHome=yes'
unit_has 'LoadCredential=bind-password:/etc/adsync/bind-password'
unit_has 'LoadCredential=service-password:/etc/adsync/service-password'

log "dpkg --purge"
# A password an admin put beside the config goes with the purge, as does the state.
install -m 600 /dev/null /etc/adsync/bind-password
runuser -u adsync -- touch /var/lib/adsync/journal-placeholder
dpkg --purge adsync
check "package gone ($(pkg_state))" test "$(pkg_state)" = not-installed
for gone in /usr/bin/adsync /etc/adsync /var/lib/adsync /usr/lib/systemd/system/adsync.service \
  /etc/systemd/system/adsync.service.d /usr/share/man/man1/adsync.1.gz \
  /usr/share/bash-completion/completions/adsync /usr/share/zsh/vendor-completions/_adsync \
  /usr/share/fish/vendor_completions.d/adsync.fish /usr/share/doc/adsync; do
  check "purged: $gone" test ! -e "$gone"
done
check "the adsync user remains after purge" getent passwd adsync

echo "package-test: $passed passed, $failed failed"
[ "$failed" = 0 ]
