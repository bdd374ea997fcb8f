#!/usr/bin/env bash
# slapd-up.sh -- install OpenLDAP and run a PRIVATE slapd (not the system one)
# on loopback only, with an AD-like schema and generated test data.
#
#   ldap://127.0.0.1:$LDAP_PORT  (StartTLS too)   ldaps://127.0.0.1:$LDAPS_PORT
#   base  dc=example,dc=com     admin  cn=admin,dc=example,dc=com / $ADMIN_PW
#   read-only bind  cn=svc-sync,ou=Service Accounts,dc=example,dc=com / $SVC_PW
#   for the diagnostics tests, same password: cn=svc-noread (binds, reads nothing below
#   the base) and cn=svc-nomail (cannot read mail or proxyAddresses)
#
# Idempotent: if our slapd already answers, it only prints the connection
# settings.  RESET=1 wipes and rebuilds.  Needs root (apt) on Debian 12.
# Env knobs: LAB N_USERS LOAD=slapadd|ldapadd|none LDAP_PORT LDAPS_PORT
#            ADMIN_PW SVC_PW RESET SIZELIMIT (default unlimited; 500 is slapd's
#            own default, which stops a paged search part-way -- tests use that)
# Writes $LAB/env (source it: LDAP_URI, LDAPS_URI, LDAPTLS_CACERT, ...).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB=${LAB:-${TMPDIR:-/tmp}/adsync-lab/slapd}
LDAP_PORT=${LDAP_PORT:-3890}
LDAPS_PORT=${LDAPS_PORT:-6360}
BASE_DN=dc=example,dc=com
DOMAIN=example.com
ADMIN_DN="cn=admin,$BASE_DN"
ADMIN_PW=${ADMIN_PW:-admin-secret}
SVC_DN="cn=svc-sync,ou=Service Accounts,$BASE_DN"
SVC_PW=${SVC_PW:-SyncPassw0rd!}
NOREAD_DN="cn=svc-noread,ou=Service Accounts,$BASE_DN"
NOMAIL_DN="cn=svc-nomail,ou=Service Accounts,$BASE_DN"
N_USERS=${N_USERS:-10000}
LOAD=${LOAD:-slapadd}
RESET=${RESET:-0}
SIZELIMIT=${SIZELIMIT:-unlimited}
GEN=${GEN:-$HERE/gen-ldif.py}

URIS="ldap://127.0.0.1:$LDAP_PORT/ ldaps://127.0.0.1:$LDAPS_PORT/"
PIDFILE=$LAB/run/slapd.pid
export LDAPTLS_CACERT=$LAB/certs/ca.crt   # for our own ldaps checks

T0=$(date +%s.%N)
lap() { local now; now=$(date +%s.%N); awk -v n="$now" -v t="$T0" -v m="$1" 'BEGIN{printf "[slapd-up] %-34s %7.2fs\n", m, n-t}'; T0=$now; }
log() { echo "[slapd-up] $*"; }
die() { echo "[slapd-up] ERROR: $*" >&2; [ -f "$LAB/log/slapd.log" ] && tail -20 "$LAB/log/slapd.log" >&2; exit 1; }

