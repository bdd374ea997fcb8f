#!/usr/bin/env bash
# scripts/bench.sh read|graph|csv|plan|apply|render|classify -- whole-run benchmarks (never timed tests).
#
#   read   100,000 generated users in a private slapd, read over ldaps by OpenLDAP's
#          ldapsearch (-E pr=1000/noprompt) and by `adsync search --json`, alternating,
#          RUNS times each (default 5). Prints median wall time, CPU, the ratio, and peak RSS.
#          ADSYNC_B=/path/to/adsync adds a second build to the same alternation (an A/B of
#          two versions in one sitting, each against the same ldapsearch runs).
#   graph  100,000 users from the Graph look-alike (`adsync demo --source graph --serve`, in its
#          own process, no latency): `adsync search --json` RUNS times as a full read (no stored
#          snapshot) and RUNS times as a delta read of an unchanged tenant. Prints median wall
#          time, peak RSS and the requests each kind of read made (target: <= 2 s, <= 150 MiB).
#   csv    a generated 100,000-row CSV file (service layout, two aliases a row, quoted names with
#          commas), read by `adsync search --json` RUNS times. Prints median wall time and peak
#          RSS (target: <= 0.5 s).
#   plan   planning 100,000 entries against 100,000 accounts (benches/plan.rs), compared
#          with the time adsync takes to read 100,000 entries (target: <= 10% of it).
#   apply  10,000 creates, then 4,000 updates (GET + PUT each), through the API client against
#          the strict loopback fake with 20 ms per request and max_in_flight = 4
#          (benches/apply.rs; target: >= 80% of 200/s for creates and of 100/s for updates).
#   render one 120x40 TUI frame with 100,000 tree entries and 100,000 review rows
#          (benches/render.rs; target: <= 5 ms).
#   classify  what is left after the last page of a 100,000-entry read: finishing the
#          classification and writing `search --json` (benches/classify.rs).
#
# The 100k slapd (ports 3892/6362) is left running for re-runs; stop it with
#   LAB=${TMPDIR:-/tmp}/adsync-lab/slapd-100k scripts/lab/slapd-down.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
LAB_ROOT=${TMPDIR:-/tmp}/adsync-lab
RUNS=${RUNS:-5}
OUT=${OUT:-bench-results}
mkdir -p "$OUT"

command -v /usr/bin/time >/dev/null || { apt-get update -q && apt-get install -y -q time; }

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# time_run NAME CMD... : appends "wall user+sys maxrss_kb" to $OUT/NAME.times
time_run() {
  local name=$1; shift
  /usr/bin/time -f "%e %U %S %M" -o "$OUT/.t" "$@" >/dev/null
  awk '{printf "%s %.2f %s\n", $1, $2+$3, $4}' "$OUT/.t" >>"$OUT/$name.times"
}

bench_read() {
  LAB=$LAB_ROOT/slapd-100k LDAP_PORT=3892 LDAPS_PORT=6362 N_USERS=100000 scripts/lab/slapd-up.sh
  # shellcheck disable=SC1091
  . "$LAB_ROOT/slapd-100k/env"
  cargo build --release --quiet
  local cfg=$OUT/read.toml
  cat >"$cfg" <<TOML
[source]
kind = "ldap"
url = "$LDAPS_URI"
ca_file = "$LDAPTLS_CACERT"
bind_dn = "$LDAP_BIND_DN"
password_env = "LDAP_BIND_PW"
base_dn = "$LDAP_BASE_DN"
page_size = 1000
TOML
  export LDAP_BIND_PW
  # the same filter and attributes adsync asks for
  local filter='(|(objectClass=inetOrgPerson)(|(objectClass=group)(objectClass=groupOfNames)(objectClass=groupOfUniqueNames)))'
  local attrs=(objectClass objectGUID mail proxyAddresses givenName sn displayName userAccountControl
               groupType msExchHideFromAddressLists msExchRecipientTypeDetails member entryUUID)
  rm -f "$OUT"/ldapsearch.times "$OUT"/adsync.times "$OUT"/adsync-b.times
  local n
  n=$(target/release/adsync -c "$cfg" search --json | python3 -c 'import json,sys; d=json.load(sys.stdin); print(len(d["entries"])+len(d["skipped"]))')
  echo "[bench] read: $n users+groups, $RUNS runs each, alternating"
  for _ in $(seq 1 "$RUNS"); do
    time_run ldapsearch ldapsearch -x -LLL -H "$LDAPS_URI" -D "$LDAP_BIND_DN" -w "$LDAP_BIND_PW" \
      -b "$LDAP_BASE_DN" -E pr=1000/noprompt "$filter" "${attrs[@]}"
    time_run adsync target/release/adsync -c "$cfg" search --json
    [ -z "${ADSYNC_B:-}" ] || time_run adsync-b "$ADSYNC_B" -c "$cfg" search --json
  done
  echo "[bench] read $n entries over ldaps, median of $RUNS runs (target: <= 1.0x ldapsearch, <= 120 MiB):" | tee "$OUT/read.txt"
  read_summary ldapsearch ldapsearch
  read_summary adsync "adsync"
  [ -z "${ADSYNC_B:-}" ] || read_summary adsync-b "adsync B ($ADSYNC_B)"
}

