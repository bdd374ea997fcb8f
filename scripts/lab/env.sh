#!/usr/bin/env bash
# scripts/lab/env.sh -- print `export` lines for every running lab server, each under its own
# prefix (SLAPD_, LIMITED_, RW_, SAMBA_), as the test suite expects them:
#   eval "$(scripts/lab/env.sh)" && cargo test
set -euo pipefail
LAB_ROOT=${LAB_ROOT:-${TMPDIR:-/tmp}/adsync-lab}
for pair in SLAPD:slapd LIMITED:slapd-limited RW:slapd-rw SAMBA:samba; do
  prefix=${pair%%:*} file=$LAB_ROOT/${pair##*:}/env
  [ -f "$file" ] || continue
  sed -e "s/^export LDAPS_URI=/export ${prefix}_LDAPS_URI=/" \
      -e "s/^export LDAPTLS_CACERT=/export ${prefix}_CACERT=/" \
      -e "s/^export LDAP_/export ${prefix}_/" "$file"
done
echo "export ADSYNC_LAB=1"
