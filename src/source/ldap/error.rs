//! LDAP failures, each naming the layer that broke and what an admin can do about it.

use std::fmt;
use std::time::Duration;

/// A bind rejection, with Active Directory's `data XXX` sub-code decoded when present.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BindProblem {
    WrongPassword,
    NoSuchUser,
    LogonHours,
    Workstation,
    PasswordExpired,
    AccountDisabled,
    AccountExpired,
    MustResetPassword,
    AccountLocked,
    /// Invalid credentials without a sub-code (OpenLDAP and friends).
    InvalidCredentials,
    /// The server insists on TLS or signing before a simple bind.
    NeedsEncryption,
    Other,
}

impl BindProblem {
    /// Active Directory's sub-code from the diagnostic text, e.g. `…, data 52e, v4563`.
    pub fn from_ad_text(text: &str) -> Option<(Self, String)> {
        let lower = text.to_ascii_lowercase();
        let after = lower.split("data ").nth(1)?;
        let code: String = after.chars().take_while(|c| c.is_ascii_hexdigit()).collect();
        let problem = match code.as_str() {
            "52e" => Self::WrongPassword,
            "525" => Self::NoSuchUser,
            "530" => Self::LogonHours,
            "531" => Self::Workstation,
            "532" => Self::PasswordExpired,
            "533" => Self::AccountDisabled,
            "701" => Self::AccountExpired,
            "773" => Self::MustResetPassword,
            "775" => Self::AccountLocked,
            _ => Self::Other,
        };
        Some((problem, code))
    }

    pub fn classify(rc: u32, text: &str) -> (Self, Option<String>) {
        if let Some((problem, code)) = Self::from_ad_text(text) {
            return (problem, Some(code));
        }
        let problem = match rc {
            49 => Self::InvalidCredentials,
            8 | 13 => Self::NeedsEncryption,
            _ => Self::Other,
        };
        (problem, None)
    }

    pub fn meaning(self) -> &'static str {
        match self {
            Self::WrongPassword => "the password is wrong",
            Self::NoSuchUser => "no such user: the bind account does not exist",
            Self::LogonHours => "the account may not log on at this time (logon hours)",
            Self::Workstation => "the account may not log on from this workstation",
            Self::PasswordExpired => "the account's password has expired",
            Self::AccountDisabled => "the account is disabled",
            Self::AccountExpired => "the account has expired",
            Self::MustResetPassword => "the account must change its password at next logon",
            Self::AccountLocked => "the account is locked out",
            Self::InvalidCredentials => "the bind DN or the password is wrong",
            Self::NeedsEncryption => "the server refuses a simple bind on an unencrypted connection",
            Self::Other => "the server refused the bind",
        }
    }

    pub fn fix(self) -> &'static str {
        match self {
            Self::WrongPassword => {
                "check the password the config points at (password_env / password_file / password_command)"
            }
            Self::NoSuchUser | Self::InvalidCredentials => {
                "check bind_dn (a full DN such as CN=svc-sync,OU=Service Accounts,DC=example,DC=com, or a UPN such as svc-sync@example.com) and the password"
            }
            Self::LogonHours | Self::Workstation => {
                "relax the account's logon hours / \"log on to\" list in Active Directory Users and Computers"
            }
            Self::PasswordExpired | Self::MustResetPassword => {
                "set a new password for the service account, and consider \"password never expires\" for it"
            }
            Self::AccountDisabled => "enable the service account in Active Directory Users and Computers",
            Self::AccountExpired => "extend the account's expiry date (Account tab → Account expires)",
            Self::AccountLocked => "unlock the account, then find what keeps sending the old password",
            Self::NeedsEncryption => "use ldaps:// (port 636) or starttls = true",
            Self::Other => "read the server's message above; the bind account may lack rights",
        }
    }
}

/// What went wrong while verifying the server's certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TlsProblem {
    UntrustedIssuer,
    NameMismatch,
    Expired,
    NotYetValid,
    NotTls,
    Other,
}

/// Where in the conversation with the server an operation broke, for messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Opening the connection (TLS, StartTLS).
    Connect,
    Bind,
    /// A single entry (the rootDSE, a group's further member ranges).
    Entry,
    /// A page of the paged search, from 1.
    Page(u32),
}

impl Stage {
    fn layer(self) -> &'static str {
        if self == Self::Bind { "Bind" } else { "Search" }
    }

    fn phrase(self) -> String {
        match self {
            Self::Connect => "while opening the connection".into(),
            Self::Bind => "during the bind".into(),
            Self::Entry => "while reading a single entry".into(),
            Self::Page(n) => format!("on page {n} of the search"),
        }
    }

    /// How far the read had got, where it counts.
    fn after(self, entries: u64) -> String {
        if matches!(self, Self::Page(_)) { format!(", after {entries} entries") } else { String::new() }
    }
}