# read_summary NAME LABEL: one line of medians for NAME's runs, with its ratio to ldapsearch's
read_summary() {
  local lw w c m pairs
  lw=$(cut -d' ' -f1 "$OUT/ldapsearch.times" | median)
  w=$(cut -d' ' -f1 "$OUT/$1.times" | median); c=$(cut -d' ' -f2 "$OUT/$1.times" | median)
  m=$(cut -d' ' -f3 "$OUT/$1.times" | sort -g | tail -1)
  pairs=$(paste -d' ' "$OUT/ldapsearch.times" "$OUT/$1.times" | awk '$4 < $1 {n++} END {print n+0}')
  awk -v lw="$lw" -v w="$w" -v c="$c" -v m="$m" -v label="$2" -v pairs="$pairs" -v runs="$RUNS" 'BEGIN {
    printf "  %-12s wall %.2f s  cpu %.2f s  peak RSS %.1f MiB  ratio %.2fx ldapsearch (faster in %d of %d pairs)\n",
      label, w, c, m/1024, w/lw, pairs, runs
  }' | tee -a "$OUT/read.txt"
}

# Starts the Graph look-alike with $1 users in its own process; sets GRAPH_* and GRAPH_PID.
start_graph_lookalike() {
  local dir=$OUT/graph-demo
  rm -rf "$dir"
  mkdir -p "$dir"
  target/release/adsync demo --source graph --users "$1" --serve --dir "$dir" >"$dir/serve.out" 2>&1 &
  GRAPH_PID=$!
  for _ in $(seq 1 600); do
    grep -q '^export GRAPH_CA_FILE' "$dir/serve.out" 2>/dev/null && break
    kill -0 "$GRAPH_PID" 2>/dev/null || { cat "$dir/serve.out" >&2; exit 1; }
    sleep 0.1
  done
  # shellcheck disable=SC1091
  . <(grep '^export ' "$dir/serve.out")
}

# The requests one read made, from adsync's own log line ("Graph read … requests=N").
graph_requests() {
  grep -o 'requests=[0-9]*' "$1" | tail -1 | cut -d= -f2
}

bench_graph() {
  cargo build --release --quiet
  start_graph_lookalike 100000
  trap 'kill "$GRAPH_PID" 2>/dev/null' EXIT
  local cfg=$OUT/graph.toml state=$OUT/graph-state
  cat >"$cfg" <<TOML
state_dir = "$state"

[source]
kind = "graph"
tenant = "$GRAPH_TENANT"
client_id = "$GRAPH_CLIENT_ID"
client_secret_env = "GRAPH_CLIENT_SECRET"
authority_url = "$GRAPH_AUTHORITY_URL"
graph_url = "$GRAPH_URL"
ca_file = "$GRAPH_CA_FILE"
TOML
  export GRAPH_CLIENT_SECRET
  rm -f "$OUT"/graph-full.times "$OUT"/graph-delta.times
  rm -rf "$state"
  local n
  n=$(target/release/adsync -c "$cfg" search --json | python3 -c 'import json,sys; d=json.load(sys.stdin); print(len(d["entries"])+len(d["skipped"]))')
  echo "[bench] graph: $n users+groups from the look-alike, $RUNS full and $RUNS delta reads"
  for _ in $(seq 1 "$RUNS"); do
    rm -rf "$state"
    time_run graph-full env ADSYNC_LOG=info target/release/adsync -c "$cfg" search --json 2>"$OUT/graph-full.log"
    time_run graph-delta env ADSYNC_LOG=info target/release/adsync -c "$cfg" search --json 2>"$OUT/graph-delta.log"
  done
  local fw fm dw dm fr dr
  fw=$(cut -d' ' -f1 "$OUT/graph-full.times" | median); fm=$(cut -d' ' -f3 "$OUT/graph-full.times" | sort -g | tail -1)
  dw=$(cut -d' ' -f1 "$OUT/graph-delta.times" | median); dm=$(cut -d' ' -f3 "$OUT/graph-delta.times" | sort -g | tail -1)
  fr=$(graph_requests "$OUT/graph-full.log"); dr=$(graph_requests "$OUT/graph-delta.log")
  awk -v n="$n" -v fw="$fw" -v fm="$fm" -v dw="$dw" -v dm="$dm" -v fr="$fr" -v dr="$dr" 'BEGIN {
    printf "[bench] graph: %d users+groups, search --json, median of runs:\n", n
    printf "  full read   wall %.2f s  peak RSS %.1f MiB  %d requests\n", fw, fm/1024, fr
    printf "  delta read  wall %.2f s  peak RSS %.1f MiB  %d requests (nothing changed)\n", dw, dm/1024, dr
    printf "  target: full read <= 2 s and <= 150 MiB\n"
  }' | tee "$OUT/graph.txt"
}

