#!/usr/bin/env bash
# scripts/fuzz.sh TARGET|all SECONDS -- run cargo-fuzz (libFuzzer) on one target, or on each.
#
#   ldap_entry    a search entry as a server sends it: BER decoding, reduction, classification,
#                 the paged-results cookie
#   config        the config loader on arbitrary text
#   demo_request  the demo directory's request handling, bytes in, answers out
#   graph_page    a Microsoft Graph answer (users, groups, members, delta pages, $batch, token,
#                 error bodies) through the Graph reader's own parsing, merging and mapping
#   csv_reader    the CSV reader on arbitrary bytes (the first picks layout and delimiter)
#
# Built once, without sanitizers (the code under test has no unsafe of its own; a sanitizer
# build would cost minutes for nothing), optimised; FUZZ_PROFILE=dev builds faster and runs
# slower (scripts/test.sh uses it for its short runs). The corpus starts from fuzz/seeds/TARGET and grows in
# fuzz/corpus/TARGET; a crash leaves its input in fuzz/artifacts/TARGET and fails the run:
# copy it into fuzz/regressions/TARGET/ so tests/fuzz_regressions.rs replays it forever.
# Prints executions and coverage per target.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
TARGETS=(ldap_entry config demo_request graph_page csv_reader)
case "${FUZZ_PROFILE:-release}" in
  release) PROFILE=--release ;;
  dev) PROFILE=--dev ;;
  *) echo "FUZZ_PROFILE is release or dev" >&2; exit 2 ;;
esac
which=${1:?usage: scripts/fuzz.sh TARGET|all SECONDS}
seconds=${2:?usage: scripts/fuzz.sh TARGET|all SECONDS}

log() { echo "[fuzz] $*"; }

ensure_tools() {
  rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
  cargo fuzz --version >/dev/null 2>&1 || cargo install cargo-fuzz --locked
}

run_one() {
  local target=$1 corpus=fuzz/corpus/$1 out
  mkdir -p "$corpus" "fuzz/artifacts/$target"
  out=$(cargo +nightly fuzz run --sanitizer none "$PROFILE" "$target" "$corpus" "fuzz/seeds/$target" -- \
    -max_total_time="$seconds" -print_final_stats=1 2>&1) || {
    echo "$out" | tail -40
    log "$target: FAILED (the input is in fuzz/artifacts/$target)"
    return 1
  }
  local runs cov
  runs=$(echo "$out" | sed -n 's/^stat::number_of_executed_units: *//p' | tail -1)
  cov=$(echo "$out" | grep -o 'cov: [0-9]*' | tail -1)
  log "$target: ${runs:-?} executions in ${seconds} s, ${cov:-cov: ?}, no crash"
}

ensure_tools
if [ "$which" = all ]; then set -- "${TARGETS[@]}"; else set -- "$which"; fi
log "building: $*"
for t in "$@"; do cargo +nightly fuzz build --sanitizer none "$PROFILE" "$t" >/dev/null; done
status=0
for t in "$@"; do run_one "$t" || status=1; done
exit $status
