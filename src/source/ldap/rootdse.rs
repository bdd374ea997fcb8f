//! The rootDSE: what the server says about itself, and which flavor of directory it is.

use super::entry::RawEntry;
use super::paged::read_entry;
use super::session::Session;
use crate::model::Flavor;
use crate::source::SourceError;

/// supportedCapabilities value that only Active Directory (and Samba AD) announce.
pub const AD_CAPABILITY: &str = "1.2.840.113556.1.4.800";

pub const ATTRS: [&str; 11] = [
    "namingContexts",
    "defaultNamingContext",
    "supportedControl",
    "supportedCapabilities",
    "supportedLDAPVersion",
    "supportedExtension",
    "vendorName",
    "vendorVersion",
    "dnsHostName",
    "currentTime",
    "subschemaSubentry",
];

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RootDse {
    pub naming_contexts: Vec<String>,
    pub default_naming_context: Option<String>,
    pub supported_controls: Vec<String>,
    pub capabilities: Vec<String>,
    pub ldap_versions: Vec<String>,
    pub extensions: Vec<String>,
    pub vendor: Option<String>,
    pub dns_host_name: Option<String>,
    pub current_time: Option<String>,
}

impl RootDse {
    pub fn from_entry(entry: &RawEntry) -> Self {
        Self {
            naming_contexts: entry.texts("namingContexts").collect(),
            default_naming_context: entry.first_text("defaultNamingContext"),
            supported_controls: entry.texts("supportedControl").collect(),
            capabilities: entry.texts("supportedCapabilities").collect(),
            ldap_versions: entry.texts("supportedLDAPVersion").collect(),
            extensions: entry.texts("supportedExtension").collect(),
            vendor: entry.first_text("vendorName"),
            dns_host_name: entry.first_text("dnsHostName"),
            current_time: entry.first_text("currentTime"),
        }
    }

    pub fn flavor(&self) -> Flavor {
        if self.capabilities.iter().any(|c| c == AD_CAPABILITY) { Flavor::ActiveDirectory } else { Flavor::Openldap }
    }

    pub fn supports_paging(&self) -> bool {
        self.supported_controls.iter().any(|c| c == super::paged::PAGED_RESULTS_OID)
    }

    /// A Base DN to suggest when the configured one does not exist.
    pub fn suggested_base(&self) -> Option<&str> {
        self.default_naming_context.as_deref().or_else(|| self.naming_contexts.first().map(String::as_str))
    }
}

pub async fn read(session: &mut Session) -> Result<RootDse, SourceError> {
    let entry = read_entry(session, "", &ATTRS).await?;
    Ok(entry.as_ref().map(RootDse::from_entry).unwrap_or_default())
}
