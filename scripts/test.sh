#!/usr/bin/env bash
# scripts/test.sh -- THE test command (README, .ci/run). On a fresh Debian machine it
# installs what is missing, starts the lab directory servers on loopback, runs the whole
# suite against them, and stops them again.
#
#   slapd  (OpenLDAP, AD-like schema, 10k generated users)   ldap 3890 / ldaps 6360
#   slapd  (same, 1k users, slapd's own 500-entry size limit) ldap 3891 / ldaps 6361
#   slapd  (same, 300 users, rebuilt every run: sync tests modify it) ldap 3893 / ldaps 6363
#   samba  (Samba AD DC, 1k generated users)                   ldap 389 / ldaps 636
#   aiosmtpd (python3-aiosmtpd) is started by the notification tests themselves, with TLS
#
# Then, on a full run, every cargo-fuzz target runs for 20 s (scripts/fuzz.sh; a finding fails
# the run), and scripts/package-test.sh builds the Debian package, installs it, checks
# it and purges it (it needs no lab server; it is last so the suite never sees the package).
#
# Extra arguments go to `cargo test` (e.g. scripts/test.sh search_lab) and skip the package test.
# KEEP_LAB=1 leaves the servers running afterwards (faster re-runs while developing).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)
LAB_ROOT=${TMPDIR:-/tmp}/adsync-lab
export DEBIAN_FRONTEND=noninteractive

log() { echo "[test.sh] $*"; }

install_missing() {
  local pkgs=()
  command -v tmux >/dev/null || pkgs+=(tmux)
  command -v python3 >/dev/null || pkgs+=(python3)
  command -v openssl >/dev/null || pkgs+=(openssl)
  # the SMTP server the notification tests send to (Debian's python3, whatever python3 is first)
  /usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null || pkgs+=(python3-aiosmtpd)
  [ -e /etc/ssl/certs/ca-certificates.crt ] || pkgs+=(ca-certificates)
  if [ ${#pkgs[@]} -gt 0 ]; then
    log "installing ${pkgs[*]}"
    apt-get update -q && apt-get install -y -q --no-install-recommends "${pkgs[@]}"
  fi
}

stop_lab() {
  [ "${KEEP_LAB:-0}" = 1 ] && return
  LAB=$LAB_ROOT/slapd "$ROOT/scripts/lab/slapd-down.sh" || true
  LAB=$LAB_ROOT/slapd-limited "$ROOT/scripts/lab/slapd-down.sh" || true
  LAB=$LAB_ROOT/slapd-rw "$ROOT/scripts/lab/slapd-down.sh" || true
  LAB=$LAB_ROOT/samba "$ROOT/scripts/lab/samba-down.sh" || true
}

install_missing
trap stop_lab EXIT
LAB=$LAB_ROOT/slapd scripts/lab/slapd-up.sh
LAB=$LAB_ROOT/slapd-limited LDAP_PORT=3891 LDAPS_PORT=6361 N_USERS=1000 SIZELIMIT=500 \
  scripts/lab/slapd-up.sh
LAB=$LAB_ROOT/slapd-rw LDAP_PORT=3893 LDAPS_PORT=6363 N_USERS=300 RESET=1 scripts/lab/slapd-up.sh
LAB=$LAB_ROOT/samba scripts/lab/samba-up.sh
# every server's coordinates under its own prefix; ADSYNC_LAB=1 makes a missing one a failure
eval "$(LAB_ROOT=$LAB_ROOT scripts/lab/env.sh)"

log "cargo test"
cargo test --all-targets "$@"

if [ $# -eq 0 ]; then
  log "fuzzing, 20 s a target"
  FUZZ_PROFILE=dev scripts/fuzz.sh all 20
  log "package test"
  scripts/package-test.sh
fi

# The suite's own figures for the notes: wall time, and the CPU of this shell and its children.
log "done in $((SECONDS / 60)) min $((SECONDS % 60)) s"
times
