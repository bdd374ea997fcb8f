//! The sample company: a deterministic AD-like directory.
//!
//! The same algorithm as `scripts/lab/gen-ldif.py` (the tests' generator for slapd), entry
//! for entry, so the demo server and a real slapd loaded with the same company must give the
//! same search result — a test holds the two to that. Same `users` → same bytes, always.

use super::entry::Entry;

const FIRST: [&str; 40] = [
    "James",
    "Mary",
    "John",
    "Patricia",
    "Robert",
    "Jennifer",
    "Michael",
    "Linda",
    "William",
    "Elizabeth",
    "David",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Charles",
    "Karen",
    "Zoë",
    "José",
    "Anaïs",
    "Björn",
    "Chloé",
    "Daniel",
    "Emma",
    "Farid",
    "Grace",
    "Hiro",
    "Ines",
    "Jakub",
    "Kofi",
    "Lena",
    "Mateo",
    "Nora",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
];
const LAST: [&str; 41] = [
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "O'Brien",
    "Müller",
    "Ødegaard",
    "Nguyen",
    "Kowalski",
    "Van der Berg",
];
const DEPTS: [&str; 5] = ["Sales", "Engineering", "Finance", "Support", "Marketing"];
const TITLES: [&str; 5] = ["Associate", "Specialist", "Senior Specialist", "Team Lead", "Manager"];

const UAC_NORMAL: u32 = 0x200;
const UAC_DISABLED: u32 = 0x2;
const UAC_DONT_EXPIRE: u32 = 0x10000;
const GT_GLOBAL_SEC: i32 = -2147483646;
const GT_UNIVERSAL_SEC: i32 = -2147483640;
const GT_UNIVERSAL_DIST: i32 = 8;

/// Where the company lives and how big it is.
#[derive(Clone, Debug)]
pub struct CompanySpec {
    pub users: u32,
    pub base: String,
    pub domain: String,
    pub svc_password: String,
}

impl CompanySpec {
    pub fn new(users: u32) -> Self {
        Self {
            users,
            base: "dc=example,dc=com".into(),
            domain: "example.com".into(),
            svc_password: "SyncPassw0rd!".into(),
        }
    }

    pub fn svc_dn(&self) -> String {
        format!("cn=svc-sync,ou=Service Accounts,{}", self.base)
    }
}

struct Person {
    i: u32,
    given: &'static str,
    sn: &'static str,
    dept: &'static str,
    sam: String,
    cn: String,
    dn: String,
    manager: u32,
}

/// A group before it is written: (dn, cn, groupType, members, mail-enabled, hidden).
struct GroupDef {
    dn: String,
    cn: String,
    group_type: i32,
    members: Vec<String>,
    mailed: bool,
    hidden: bool,
}

/// Every entry of the company, in load order (members before the groups that contain them).
pub fn generate(spec: &CompanySpec) -> Vec<Entry> {
    Generator::new(spec).run()
}

struct Generator<'a> {
    spec: &'a CompanySpec,
    people: String,
    groups: String,
    rid: u32,
}

fn ascii_fold(s: &str) -> String {
    s.chars()
        .filter_map(|c| match c {
            'ë' | 'é' => Some('e'),
            'ï' => Some('i'),
            'ö' | 'ø' => Some('o'),
            'ü' => Some('u'),
            'Ø' => Some('O'),
            '\'' | ' ' => None,
            other => Some(other),
        })
        .collect()
}

