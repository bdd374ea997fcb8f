#!/usr/bin/env bash
# samba-up.sh -- install Samba and run a PRIVATE Active Directory DC (its own
# provision in $LAB, never /etc/samba or /var/lib/samba), on 127.0.0.1 only,
# then load generated AD-like test data.
#
#   ldap://127.0.0.1:389 (StartTLS too)  ldaps://127.0.0.1:636  GC: 3268/3269
#   base DC=example,DC=com   realm EXAMPLE.COM   NetBIOS domain EXAMPLE
#   admin   Administrator@example.com / $ADMIN_PW
#   read-only bind  svc-sync@example.com / $SVC_PW
# Samba's LDAP ports are fixed (389/636/3268/3269): they must be free.
#
# Idempotent: if our samba already answers with the same data stamp, it only
# prints the settings.  RESET=1 re-provisions.  Needs root (apt) on Debian 12.
# Env knobs: LAB N_USERS LOAD=ldapadd|none EXCH=1|0 USER_PW ADMIN_PW SVC_PW RESET
# Writes $LAB/env (source it).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB=${LAB:-${TMPDIR:-/tmp}/adsync-lab/samba}
REALM=EXAMPLE.COM
DOMAIN=EXAMPLE
DNSDOMAIN=example.com
BASE_DN=DC=example,DC=com
HOST=dc1
ADMIN_PW=${ADMIN_PW:-Adm1n-Passw0rd!}
SVC_PW=${SVC_PW:-SyncPassw0rd!}
N_USERS=${N_USERS:-1000}
LOAD=${LOAD:-ldapadd}
EXCH=${EXCH:-1}          # add msExchHideFromAddressLists + mailNickname to the schema
USER_PW=${USER_PW:-}     # non-empty: every generated user gets this password (slower)
RESET=${RESET:-0}
NOSYNC=${NOSYNC:-1}      # ldb:nosync = true -- no fsync, much faster loads; fine for throwaway CI
GEN=${GEN:-$HERE/gen-ldif.py}

CONF=$LAB/etc/smb.conf
PIDFILE=$LAB/run/samba.pid
ADMIN=Administrator@$DNSDOMAIN
# the data is rebuilt whenever the generator or this script changes
STAMP="n=$N_USERS load=$LOAD exch=$EXCH userpw=${USER_PW:+yes} v=$(cat "$GEN" "${BASH_SOURCE[0]}" | cksum | cut -d' ' -f1)"
export LDAPTLS_CACERT=$LAB/certs/ca.crt

