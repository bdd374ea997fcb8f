//! The demo's rootDSE, modelled on a Windows Server domain controller's.

use super::entry::Entry;

pub const OID_PAGED_RESULTS: &str = "1.2.840.113556.1.4.319";
pub const OID_STARTTLS: &str = "1.3.6.1.4.1.1466.20037";
pub const OID_WHOAMI: &str = "1.3.6.1.4.1.4203.1.11.3";

/// AD's limits: at most this many entries per page, and `member` values per range.
pub const MAX_PAGE_SIZE: usize = 1000;
pub const MAX_VAL_RANGE: usize = 1500;

/// Generalized time for `currentTime`, e.g. `20261130143000.0Z`.
pub fn generalized_time(now: jiff::Timestamp) -> String {
    now.strftime("%Y%m%d%H%M%S.0Z").to_string()
}

pub fn root_dse(base: &str, now: jiff::Timestamp) -> Entry {
    let config = format!("CN=Configuration,{base}");
    let schema = format!("CN=Schema,{config}");
    let mut e = Entry::new("");
    e.add_one("currentTime", generalized_time(now))
        .add_one("subschemaSubentry", format!("CN=Aggregate,{schema}"))
        .add_one(
            "dsServiceName",
            format!("CN=NTDS Settings,CN=DC1,CN=Servers,CN=Default-First-Site-Name,CN=Sites,{config}"),
        )
        .add(
            "namingContexts",
            [
                base.to_string(),
                config.clone(),
                schema.clone(),
                format!("DC=DomainDnsZones,{base}"),
                format!("DC=ForestDnsZones,{base}"),
            ],
        )
        .add_one("defaultNamingContext", base)
        .add_one("rootDomainNamingContext", base)
        .add_one("configurationNamingContext", config)
        .add_one("schemaNamingContext", schema)
        .add("supportedControl", [OID_PAGED_RESULTS])
        .add("supportedLDAPVersion", ["3", "2"])
        .add("supportedLDAPPolicies", ["MaxPageSize", "MaxValRange", "MaxResultSetSize"])
        .add_one("dnsHostName", "dc1.example.com")
        .add_one("ldapServiceName", "example.com:dc1$@EXAMPLE.COM")
        .add(
            "supportedCapabilities",
            [
                "1.2.840.113556.1.4.800",  // Active Directory
                "1.2.840.113556.1.4.1670", // Windows Server 2003
                "1.2.840.113556.1.4.1791", // LDAP integration
                "1.2.840.113556.1.4.1935", // Windows Server 2008
                "1.2.840.113556.1.4.2080", // Windows Server 2008 R2
                "1.2.840.113556.1.4.2237", // Windows Server 2012
            ],
        )
        .add("supportedExtension", [OID_STARTTLS, OID_WHOAMI])
        .add_one("isSynchronized", "TRUE")
        .add_one("isGlobalCatalogReady", "TRUE")
        .add_one("domainFunctionality", "7")
        .add_one("forestFunctionality", "7")
        .add_one("domainControllerFunctionality", "7");
    e
}

/// Continuation references AD sends for subtree searches from the domain root.
pub fn root_referrals(base: &str) -> Vec<String> {
    ["DomainDnsZones", "ForestDnsZones"]
        .iter()
        .map(|zone| format!("ldap://{zone}.example.com/DC={zone},{base}"))
        .chain(std::iter::once(format!("ldap://example.com/CN=Configuration,{base}")))
        .collect()
}
