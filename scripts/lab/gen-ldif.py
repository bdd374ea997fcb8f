#!/usr/bin/env python3
"""Deterministic AD-like test directory generator (LDIF on stdout or --out).

Same --users N always gives byte-identical output (no randomness, no clock).

  N users spread round-robin over 5 department OUs under ou=People
  ~5%  disabled            (i % 20 == 0  -> userAccountControl |= 2)
  ~14% "password never expires" (i % 7 == 0 -> userAccountControl |= 0x10000)
  ~3%  hidden from GAL     (i % 33 == 0 -> msExchHideFromAddressLists: TRUE)
  25%  alias proxyAddress  (i % 4 == 0  -> smtp:first.last@domain)
  10%  legacy-domain alias (i % 10 == 0 -> smtp:sam@legacy.<domain>)
  ~1%  no mailbox at all   (i % 97 == 0 -> no mail/proxyAddresses/mailNickname)
  0.4% "Last, First" CNs   (i % 250 == 0 -> DN with an escaped comma)
  1%   functional mailboxes (exch only; i % 100 == 50: shared, room when i % 500 == 150,
                            equipment when i % 500 == 350; msExchRecipientTypeDetails 4/16/32,
                            account disabled as AD does by design, always a mailbox)
  0.2% address conflicts   (i % 1000 in {998, 999}: both claim smtp:desk<k>@domain, k = i // 1000)
  manager: users 1,11,21,... manage the next nine users
Groups:
  SG-<Dept>      global security, all users of that OU
  SG-AllStaff    universal security, members = the five SG-<Dept> (nesting)
  SG-Managers    universal security, mail-enabled, all managers
  SG-Empty       global security, no members
  DL-Project-NNN universal distribution, max(5, N//500) of them, user i is in
                 DL (i % count); every 10th DL also contains the next DL;
                 every 7th DL hidden from GAL

--flavor openldap : structural classes 'user'/'group' from ad-lite.schema,
                    deterministic objectGUID/objectSid (uuid5 / fake RIDs),
                    objectCategory as the full AD DN (CN=Person,CN=Schema,...)
                    userPassword on the service account
--flavor samba    : objectClass user/group only; server assigns GUID/SID;
                    no passwords (create the service account with samba-tool);
                    msExchHideFromAddressLists/mailNickname only with --exch
--memberof        : (openldap, for slapadd) also write memberOf on members,
                    because slapadd bypasses the memberof overlay
--part users|groups|all : users (incl. OUs) only, groups only, or both
--truth FILE      : also write one JSON line per user/group with the facts a reader must
                    find (addresses, flags, kind, member count) -- the tests' oracle
"""
import argparse
import json
import base64
import re
import sys
import uuid

FIRST = ["James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael",
         "Linda", "William", "Elizabeth", "David", "Barbara", "Richard", "Susan",
         "Joseph", "Jessica", "Thomas", "Sarah", "Charles", "Karen", "Zoë",
         "José", "Anaïs", "Björn", "Chloé", "Daniel", "Emma", "Farid", "Grace",
         "Hiro", "Ines", "Jakub", "Kofi", "Lena", "Mateo", "Nora", "Omar",
         "Priya", "Quinn", "Rosa"]
LAST = ["Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller",
        "Davis", "Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez",
        "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
        "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark",
        "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King",
        "Wright", "O'Brien", "Müller", "Ødegaard", "Nguyen", "Kowalski",
        "Van der Berg"]
DEPTS = ["Sales", "Engineering", "Finance", "Support", "Marketing"]
TITLES = ["Associate", "Specialist", "Senior Specialist", "Team Lead", "Manager"]

UAC_NORMAL = 0x200            # 512
UAC_DISABLED = 0x2
UAC_DONT_EXPIRE = 0x10000     # 65536
RTD_SHARED, RTD_ROOM, RTD_EQUIPMENT = 4, 16, 32
GT_GLOBAL_SEC = -2147483646   # 0x80000002
GT_UNIVERSAL_SEC = -2147483640  # 0x80000008
GT_UNIVERSAL_DIST = 8
NS = uuid.UUID("6ba7b811-9dad-11d1-80b4-00c04fd430c8")  # uuid.NAMESPACE_URL
UNSAFE = re.compile(rb"[\x00\n\r\x80-\xff]")
SAFE_INIT = set(range(0x01, 0x80)) - {0x0A, 0x0D, 0x20, 0x3A, 0x3C}