/// Every way reading the directory can fail. The display is one paragraph: layer, what, fix;
/// [`LdapFailure::what`] and [`LdapFailure::fix`] give the two halves (the diagnostics ladder
/// shows them apart).
#[derive(Debug)]
pub enum LdapFailure {
    Resolve { host: String, detail: String },
    Refused { addr: String, port: u16 },
    ConnectTimeout { addr: String, port: u16, after: Duration },
    Connect { addr: String, detail: String },
    Tls { problem: TlsProblem, host: String, detail: String },
    StartTlsRefused { detail: String },
    HandshakeTimeout { addr: String, after: Duration },
    Bind { problem: BindProblem, code: Option<String>, bind_dn: String, text: String },
    EmptyPassword { bind_dn: String },
    AnonymousRefused { text: String },
    NoSuchBase { base: String, text: String, hint: String },
    SearchFailed { rc: u32, name: &'static str, text: String, entries: u64, fix: &'static str },
    OpTimeout { at: Stage, after: Duration, entries: u64 },
    ConnectionLost { at: Stage, entries: u64, detail: String },
    Protocol { detail: String },
}

const INCOMPLETE: &str = "The read is incomplete, so nothing was used.";

impl LdapFailure {
    /// The layer and what broke, e.g. `TCP: 10.0.0.5:636 refused the connection.`
    pub fn what(&self) -> String {
        match self {
            Self::Resolve { host, detail } => format!("DNS: cannot resolve \"{host}\" ({detail})."),
            Self::Refused { addr, .. } => format!("TCP: {addr} refused the connection."),
            Self::ConnectTimeout { addr, after, .. } => format!("TCP: no answer from {addr} within {}.", secs(*after)),
            Self::Connect { addr, detail } => format!("TCP: cannot connect to {addr}: {detail}."),
            Self::Tls { problem, host, detail } => format!("TLS: {} ({host}: {detail}).", problem.what()),
            Self::StartTlsRefused { detail } => format!("StartTLS: the server refused to start TLS ({detail})."),
            Self::HandshakeTimeout { addr, after } => format!(
                "TLS: the connection to {addr} opened but the TLS/LDAP handshake did not finish within {}.",
                secs(*after)
            ),
            Self::Bind { problem, code, bind_dn, .. } => {
                let code = code.as_ref().map(|c| format!(" (AD code data {c})")).unwrap_or_default();
                format!("Bind: {} as \"{bind_dn}\"{code}.", problem.meaning())
            }
            Self::EmptyPassword { bind_dn } => {
                format!("Bind: the password for \"{bind_dn}\" is empty, which LDAP treats as an anonymous bind.")
            }
            Self::AnonymousRefused { text } => format!("Search: the server refuses to search without a bind ({text})."),
            Self::NoSuchBase { base, text, .. } => {
                format!("Base DN: \"{base}\" does not exist on this server ({text}).")
            }
            Self::SearchFailed { rc, name, text, entries, .. } => format!(
                "Search: the server ended the search with \"{name}\" (code {rc}: {text}) after {entries} entries. {INCOMPLETE}"
            ),
            Self::OpTimeout { at, after, entries } => format!(
                "{}: the server did not answer within {} (source.op_timeout) {}{}. {INCOMPLETE}",
                at.layer(),
                secs(*after),
                at.phrase(),
                at.after(*entries)
            ),
            Self::ConnectionLost { at, entries, detail } => format!(
                "Connection: lost the connection to the server {}{} ({detail}). {INCOMPLETE}",
                at.phrase(),
                at.after(*entries)
            ),
            Self::Protocol { detail } => {
                format!("Protocol: the server sent something this client cannot read ({detail}). {INCOMPLETE}")
            }
        }
    }

    /// What an admin can do about it; empty when there is nothing to suggest.
    pub fn fix(&self) -> String {
        match self {
            Self::Resolve { .. } => {
                "Check the host name in source.url, or use the domain controller's IP address.".into()
            }
            Self::Refused { port, .. } => format!(
                "Nothing listens on port {port} there: check the port in source.url (389 for LDAP, 636 for LDAPS) and that the directory service is running."
            ),
            Self::ConnectTimeout { port, .. } => format!(
                "A firewall is probably dropping the traffic, or the host is down: check that port {port} is open from this machine, or raise source.connect_timeout."
            ),
            Self::Connect { .. } => "Check the network path to the domain controller.".into(),
            Self::Tls { problem, .. } => problem.fix().into(),
            Self::StartTlsRefused { .. } => "Enable TLS on the server (AD needs a certificate in the DC's store), or use ldaps:// if port 636 is open.".into(),
            Self::HandshakeTimeout { .. } => "Is the port right for the scheme (ldaps:// needs 636, ldap:// 389)? Or raise source.connect_timeout.".into(),
            Self::Bind { problem, .. } => problem.fix().into(),
            Self::EmptyPassword { .. } => "Put the real password where the config points.".into(),
            Self::AnonymousRefused { .. } => {
                "Set source.bind_dn and a password for a read-only service account.".into()
            }
            Self::NoSuchBase { hint, .. } => {
                format!("Check source.base_dn: it must name an existing entry, e.g. {hint}.")
            }
            Self::SearchFailed { fix, .. } => (*fix).into(),
            Self::OpTimeout { .. } => "Check the server's load, or raise source.op_timeout.".into(),
            Self::ConnectionLost { .. } => "Run it again; if it keeps happening, check idle timeouts on firewalls and load balancers.".into(),
            Self::Protocol { .. } => String::new(),
        }
    }
}