/// RFC 4514 escaping of an RDN value, as the generator writes it.
fn rdn_escape(value: &str) -> String {
    let count = value.chars().count();
    let mut out = String::with_capacity(value.len() + 2);
    for (k, ch) in value.chars().enumerate() {
        let special =
            ",+\"\\<>;=".contains(ch) || (k == 0 && (ch == '#' || ch == ' ')) || (k + 1 == count && ch == ' ');
        if special {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

fn sid_bytes(rid: u32) -> Vec<u8> {
    let subs: [u32; 5] = [21, 1111111111, 2222222222, 3333333333, rid];
    let mut out = vec![1u8, subs.len() as u8, 0, 0, 0, 0, 0, 5];
    for s in subs {
        out.extend_from_slice(&s.to_le_bytes());
    }
    out
}

/// 1% of people are shared (4), room (16) or equipment (32) mailboxes.
fn recipient_type(i: u32) -> Option<u32> {
    if i % 100 != 50 {
        return None;
    }
    Some(match i % 500 {
        150 => 16,
        350 => 32,
        _ => 4,
    })
}

impl<'a> Generator<'a> {
    fn new(spec: &'a CompanySpec) -> Self {
        Self { spec, people: format!("ou=People,{}", spec.base), groups: format!("ou=Groups,{}", spec.base), rid: 5000 }
    }

    fn person(&self, i: u32) -> Person {
        let given = FIRST[(i % 40) as usize];
        let sn = LAST[((i * 7 + i / 40) % 41) as usize];
        let dept = DEPTS[(i % 5) as usize];
        let folded = format!("{}{}{:05}", ascii_fold(given).chars().next().unwrap_or('x'), ascii_fold(sn), i);
        let sam: String = folded.to_lowercase().chars().take(20).collect();
        let cn = if i.is_multiple_of(250) { format!("{sn}, {given} {i:05}") } else { format!("{given} {sn} {i:05}") };
        let dn = format!("cn={},ou={dept},{}", rdn_escape(&cn), self.people);
        Person { i, given, sn, dept, sam, cn, dn, manager: (i - 1) / 10 * 10 + 1 }
    }

    fn person_dn(&self, i: u32) -> String {
        self.person(i).dn
    }

    /// objectGUID, objectSid and objectCategory, as AD would have them.
    fn ad_ids(&mut self, entry: &mut Entry, category: &str) {
        self.rid += 1;
        let guid = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, entry.dn.to_lowercase().as_bytes());
        entry.add_one("objectGUID", guid.to_bytes_le().to_vec());
        entry.add_one("objectSid", sid_bytes(self.rid));
        entry.add_one("objectCategory", format!("CN={category},CN=Schema,CN=Configuration,{}", self.spec.base));
    }

    fn containers(&mut self) -> Vec<Entry> {
        let base = &self.spec.base;
        let dc = base.split(',').next().and_then(|r| r.split('=').nth(1)).unwrap_or("example").to_string();
        let mut out = Vec::new();
        let mut root = Entry::new(base.clone());
        root.add("objectClass", ["top", "dcObject", "organization"])
            .add_one("dc", dc)
            .add_one("o", self.spec.domain.clone());
        out.push(root);
        let svc_ou = format!("ou=Service Accounts,{base}");
        for (dn, ou) in [(self.people.clone(), "People"), (self.groups.clone(), "Groups"), (svc_ou, "Service Accounts")]
        {
            let mut e = Entry::new(dn);
            e.add("objectClass", ["top", "organizationalUnit"]).add_one("ou", ou);
            out.push(e);
        }
        for d in DEPTS {
            let mut e = Entry::new(format!("ou={d},{}", self.people));
            e.add("objectClass", ["top", "organizationalUnit"])
                .add_one("ou", d)
                .add_one("description", format!("{d} department"));
            out.push(e);
        }
        out.push(self.service_account());
        out
    }

    fn service_account(&mut self) -> Entry {
        let mut e = Entry::new(self.spec.svc_dn());
        e.add("objectClass", ["top", "person", "organizationalPerson", "inetOrgPerson", "user"])
            .add_one("cn", "svc-sync")
            .add_one("sn", "svc-sync")
            .add_one("sAMAccountName", "svc-sync")
            .add_one("userPrincipalName", format!("svc-sync@{}", self.spec.domain))
            .add_one("userAccountControl", (UAC_NORMAL | UAC_DONT_EXPIRE).to_string())
            .add_one("userPassword", self.spec.svc_password.clone());
        self.ad_ids(&mut e, "Person");
        e
    }

    fn proxies(&self, p: &Person) -> Vec<String> {
        let dom = &self.spec.domain;
        let mut proxies = vec![format!("SMTP:{}@{dom}", p.sam)];
        if p.i.is_multiple_of(4) {
            let (g, s) = (ascii_fold(p.given).to_lowercase(), ascii_fold(p.sn).to_lowercase());
            proxies.push(format!("smtp:{g}.{s}{:05}@{dom}", p.i));
        }
        if p.i.is_multiple_of(10) {
            proxies.push(format!("smtp:{}@legacy.{dom}", p.sam));
        }
        if matches!(p.i % 1000, 998 | 999) {
            proxies.push(format!("smtp:desk{:03}@{dom}", p.i / 1000));
        }
        proxies
    }

    fn user_entry(&mut self, p: &Person) -> Entry {
        let i = p.i;
        let rtd = recipient_type(i);
        let mut uac = UAC_NORMAL;
        if i.is_multiple_of(7) {
            uac |= UAC_DONT_EXPIRE;
        }
        if i.is_multiple_of(20) || rtd.is_some() {
            uac |= UAC_DISABLED; // shared/room/equipment accounts are disabled in AD by design
        }
        let mailbox = !i.is_multiple_of(97) || rtd.is_some();
        let dom = &self.spec.domain;
        let mut e = Entry::new(p.dn.clone());
        e.add("objectClass", ["top", "person", "organizationalPerson", "inetOrgPerson", "user"])
            .add_one("cn", p.cn.clone())
            .add_one("sn", p.sn)
            .add_one("givenName", p.given)
            .add_one("displayName", format!("{} {}", p.given, p.sn))
            .add_one("sAMAccountName", p.sam.clone())
            .add_one("userPrincipalName", format!("{}@{dom}", p.sam))
            .add_one("userAccountControl", uac.to_string())
            .add_one("department", p.dept)
            .add_one("title", if p.manager == i { TITLES[4] } else { TITLES[(i % 4) as usize] })
            .add_one("company", "Example Corp")
            .add_one("employeeID", format!("E{i:06}"))
            .add_one("telephoneNumber", format!("+1 555 {:03} {:04}", i / 10000 % 1000, i % 10000));
        if mailbox {
            e.add_one("mail", format!("{}@{dom}", p.sam))
                .add("proxyAddresses", self.proxies(p))
                .add_one("mailNickname", p.sam.clone());
        }
        if i.is_multiple_of(33) {
            e.add_one("msExchHideFromAddressLists", "TRUE");
        }
        if let Some(rtd) = rtd {
            e.add_one("msExchRecipientTypeDetails", rtd.to_string());
        }
        if p.manager != i {
            e.add_one("manager", self.person_dn(p.manager));
        }
        e.add_one("description", format!("generated user {i}"));
        self.ad_ids(&mut e, "Person");
        e
    }

    fn group_defs(&self) -> Vec<GroupDef> {
        let n = self.spec.users;
        let ndl = (n / 500).max(5);
        let gdn = |cn: &str| format!("cn={cn},{}", self.groups);
        let users =
            |start: u32, step: u32| (start..=n).step_by(step as usize).map(|i| self.person_dn(i)).collect::<Vec<_>>();
        let def = |cn: &str, group_type, members, mailed, hidden| GroupDef {
            dn: gdn(cn),
            cn: cn.to_string(),
            group_type,
            members,
            mailed,
            hidden,
        };
        let mut defs = Vec::new();
        for (k, d) in DEPTS.iter().enumerate() {
            let start = if k == 0 { DEPTS.len() as u32 } else { k as u32 };
            defs.push(def(&format!("SG-{d}"), GT_GLOBAL_SEC, users(start, 5), false, false));
        }
        let all_staff = DEPTS.iter().map(|d| gdn(&format!("SG-{d}"))).collect();
        defs.push(def("SG-AllStaff", GT_UNIVERSAL_SEC, all_staff, false, false));
        defs.push(def("SG-Managers", GT_UNIVERSAL_SEC, users(1, 10), true, false));
        defs.push(def("SG-Empty", GT_GLOBAL_SEC, Vec::new(), false, false));
        for k in 0..ndl {
            let mut members = users(if k == 0 { ndl } else { k }, ndl);
            if k % 10 == 0 && k + 1 < ndl {
                members.push(gdn(&format!("DL-Project-{:03}", k + 1)));
            }
            defs.push(def(&format!("DL-Project-{k:03}"), GT_UNIVERSAL_DIST, members, true, k % 7 == 3));
        }
        defs
    }

    fn group_entry(&mut self, g: &GroupDef) -> Entry {
        let dom = &self.spec.domain;
        let nick = g.cn.to_lowercase();
        let mut e = Entry::new(g.dn.clone());
        e.add("objectClass", ["top", "group"])
            .add_one("cn", g.cn.clone())
            .add_one("sAMAccountName", g.cn.clone())
            .add_one("groupType", g.group_type.to_string())
            .add_one("description", format!("generated group {}", g.cn));
        if g.mailed {
            e.add_one("mail", format!("{nick}@{dom}"))
                .add("proxyAddresses", [format!("SMTP:{nick}@{dom}"), format!("smtp:{nick}@legacy.{dom}")])
                .add_one("mailNickname", nick.clone());
        }
        if g.hidden {
            e.add_one("msExchHideFromAddressLists", "TRUE");
        }
        e.add("member", g.members.clone());
        self.ad_ids(&mut e, "Group");
        e
    }

    /// memberOf, as the memberof overlay (slapd) or AD's back-links would show it.
    fn add_member_of(entries: &mut [Entry], defs: &[GroupDef]) {
        let index: std::collections::HashMap<String, usize> =
            entries.iter().enumerate().map(|(k, e)| (e.dn.to_lowercase(), k)).collect();
        for g in defs {
            for m in &g.members {
                if let Some(&k) = index.get(&m.to_lowercase()) {
                    entries[k].add_one("memberOf", g.dn.clone());
                }
            }
        }
    }

    fn run(mut self) -> Vec<Entry> {
        let defs = self.group_defs();
        let mut entries = self.containers();
        for i in 1..=self.spec.users {
            let p = self.person(i);
            entries.push(self.user_entry(&p));
        }
        // Members before the groups that contain them (nested DLs, SG-AllStaff).
        let mut order: Vec<&GroupDef> = defs.iter().collect();
        order.sort_by_key(|g| {
            let dl_rank = g.cn.strip_prefix("DL-Project-").and_then(|n| n.parse::<i64>().ok()).map_or(0, |n| -n);
            (g.cn == "SG-AllStaff", dl_rank)
        });
        for g in order {
            let e = self.group_entry(g);
            entries.push(e);
        }
        Self::add_member_of(&mut entries, &defs);
        entries
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_size_same_company() {
        let a = generate(&CompanySpec::new(300));
        let b = generate(&CompanySpec::new(300));
        assert_eq!(a.len(), b.len());
        assert!(a.iter().zip(&b).all(|(x, y)| x.dn == y.dn && x.attrs == y.attrs));
    }

    #[test]
    fn names_escape_and_fold_like_the_lab_generator() {
        let spec = CompanySpec::new(250);
        let g = Generator::new(&spec);
        let p = g.person(250);
        assert_eq!(p.dn, "cn=Wright\\, David 00250,ou=Sales,ou=People,dc=example,dc=com");
        assert!(g.person(37).sam.len() <= 20);
        assert_eq!(ascii_fold("Van der Berg"), "VanderBerg");
        assert_eq!(ascii_fold("O'Brien"), "OBrien");
    }

    #[test]
    fn every_case_the_classifier_distinguishes_is_present() {
        let entries = generate(&CompanySpec::new(2000));
        let count = |f: &dyn Fn(&Entry) -> bool| entries.iter().filter(|e| f(e)).count();
        assert!(count(&|e| e.has_value("msExchRecipientTypeDetails", "4")) > 0);
        assert!(count(&|e| e.has_value("msExchRecipientTypeDetails", "16")) > 0);
        assert!(count(&|e| e.has_value("msExchRecipientTypeDetails", "32")) > 0);
        assert!(count(&|e| e.has_value("msExchHideFromAddressLists", "TRUE")) > 0);
        assert!(count(&|e| e.has_value("objectClass", "user") && e.get("mail").is_none()) > 1);
        assert_eq!(count(&|e| e.has_value("proxyAddresses", "smtp:desk001@example.com")), 2);
        assert!(count(&|e| e.has_value("groupType", "8")) >= 5);
        assert!(count(&|e| e.has_value("objectClass", "group") && e.get("member").is_none()) == 1);
    }
}