def needs_b64(v: bytes) -> bool:
    if not v:
        return False
    if v[0] not in SAFE_INIT or v[-1] == 0x20:
        return True
    return UNSAFE.search(v) is not None


def line(attr, value):
    v = value if isinstance(value, bytes) else str(value).encode("utf-8")
    if needs_b64(v):
        return "%s:: %s" % (attr, base64.b64encode(v).decode("ascii"))
    return "%s: %s" % (attr, v.decode("ascii"))


def rdn_escape(v: str) -> str:
    out = []
    for k, ch in enumerate(v):
        if ch in ',+"\\<>;=' or (k == 0 and ch in "# ") or (k == len(v) - 1 and ch == " "):
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


def ascii_fold(s: str) -> str:
    table = {"ë": "e", "é": "e", "ï": "i", "ö": "o", "ü": "u", "ø": "o",
             "Ø": "O", "'": "", " ": ""}
    return "".join(table.get(c, c) for c in s)


def sid_bytes(rid: int) -> bytes:
    # S-1-5-21-1111111111-2222222222-3333333333-<rid>
    subs = [21, 1111111111, 2222222222, 3333333333, rid]
    return (bytes([1, len(subs)]) + (5).to_bytes(6, "big")
            + b"".join(s.to_bytes(4, "little") for s in subs))


