#!/usr/bin/env bash
# scripts/package.sh -- builds the Debian package target/debian/adsync_<version>-1_<arch>.deb
# (README, "Install"): the release binary, the man pages and shell completions it renders
# from its own command-line definitions, the packaged config, the systemd unit and its
# credentials drop-in (packaging/debian). Installs cargo-deb when it is missing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

log() { echo "[package.sh] $*"; }

# cargo-deb takes assets other than built binaries from the source tree (Cargo.toml names
# them under target/deb-assets) and leaves the package in target/debian, wherever
# CARGO_TARGET_DIR puts the build.
TARGET_DIR=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
BIN=$TARGET_DIR/release/adsync
STAGE=target/deb-assets
OUT=target/debian

if ! cargo deb --version >/dev/null 2>&1; then
  log "installing cargo-deb"
  cargo install cargo-deb --locked
fi

start=$(date +%s)
log "cargo build --release"
cargo build --release --locked --bin adsync

log "staging generated assets in $STAGE"
rm -rf "$STAGE"
mkdir -p "$STAGE/man" "$STAGE/completions"
"$BIN" man --dir "$STAGE/man"
# -n: no name or time stamp in the gzip header, so the same pages give the same bytes
gzip -9n "$STAGE"/man/*.1
"$BIN" completions bash > "$STAGE/completions/adsync.bash"
"$BIN" completions zsh > "$STAGE/completions/_adsync"
"$BIN" completions fish > "$STAGE/completions/adsync.fish"

# The packaged config is the example with the package's choices: state in /var/lib/adsync
# and the passwords from the systemd credentials that packaging/debian/credentials.conf
# loads. Each edit must hit exactly one line, so a reworded example fails the build here
# instead of shipping a config that silently kept the example's settings.
python3 - config/adsync.example.toml "$STAGE/config.toml" <<'PY'
import re, sys
src, dst = sys.argv[1], sys.argv[2]
text = open(src, encoding="utf-8").read()
edits = [
    (r'^# state_dir = "/var/lib/adsync"$', 'state_dir = "/var/lib/adsync"'),
    (r'^password_env = "ADSYNC_BIND_PASSWORD" .*$',
     'password_file = "/run/credentials/adsync.service/bind-password"   # systemd credential (README, "Install")'),
    (r'^# password_file = "/etc/adsync/bind.pw" .*$',
     '# password_env = "ADSYNC_BIND_PASSWORD"      # an environment variable'),
    (r'^password_env = "ADSYNC_API_PASSWORD" .*$',
     'password_file = "/run/credentials/adsync.service/service-password"   # systemd credential; or password_env / password_command / password'),
]
for pattern, replacement in edits:
    text, n = re.subn(pattern, replacement, text, flags=re.M)
    if n != 1:
        sys.exit(f"package.sh: {pattern!r} matched {n} lines of {src}, expected 1")
header = ("# Installed by the adsync Debian package from config/adsync.example.toml: state in\n"
          "# /var/lib/adsync, passwords from the service's systemd credentials (README, \"Install\").\n")
open(dst, "w", encoding="utf-8").write(header + text)
PY
"$BIN" --config "$STAGE/config.toml" config check >/dev/null

log "cargo deb"
# --no-build: the binary above is the one the pages and completions were rendered from.
rm -f "$OUT"/adsync_*.deb
cargo deb --no-build --locked --output "$OUT/"
build_s=$(( $(date +%s) - start ))

deb=$(ls "$OUT"/adsync_*.deb)
log "built $deb in ${build_s}s: binary $(stat -c %s "$BIN") bytes, package $(stat -c %s "$deb") bytes"