T0=$(date +%s.%N)
lap() { local now; now=$(date +%s.%N); awk -v n="$now" -v t="$T0" -v m="$1" 'BEGIN{printf "[samba-up] %-40s %7.2fs\n", m, n-t}'; T0=$now; }
log() { echo "[samba-up] $*"; }
die() { echo "[samba-up] ERROR: $*" >&2; tail -20 "$LAB"/log/log.samba 2>/dev/null >&2 || true; exit 1; }
running() { [ -s "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }
answers() { ldapsearch -x -H ldap://127.0.0.1 -b "" -s base -o nettimeout=2 defaultNamingContext >/dev/null 2>&1; }
lmod() { ldapmodify -x -H ldap://127.0.0.1 -D "$ADMIN" -w "$ADMIN_PW" "$@"; }

write_env() {
  cat >"$LAB/env" <<EOF
export LDAP_URI=ldap://127.0.0.1:389
export LDAPS_URI=ldaps://127.0.0.1:636
export LDAP_GC_URI=ldap://127.0.0.1:3268
export LDAP_BASE_DN=$BASE_DN
export LDAP_ADMIN_DN='$ADMIN'
export LDAP_ADMIN_PW='$ADMIN_PW'
export LDAP_BIND_DN='svc-sync@$DNSDOMAIN'
export LDAP_BIND_PW='$SVC_PW'
export LDAP_DISABLED_DN='svc-disabled@$DNSDOMAIN'
export LDAP_LOCKED_DN='svc-locked@$DNSDOMAIN'
export LDAP_NOUAC_DN='svc-nouac@$DNSDOMAIN'
export LDAPTLS_CACERT=$LAB/certs/ca.crt
export SAMBA_CONF=$CONF
export LDAP_TRUTH=$LAB/truth.jsonl
EOF
  log "ready: source $LAB/env"
}

# ---------------------------------------------------------------- 1. install
if ! command -v samba >/dev/null || ! command -v samba-tool >/dev/null \
   || ! command -v ldapsearch >/dev/null || ! command -v openssl >/dev/null \
   || ! [ -x /usr/bin/python3 ]; then
  export DEBIAN_FRONTEND=noninteractive
  # keep the packaged smbd/nmbd/samba-ad-dc services from starting (systemd
  # hosts would otherwise start them on all interfaces); we run our own.
  made_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; made_policy=1
  fi
  pkgs=(samba-ad-dc samba-ad-provision ldap-utils)   # pulls python3, samba, winbind
  command -v openssl >/dev/null || pkgs+=(openssl)
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${pkgs[@]}"
  [ "$made_policy" = 1 ] && rm -f /usr/sbin/policy-rc.d
  lap "apt-get update + install"
fi

start_samba() {
  for p in 389 636 3268; do   # bash /dev/tcp: no iproute2 needed
    if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then die "port $p is already in use"; fi
  done
  samba -D -s "$CONF"
  for _ in $(seq 1 300); do answers && break; sleep 0.1; done
  answers || die "samba LDAP did not come up"
  lap "samba -D started (pid $(cat "$PIDFILE"))"
}

# ------------------------------------------------------- 2. already running?
if [ "$RESET" != 1 ] && [ "$(cat "$LAB/.loaded" 2>/dev/null)" = "$STAMP" ]; then
  if running && answers; then
    log "samba already running (pid $(cat "$PIDFILE")), nothing to do"
  else
    running && "$HERE/samba-down.sh"
    start_samba          # same provision + data: just start it again
  fi
  write_env; exit 0
fi
if running; then "$HERE/samba-down.sh"; fi

# ------------------------------------------------------------- 3. provision
rm -rf "$LAB"
mkdir -p "$LAB"/{etc,run,log,cache,certs,ldif}
: >"$CONF"   # an empty -s file stops provision from copying /etc/samba/smb.conf
samba-tool domain provision -s "$CONF" --targetdir="$LAB" \
  --realm="$REALM" --domain="$DOMAIN" --server-role=dc --dns-backend=NONE \
  --use-rfc2307 --adminpass="$ADMIN_PW" --host-name="$HOST" --host-ip=127.0.0.1 \
  --option="interfaces = 127.0.0.1" --option="bind interfaces only = yes" \
  --option="ldb:nosync = $([ "$NOSYNC" = 1 ] && echo true || echo false)" \
  --option="disable netbios = yes" \
  --option="server services = ldap, cldap, kdc, rpc" \
  --option="pid directory = $LAB/run" --option="log file = $LAB/log/log.%m" \
  --option="ncalrpc dir = $LAB/run/ncalrpc" \
  --option="winbindd socket directory = $LAB/run/winbindd" \
  --option="ntp signd socket directory = $LAB/run/ntp_signd" \
  >"$LAB/log/provision.log" 2>&1 || { tail -30 "$LAB/log/provision.log"; die "provision failed"; }
lap "samba-tool domain provision"

# ------------------------------------------------------------- 4. TLS cert
# Samba's auto-generated cert has CN=DC1.example.com and no SAN, so
# ldaps://127.0.0.1 fails hostname checks; issue our own with IP SAN.
( cd "$LAB/certs"
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -sha256 \
    -subj "/CN=adsync-lab samba test CA" -keyout ca.key -out ca.crt \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -sha256 -subj "/CN=$HOST.$DNSDOMAIN" \
    -keyout server.key -out server.csr 2>/dev/null
  printf '%s\n' "subjectAltName=DNS:$HOST.$DNSDOMAIN,DNS:localhost,IP:127.0.0.1,DNS:$(uname -n)" \
    "basicConstraints=CA:FALSE" "keyUsage=digitalSignature,keyEncipherment" \
    "extendedKeyUsage=serverAuth" >server.ext
  openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
    -days 825 -sha256 -extfile server.ext -out server.crt 2>/dev/null
  chmod 600 ca.key server.key )

# options provision does not write for us ("require strong auth = no" lets
# tests use a simple bind on plain ldap://389, like many AD sync tools do)
sed -i "/^\[global\]/a\\
\tldap server require strong auth = no\\
\tdsdb:schema update allowed = true\\
\ttls enabled = yes\\
\ttls keyfile = $LAB/certs/server.key\\
\ttls certfile = $LAB/certs/server.crt\\
\ttls cafile = $LAB/certs/ca.crt" "$CONF"
testparm -s "$CONF" >/dev/null 2>&1 || die "testparm rejects $CONF"
lap "TLS cert + smb.conf"

# ------------------------------------------------------------------ 5. start
start_samba

# --------------------------------------------------- 6. Exchange-ish schema
if [ "$EXCH" = 1 ]; then
  S="CN=Schema,CN=Configuration,$BASE_DN"
  lmod >/dev/null <<EOF
dn: CN=ms-Exch-Hide-From-Address-Lists,$S
changetype: add
objectClass: top
objectClass: attributeSchema
cn: ms-Exch-Hide-From-Address-Lists
attributeID: 1.2.840.113556.1.4.7000.102.73
attributeSyntax: 2.5.5.8
oMSyntax: 1
isSingleValued: TRUE
lDAPDisplayName: msExchHideFromAddressLists
searchFlags: 0

dn: CN=ms-Exch-Recipient-Type-Details,$S
changetype: add
objectClass: top
objectClass: attributeSchema
cn: ms-Exch-Recipient-Type-Details
attributeID: 1.2.840.113556.1.4.7000.102.50735
attributeSyntax: 2.5.5.16
oMSyntax: 65
isSingleValued: TRUE
lDAPDisplayName: msExchRecipientTypeDetails
searchFlags: 0

dn: CN=ms-Exch-Mail-Nickname,$S
changetype: add
objectClass: top
objectClass: attributeSchema
cn: ms-Exch-Mail-Nickname
attributeID: 1.2.840.113556.1.2.447
attributeSyntax: 2.5.5.12
oMSyntax: 64
isSingleValued: TRUE
lDAPDisplayName: mailNickname
searchFlags: 1

dn:
changetype: modify
add: schemaUpdateNow
schemaUpdateNow: 1
-

dn: CN=Mail-Recipient,$S
changetype: modify
add: mayContain
mayContain: msExchHideFromAddressLists
mayContain: msExchRecipientTypeDetails
mayContain: mailNickname
-

dn:
changetype: modify
add: schemaUpdateNow
schemaUpdateNow: 1
-
EOF
  lap "schema + msExchHideFromAddressLists"
fi

# ------------------------------------------------------------------- 7. data
if [ "$LOAD" = ldapadd ]; then
  gargs=(--users "$N_USERS" --flavor samba --base "$BASE_DN" --domain "$DNSDOMAIN")
  [ "$EXCH" = 1 ] && gargs+=(--exch)
  [ -n "$USER_PW" ] && gargs+=(--user-password "$USER_PW")
  python3 "$GEN" "${gargs[@]}" --part users -o "$LAB/ldif/users.ldif" --truth "$LAB/truth-users.jsonl"
  python3 "$GEN" "${gargs[@]}" --part groups -o "$LAB/ldif/groups.ldif" --truth "$LAB/truth-groups.jsonl"
  cat "$LAB/truth-users.jsonl" "$LAB/truth-groups.jsonl" >"$LAB/truth.jsonl"
  lap "generated LDIF ($N_USERS users)"
  # unicodePwd may only be written over an encrypted connection
  uri=ldap://127.0.0.1; [ -n "$USER_PW" ] && uri=ldaps://127.0.0.1
  ldapadd -x -H "$uri" -D "$ADMIN" -w "$ADMIN_PW" -f "$LAB/ldif/users.ldif" >/dev/null
  lap "ldapadd users"
  ldapadd -x -H "$uri" -D "$ADMIN" -w "$ADMIN_PW" -f "$LAB/ldif/groups.ldif" >/dev/null
  lap "ldapadd groups"
else
  samba-tool ou create "OU=Service Accounts,$BASE_DN" -s "$CONF" >/dev/null
fi
samba-tool user create svc-sync "$SVC_PW" --userou="OU=Service Accounts" \
  --description="read-only sync account" -s "$CONF" >/dev/null
samba-tool user setexpiry svc-sync --noexpiry -s "$CONF" >/dev/null
# accounts whose binds must fail in known ways (tests: AD sub-codes data 533 and 775)
samba-tool user create svc-disabled "$SVC_PW" --userou="OU=Service Accounts" -s "$CONF" >/dev/null
samba-tool user disable svc-disabled -s "$CONF" >/dev/null
samba-tool domain passwordsettings set --account-lockout-threshold=20 \
  --account-lockout-duration=600 --reset-account-lockout-after=600 -s "$CONF" >/dev/null
samba-tool user create svc-locked "$SVC_PW" --userou="OU=Service Accounts" -s "$CONF" >/dev/null
for _ in $(seq 1 21); do
  ldapsearch -x -H ldap://127.0.0.1 -D "svc-locked@$DNSDOMAIN" -w wrong-password -b "" -s base >/dev/null 2>&1 || true
done
# an account denied reading one property, userAccountControl (schemaIDGUID bf967a68-…), under
# the whole domain: what a delegation that left it out looks like (tests: the read-rights hint)
samba-tool user create svc-nouac "$SVC_PW" --userou="OU=Service Accounts" -s "$CONF" >/dev/null
nouac_sid=$(samba-tool user show svc-nouac --attributes=objectSid -s "$CONF" | awk '/^objectSid:/ {print $2}')
samba-tool dsacl set --objectdn="$BASE_DN" --action=deny -s "$CONF" \
  --sddl="(OD;CI;RP;bf967a68-0de6-11d0-a285-00aa003049e2;;$nouac_sid)" >/dev/null
lap "service accounts (svc-sync, svc-disabled, svc-locked, svc-nouac)"
echo "$STAMP" >"$LAB/.loaded"

# ----------------------------------------------------------------- 8. check
n=$(ldapsearch -x -LLL -H ldaps://127.0.0.1 -D "svc-sync@$DNSDOMAIN" -w "$SVC_PW" \
      -b "OU=People,$BASE_DN" -E pr=1000/noprompt "(&(objectCategory=person)(objectClass=user))" 1.1 \
      2>/dev/null | grep -c '^dn:' || true)
log "ldaps (CA-verified) + paged search as svc-sync: $n users under OU=People"
write_env