class Gen:
    def __init__(self, a):
        self.a = a
        self.base = a.base
        self.dom = a.domain
        self.people = "ou=People," + self.base
        self.groups = "ou=Groups," + self.base
        self.svc = "ou=Service Accounts," + self.base
        self.ndl = max(5, a.users // 500)
        self.memberof = {}   # member dn -> [group dns]  (only with --memberof)
        self.rid = 5000
        self._dn = {}
        self.truth = open(a.truth, "w", encoding="utf-8") if a.truth else None

    # ------------------------------------------------------------------ users
    def user(self, i):
        given = FIRST[i % len(FIRST)]
        sn = LAST[(i * 7 + i // len(FIRST)) % len(LAST)]
        dept = DEPTS[i % len(DEPTS)]
        sam = ("%s%s%05d" % (ascii_fold(given)[0], ascii_fold(sn), i)).lower()[:20]
        cn = ("%s, %s %05d" % (sn, given, i)) if i % 250 == 0 else ("%s %s %05d" % (given, sn, i))
        dn = "cn=%s,ou=%s,%s" % (rdn_escape(cn), dept, self.people)
        return dict(i=i, given=given, sn=sn, dept=dept, sam=sam, cn=cn, dn=dn,
                    manager=(i - 1) // 10 * 10 + 1)

    def user_dn(self, i):
        if i not in self._dn:
            self._dn[i] = self.user(i)["dn"]
        return self._dn[i]

    def entry(self, dn, attrs):
        out = [line("dn", dn)]
        for k, v in attrs:
            if v is None:
                continue
            for x in (v if isinstance(v, list) else [v]):
                out.append(line(k, x))
        for g in self.memberof.get(dn.lower(), []):
            out.append(line("memberOf", g))
        return "\n".join(out) + "\n\n"

    def ad_ids(self, dn, category="Person"):
        """openldap only (AD/Samba generate these): objectGUID, objectSid, objectCategory."""
        if self.a.flavor != "openldap":
            return []
        self.rid += 1
        return [("objectGUID", uuid.uuid5(NS, dn.lower()).bytes_le),
                ("objectSid", sid_bytes(self.rid)),
                ("objectCategory", "CN=%s,CN=Schema,CN=Configuration,%s" % (category, self.base))]

    def containers(self):
        w = []
        if self.a.flavor == "openldap":
            dc = self.base.split(",")[0].split("=")[1]
            w.append(self.entry(self.base, [("objectClass", ["top", "dcObject", "organization"]),
                                            ("dc", dc), ("o", self.dom)]))
        for ou_dn, ou in [(self.people, "People"), (self.groups, "Groups"), (self.svc, "Service Accounts")]:
            w.append(self.entry(ou_dn, [("objectClass", ["top", "organizationalUnit"]), ("ou", ou)]))
        for d in DEPTS:
            w.append(self.entry("ou=%s,%s" % (d, self.people),
                                [("objectClass", ["top", "organizationalUnit"]), ("ou", d),
                                 ("description", "%s department" % d)]))
        if self.a.flavor == "openldap":
            dn = "cn=svc-sync," + self.svc
            w.append(self.entry(dn, [
                ("objectClass", ["top", "person", "organizationalPerson", "inetOrgPerson", "user"]),
                ("cn", "svc-sync"), ("sn", "svc-sync"), ("sAMAccountName", "svc-sync"),
                ("userPrincipalName", "svc-sync@" + self.dom),
                ("userAccountControl", str(UAC_NORMAL | UAC_DONT_EXPIRE)),
                ("userPassword", self.a.svc_password)] + self.ad_ids(dn)))
        return w

    def user_entry(self, u):
        i, a, dom = u["i"], self.a, self.dom
        uac = UAC_NORMAL
        if i % 7 == 0:
            uac |= UAC_DONT_EXPIRE
        if i % 20 == 0:
            uac |= UAC_DISABLED
        exch = a.flavor == "openldap" or a.exch
        hidden = (i % 33 == 0)
        rtd = self.recipient_type(i) if exch else None
        if rtd:
            uac |= UAC_DISABLED   # shared/room/equipment accounts are disabled in AD by design
        mailbox = (i % 97 != 0) or rtd is not None
        mail = "%s@%s" % (u["sam"], dom)
        proxies = []
        if mailbox:
            proxies.append("SMTP:" + mail)
            if i % 4 == 0:
                proxies.append("smtp:%s.%s%05d@%s" % (ascii_fold(u["given"]).lower(),
                                                       ascii_fold(u["sn"]).lower(), i, dom))
            if i % 10 == 0:
                proxies.append("smtp:%s@legacy.%s" % (u["sam"], dom))
            if i % 1000 in (998, 999):
                proxies.append("smtp:desk%03d@%s" % (i // 1000, dom))
        oc = (["top", "person", "organizationalPerson", "inetOrgPerson", "user"]
              if a.flavor == "openldap" else ["top", "person", "organizationalPerson", "user"])
        attrs = [
            ("objectClass", oc),
            ("cn", u["cn"]),
            ("sn", u["sn"]), ("givenName", u["given"]),
            ("displayName", "%s %s" % (u["given"], u["sn"])),
            ("sAMAccountName", u["sam"]),
            ("userPrincipalName", "%s@%s" % (u["sam"], dom)),
            ("userAccountControl", str(uac)),
            ("department", u["dept"]),
            ("title", TITLES[4] if u["manager"] == i else TITLES[i % 4]),
            ("company", "Example Corp"),
            ("employeeID", "E%06d" % i),
            ("telephoneNumber", "+1 555 %03d %04d" % (i // 10000 % 1000, i % 10000)),
            ("mail", mail if mailbox else None),
            ("proxyAddresses", proxies or None),
            ("mailNickname", u["sam"] if (mailbox and exch) else None),
            ("msExchHideFromAddressLists", "TRUE" if (hidden and exch) else None),
            ("msExchRecipientTypeDetails", str(rtd) if rtd else None),
            ("manager", self.user_dn(u["manager"]) if u["manager"] != i else None),
            ("description", "generated user %d" % i),
        ]
        if a.flavor == "samba" and a.user_password:
            pw = ('"%s"' % a.user_password).encode("utf-16-le")
            attrs.append(("unicodePwd", pw))
        self.fact(dn=u["dn"], cls="user", mailbox=mailbox, proxies=proxies,
                  given=u["given"], sn=u["sn"], display="%s %s" % (u["given"], u["sn"]),
                  disabled=bool(uac & UAC_DISABLED), hidden=hidden and exch, rtd=rtd,
                  conflict=mailbox and i % 1000 in (998, 999))
        return self.entry(u["dn"], attrs + self.ad_ids(u["dn"]))

    @staticmethod
    def recipient_type(i):
        if i % 100 != 50:
            return None
        return {150: RTD_ROOM, 350: RTD_EQUIPMENT}.get(i % 500, RTD_SHARED)

    def fact(self, dn, cls, mailbox, proxies, **kw):
        """One line of the oracle: what a correct reader must report for this object."""
        if not self.truth:
            return
        primary = next((p[5:].lower() for p in proxies if p.startswith("SMTP:")), None)
        aliases = sorted({p[5:].lower() for p in proxies if p.startswith("smtp:")} - {primary})
        rec = dict(dn=dn, cls=cls, mailbox=mailbox, primary=primary, aliases=aliases, **kw)
        if self.a.flavor == "openldap":
            rec["id"] = str(uuid.uuid5(NS, dn.lower()))
        self.truth.write(json.dumps(rec, ensure_ascii=False) + "\n")

    # ----------------------------------------------------------------- groups
    def group_defs(self):
        """Return list of (dn, cn, groupType, members[], mail?, hidden?)."""
        n, g = self.a.users, []
        gdn = lambda cn: "cn=%s,%s" % (cn, self.groups)
        for k, d in enumerate(DEPTS):
            g.append((gdn("SG-" + d), "SG-" + d, GT_GLOBAL_SEC,
                      [self.user_dn(i) for i in range(k or len(DEPTS), n + 1, len(DEPTS))], False, False))
        g.append((gdn("SG-AllStaff"), "SG-AllStaff", GT_UNIVERSAL_SEC,
                  [gdn("SG-" + d) for d in DEPTS], False, False))
        g.append((gdn("SG-Managers"), "SG-Managers", GT_UNIVERSAL_SEC,
                  [self.user_dn(i) for i in range(1, n + 1, 10)], True, False))
        g.append((gdn("SG-Empty"), "SG-Empty", GT_GLOBAL_SEC, [], False, False))
        for k in range(self.ndl):
            cn = "DL-Project-%03d" % k
            mem = [self.user_dn(i) for i in range(k or self.ndl, n + 1, self.ndl)]
            if k % 10 == 0 and k + 1 < self.ndl:
                mem.append(gdn("DL-Project-%03d" % (k + 1)))
            g.append((gdn(cn), cn, GT_UNIVERSAL_DIST, mem, True, k % 7 == 3))
        return g

    def group_entry(self, dn, cn, gtype, members, mailed, hidden):
        a, dom = self.a, self.dom
        exch = a.flavor == "openldap" or a.exch
        nick = cn.lower()
        attrs = [
            ("objectClass", ["top", "group"]),
            ("cn", cn), ("sAMAccountName", cn),
            ("groupType", str(gtype)),
            ("description", "generated group %s" % cn),
            ("mail", "%s@%s" % (nick, dom) if mailed else None),
            ("proxyAddresses", ["SMTP:%s@%s" % (nick, dom), "smtp:%s@legacy.%s" % (nick, dom)] if mailed else None),
            ("mailNickname", nick if (mailed and exch) else None),
            ("msExchHideFromAddressLists", "TRUE" if (hidden and exch) else None),
            ("member", members or None),
        ]
        self.fact(dn=dn, cls="group", mailbox=mailed, proxies=(["SMTP:%s@%s" % (nick, dom), "smtp:%s@legacy.%s" % (nick, dom)] if mailed else []),
                  security=gtype < 0, hidden=hidden and exch, members=len(members), conflict=False)
        return self.entry(dn, attrs + self.ad_ids(dn, "Group"))

    def run(self, w):
        a = self.a
        gdefs = self.group_defs() if a.part in ("groups", "all") or a.memberof else []
        if a.memberof:
            for dn, cn, gt, mem, _m, _h in gdefs:
                for m in mem:
                    self.memberof.setdefault(m.lower(), []).append(dn)
        if a.part in ("users", "all"):
            for e in self.containers():
                w.write(e)
            for i in range(1, a.users + 1):
                w.write(self.user_entry(self.user(i)))
        if a.part in ("groups", "all"):
            # members before the groups that contain them (nested DLs / AllStaff)
            order = sorted(gdefs, key=lambda g: (g[1] == "SG-AllStaff", -int(g[1][-3:]) if g[1].startswith("DL-") else 0))
            for gd in order:
                w.write(self.group_entry(*gd))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--users", "-n", type=int, default=10000)
    p.add_argument("--base", default="dc=example,dc=com")
    p.add_argument("--domain", default="example.com")
    p.add_argument("--flavor", choices=["openldap", "samba"], default="openldap")
    p.add_argument("--part", choices=["users", "groups", "all"], default="all")
    p.add_argument("--memberof", action="store_true", help="emit memberOf (for slapadd)")
    p.add_argument("--exch", action="store_true", help="samba: emit Exchange attrs (schema must be extended)")
    p.add_argument("--svc-password", default="SyncPassw0rd!")
    p.add_argument("--user-password", default="", help="samba: set unicodePwd (needs LDAPS)")
    p.add_argument("--out", "-o", default="-")
    p.add_argument("--truth", default="", help="write the oracle (JSON lines) to this file")
    a = p.parse_args()
    w = sys.stdout if a.out == "-" else open(a.out, "w", encoding="utf-8", newline="\n")
    g = Gen(a)
    g.run(w)
    if g.truth:
        g.truth.close()
    if w is not sys.stdout:
        w.close()


if __name__ == "__main__":
    main()