# csv_file PATH ROWS: the service layout, every row good, some names quoted with a comma.
csv_file() {
  python3 - "$1" "$2" <<'PY'
import sys
path, rows = sys.argv[1], int(sys.argv[2])
with open(path, "w", encoding="utf-8", newline="") as out:
    for n in range(rows):
        first = f'"Ann, {n}"' if n % 10 == 0 else f"Ann{n}"
        out.write(f"{first},Lee,ann.lee{n}@example.com,+1 555 {n:06},al{n}@example.com,a.lee{n}@example.org\r\n")
PY
}

bench_csv() {
  cargo build --release --quiet
  local rows=100000 cfg=$OUT/csv.toml file=$OUT/people.csv
  csv_file "$file" "$rows"
  cat >"$cfg" <<TOML
state_dir = "$OUT/csv-state"

[source]
kind = "csv"
path = "$file"
TOML
  rm -f "$OUT"/csv.times
  local n
  n=$(target/release/adsync -c "$cfg" search --json | python3 -c 'import json,sys; d=json.load(sys.stdin); print(len(d["entries"])+len(d["skipped"]))')
  [ "$n" = "$rows" ] || { echo "[bench] csv: read $n rows of $rows" >&2; exit 1; }
  echo "[bench] csv: $rows rows ($(du -h "$file" | cut -f1)), $RUNS runs"
  for _ in $(seq 1 "$RUNS"); do
    time_run csv target/release/adsync -c "$cfg" search --json
  done
  local w c m
  w=$(cut -d' ' -f1 "$OUT/csv.times" | median); c=$(cut -d' ' -f2 "$OUT/csv.times" | median)
  m=$(cut -d' ' -f3 "$OUT/csv.times" | sort -g | tail -1)
  awk -v n="$rows" -v w="$w" -v c="$c" -v m="$m" 'BEGIN {
    printf "[bench] csv: %d rows, search --json, median of runs: wall %.2f s, cpu %.2f s, peak RSS %.1f MiB (target: <= 0.5 s)\n", n, w, c, m/1024
  }' | tee "$OUT/csv.txt"
}

# adsync's own read time for 100k entries (median of 3), from its summary line.
read_seconds() {
  LAB=$LAB_ROOT/slapd-100k LDAP_PORT=3892 LDAPS_PORT=6362 N_USERS=100000 scripts/lab/slapd-up.sh >/dev/null
  # shellcheck disable=SC1091
  . "$LAB_ROOT/slapd-100k/env"
  export LDAP_BIND_PW
  cargo build --release --quiet
  local cfg=$OUT/read.toml
  printf '[source]\nkind = "ldap"\nurl = "%s"\nca_file = "%s"\nbind_dn = "%s"\npassword_env = "LDAP_BIND_PW"\nbase_dn = "%s"\n' \
    "$LDAPS_URI" "$LDAPTLS_CACERT" "$LDAP_BIND_DN" "$LDAP_BASE_DN" >"$cfg"
  for _ in 1 2 3; do
    target/release/adsync -c "$cfg" search | awk '/ read /{for(i=1;i<=NF;i++) if($i=="in"){print $(i+1)}}'
  done | median
}

bench_plan() {
  local read plan_line plan_ms
  read=$(read_seconds)
  plan_line=$(cargo bench --quiet --bench plan 2>/dev/null | grep '^plan:')
  plan_ms=$(echo "$plan_line" | sed -E 's/.*median ([0-9.]+) ms.*/\1/')
  echo "[bench] $plan_line"
  awk -v r="$read" -v p="$plan_ms" 'BEGIN { printf "[bench] adsync reads 100,000 entries in %.2f s; planning takes %.1f ms = %.1f%% of the read (target <= 10%%)\n", r, p, p/10/r }' \
    | tee "$OUT/plan.txt"
}

bench_render() {
  cargo bench --quiet --bench render 2>/dev/null | grep '^render:' | sed 's/^/[bench] /' | tee "$OUT/render.txt"
}

bench_classify() {
  cargo bench --quiet --bench classify 2>/dev/null | grep '^classify:' | sed 's/^/[bench] /' | tee "$OUT/classify.txt"
}

bench_apply() {
  cargo bench --quiet --bench apply 2>/dev/null | grep '^apply:' | sed 's/^/[bench] /' | tee "$OUT/apply.txt"
}

case "${1:-}" in
  read) bench_read ;;
  graph) bench_graph ;;
  csv) bench_csv ;;
  plan) bench_plan ;;
  apply) bench_apply ;;
  render) bench_render ;;
  classify) bench_classify ;;
  *) echo "usage: scripts/bench.sh read|graph|csv|plan|apply|render|classify" >&2; exit 2 ;;
esac