running() { [ -s "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }
answers() { ldapsearch -x -H "ldap://127.0.0.1:$LDAP_PORT" -b "" -s base -o nettimeout=2 namingContexts >/dev/null 2>&1; }

write_env() {
  cat >"$LAB/env" <<EOF
export LDAP_URI=ldap://127.0.0.1:$LDAP_PORT
export LDAPS_URI=ldaps://127.0.0.1:$LDAPS_PORT
export LDAP_BASE_DN=$BASE_DN
export LDAP_ADMIN_DN='$ADMIN_DN'
export LDAP_ADMIN_PW='$ADMIN_PW'
export LDAP_BIND_DN='$SVC_DN'
export LDAP_BIND_PW='$SVC_PW'
export LDAP_NOREAD_DN='$NOREAD_DN'
export LDAP_NOMAIL_DN='$NOMAIL_DN'
export LDAPTLS_CACERT=$LAB/certs/ca.crt
export LDAP_TRUTH=$LAB/truth.jsonl
EOF
  log "ready: source $LAB/env"
}

# ---------------------------------------------------------------- 1. install
if ! command -v slapd >/dev/null || ! command -v ldapsearch >/dev/null \
   || ! command -v openssl >/dev/null || ! command -v python3 >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  # no_configuration: the package does NOT create /etc/ldap/slapd.d, a
  # database, or start the system slapd on :389 -- we run our own instance.
  echo "slapd slapd/no_configuration boolean true" | debconf-set-selections
  pkgs=(slapd ldap-utils)   # add helpers only if missing (don't upgrade what is there)
  command -v openssl >/dev/null || pkgs+=(openssl)
  command -v python3 >/dev/null || pkgs+=(python3)
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${pkgs[@]}"
  lap "apt-get update + install"
fi

# ------------------------------------------------------- 2. already running?
# the data is rebuilt whenever the generator or this script changes
STAMP="n=$N_USERS load=$LOAD size=$SIZELIMIT v=$(cat "$GEN" "${BASH_SOURCE[0]}" | cksum | cut -d' ' -f1)"
loaded() { [ -f "$LAB/data/.loaded" ] && [ "$(cat "$LAB/data/.loaded")" = "$STAMP" ]; }
if running && answers && [ "$RESET" != 1 ] && loaded; then
  log "slapd already running (pid $(cat "$PIDFILE")), nothing to do"
  write_env; exit 0
fi
if running; then "$HERE/slapd-down.sh"; fi
if [ "$RESET" = 1 ]; then rm -rf "$LAB"; fi
mkdir -p "$LAB"/{etc,data,certs,run,log,ldif}

# ------------------------------------------------------------- 3. TLS certs
if [ ! -s "$LAB/certs/server.crt" ]; then
  ( cd "$LAB/certs"
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -sha256 \
      -subj "/CN=adsync-lab test CA" -keyout ca.key -out ca.crt \
      -addext "basicConstraints=critical,CA:TRUE" \
      -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -sha256 -subj "/CN=localhost" \
      -keyout server.key -out server.csr 2>/dev/null
    printf '%s\n' "subjectAltName=DNS:localhost,IP:127.0.0.1,DNS:$(uname -n)" \
      "basicConstraints=CA:FALSE" "keyUsage=digitalSignature,keyEncipherment" \
      "extendedKeyUsage=serverAuth" >server.ext
    openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
      -days 825 -sha256 -extfile server.ext -out server.crt 2>/dev/null
    chmod 600 ca.key server.key )
  lap "generated CA + server cert"
fi

# -------------------------------------------------------- 4. schema + config
cat >"$LAB/etc/ad-lite.schema" <<'EOF'
# Minimal AD-like attributes, real Microsoft OIDs, with matching rules so
# filters work (/etc/ldap/schema/msuser.schema has none).  memberOf comes
# from the memberof overlay (1.2.840.113556.1.2.102, operational).
attributetype ( 1.2.840.113556.1.4.221 NAME 'sAMAccountName'
	EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch
	SYNTAX 1.3.6.1.4.1.1466.115.121.1.15{256} SINGLE-VALUE )
attributetype ( 1.2.840.113556.1.4.656 NAME 'userPrincipalName'
	EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch
	SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
attributetype ( 1.2.840.113556.1.4.8 NAME 'userAccountControl'
	EQUALITY integerMatch ORDERING integerOrderingMatch
	SYNTAX 1.3.6.1.4.1.1466.115.121.1.27 SINGLE-VALUE )
attributetype ( 1.2.840.113556.1.2.210 NAME 'proxyAddresses'
	EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch
	SYNTAX 1.3.6.1.4.1.1466.115.121.1.15{1123} )
attributetype ( 1.2.840.113556.1.4.2 NAME 'objectGUID'
	EQUALITY octetStringMatch
	SYNTAX 1.3.6.1.4.1.1466.115.121.1.40{16} SINGLE-VALUE )
attributetype ( 1.2.840.113556.1.4.146 NAME 'objectSid'
	EQUALITY octetStringMatch
	SYNTAX 1.3.6.1.4.1.1466.115.121.1.40 SINGLE-VALUE )
attributetype ( 1.2.840.113556.1.4.750 NAME 'groupType'
	EQUALITY integerMatch
	SYNTAX 1.3.6.1.4.1.1466.115.121.1.27 SINGLE-VALUE )
attributetype ( 1.2.840.113556.1.4.7000.102.73 NAME 'msExchHideFromAddressLists'
	EQUALITY booleanMatch
	SYNTAX 1.3.6.1.4.1.1466.115.121.1.7 SINGLE-VALUE )
attributetype ( 1.2.840.113556.1.4.7000.102.50735 NAME 'msExchRecipientTypeDetails'
	EQUALITY integerMatch
	SYNTAX 1.3.6.1.4.1.1466.115.121.1.27 SINGLE-VALUE )
attributetype ( 1.2.840.113556.1.2.447 NAME 'mailNickname'
	EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch
	SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
attributetype ( 1.2.840.113556.1.2.141 NAME 'department'
	EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch
	SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
attributetype ( 1.2.840.113556.1.2.146 NAME 'company'
	EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch
	SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
attributetype ( 1.2.840.113556.1.4.35 NAME 'employeeID'
	EQUALITY caseIgnoreMatch
	SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
attributetype ( 1.2.840.113556.1.4.653 NAME 'managedBy'
	EQUALITY distinguishedNameMatch
	SYNTAX 1.3.6.1.4.1.1466.115.121.1.12 SINGLE-VALUE )
attributetype ( 1.2.840.113556.1.4.782 NAME 'objectCategory'
	EQUALITY distinguishedNameMatch
	SYNTAX 1.3.6.1.4.1.1466.115.121.1.12 SINGLE-VALUE )
objectclass ( 1.2.840.113556.1.5.9 NAME 'user' SUP inetOrgPerson STRUCTURAL
	MAY ( sAMAccountName $ userPrincipalName $ userAccountControl $
	      proxyAddresses $ objectGUID $ objectSid $ msExchHideFromAddressLists $
	      msExchRecipientTypeDetails $
	      mailNickname $ department $ company $ employeeID $ objectCategory ) )
# defined so AD-style filters such as (!(objectClass=computer)) work: in
# OpenLDAP a filter on an unknown class/attribute is Undefined, and NOT
# Undefined is still Undefined, so the whole AND would match nothing.
objectclass ( 1.2.840.113556.1.3.30 NAME 'computer' SUP user STRUCTURAL
	MAY ( description ) )
objectclass ( 1.2.840.113556.1.5.15 NAME 'contact' SUP organizationalPerson STRUCTURAL
	MAY ( mail $ displayName $ givenName $ proxyAddresses $ mailNickname $
	      msExchHideFromAddressLists $ department $ company $ objectGUID $
	      objectCategory ) )
objectclass ( 1.2.840.113556.1.5.8 NAME 'group' SUP top STRUCTURAL
	MUST cn
	MAY ( member $ groupType $ sAMAccountName $ mail $ proxyAddresses $
	      mailNickname $ msExchHideFromAddressLists $ description $
	      displayName $ managedBy $ objectGUID $ objectSid $ objectCategory ) )
EOF

ROOTPW_HASH=$(slappasswd -s "$ADMIN_PW")
cat >"$LAB/etc/slapd.conf" <<EOF
include  /etc/ldap/schema/core.schema
include  /etc/ldap/schema/cosine.schema
include  /etc/ldap/schema/inetorgperson.schema
include  $LAB/etc/ad-lite.schema

pidfile  $PIDFILE
argsfile $LAB/run/slapd.args
modulepath /usr/lib/ldap
moduleload back_mdb
moduleload memberof

TLSCACertificateFile  $LAB/certs/ca.crt
TLSCertificateFile    $LAB/certs/server.crt
TLSCertificateKeyFile $LAB/certs/server.key

sizelimit   $SIZELIMIT
tool-threads 2

access to dn.base="" by * read
access to dn.base="cn=Subschema" by * read

database mdb
maxsize  4294967296
dbnosync
suffix   "$BASE_DN"
rootdn   "$ADMIN_DN"
rootpw   $ROOTPW_HASH
directory $LAB/data
sizelimit $SIZELIMIT
index objectClass,entryUUID,entryCSN eq
index cn,sn,givenName,mail,sAMAccountName,proxyAddresses,mailNickname eq,sub
index userPrincipalName,member,memberOf,userAccountControl,objectGUID,groupType eq
access to attrs=userPassword
  by self write by anonymous auth by * none
# the diagnostics tests' accounts without read rights (see the header)
access to attrs=mail,proxyAddresses
  by dn.exact="$NOMAIL_DN" none by dn.exact="$NOREAD_DN" none
  by users read by anonymous auth
access to dn.children="$BASE_DN"
  by dn.exact="$NOREAD_DN" none
  by users read by anonymous auth
access to *
  by users read by anonymous auth

overlay memberof
memberof-group-oc    group
memberof-member-ad   member
memberof-memberof-ad memberOf
memberof-refint      TRUE
EOF
slaptest -u -f "$LAB/etc/slapd.conf" >/dev/null 2>&1 || slaptest -u -f "$LAB/etc/slapd.conf"
lap "wrote schema + slapd.conf"

# ---------------------------------------------------------- 5. offline load
if ! loaded; then
  rm -rf "$LAB/data"; mkdir -p "$LAB/data"
  [ "$LOAD" = none ] && echo "$STAMP" >"$LAB/data/.loaded"   # empty DB, bring your own data
  if [ "$LOAD" = slapadd ]; then
    python3 "$GEN" --users "$N_USERS" --memberof --svc-password "$SVC_PW" -o "$LAB/ldif/all.ldif" --truth "$LAB/truth.jsonl"
    lap "generated LDIF ($N_USERS users)"
    slapadd -q -f "$LAB/etc/slapd.conf" -l "$LAB/ldif/all.ldif"
    lap "slapadd -q"
    echo "$STAMP" >"$LAB/data/.loaded"
  fi
fi

# ------------------------------------------------------------------ 6. start
# -d keeps slapd in the foreground so its log goes to a file (2.5 logs to
# syslog only when daemonised); nohup + & detaches it from this script.
nohup slapd -d stats -f "$LAB/etc/slapd.conf" -h "$URIS" \
  </dev/null >"$LAB/log/slapd.log" 2>&1 &
for _ in $(seq 1 100); do answers && break; sleep 0.1; done
answers || die "slapd did not come up"
lap "slapd started (pid $(cat "$PIDFILE"))"

# ---------------------------------------------------------- 7. online load
if ! loaded && [ "$LOAD" = ldapadd ]; then
  python3 "$GEN" --users "$N_USERS" --part users --svc-password "$SVC_PW" -o "$LAB/ldif/users.ldif" --truth "$LAB/truth-users.jsonl"
  python3 "$GEN" --users "$N_USERS" --part groups -o "$LAB/ldif/groups.ldif" --truth "$LAB/truth-groups.jsonl"
  cat "$LAB/truth-users.jsonl" "$LAB/truth-groups.jsonl" >"$LAB/truth.jsonl"
  lap "generated LDIF ($N_USERS users)"
  ldapadd -x -H "ldap://127.0.0.1:$LDAP_PORT" -D "$ADMIN_DN" -w "$ADMIN_PW" -f "$LAB/ldif/users.ldif" >/dev/null
  lap "ldapadd users"
  ldapadd -x -H "ldap://127.0.0.1:$LDAP_PORT" -D "$ADMIN_DN" -w "$ADMIN_PW" -f "$LAB/ldif/groups.ldif" >/dev/null
  lap "ldapadd groups (memberof overlay)"
  echo "$STAMP" >"$LAB/data/.loaded"
fi

# ------------------------------------------ 8. accounts without read rights
# plain `person` entries, so a sync read (inetOrgPerson) never sees them
add_limited_account() {  # $1 = DN; already there is fine (-c, rc 68)
  local cn=${1%%,*}; cn=${cn#cn=}
  printf 'dn: %s\nobjectClass: person\ncn: %s\nsn: %s\nuserPassword: %s\n' \
      "$1" "$cn" "$cn" "$SVC_PW" |
    ldapadd -c -x -H "ldap://127.0.0.1:$LDAP_PORT" -D "$ADMIN_DN" -w "$ADMIN_PW" >/dev/null 2>&1 || [ $? = 68 ]
}
add_limited_account "$NOREAD_DN"
add_limited_account "$NOMAIL_DN"

# ----------------------------------------------------------------- 9. check
n=$(ldapsearch -x -LLL -H "ldaps://127.0.0.1:$LDAPS_PORT" -D "$SVC_DN" -w "$SVC_PW" \
      -b "$BASE_DN" -E pr=1000/noprompt "(objectClass=user)" 1.1 2>/dev/null | grep -c '^dn:' || true)
log "ldaps + paged search as svc-sync: $n user entries"
write_env