impl fmt::Display for LdapFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (what, fix) = (self.what(), self.fix());
        match self {
            Self::Tls { .. } => write!(f, "{what} Fix: {fix}."),
            Self::Bind { text, .. } => write!(f, "{what} Fix: {fix}. (server said: {text})"),
            _ if fix.is_empty() => f.write_str(&what),
            _ => write!(f, "{what} {fix}"),
        }
    }
}

impl std::error::Error for LdapFailure {}

fn secs(d: Duration) -> String {
    humantime::format_duration(d).to_string()
}

impl TlsProblem {
    pub fn what(self) -> &'static str {
        match self {
            Self::UntrustedIssuer => "the server's certificate is not signed by a trusted CA",
            Self::NameMismatch => "the server's certificate is not issued for this name",
            Self::Expired => "the server's certificate has expired",
            Self::NotYetValid => "the server's certificate is not valid yet",
            Self::NotTls => "the server did not answer with TLS",
            Self::Other => "the TLS handshake failed",
        }
    }

    pub fn fix(self) -> &'static str {
        match self {
            Self::UntrustedIssuer => {
                "set source.ca_file to the PEM file of the CA that issued the domain controller's certificate (on AD: export the root CA from certlm.msc)"
            }
            Self::NameMismatch => {
                "connect using a name listed in the certificate (usually the DC's fully qualified name) in source.url"
            }
            Self::Expired => "renew the domain controller's certificate",
            Self::NotYetValid => "check the clocks of this machine and the DC",
            Self::NotTls => "ldaps:// needs the LDAPS port (636); for port 389 use ldap:// with starttls = true",
            Self::Other => "check the server's TLS setup",
        }
    }
}

/// LDAP result code names (RFC 4511 §4.1.9) for messages.
pub fn rc_name(rc: u32) -> &'static str {
    match rc {
        0 => "success",
        1 => "operationsError",
        2 => "protocolError",
        3 => "timeLimitExceeded",
        4 => "sizeLimitExceeded",
        8 => "strongerAuthRequired",
        10 => "referral",
        11 => "adminLimitExceeded",
        12 => "unavailableCriticalExtension",
        13 => "confidentialityRequired",
        32 => "noSuchObject",
        34 => "invalidDNSyntax",
        49 => "invalidCredentials",
        50 => "insufficientAccessRights",
        51 => "busy",
        52 => "unavailable",
        53 => "unwillingToPerform",
        80 => "other",
        _ => "error",
    }
}

/// What to suggest when a search ends with `rc`.
pub fn search_fix(rc: u32) -> &'static str {
    match rc {
        3 => "Raise the server's time limit for the service account, or narrow source.base_dn.",
        4 | 11 => {
            "The server stopped at its size limit despite paging: lower source.page_size, or lift the limit for the service account (OpenLDAP: limits / sizelimit unlimited)."
        }
        12 => "The server does not support paged results (control 1.2.840.113556.1.4.319).",
        50 => "The service account lacks read rights on the Base DN: grant it read access.",
        51 | 52 => "The server is busy or unavailable: try again later, or point at another DC.",
        _ => "Check the server's log for the reason.",
    }
}

impl fmt::Display for TlsProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_ad_sub_codes() {
        let text = "80090308: LdapErr: DSID-0C09042A, comment: AcceptSecurityContext error, data 52e, v3839";
        assert_eq!(BindProblem::classify(49, text), (BindProblem::WrongPassword, Some("52e".into())));
        let text = "80090308: LdapErr: DSID-0C09042A, comment: AcceptSecurityContext error, data 533, v893";
        assert_eq!(BindProblem::classify(49, text).0, BindProblem::AccountDisabled);
        assert_eq!(BindProblem::classify(49, "data 775").0, BindProblem::AccountLocked);
        assert_eq!(BindProblem::classify(49, "").0, BindProblem::InvalidCredentials);
        assert_eq!(
            BindProblem::classify(8, "BindSimple: Transport encryption required.").0,
            BindProblem::NeedsEncryption
        );
    }

    #[test]
    fn messages_name_the_layer() {
        let e = LdapFailure::Refused { addr: "127.0.0.1:1".into(), port: 1 };
        assert!(e.to_string().starts_with("TCP:"));
        let e = LdapFailure::Bind {
            problem: BindProblem::AccountDisabled,
            code: Some("533".into()),
            bind_dn: "svc".into(),
            text: "data 533".into(),
        };
        assert!(e.to_string().contains("disabled") && e.to_string().contains("Fix:"), "{e}");
    }
}
